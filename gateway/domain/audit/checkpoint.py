"""A signed checkpoint of a house's chain: the record, and the one message its signature covers.

Version 1 signs ``<huis>|<volgnummer>|<hash>``; a checkpoint that also names the Merkle tree (``boomGrootte``,
``boomWortel``, RFC 9162) signs ``ketenpoort.checkpoint.v2|<huis>|<volgnummer>|<hash>|<boomGrootte>|<boomWortel>``.
Old checkpoints keep verifying with the first form. Fields this version does not know are carried along.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CHECKPOINT_ELKE = 100  # a checkpoint at every multiple of this volgnummer (and at least every 60 s)
CHECKPOINT_MAX_LEEFTIJD_S = 60.0  # the periodic checkpoint: events never wait longer than this for one
_BEKEND = frozenset(("huis", "volgnummer", "hash", "handtekening", "sleutelId", "boomGrootte", "boomWortel"))
_HEX = frozenset("0123456789abcdef")


def _is_hash(h: object) -> bool:
    return isinstance(h, str) and len(h) == 64 and _HEX.issuperset(h)


def _is_volgnummer(v: object) -> bool:
    return type(v) is int and v >= 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    huis: str
    volgnummer: int
    hash: str
    handtekening: str | None = None
    sleutel_id: str | None = None
    boom_grootte: int | None = None
    boom_wortel: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()  # fields of a later version, kept as read

    @classmethod
    def uit_data(cls, data: Mapping[str, Any]) -> Checkpoint:
        """The checkpoint in a checkpoint event's data; ValueError naming what is malformed."""
        huis, vn, h = data.get("huis"), data.get("volgnummer"), data.get("hash")
        if not isinstance(huis, str) or not huis:
            raise ValueError("checkpoint zonder huis")
        if not _is_volgnummer(vn) or not _is_hash(h):
            raise ValueError("checkpoint zonder geldig volgnummer of hash")
        grootte, wortel = data.get("boomGrootte"), data.get("boomWortel")
        if (grootte is None) != (wortel is None) or (grootte is not None and (
                type(grootte) is not int or grootte < 0 or not _is_hash(wortel))):
            raise ValueError("checkpoint met een ongeldige boomGrootte of boomWortel")
        handtekening, sleutel = data.get("handtekening"), data.get("sleutelId")
        return cls(huis, vn, h,  # type: ignore[arg-type]
                   handtekening if isinstance(handtekening, str) else None,
                   sleutel if isinstance(sleutel, str) else None,
                   grootte, wortel,
                   tuple(sorted((k, v) for k, v in data.items() if k not in _BEKEND)))

    def als_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"huis": self.huis, "volgnummer": self.volgnummer, "hash": self.hash}
        if self.boom_grootte is not None:
            data["boomGrootte"], data["boomWortel"] = self.boom_grootte, self.boom_wortel
        data.update(self.extra)
        data["handtekening"], data["sleutelId"] = self.handtekening, self.sleutel_id
        return data


def checkpoint_bericht(cp: Checkpoint | Mapping[str, Any]) -> bytes:
    """The bytes a checkpoint's Ed25519 signature covers (both versions, see the module docstring)."""
    if not isinstance(cp, Checkpoint):
        cp = Checkpoint.uit_data(cp)
    if cp.boom_grootte is not None:
        return (f"ketenpoort.checkpoint.v2|{cp.huis}|{cp.volgnummer}|{cp.hash}|{cp.boom_grootte}|"
                f"{cp.boom_wortel}").encode()
    return f"{cp.huis}|{cp.volgnummer}|{cp.hash}".encode()
