"""Reading one audit event or checkpoint as the verifier needs it: kind, id digest, chain fields."""

from __future__ import annotations

import hashlib
import itertools
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .keten import AUDIT_TYPE, CHECKPOINT_TYPE, keten_hash

_HEX = frozenset("0123456789abcdef")
_GEEN = 0xFFFF_FFFF_FFFF_FFFF  # "no value" in the compact diagnosis arrays
_ONLEESBAAR = itertools.count(1)  # ids for records without one: never equal, so never "duplicates"

# --------------------------------------------------------------------------- reading one event


def _is_hash(h: object) -> bool:
    return isinstance(h, str) and len(h) == 64 and _HEX.issuperset(h)


def _p(h: object) -> int:
    """64-bit prefix of a hash, for the diagnosis arrays (any other value maps to a stable digest)."""
    if h is None:
        return _GEEN
    if _is_hash(h):
        return int(h[:16], 16)  # type: ignore[index]
    return int.from_bytes(hashlib.blake2b(repr(h).encode(), digest_size=8).digest()) ^ 1


def _id_digest(ev_id: str) -> int:
    """64 bits of an event id, to recognise redeliveries (always together with the full chain hash)."""
    # A stable digest (not the per-process randomised hash()), so helper processes compute the same value:
    # a UUID's 128 bits folded to 64 (the common case, cheap), anything else through blake2b.
    if len(ev_id) == 36:
        try:
            u = int(ev_id.replace("-", ""), 16)
        except ValueError:
            pass
        else:
            return (u >> 64) ^ (u & _GEEN)
    return int.from_bytes(hashlib.blake2b(ev_id.encode("utf-8", "surrogatepass"), digest_size=8).digest())


def _data_van(ev: Mapping[str, Any]) -> Any:
    if type(ev) is dict and "data" in ev:
        return ev["data"]
    if "data" in ev or "specversion" in ev:
        return ev.get("data")
    return ev  # a bare audit data object (tests, API output)


def _soort_van(ev: Any) -> str | None:
    """'audit', 'checkpoint' or None (another event type on the topic)."""
    if type(ev) is dict and ev.get("type") == AUDIT_TYPE:
        return "audit"
    if not isinstance(ev, Mapping):
        return "audit"  # unreadable: it still occupies a place in the log
    t = ev.get("type")
    if t == AUDIT_TYPE:
        return "audit"
    if t == CHECKPOINT_TYPE:
        return "checkpoint"
    if t is None:
        data = _data_van(ev)
        if isinstance(data, Mapping) and "handtekening" in data:
            return "checkpoint"
        return "audit"
    return None


def _ev_id(ev: Any, data: Any) -> str:
    if type(ev) is dict:
        ev_id = ev.get("id")
        if type(ev_id) is str:
            return ev_id
    if isinstance(ev, Mapping) and ev.get("id") is not None:
        return str(ev["id"])
    if isinstance(data, Mapping) and _is_hash(data.get("hash")):
        return f"hash:{data['hash']}"
    return f"onleesbaar:{next(_ONLEESBAAR)}"


def huis_van(ev: Any, sleutel: str | None = None) -> str | None:
    """The house of an event: data.huis, else the record key, else the CloudEvent source."""
    if isinstance(ev, Mapping):
        data = _data_van(ev)
        if isinstance(data, Mapping) and isinstance(data.get("huis"), str):
            return str(data["huis"])
    if sleutel:
        return sleutel
    if isinstance(ev, Mapping):
        bron = ev.get("source")
        prefix = "urn:nld:ketenpoort:huis:"
        if isinstance(bron, str) and bron.startswith(prefix):
            return bron[len(prefix):]
    return None


def per_huis(events: Iterable[Any]) -> dict[str, list[Any]]:
    """Split a mixed stream per house, keeping the order within each house."""
    uit: dict[str, list[Any]] = {}
    for ev in events:
        uit.setdefault(huis_van(ev) or "?", []).append(ev)
    return uit


# --------------------------------------------------------------------------- hashing, fast and exact




# --------------------------------------------------------------------------- the verifier


@dataclass(slots=True)
class _Rec:
    vn: int | None
    vorige: str | None
    opgegeven: str | None
    eigen: str | None
    idd: int

    @property
    def ok(self) -> bool:
        return self.eigen is not None and self.eigen == self.opgegeven


_BEREKEN: Any = object()  # "compute the hash here"


def _rec(ev: Any, eigen: str | None = _BEREKEN) -> _Rec:
    data = _data_van(ev) if type(ev) is dict or isinstance(ev, Mapping) else None
    idd = _id_digest(_ev_id(ev, data))
    if type(data) is not dict and not isinstance(data, Mapping):
        return _Rec(None, None, None, None, idd)
    if eigen is _BEREKEN:
        try:
            eigen = keten_hash(data)
        except (TypeError, ValueError, RecursionError):
            eigen = None
    return _kern_rec(idd, data.get("volgnummer"), data.get("vorigeHash"), data.get("hash"), eigen)


def _kern_rec(idd: int, vn: Any, vorige: Any, opgegeven: Any, eigen: str | None) -> _Rec:
    if type(vn) is not int and (not isinstance(vn, int) or isinstance(vn, bool)) or vn < 1:
        vn = None
    return _Rec(vn, vorige if isinstance(vorige, str) else None,
                opgegeven if isinstance(opgegeven, str) else None, eigen, idd)


class _Diagnose:
    """Everything read after the first event that did not fit, in compact arrays (index 0 = that event)."""

    __slots__ = ("eerste", "vn", "vg", "og", "ok", "gezien")

    def __init__(self, r: _Rec):
        self.eerste = r
        self.vn = array("q")
        self.vg = array("Q")
        self.og = array("Q")
        self.ok = bytearray()
        self.gezien: set[int] = set()
        self.voeg_toe(r)

    def voeg_toe(self, r: _Rec) -> bool:
        sleutel = hash((r.idd, r.eigen))
        if sleutel in self.gezien:
            return False
        self.gezien.add(sleutel)
        self.vn.append(r.vn if r.vn is not None else -1)
        self.vg.append(_p(r.vorige))
        self.og.append(_p(r.opgegeven))
        self.ok.append(1 if r.ok else 0)
        return True

