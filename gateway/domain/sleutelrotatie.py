"""Re-keying identity rows to the current identity key (docs/sleutelrotatie-identiteit.md): records and ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from .ports import IdentiteitsKluis


@dataclass(frozen=True)
class IdentiteitRij:
    """One identity row as stored: the BSN only encrypted, never in clear."""

    betrokkene_id: UUID
    huis: str
    pseudoniem: str
    bsn_versleuteld: bytes
    sleutelversie: int


@dataclass(frozen=True)
class Hersleuteld:
    """A row re-keyed in memory: written only if the stored row is still exactly `oud`."""

    oud: IdentiteitRij
    pseudoniem: str
    bsn_versleuteld: bytes
    sleutelversie: int


@dataclass(frozen=True)
class Dubbel:
    """A row whose pseudonym under the new key already belongs to another betrokkene of the house."""

    betrokkene_id: UUID
    andere_betrokkene_id: UUID | None


@dataclass(frozen=True)
class PartijUitkomst:
    herschreven: int  # rows now on the current key
    veranderd: int  # rows re-keyed or deleted meanwhile by someone else: nothing left to do
    dubbel: tuple[Dubbel, ...] = ()


class RoterendeKluis(IdentiteitsKluis, Protocol):
    @property
    def versies(self) -> frozenset[int]: ...  # every key version the vault can read


class IdentiteitRijen(Protocol):
    """The identity table as the rotation sees it. Every call is its own short transaction."""

    async def per_versie(self) -> dict[int, int]: ...
    # Rows of one key version after `na` (by betrokkene id), at most `limiet`: keyset paging, so a run resumes.
    async def partij(self, versie: int, na: UUID | None, limiet: int) -> list[IdentiteitRij]: ...
    # One transaction for the whole batch; a row that changed since it was read is left alone.
    async def herschrijf(self, rijen: Sequence[Hersleuteld]) -> PartijUitkomst: ...


__all__ = ["Dubbel", "Hersleuteld", "IdentiteitRij", "IdentiteitRijen", "PartijUitkomst", "RoterendeKluis"]
