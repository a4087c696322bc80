"""Ports: what the services need from the outside world, as Protocols. Adapters implement them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, datetime
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from .audit import AuditFilter, AuditRecord
from .events import DomeinGebeurtenis
from .toegang import Betrokkenheid
from .model import (
    Afspraak,
    AfspraakStatus,
    Agendapunt,
    Betrokkene,
    Casus,
    CasusStatus,
    DatInformatie,
    Overleg,
    Toestemming,
    Verwijzing,
)


class Klok(Protocol):
    def nu(self) -> datetime: ...


class IdentiteitsKluis(Protocol):
    """BSN at rest: AES-GCM encrypted, found through an HMAC pseudonym (invariant 5)."""

    @property
    def versie(self) -> int: ...  # the current identity key version, recorded with every new row
    def pseudoniem(self, huis: str, bsn: str) -> str: ...
    # Under the current key first, then under each previous key: a person is found mid-rotation.
    def pseudoniemen(self, huis: str, bsn: str) -> tuple[str, ...]: ...
    def versleutel(self, huis: str, bsn: str) -> bytes: ...
    def ontsleutel(self, huis: str, versleuteld: bytes) -> str: ...


class TokenControle(Protocol):
    """Validates a bearer token (signature, iss, aud, exp); raises NietGeauthenticeerd."""

    async def verifieer(self, token: str) -> Mapping[str, Any]: ...


class Bron(Protocol):
    """One partner source system. Returns dat-information only; raises only BronFout subclasses."""

    bronsysteem: str

    async def zoek(self, bsn: str, geboortedatum: date | None = None) -> DatInformatie: ...
    async def sluit(self) -> None: ...


class BetrokkeneRepository(Protocol):
    # The first of the pseudonyms (in the order given) that has a row.
    async def vind(self, huis: str, *pseudoniemen: str) -> Betrokkene | None: ...
    async def ophalen(self, huis: str, id: UUID) -> Betrokkene | None: ...
    async def vind_of_voeg_toe(self, betrokkene: Betrokkene, pseudoniem: str, versleuteld: bytes, *,
                               sleutelversie: int, eerdere: Sequence[str] = ()) -> Betrokkene: ...
    async def geboortedatum_corrigeren(self, huis: str, id: UUID, geboortedatum: date | None) -> None: ...
    # Many at once (one query each, not one per person): for an agenda of many casussen.
    async def ophalen_alle(self, huis: str, ids: Sequence[UUID]) -> dict[UUID, Betrokkene]: ...
    async def ophalen_alle_met_bsn(self, huis: str, ids: Sequence[UUID]) -> dict[UUID, tuple[Betrokkene, bytes | None]]: ...


class CasusRepository(Protocol):
    async def toevoegen(self, casus: Casus) -> None: ...
    async def ophalen(self, huis: str, id: UUID) -> Casus | None: ...
    async def ophalen_alle(self, huis: str, ids: Sequence[UUID]) -> dict[UUID, Casus]: ...
    async def bijwerken(self, casus: Casus) -> None: ...
    async def open_voor(self, huis: str, betrokkene_id: UUID, thema: str) -> Casus | None: ...
    async def van_betrokkene(self, huis: str, betrokkene_id: UUID) -> list[Casus]: ...
    # Need-to-know facts: the overlegtypen whose agenda holds it, the uitvoerders of its afspraken.
    async def betrokkenheid(self, casus: Casus) -> Betrokkenheid: ...
    async def lijst(
        self,
        huis: str,
        *,
        themas: set[str] | None,
        thema: str | None,
        status: CasusStatus | None,
        offset: int,
        limit: int,
        betrokken: tuple[str, frozenset[str]] | None = None,
    ) -> tuple[list[Casus], int]: ...


class OverlegRepository(Protocol):
    async def toevoegen(self, overleg: Overleg) -> None: ...
    async def ophalen(self, huis: str, id: UUID) -> Overleg | None: ...
    async def lijst(self, huis: str, *, overlegtypen: set[str] | None, overlegtype: str | None,
                    vanaf: date | None, tot: date | None, offset: int, limit: int) -> tuple[list[Overleg], int]: ...
    async def agendapunten(self, overleg_id: UUID) -> list[Agendapunt]: ...
    async def agendapunt_toevoegen(self, punt: Agendapunt) -> None: ...
    async def agendapunt_verwijderen(self, overleg_id: UUID, id: UUID) -> Agendapunt | None: ...
    async def volgende_volgorde(self, overleg_id: UUID) -> int: ...


class AfspraakRepository(Protocol):
    async def toevoegen(self, afspraak: Afspraak) -> None: ...
    async def ophalen(self, huis: str, id: UUID) -> Afspraak | None: ...
    async def bijwerken(self, afspraak: Afspraak) -> None: ...
    async def voor_casus(self, casus_id: UUID) -> list[Afspraak]: ...
    async def lijst(
        self,
        huis: str,
        *,
        themas: set[str] | None,
        status: AfspraakStatus | None,
        uitvoerder: str | None,
        verlopen_op: date | None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[tuple[Afspraak, UUID]]: ...
    async def aantal(self, huis: str, *, themas: set[str] | None, status: AfspraakStatus | None,
                     uitvoerder: str | None, verlopen_op: date | None) -> int: ...
    async def verlopen_zonder_melding(self, huis: str, vandaag: date) -> list[Afspraak]: ...
    async def verloop_gemeld(self, id: UUID) -> None: ...


class ToestemmingRepository(Protocol):
    async def toevoegen(self, toestemming: Toestemming) -> None: ...
    async def voor_casus(self, casus_id: UUID) -> list[Toestemming]: ...
    async def ophalen(self, casus_id: UUID, id: UUID) -> Toestemming | None: ...
    async def intrekken(self, toestemming: Toestemming) -> None: ...
    async def voor_casussen(self, casus_ids: Sequence[UUID]) -> dict[UUID, list[Toestemming]]: ...


class VerwijzingRepository(Protocol):
    async def opslaan_alle(self, verwijzingen: Sequence[Verwijzing]) -> None: ...
    async def voor_casus(self, casus_id: UUID) -> list[Verwijzing]: ...


class AuditLedger(Protocol):
    """Appends to the house's chain inside the current transaction (invariant 3)."""

    async def vastleggen(self, record: AuditRecord) -> None: ...


class GebeurtenisOutbox(Protocol):
    async def toevoegen(self, gebeurtenis: DomeinGebeurtenis) -> None: ...


class UnitOfWork(Protocol):
    betrokkenen: BetrokkeneRepository
    casussen: CasusRepository
    overleggen: OverlegRepository
    afspraken: AfspraakRepository
    toestemmingen: ToestemmingRepository
    verwijzingen: VerwijzingRepository
    audit: AuditLedger
    gebeurtenissen: GebeurtenisOutbox

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class AuditLezer(Protocol):
    """Reads one house's audit log, oldest first (privacy officer: inzage, replay): the database ledger or
    the Kafka topic, both selecting with the one AuditFilter."""

    def gebeurtenissen(self, huis: str, filter: AuditFilter, limiet: int | None = None,
                       ) -> AsyncIterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class OpgeslagenGebeurtenis:
    positie: int
    event: dict[str, Any]
    thema: str | None
    overlegtype: str | None


class GebeurtenisLezer(Protocol):
    """Domain events of one house after a position, in order (the SSE stream)."""

    async def na(self, huis: str, positie: int, limiet: int) -> list[OpgeslagenGebeurtenis]: ...
    async def laatste(self, huis: str) -> int: ...


class AuditBewijzen(Protocol):
    """The house's signed checkpoints and Merkle proofs: hashes only, no personal data of anyone."""

    async def checkpoints(self, huis: str, *, vanaf: int, limiet: int) -> Sequence[Mapping[str, Any]]: ...
    async def laatste_checkpoint(self, huis: str) -> Mapping[str, Any] | None: ...
    async def checkpoint_op(self, huis: str, volgnummer: int) -> Mapping[str, Any] | None: ...
    async def verzoeker_van(self, huis: str, volgnummer: int) -> tuple[str, Mapping[str, Any]] | None: ...
    async def opname(self, huis: str, blad: int, grootte: int) -> list[str]: ...
    async def consistentie(self, huis: str, van: int, tot: int) -> list[str]: ...
