"""Request and response bodies. Requests forbid unknown fields; attributes are Dutch camelCase."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from gateway.domain.audit import tijd
from gateway.domain.model import (
    Afspraak,
    AfspraakStatus,
    Agendapunt,
    Casus,
    CasusStatus,
    GegevenDoor,
    Overleg,
    Resultaat,
    ResultaatStatus,
    Toestemming,
)

from .audit_schemas import AuditGegevens
from .invoer import BekendOverlegtype, BekendThema, Bsn
from .tekst import Regel, Tekst


class Verzoek(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=False,
                              str_strip_whitespace=True)


class Antwoord(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


def slug(**kw: object):  # noqa: ANN201
    return Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$", **kw)


class CasusAanmelden(Verzoek):
    bsn: Bsn = Field(min_length=1, max_length=20, description="BSN (9 cijfers, elfproef); wordt nooit teruggegeven")
    thema: BekendThema = slug()
    gemeente: Regel = Field(min_length=1, max_length=100)
    geboortedatum: date | None = None


class CasusZoeken(Verzoek):
    bsn: Bsn = Field(min_length=1, max_length=20)


class CasusWijzigen(Verzoek):
    status: CasusStatus | None = None
    casusregisseur: str | None = slug(default=None)
    afsluit_reden: Tekst | None = Field(default=None, min_length=1, max_length=500)


class Ref(Antwoord):
    id: UUID


class CasusUit(Antwoord):
    id: UUID
    huis: str
    thema: str
    status: CasusStatus
    gemeente: str
    betrokkene: Ref
    aangemeld_door: str
    aangemeld_op: str
    casusregisseur: str | None
    afgesloten_op: str | None
    afsluit_reden: str | None = None

    @classmethod
    def van(cls, c: Casus) -> CasusUit:
        return cls(id=c.id, huis=c.huis, thema=c.thema, status=c.status, gemeente=c.gemeente,
                   betrokkene=Ref(id=c.betrokkene_id), aangemeld_door=c.aangemeld_door,
                   aangemeld_op=tijd(c.aangemeld_op), casusregisseur=c.casusregisseur,
                   afgesloten_op=tijd(c.afgesloten_op) if c.afgesloten_op else None, afsluit_reden=c.afsluit_reden)


class CasussenUit(Antwoord):
    casussen: list[CasusUit]


class CasusPagina(CasussenUit):
    pagina: int
    pagina_grootte: int
    totaal: int


class OverlegPlannen(Verzoek):
    overlegtype: BekendOverlegtype = slug()
    datum: date


class OverlegUit(Antwoord):
    id: UUID
    overlegtype: str
    datum: date
    deelnemers: list[str]
    kernpartners: list[str]
    schilpartners: list[str]
    voorzitter: str | None

    @classmethod
    def van(cls, o: Overleg, ot) -> OverlegUit:  # noqa: ANN001
        from gateway.services.overleggen import deelnemers

        return cls(id=o.id, overlegtype=o.overlegtype, datum=o.datum, deelnemers=deelnemers(ot),
                   kernpartners=list(ot.kernpartners), schilpartners=list(ot.schilpartners), voorzitter=ot.voorzitter)


class AgendapuntToevoegen(Verzoek):
    casus_id: UUID


class AgendapuntUit(Antwoord):
    id: UUID
    casus_id: UUID
    volgorde: int

    @classmethod
    def van(cls, p: Agendapunt) -> AgendapuntUit:
        return cls(id=p.id, casus_id=p.casus_id, volgorde=p.volgorde)


class AgendaUit(Antwoord):
    agendapunten: list[AgendapuntUit]


class AfspraakVastleggen(Verzoek):
    uitvoerder: str = slug()
    actie: Tekst = Field(min_length=1, max_length=500)
    deadline: date
    overleg_id: UUID | None = None


class AfspraakWijzigen(Verzoek):
    status: Literal["uitgevoerd", "niet_nagekomen", "vervallen"]
    toelichting: Tekst | None = Field(default=None, min_length=1, max_length=1000)


class AfspraakUit(Antwoord):
    id: UUID
    casus_id: UUID
    uitvoerder: str
    actie: str
    deadline: date
    status: AfspraakStatus
    vastgelegd_door: str
    vastgelegd_op: str
    overleg_id: UUID | None
    toelichting: str | None
    gewijzigd_op: str | None
    verlopen: bool

    @classmethod
    def van(cls, a: Afspraak, vandaag: date) -> AfspraakUit:
        return cls(id=a.id, casus_id=a.casus_id, uitvoerder=a.uitvoerder, actie=a.actie, deadline=a.deadline,
                   status=a.status, vastgelegd_door=a.vastgelegd_door, vastgelegd_op=tijd(a.vastgelegd_op),
                   overleg_id=a.overleg_id, toelichting=a.toelichting,
                   gewijzigd_op=tijd(a.gewijzigd_op) if a.gewijzigd_op else None, verlopen=a.is_verlopen(vandaag))


class AfsprakenUit(Antwoord):
    afspraken: list[AfspraakUit]


class ToestemmingVastleggen(Verzoek):
    categorie: str = slug()
    gegeven_door: GegevenDoor
    geldig_tot: date | None = None


class ToestemmingUit(Antwoord):
    id: UUID
    casus_id: UUID
    categorie: str
    gegeven_door: GegevenDoor
    geldig_tot: date | None
    vastgelegd_door: str
    vastgelegd_op: str

    @classmethod
    def van(cls, t: Toestemming) -> ToestemmingUit:
        return cls(id=t.id, casus_id=t.casus_id, categorie=t.categorie, gegeven_door=t.gegeven_door,
                   geldig_tot=t.geldig_tot, vastgelegd_door=t.vastgelegd_door, vastgelegd_op=tijd(t.vastgelegd_op))


class ToestemmingenUit(Antwoord):
    toestemmingen: list[ToestemmingUit]




class VerwijzingenOphalen(Verzoek):
    overleg_id: UUID


class ContactpuntUit(Antwoord):
    naam: str
    telefoon: str | None = None
    email: str | None = None


class VerwijzingUit(Antwoord):
    bronsysteem: str
    bekend_sinds: date | None
    contactpunt: ContactpuntUit | None
    referentie: str | None
    bron_peildatum: str | None
    opgehaald_op: str


class ResultaatUit(Antwoord):
    bron: str
    bronsysteem: str | None
    status: ResultaatStatus
    verwijzing: VerwijzingUit | None = None
    regel: str | None = None
    reden: str | None = None

    @classmethod
    def van(cls, r: Resultaat) -> ResultaatUit:
        w = r.verwijzing
        verwijzing = None
        if w is not None:
            cp = w.contactpunt
            verwijzing = VerwijzingUit(
                bronsysteem=w.bronsysteem, bekend_sinds=w.bekend_sinds,
                contactpunt=ContactpuntUit(naam=cp.naam, telefoon=cp.telefoon, email=cp.email) if cp else None,
                referentie=w.referentie, bron_peildatum=tijd(w.bron_peildatum) if w.bron_peildatum else None,
                opgehaald_op=tijd(w.opgehaald_op),
            )
        return cls(bron=r.bron, bronsysteem=r.bronsysteem, status=r.status, verwijzing=verwijzing, regel=r.regel,
                   reden=r.reden)


class ResultatenUit(Antwoord):
    resultaten: list[ResultaatUit]


class AgendapuntResultatenUit(Antwoord):
    casus_id: UUID
    resultaten: list[ResultaatUit]


class OverlegResultatenUit(Antwoord):
    agendapunten: list[AgendapuntResultatenUit]


class InzageVerzoek(Verzoek):
    bsn: Bsn = Field(min_length=1, max_length=20)


class InzageUit(Antwoord):
    betrokkene: Ref | None
    uitwisselingen: list[AuditGegevens]


class AuditGebeurtenissenUit(Antwoord):
    gebeurtenissen: list[AuditGegevens]
