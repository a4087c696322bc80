"""Entities of the gateway: only registrations, agendas, afspraken, verwijzingen, consent.

Nothing here holds content from a source system; the person is an opaque betrokkene id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from .errors import Conflict


class Scope(StrEnum):
    PARTNER = "partner"
    PROCESREGISSEUR = "procesregisseur"
    PRIVACY = "privacy"
    BEHEER = "beheer"


# Roles of the house itself, acting for its controller(s): never a partner, never confused with one.
PROCESREGIE = "procesregie"
PRIVACY = "privacy"
BEHEER = "beheer"
HUISROLLEN = (PROCESREGIE, PRIVACY, BEHEER)
_ROL_VAN_SCOPE = {Scope.PROCESREGISSEUR: PROCESREGIE, Scope.PRIVACY: PRIVACY, Scope.BEHEER: BEHEER}


def rol_voor_scopes(scopes: frozenset[str]) -> str | None:
    """The house role a token's scopes stand for (procesregie before privacy before beheer), or None."""
    for scope, rol in _ROL_VAN_SCOPE.items():
        if scope.value in scopes:
            return rol
    return None


@dataclass(frozen=True)
class Verzoeker:
    """Who asks: from a validated token plus the X-Gebruiker header (Wpg/Wjsg logging duty).

    A partner's system carries `partner`; the house's own staff (procesregie, privacy, beheer) carry
    `partner=None` and act as their role, which the convenant can name as a recipient in its own right.
    """

    huis: str
    partner: str | None
    client_id: str
    scopes: frozenset[str]
    gebruiker: str | None = None
    trace_id: str | None = None

    def heeft(self, scope: Scope) -> bool:
        return scope.value in self.scopes

    @property
    def rol(self) -> str | None:
        return None if self.partner else rol_voor_scopes(self.scopes)

    @property
    def ontvanger(self) -> str:
        """Who receives what the gateway answers: the partner, or the house role itself."""
        return self.partner or self.rol or "onbekend"

    @property
    def is_procesregisseur(self) -> bool:
        return self.heeft(Scope.PROCESREGISSEUR) and self.partner is None


class CasusStatus(StrEnum):
    AANGEMELD = "aangemeld"
    IN_BEHANDELING = "in_behandeling"
    AFGESLOTEN = "afgesloten"


_CASUS_OVERGANGEN: dict[CasusStatus, frozenset[CasusStatus]] = {
    CasusStatus.AANGEMELD: frozenset({CasusStatus.IN_BEHANDELING, CasusStatus.AFGESLOTEN}),
    CasusStatus.IN_BEHANDELING: frozenset({CasusStatus.AFGESLOTEN}),
    CasusStatus.AFGESLOTEN: frozenset(),
}


@dataclass(frozen=True)
class Betrokkene:
    """The person, as the gateway knows them: an opaque id (and, for the age rule, a birth date)."""

    id: UUID
    huis: str
    geboortedatum: date | None = None


@dataclass(frozen=True)
class Casus:
    id: UUID
    huis: str
    thema: str
    status: CasusStatus
    gemeente: str
    betrokkene_id: UUID
    aangemeld_door: str
    aangemeld_op: datetime
    casusregisseur: str | None = None
    afgesloten_op: datetime | None = None
    afsluit_reden: str | None = None

    def met_status(self, nieuw: CasusStatus, op: datetime, reden: str | None = None) -> Casus:
        if nieuw == self.status:
            return self
        if nieuw not in _CASUS_OVERGANGEN[self.status]:
            raise Conflict(f"statusovergang {self.status.value} -> {nieuw.value} is niet toegestaan")
        if nieuw is CasusStatus.AFGESLOTEN:
            return replace(self, status=nieuw, afgesloten_op=op, afsluit_reden=reden)
        return replace(self, status=nieuw)


@dataclass(frozen=True)
class Overleg:
    id: UUID
    huis: str
    overlegtype: str
    datum: date
    gepland_door: str
    gepland_op: datetime
    gemeente: str | None = None  # the municipality a nazorg meeting is for (seed 000:6079-6090)


@dataclass(frozen=True)
class Agendapunt:
    id: UUID
    overleg_id: UUID
    casus_id: UUID
    volgorde: int


class AfspraakStatus(StrEnum):
    OPEN = "open"
    UITGEVOERD = "uitgevoerd"
    NIET_NAGEKOMEN = "niet_nagekomen"
    VERVALLEN = "vervallen"


@dataclass(frozen=True)
class Afspraak:
    id: UUID
    huis: str
    casus_id: UUID
    uitvoerder: str
    actie: str
    deadline: date
    status: AfspraakStatus
    vastgelegd_door: str
    vastgelegd_op: datetime
    overleg_id: UUID | None = None
    toelichting: str | None = None
    gewijzigd_op: datetime | None = None

    def met_status(self, nieuw: AfspraakStatus, op: datetime, toelichting: str | None) -> Afspraak:
        # An afspraak is settled once; a later correction is a new afspraak, so history stays honest.
        if self.status is not AfspraakStatus.OPEN or nieuw is AfspraakStatus.OPEN:
            raise Conflict(f"statusovergang {self.status.value} -> {nieuw.value} is niet toegestaan")
        return replace(self, status=nieuw, toelichting=toelichting, gewijzigd_op=op)

    def is_verlopen(self, vandaag: date) -> bool:
        return self.status is AfspraakStatus.OPEN and self.deadline < vandaag


class GegevenDoor(StrEnum):
    BETROKKENE = "betrokkene"
    WETTELIJK_VERTEGENWOORDIGER = "wettelijk_vertegenwoordiger"


@dataclass(frozen=True)
class Toestemming:
    id: UUID
    huis: str
    casus_id: UUID
    categorie: str
    gegeven_door: GegevenDoor
    vastgelegd_door: str
    vastgelegd_op: datetime
    geldig_tot: date | None = None
    # The source of the record (issue 11): for whom or what it was given, and the evidence it rests on.
    ontvangers: tuple[str, ...] = ()   # empty: every recipient the convenant names for this categorie
    doel: str | None = None
    bewijs: str | None = None          # form or document number of the signed consent
    ingetrokken_op: datetime | None = None
    ingetrokken_door: str | None = None

    @property
    def status(self) -> str:
        return "ingetrokken" if self.ingetrokken_op else "actief"

    def geldig_op(self, dag: date, ontvanger: str | None = None) -> bool:
        if self.ingetrokken_op is not None and self.ingetrokken_op.date() <= dag:
            return False
        if ontvanger is not None and self.ontvangers and ontvanger not in self.ontvangers:
            return False
        return self.vastgelegd_op.date() <= dag and (self.geldig_tot is None or dag <= self.geldig_tot)

    def ingetrokken(self, op: datetime, door: str) -> Toestemming:
        if self.ingetrokken_op is not None:
            raise Conflict("deze toestemming is al ingetrokken")
        return replace(self, ingetrokken_op=op, ingetrokken_door=door)


@dataclass(frozen=True)
class Contactpunt:
    naam: str
    telefoon: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class DatInformatie:
    """What an adapter may return: *that* the source knows the person, never *what* it knows."""

    bronsysteem: str
    bekend: bool
    bekend_sinds: date | None = None
    contactpunt: Contactpunt | None = None
    referentie: str | None = None
    bron_peildatum: datetime | None = None


@dataclass(frozen=True)
class Verwijzing:
    """A stored dat-answer: which partner's system knows the person, since when, whom to call."""

    id: UUID
    huis: str
    casus_id: UUID
    betrokkene_id: UUID
    bron: str
    bronsysteem: str
    bekend_sinds: date | None
    contactpunt: Contactpunt | None
    referentie: str | None
    bron_peildatum: datetime | None
    opgehaald_op: datetime
    opgehaald_voor: str
    overleg_id: UUID | None = None
    regel: str | None = None


class ResultaatStatus(StrEnum):
    BEKEND = "bekend"
    NIET_BEKEND = "niet_bekend"
    NIET_TOEGESTAAN = "niet_toegestaan"
    NIET_BESCHIKBAAR = "niet_beschikbaar"


@dataclass(frozen=True)
class Resultaat:
    """One source's answer for one person, as far as the caller may see it."""

    bron: str
    bronsysteem: str | None
    status: ResultaatStatus
    verwijzing: Verwijzing | None = None
    regel: str | None = None
    reden: str | None = None
