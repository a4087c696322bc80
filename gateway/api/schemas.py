"""Request and response bodies. Requests forbid unknown fields; attributes are Dutch camelCase."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from gateway.api.bsn_vrij import weiger_bsn

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

    # Every caller string except the BSN field itself goes through the one BSN guard (gateway.domain.bsn).
    # Free text the service checks with the same guard is left to it, so one 400 names every invalid field.
    _bsn_in_dienst: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _geen_bsn(cls, waarde: object, info):  # noqa: ANN001, ANN206
        if info.field_name != "bsn" and info.field_name not in cls._bsn_in_dienst:
            for w in waarde if isinstance(waarde, list | tuple) else (waarde,):
                weiger_bsn(w) if isinstance(w, str) else None
        return waarde


class Antwoord(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


def slug(**kw: object):  # noqa: ANN201
    return Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$", **kw)


class CasusAanmelden(Verzoek):
    _bsn_in_dienst = frozenset({"gemeente"})
    bsn: Bsn = Field(min_length=1, max_length=20, description="BSN (9 cijfers, elfproef); wordt nooit teruggegeven")
    thema: BekendThema = slug()
    gemeente: Regel = Field(min_length=1, max_length=100, description="partner-id van de gemeente (van terugkeer)")
    geboortedatum: date | None = None


class GeboortedatumCorrigeren(Verzoek):
    _bsn_in_dienst = frozenset({"reden"})
    geboortedatum: date | None
    reden: str = Field(min_length=1, max_length=500, description="waarom (bijv. het nummer van het brondocument)")


class CasusZoeken(Verzoek):
    bsn: Bsn = Field(min_length=1, max_length=20)


class CasusWijzigen(Verzoek):
    _bsn_in_dienst = frozenset({"afsluit_reden"})
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
    gemeente: str | None
    betrokkene: Ref
    aangemeld_door: str | None
    aangemeld_op: str
    casusregisseur: str | None
    afgesloten_op: str | None
    afsluit_reden: str | None = None

    @classmethod
    def van(cls, c: Casus, zicht: str = "volledig") -> CasusUit:
        if zicht == "schil":  # a schilpartner sees that the casus exists, no details (issue 11)
            return cls(id=c.id, huis=c.huis, thema=c.thema, status=c.status, gemeente=None,
                       betrokkene=Ref(id=c.betrokkene_id), aangemeld_door=None, aangemeld_op=tijd(c.aangemeld_op),
                       casusregisseur=None, afgesloten_op=None, afsluit_reden=None)
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
    gemeente: str | None = slug(default=None, description="nazorg: de gemeente van terugkeer waarvoor dit overleg is")


class OverlegUit(Antwoord):
    id: UUID
    overlegtype: str
    datum: date
    deelnemers: list[str]
    kernpartners: list[str]
    schilpartners: list[str]
    voorzitter: str | None
    gemeente: str | None = None

    @classmethod
    def van(cls, o: Overleg, ot) -> OverlegUit:  # noqa: ANN001
        from gateway.services.overleggen import deelnemers

        return cls(id=o.id, overlegtype=o.overlegtype, datum=o.datum, deelnemers=deelnemers(ot),
                   kernpartners=list(ot.kernpartners), schilpartners=list(ot.schilpartners), voorzitter=ot.voorzitter,
                   gemeente=o.gemeente or ot.gemeente)


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
    _bsn_in_dienst = frozenset({"actie"})
    uitvoerder: str = slug()
    actie: Tekst = Field(min_length=1, max_length=500)
    deadline: date
    overleg_id: UUID | None = None


class AfspraakWijzigen(Verzoek):
    _bsn_in_dienst = frozenset({"toelichting"})
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
    _bsn_in_dienst = frozenset({"bewijs", "doel"})
    categorie: str = slug()
    gegeven_door: GegevenDoor
    geldig_tot: date | None = None
    bewijs: str = Field(min_length=1, max_length=200, description="nummer van het formulier of document met de toestemming")
    ontvangers: list[str] | None = Field(default=None, max_length=30,
                                         description="partner-ids; leeg: alle ontvangers die het convenant noemt")
    doel: str | None = Field(default=None, min_length=1, max_length=500)


class ToestemmingUit(Antwoord):
    id: UUID
    casus_id: UUID
    categorie: str
    gegeven_door: GegevenDoor
    geldig_tot: date | None
    vastgelegd_door: str
    vastgelegd_op: str
    bewijs: str | None = None
    ontvangers: list[str] = []
    doel: str | None = None
    status: Literal["actief", "ingetrokken"] = "actief"
    ingetrokken_op: str | None = None

    @classmethod
    def van(cls, t: Toestemming) -> ToestemmingUit:
        return cls(id=t.id, casus_id=t.casus_id, categorie=t.categorie, gegeven_door=t.gegeven_door,
                   geldig_tot=t.geldig_tot, vastgelegd_door=t.vastgelegd_door, vastgelegd_op=tijd(t.vastgelegd_op),
                   bewijs=t.bewijs, ontvangers=list(t.ontvangers), doel=t.doel, status=t.status,
                   ingetrokken_op=tijd(t.ingetrokken_op) if t.ingetrokken_op else None)


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
