"""Identity key rotation: re-encrypt every BSN and re-derive every pseudonym under the current key.

Online and resumable: each batch is read, re-keyed in memory and written in its own short transaction,
only where the stored row is still what was read. Progress lives in the rows themselves (their
`sleutelversie`), so a run that stops anywhere continues with what is left, and a finished run is a no-op.
The gateway keeps serving meanwhile: it finds a person under the current or any previous key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from gateway.domain.sleutelrotatie import Dubbel, Hersleuteld, IdentiteitRijen, RoterendeKluis


class OnbekendeSleutelversie(Exception):
    """Rows were made with a key version that is not configured: they cannot be read, so nothing is done."""

    def __init__(self, versies: dict[int, int]):
        self.versies = versies
        lijst = ", ".join(f"versie {v}: {n} rijen" for v, n in sorted(versies.items()))
        super().__init__(f"identiteitssleutel niet geconfigureerd voor {lijst}")


@dataclass(frozen=True)
class Stand:
    huidig: int
    per_versie: dict[int, int]  # rows per key version
    onbekend: dict[int, int]  # of which no key is configured

    @property
    def te_doen(self) -> int:
        return sum(n for v, n in self.per_versie.items() if v != self.huidig)


@dataclass
class Verslag:
    herschreven: int = 0
    veranderd: int = 0
    partijen: int = 0
    dubbel: list[Dubbel] = field(default_factory=list)
    onleesbaar: list[UUID] = field(default_factory=list)  # could not be decrypted with their version's key
    onderbroken: bool = False  # stopped at max_partijen with rows left

    @property
    def overgeslagen(self) -> int:
        return len(self.dubbel) + len(self.onleesbaar)


class IdentiteitRotatie:
    def __init__(self, rijen: IdentiteitRijen, kluis: RoterendeKluis):
        self._rijen = rijen
        self._kluis = kluis

    async def stand(self) -> Stand:
        per_versie = await self._rijen.per_versie()
        onbekend = {v: n for v, n in per_versie.items() if v not in self._kluis.versies}
        return Stand(self._kluis.versie, per_versie, onbekend)

    async def roteer(self, *, partijgrootte: int = 500, max_partijen: int | None = None, pauze: float = 0.0,
                     bij_partij: Callable[[int], None] | None = None) -> Verslag:
        stand = await self.stand()
        if stand.onbekend:
            raise OnbekendeSleutelversie(stand.onbekend)
        kluis, huidig = self._kluis, self._kluis.versie
        verslag = Verslag()
        for versie in sorted(v for v in stand.per_versie if v != huidig):
            na: UUID | None = None
            while True:
                if max_partijen is not None and verslag.partijen >= max_partijen:
                    verslag.onderbroken = (await self.stand()).te_doen > verslag.overgeslagen
                    return verslag
                rijen = await self._rijen.partij(versie, na, partijgrootte)
                if not rijen:
                    break
                na = rijen[-1].betrokkene_id
                nieuw: list[Hersleuteld] = []
                for r in rijen:
                    try:
                        bsn = kluis.ontsleutel(r.huis, r.bsn_versleuteld)
                    except Exception:  # noqa: BLE001 - reported by betrokkene id only; the row stays as it is
                        verslag.onleesbaar.append(r.betrokkene_id)
                        continue
                    nieuw.append(Hersleuteld(r, kluis.pseudoniem(r.huis, bsn), kluis.versleutel(r.huis, bsn), huidig))
                uitkomst = await self._rijen.herschrijf(nieuw)
                verslag.partijen += 1
                verslag.herschreven += uitkomst.herschreven
                verslag.veranderd += uitkomst.veranderd
                verslag.dubbel.extend(uitkomst.dubbel)
                if bij_partij is not None:
                    bij_partij(len(rijen))
                if pauze:
                    await asyncio.sleep(pauze)  # leaves the database to the gateway between batches
        return verslag


__all__ = ["IdentiteitRotatie", "OnbekendeSleutelversie", "Stand", "Verslag"]
