"""Two-sided reconciliation: a partner's receipts against the house's chain.

Each receipt names the audit events one request caused and the hash of the last. The chain links every event
to the one before, so a matching last hash vouches for the earlier ones of the same receipt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .merkle import blad_van_event, toevoegen, wortel
from .ontvangstbewijs import Ontvangstbewijs


class Afwijking(StrEnum):
    ONTBREEKT = "ontbreekt"                      # a volgnummer of the receipt is not in the chain
    GEWIJZIGD = "gewijzigd"                      # the chain's hash of the receipt's last event differs
    NIET_VERANKERD = "niet_verankerd"            # not (yet) under a valid signed checkpoint
    ANDER_HUIS = "ander_huis"                    # a receipt of another house than the one reconciled
    ZONDER_ONTVANGSTBEWIJS = "zonder_ontvangstbewijs"  # the partner's exchange in the chain has no receipt


@dataclass(frozen=True, slots=True)
class Bevinding:
    afwijking: Afwijking
    volgnummer: int
    toelichting: str


@dataclass(frozen=True, slots=True)
class Schakel:
    """What reconciliation needs of one chain event."""

    hash: str
    partner: str | None


def afstemmen(huis: str, bewijzen: Iterable[Ontvangstbewijs], keten: Mapping[int, Schakel], *,
              verankerd_tot: int, partner: str | None) -> list[Bevinding]:
    uit: list[Bevinding] = []
    gedekt: set[int] = set()
    for b in bewijzen:
        laatste = b.volgnummers[-1]
        if b.huis != huis:
            uit.append(Bevinding(Afwijking.ANDER_HUIS, laatste, f"ontvangstbewijs van huis {b.huis}"))
            continue
        gedekt.update(b.volgnummers)
        ontbrekend = [v for v in b.volgnummers if v not in keten]
        for v in ontbrekend:
            uit.append(Bevinding(Afwijking.ONTBREEKT, v, "staat op het ontvangstbewijs, niet in de keten"))
        if laatste not in ontbrekend and keten[laatste].hash != b.hash:
            uit.append(Bevinding(Afwijking.GEWIJZIGD, laatste,
                                 f"hash in de keten {keten[laatste].hash[:16]}…, op het ontvangstbewijs {b.hash[:16]}…"))
        if laatste > verankerd_tot:
            uit.append(Bevinding(Afwijking.NIET_VERANKERD, laatste,
                                 f"het laatste geldige checkpoint dekt tot volgnummer {verankerd_tot}"))
    if partner is not None:
        for v in sorted(keten):
            if keten[v].partner == partner and v not in gedekt:
                uit.append(Bevinding(Afwijking.ZONDER_ONTVANGSTBEWIJS, v,
                                     f"uitwisseling van {partner} in de keten zonder ontvangstbewijs"))
    return sorted(uit, key=lambda x: (x.volgnummer, x.afwijking))


def verankerd_tot(hashes: list[str], checkpoints: Iterable[Mapping[str, object]],
                  handtekening_klopt: Callable[[Mapping[str, object]], bool]) -> int:
    """The largest size under a checkpoint that is validly signed and agrees with the chain and its tree.

    `hashes[i]` is the hash of volgnummer i+1. A checkpoint without a tree root (older format) counts when its
    signature and chain head agree.
    """
    per_grootte: dict[int, list[Mapping[str, object]]] = {}
    for cp in checkpoints:
        vn = cp.get("volgnummer")
        if isinstance(vn, int) and 0 < vn <= len(hashes):
            per_grootte.setdefault(vn, []).append(cp)
    beste = 0
    frontier: list[bytes] = []
    for i, h in enumerate(hashes):
        frontier, _ = toevoegen(frontier, i, blad_van_event(h))
        for cp in per_grootte.get(i + 1, ()):
            if cp.get("hash") != h or not handtekening_klopt(cp):
                continue
            if cp.get("boomWortel") is not None and cp.get("boomWortel") != wortel(frontier).hex():
                continue
            beste = i + 1
    return beste
