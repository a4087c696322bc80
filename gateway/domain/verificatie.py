"""Verifying one house's audit log as it was read: hash chain, signed checkpoints, the first break.

Input is the house's audit events and checkpoints (CloudEvents, CONTRACT.md §6) in the order they
were read - one Kafka partition, or the ledger with checkpoints after their volgnummer - possibly
with exact redeliveries (at-least-once), which are dropped by CloudEvent `id`: a copy of an event
already accepted is dropped, and a copy that does not fit where it stands is skipped when another
copy of the same event follows within a window of 10,000 records (the outbox relay resends from the
first unacknowledged row, so an earlier copy may stand out of order - 1,2,4,5,3,4,5 - while the last
copies are in chain order). A copy with the same id but other content is a record of its own.

The happy path streams: O(1) work per event plus 40 bytes per accepted event (its hash and an id
digest, for redeliveries and for checkpoints). At the first event that does not fit, the rest of
the log is buffered in compact arrays (some 150 bytes per event), because telling a swap from a
deletion from an insertion needs look-ahead over everything that follows:

- ``ontbreekt``  the record for volgnummer e is nowhere; the log jumps from e-1 to a later one.
- ``verwisseld`` the record for e is there, but later: a record that belongs further on came first.
- ``ingevoegd``  a record that is not part of the chain (a second record for a filled volgnummer,
  a record that links to nothing while the genuine one follows).
- ``gewijzigd``  a record's content no longer matches its hash; or it was re-hashed, so the next
  record's vorigeHash points at another version; or a valid signed checkpoint names another hash
  for that volgnummer (the chain was rewritten after the last matching checkpoint).
- ``afgekapt``   a valid signed checkpoint (or the expected last volgnummer given by the caller)
  lies beyond the last event.
- ``checkpoint_vervalst`` a checkpoint whose signature does not verify (or is malformed).
- ``geen_anker`` the head of the log is gone (Kafka retention) and no valid signed checkpoint
  anchors what is left, so nothing can be vouched for.

Head removed by retention (``begin_verplicht=False``): the chain is followed from the first event
f > 1; a valid checkpoint at k >= f whose hash matches event k anchors it. Because every hash
covers the previous hash, that anchor vouches for f..k as well as for what follows k.

Signatures are checked by an injected ``controleer_handtekening(data) -> bool`` (crypto lives in
infrastructure); without one, checkpoints are counted but not used.
"""

from __future__ import annotations

import hashlib
import itertools
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gateway.domain.audit import AUDIT_TYPE, CHECKPOINT_TYPE, NUL_HASH, keten_hash

__all__ = [
    "Bevinding",
    "Breuktype",
    "HandtekeningControle",
    "KetenVerificatie",
    "Verslag",
    "huis_van",
    "per_huis",
    "verifieer",
    "verifieer_per_huis",
]

HandtekeningControle = Callable[[Mapping[str, Any]], bool]

_HEX = frozenset("0123456789abcdef")
_GEEN = 0xFFFF_FFFF_FFFF_FFFF  # "no value" in the compact diagnosis arrays
_ONLEESBAAR = itertools.count(1)  # ids for records without one: never equal, so never "duplicates"


class Breuktype(StrEnum):
    GEWIJZIGD = "gewijzigd"
    ONTBREEKT = "ontbreekt"
    INGEVOEGD = "ingevoegd"
    VERWISSELD = "verwisseld"
    AFGEKAPT = "afgekapt"
    CHECKPOINT_VERVALST = "checkpoint_vervalst"
    GEEN_ANKER = "geen_anker"

    @property
    def engels(self) -> str:
        """The contract's English word for the kind of break (CONTRACT.md §1)."""
        return _ENGELS[self]


_ENGELS = {
    Breuktype.GEWIJZIGD: "changed",
    Breuktype.ONTBREEKT: "missing",
    Breuktype.INGEVOEGD: "inserted",
    Breuktype.VERWISSELD: "reordered",
    Breuktype.AFGEKAPT: "truncated",
    Breuktype.CHECKPOINT_VERVALST: "forged checkpoint",
    Breuktype.GEEN_ANKER: "cannot vouch",
}


@dataclass(frozen=True)
class Bevinding:
    """The first break: at which volgnummer, what kind, and why (Dutch, for the privacy officer)."""

    volgnummer: int
    soort: Breuktype
    uitleg: str

    def __str__(self) -> str:
        return f"volgnummer {self.volgnummer}: {self.soort.value} ({self.soort.engels}): {self.uitleg}"


@dataclass(frozen=True)
class Verslag:
    """What `verify` reports for one house."""

    huis: str
    aantal: int  # distinct audit events read
    eerste: int | None  # first volgnummer vouched for (None: nothing can be vouched for)
    laatste: int | None  # last volgnummer vouched for
    hoogste: int | None  # highest volgnummer read (may lie beyond a break)
    begin_ontbreekt: bool  # the log does not start at volgnummer 1 (Kafka retention)
    anker: int | None  # the checkpoint that anchors a log whose head is gone
    checkpoints_gecontroleerd: int  # valid signature and matching the event at its volgnummer
    checkpoints_ongecontroleerd: int  # read but not checked (no key, before the start, after a break)
    handtekeningen_gecontroleerd: bool  # a public key was given
    dubbel: int  # redeliveries dropped (same id, same content)
    overgeslagen: int  # events of other types on the topic
    breuk: Bevinding | None

    @property
    def intact(self) -> bool:
        return self.breuk is None

    def samenvatting(self) -> str:
        """One line, Dutch, as `ketenpoort audit verify` prints it."""
        if self.breuk is not None:
            return f"huis {self.huis}: GEBROKEN bij {self.breuk}"
        if self.aantal == 0:
            return f"huis {self.huis}: geen audit-events"
        if self.begin_ontbreekt:
            bereik = (f"vanaf volgnummer {self.eerste} t/m {self.laatste} (begin niet meer aanwezig; "
                      f"verankerd op ondertekend checkpoint {self.anker})")
        else:
            bereik = f"volgnummer {self.eerste} t/m {self.laatste}"
        if self.handtekeningen_gecontroleerd:
            n = self.checkpoints_gecontroleerd
            cps = f"{n} checkpoint{'' if n == 1 else 's'} gecontroleerd"
        else:
            cps = "checkpoints niet gecontroleerd (geen publieke sleutel)"
        return f"huis {self.huis}: intact - {self.aantal} events, {bereik}, {cps}"

    def als_dict(self) -> dict[str, Any]:
        return {
            "huis": self.huis,
            "intact": self.intact,
            "aantal": self.aantal,
            "eerste": self.eerste,
            "laatste": self.laatste,
            "hoogste": self.hoogste,
            "beginOntbreekt": self.begin_ontbreekt,
            "anker": self.anker,
            "checkpointsGecontroleerd": self.checkpoints_gecontroleerd,
            "checkpointsOngecontroleerd": self.checkpoints_ongecontroleerd,
            "handtekeningenGecontroleerd": self.handtekeningen_gecontroleerd,
            "dubbel": self.dubbel,
            "overgeslagen": self.overgeslagen,
            "breuk": None if self.breuk is None else {
                "volgnummer": self.breuk.volgnummer, "soort": self.breuk.soort.value, "uitleg": self.breuk.uitleg,
            },
        }


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
    return hash(ev_id) & _GEEN


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
            return data["huis"]
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


_hash = keten_hash  # the fast exact path lives in audit.keten_hash, shared with the writer


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
            eigen = _hash(data)
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


class KetenVerificatie:
    """Incremental verifier for one house: feed events with `voeg_toe`, then `afronden()`.

    ``begin_verplicht``: the log must start at volgnummer 1 (the database ledger); when False a
    missing head is taken as retention and must be anchored by a signed checkpoint (Kafka).
    ``verwacht_laatste``: a volgnummer (and optionally its hash) the log must reach, e.g. from a
    signed checkpoint or the ledger's counter; events missing at the end are then ``afgekapt``.
    ``venster``: how many records are looked ahead for a later copy of a redelivered event.
    """

    def __init__(
        self,
        huis: str,
        controleer_handtekening: HandtekeningControle | None = None,
        *,
        begin_verplicht: bool = False,
        verwacht_laatste: int | tuple[int, str | None] | None = None,
        venster: int = 10_000,
    ):
        self.huis = huis
        self._venster_grootte = venster
        self._venster: deque[tuple[str, Any, Any]] = deque()
        self._in_venster: dict[tuple[int, str], int] = {}  # copies of each audit event in the window
        self._controle = controleer_handtekening
        self._begin_verplicht = begin_verplicht
        if isinstance(verwacht_laatste, tuple):
            self._verwacht: tuple[int, str | None] | None = verwacht_laatste
        elif verwacht_laatste is not None:
            self._verwacht = (verwacht_laatste, None)
        else:
            self._verwacht = None
        self._basis: int | None = None  # volgnummer of the first accepted event
        self._e = 1  # the volgnummer expected next
        self._h = NUL_HASH  # hash of the last accepted event
        self._hashes = bytearray()  # 32 bytes per accepted event
        self._ids = array("Q")  # id digest per accepted event
        self._diagnose: _Diagnose | None = None
        self._aantal = 0
        self._dubbel = 0
        self._overgeslagen = 0
        self._hoogste: int | None = None
        self._cp_ids: set[str] = set()
        self._cp_wachtend: dict[int, list[str]] = {}  # valid checkpoints ahead of the events
        self._cp_gedekt: set[int] = set()  # volgnummers confirmed by a valid checkpoint
        self._cp_ok = 0
        self._cp_ongecontroleerd = 0
        self._anker: int | None = None
        self._breuk: Bevinding | None = None  # lowest-volgnummer finding so far (checkpoints)

    # -- feeding ------------------------------------------------------------------------

    def voeg_alles_toe(self, events: Iterable[Any]) -> KetenVerificatie:
        for ev in events:
            self.voeg_toe(ev)
        return self

    def voeg_toe(self, ev: Any, *, eigen_hash: str | None = _BEREKEN) -> None:
        """Feed the next event or checkpoint as read.

        ``eigen_hash``: keten_hash of the event's data computed elsewhere (a reader that hashes while it
        decodes, or in other processes), None when it cannot be hashed; by default it is computed here.
        """
        soort = _soort_van(ev)
        if soort is None:
            self._overgeslagen += 1
            return
        if soort == "checkpoint":
            data = _data_van(ev)
            if not self._venster:  # nothing waits before it: its turn is now
                self._checkpoint(_ev_id(ev, data), data)
                return
            item: tuple[str, Any, Any] = ("c", _ev_id(ev, data), data)
        else:
            self._voeg_audit_toe(_rec(ev, eigen_hash))
            return
        self._venster.append(item)
        if len(self._venster) > self._venster_grootte:
            self._verwerk_oudste()

    def voeg_toe_audit(self, ev_id: str, volgnummer: Any, vorige_hash: Any, hash_: Any, *,
                       eigen_hash: str | None) -> None:
        """Feed an audit event by what the chain check needs of it - its CloudEvent id, its data's
        volgnummer, vorigeHash and hash, and keten_hash of its data (None: cannot be hashed) - for
        readers that decode and hash elsewhere. The same as ``voeg_toe(event, eigen_hash=...)`` for an
        event with type AUDIT_TYPE, that id and a data object holding those values.
        """
        self._voeg_audit_toe(_kern_rec(_id_digest(ev_id), volgnummer, vorige_hash, hash_, eigen_hash))

    def voeg_toe_reeks(self, volgnummer: int, vorige_hash: str, id_digests: array, hashes: bytes) -> None:
        """Feed a run of audit events that a reader found intact among themselves: len(id_digests)
        events with volgnummers from ``volgnummer`` on, each the next one's predecessor (vorigeHash =
        the previous hash), each with data whose keten_hash equals its hash; ``vorige_hash`` is the
        first one's vorigeHash, ``hashes`` the 32-byte hashes one after another and ``id_digests``
        _id_digest of each CloudEvent id. The same as feeding each with voeg_toe_audit; a run that
        continues the accepted chain is taken whole.
        """
        n = len(id_digests)
        i = 0
        while i < n:
            if (not self._venster and self._diagnose is None and self._basis is not None and not self._cp_wachtend
                    and volgnummer + i == self._e
                    and (vorige_hash if i == 0 else hashes[32 * i - 32: 32 * i].hex()) == self._h):
                laatste = volgnummer + n - 1
                if self._hoogste is None or laatste > self._hoogste:
                    self._hoogste = laatste
                self._aantal += n - i
                self._hashes += hashes[32 * i:] if i else hashes
                self._ids.extend(id_digests[i:] if i else id_digests)
                self._h = hashes[-32:].hex()
                self._e = laatste + 1
                return
            h = hashes[32 * i: 32 * i + 32].hex()
            self._voeg_audit_toe(_kern_rec(id_digests[i], volgnummer + i,
                                           vorige_hash if i == 0 else hashes[32 * i - 32: 32 * i].hex(), h, h))
            i += 1

    def _past_zonder_venster(self, r: _Rec) -> bool:
        """Whether r, processed now, is accepted or dropped as a copy of an accepted event whatever
        follows it - then nothing needs to be looked ahead for it (the window is for the rest)."""
        if self._basis is None:
            if not self._begin_verplicht and r.vn is not None and r.vn > 1 and r.vorige is not None:
                e, h = r.vn, r.vorige
            else:
                e, h = 1, NUL_HASH
            return r.vn == e and r.vorige == h and r.ok
        return (r.vn == self._e and r.vorige == self._h and r.ok) or self._is_dubbel(r)

    def _voeg_audit_toe(self, r: _Rec) -> None:
        if not self._venster and self._diagnose is None and self._past_zonder_venster(r):
            # Nothing waits before it and what follows cannot change its outcome: its turn is now.
            self._audit(r)
            return
        sleutel = (r.idd, r.eigen) if r.eigen is not None else None
        if sleutel is not None:
            self._in_venster[sleutel] = self._in_venster.get(sleutel, 0) + 1
        self._venster.append(("a", r, sleutel))
        if len(self._venster) > self._venster_grootte:
            self._verwerk_oudste()

    def _verwerk_oudste(self) -> None:
        soort, a, b = self._venster.popleft()
        if soort == "c":
            self._checkpoint(a, b)
            return
        later = False
        if b is not None:
            over = self._in_venster[b] - 1
            later = over > 0
            if over:
                self._in_venster[b] = over
            else:
                del self._in_venster[b]
        self._audit(a, later)

    def _audit(self, r: _Rec, later_kopie: bool = False) -> None:
        """`later_kopie`: the same event follows within the window. A copy that does not fit here is
        then skipped - the relay resends from the first unacknowledged row, so an earlier copy may
        stand out of order (1,2,4,5,3,4,5) while the last copies are in chain order."""
        if (r.vn == self._e and self._diagnose is None and self._basis is not None and r.vorige == self._h
                and r.eigen is not None and r.eigen == r.opgegeven):
            # The common case, taken first: the next record in its place, intact (never a redelivery,
            # those lie before _e).
            if self._hoogste is None or r.vn > self._hoogste:
                self._hoogste = r.vn
            self._aantal += 1
            self._accepteer(r)
            return
        if r.vn is not None and (self._hoogste is None or r.vn > self._hoogste):
            self._hoogste = r.vn
        if self._diagnose is not None:
            if later_kopie or self._is_dubbel(r) or not self._diagnose.voeg_toe(r):
                self._dubbel += 1
            else:
                self._aantal += 1
            return
        if self._basis is None:
            if not self._begin_verplicht and r.vn is not None and r.vn > 1 and r.vorige is not None:
                # The head is gone (retention): follow the chain from here; a checkpoint must anchor it.
                self._basis, self._e, self._h = r.vn, r.vn, r.vorige
            else:
                self._basis, self._e, self._h = 1, 1, NUL_HASH
            for vn in [k for k in self._cp_wachtend if k < self._basis]:  # checkpoints of a head that is gone
                self._cp_ongecontroleerd += len(self._cp_wachtend.pop(vn))
        if self._is_dubbel(r):
            self._dubbel += 1
        elif r.vn == self._e and r.vorige == self._h and r.ok:
            self._aantal += 1
            self._accepteer(r)
        elif later_kopie:
            self._dubbel += 1
        else:
            self._aantal += 1
            self._diagnose = _Diagnose(r)

    def _is_dubbel(self, r: _Rec) -> bool:
        if r.vn is None or self._basis is None or not (self._basis <= r.vn < self._e) or r.eigen is None:
            return False
        i = r.vn - self._basis
        return self._ids[i] == r.idd and self._hashes[32 * i: 32 * i + 32] == bytes.fromhex(r.eigen)

    def _accepteer(self, r: _Rec) -> None:
        assert r.vn is not None and r.opgegeven is not None
        self._hashes += bytes.fromhex(r.opgegeven)
        self._ids.append(r.idd)
        self._h = r.opgegeven
        self._e = r.vn + 1
        for h in self._cp_wachtend.pop(r.vn, ()):
            self._vergelijk_checkpoint(r.vn, h)

    def _hash_bij(self, vn: int) -> str:
        assert self._basis is not None
        i = vn - self._basis
        return self._hashes[32 * i: 32 * i + 32].hex()

    def _meld(self, b: Bevinding) -> None:
        if self._breuk is None or b.volgnummer < self._breuk.volgnummer:
            self._breuk = b

    # -- checkpoints --------------------------------------------------------------------

    def _checkpoint(self, cp_id: str, data: Any) -> None:
        if cp_id in self._cp_ids:
            self._dubbel += 1
            return
        self._cp_ids.add(cp_id)
        if self._controle is None:
            self._cp_ongecontroleerd += 1
            return
        vn = data.get("volgnummer") if isinstance(data, Mapping) else None
        h = data.get("hash") if isinstance(data, Mapping) else None
        if not isinstance(vn, int) or isinstance(vn, bool) or vn < 1 or not _is_hash(h):
            self._meld(Bevinding(vn if isinstance(vn, int) and not isinstance(vn, bool) and vn >= 1 else self._e,
                                 Breuktype.CHECKPOINT_VERVALST, "checkpoint zonder geldig volgnummer of hash"))
            return
        if data.get("huis") != self.huis:
            self._meld(Bevinding(vn, Breuktype.CHECKPOINT_VERVALST,
                                 f"checkpoint voor volgnummer {vn} noemt een ander huis"))
            return
        try:
            geldig = bool(self._controle(data))
        except Exception:  # noqa: BLE001 - a malformed signature is simply not valid
            geldig = False
        if not geldig:
            self._meld(Bevinding(vn, Breuktype.CHECKPOINT_VERVALST,
                                 f"de handtekening van het checkpoint voor volgnummer {vn} klopt niet "
                                 f"(sleutelId {data.get('sleutelId')!s})"))
            return
        if self._diagnose is not None or (self._basis is not None and vn < self._basis):
            self._cp_ongecontroleerd += 1  # after a break, or before the first event still present
            return
        if self._basis is None or vn >= self._e:
            self._cp_wachtend.setdefault(vn, []).append(h)
            return
        self._vergelijk_checkpoint(vn, h)

    def _vergelijk_checkpoint(self, vn: int, h: str) -> None:
        eigen = self._hash_bij(vn)
        if eigen == h:
            self._cp_ok += 1
            self._cp_gedekt.add(vn)
            if self._anker is None:
                self._anker = vn
            return
        eerder = [k for k in self._cp_gedekt if k < vn]
        vanaf = max(eerder) + 1 if eerder else self._basis
        self._meld(Bevinding(
            vn, Breuktype.GEWIJZIGD,
            f"het ondertekende checkpoint noemt hash {h[:12]}… maar record {vn} heeft {eigen[:12]}…: "
            f"de keten is herschreven (gewijzigd ergens in volgnummer {vanaf} t/m {vn})"))

    # -- the end ------------------------------------------------------------------------

    def afronden(self) -> Verslag:
        while self._venster:
            self._verwerk_oudste()
        breuk = self._breuk
        if self._diagnose is not None:
            b = self._classificeer()
            if breuk is None or b.volgnummer <= breuk.volgnummer:
                breuk = b
        else:
            b = self._einde(geen_anker_melden=breuk is None)  # a real break outranks "cannot vouch"
            if b is not None and (breuk is None or b.volgnummer < breuk.volgnummer):
                breuk = b
        laatste_geaccepteerd = self._e - 1 if self._basis is not None and self._e > self._basis else None
        begin_ontbreekt = self._basis is not None and self._basis > 1
        eerste: int | None = None
        laatste: int | None = None
        if laatste_geaccepteerd is not None and (not begin_ontbreekt or self._anker is not None):
            eerste, laatste = self._basis, laatste_geaccepteerd
            if breuk is not None:
                laatste = min(laatste, breuk.volgnummer - 1)
                if begin_ontbreekt and self._anker is not None and self._anker > laatste:
                    laatste = None
                if laatste is not None and eerste is not None and laatste < eerste:
                    eerste = laatste = None
        wachtend = sum(len(v) for v in self._cp_wachtend.values())
        return Verslag(
            huis=self.huis,
            aantal=self._aantal,
            eerste=eerste,
            laatste=laatste,
            hoogste=self._hoogste,
            begin_ontbreekt=begin_ontbreekt,
            anker=self._anker if begin_ontbreekt else None,
            checkpoints_gecontroleerd=self._cp_ok,
            checkpoints_ongecontroleerd=self._cp_ongecontroleerd + (wachtend if breuk is not None else 0),
            handtekeningen_gecontroleerd=self._controle is not None,
            dubbel=self._dubbel,
            overgeslagen=self._overgeslagen,
            breuk=breuk,
        )

    def _einde(self, geen_anker_melden: bool = True) -> Bevinding | None:
        """The chain read cleanly to its end: is the end where checkpoints say it is, and is it anchored?"""
        laatste = self._e - 1 if self._basis is not None else 0
        if self._cp_wachtend:
            vn = max(self._cp_wachtend)
            return Bevinding(laatste + 1, Breuktype.AFGEKAPT,
                             f"een ondertekend checkpoint noemt volgnummer {vn}, maar de keten eindigt bij "
                             f"{laatste}" + ("" if laatste else " (geen events)"))
        if self._verwacht is not None:
            vn, h = self._verwacht
            if vn > laatste:
                return Bevinding(laatste + 1, Breuktype.AFGEKAPT,
                                 f"verwacht tot en met volgnummer {vn}, maar de keten eindigt bij {laatste}")
            if h is not None and self._basis is not None and vn >= self._basis and self._hash_bij(vn) != h:
                return Bevinding(vn, Breuktype.GEWIJZIGD,
                                 f"record {vn} heeft niet de verwachte hash {h[:12]}…: de keten is herschreven")
        if geen_anker_melden and self._basis is not None and self._basis > 1 and self._anker is None:
            waarom = ("er is geen publieke sleutel om checkpoints te controleren" if self._controle is None
                      else f"geen geldig ondertekend checkpoint op volgnummer {self._basis} of later")
            return Bevinding(self._basis, Breuktype.GEEN_ANKER,
                             f"het log begint bij volgnummer {self._basis} (1 t/m {self._basis - 1} zijn niet meer "
                             f"aanwezig) en {waarom} verankert de rest; de keten kan niet worden gegarandeerd")
        return None

    def _classificeer(self) -> Bevinding:
        """Classify the first event that did not fit, with look-ahead over everything after it."""
        d = self._diagnose
        assert d is not None and self._basis is not None
        r, e, basis = d.eerste, self._e, self._basis
        vn, vg, og, ok = d.vn, d.vg, d.og, d.ok
        n = len(vn)
        hp = _p(self._h)
        vorige = e - 1

        def index(arr: array, waarde: int, start: int = 1) -> int | None:
            try:
                return arr.index(waarde, start)
            except ValueError:
                return None

        def heeft_opvolger(i: int) -> bool:
            if og[i] == _GEEN:
                return False
            return vg.count(og[i]) - (1 if vg[i] == og[i] else 0) > 0

        def heeft_voorganger(i: int) -> bool:
            if vg[i] == _GEEN:
                return False
            return og.count(vg[i]) - (1 if og[i] == vg[i] else 0) > 0

        def met_volgnummer(v: int) -> Iterator[int]:
            i = index(vn, v, 1)
            while i is not None:
                yield i
                i = index(vn, v, i + 1)

        if r.vn is None:
            if r.vorige == self._h:
                return Bevinding(e, Breuktype.GEWIJZIGD, f"het record na {vorige} heeft geen geldig volgnummer")
            return Bevinding(e, Breuktype.INGEVOEGD,
                             f"na volgnummer {vorige} staat een onleesbaar record of een record zonder volgnummer")

        if r.vn < e:
            if r.vn < basis:
                return Bevinding(r.vn, Breuktype.VERWISSELD, f"record {r.vn} staat na record {vorige}")
            i = r.vn - basis
            if r.vn == vorige and heeft_opvolger(0):
                uitleg = (f"er zijn twee verschillende records met volgnummer {r.vn}; het volgende record "
                          f"verwijst naar het tweede, dus het eerste hoort niet in de keten")
            elif self._ids[i] == r.idd:
                uitleg = f"record {r.vn} komt nogmaals voor, met hetzelfde id maar een andere inhoud"
            else:
                uitleg = f"na volgnummer {vorige} staat een tweede, afwijkend record met volgnummer {r.vn}"
            return Bevinding(r.vn, Breuktype.INGEVOEGD, uitleg)

        if r.vn == e:
            k = index(vg, hp)
            echte_volgt = k is not None and vn[k] == e
            if r.vorige == self._h:  # in its place, but its content does not match its hash
                if echte_volgt and ok[k]:
                    return Bevinding(e, Breuktype.INGEVOEGD,
                                     f"vóór record {e} staat een tweede, afwijkende versie van record {e}")
                return Bevinding(e, Breuktype.GEWIJZIGD, "de inhoud komt niet overeen met de hash van het record")
            if echte_volgt:
                return Bevinding(e, Breuktype.INGEVOEGD,
                                 f"vóór record {e} staat een record met volgnummer {e} dat niet op {vorige} aansluit")
            if not r.ok:
                return Bevinding(e, Breuktype.GEWIJZIGD,
                                 "de inhoud komt niet overeen met de hash en de vorigeHash wijst niet naar "
                                 f"record {vorige}")
            if vorige < basis:
                return Bevinding(e, Breuktype.GEWIJZIGD, "de vorigeHash van het eerste record is niet 64 nullen")
            if vorige in self._cp_gedekt or not (heeft_opvolger(0) or n == 1):
                bevestigd = " (dat door een ondertekend checkpoint is bevestigd)" if vorige in self._cp_gedekt else ""
                return Bevinding(e, Breuktype.GEWIJZIGD,
                                 f"record {e} is gewijzigd en opnieuw gehasht: zijn vorigeHash verwijst niet naar "
                                 f"record {vorige}{bevestigd}")
            return Bevinding(vorige, Breuktype.GEWIJZIGD,
                             f"record {vorige} is gewijzigd en opnieuw gehasht: record {e} verwijst naar een andere "
                             f"versie ervan (of de vorigeHash van record {e} is aangepast)")

        # r.vn > e: a later record came where e belongs.
        if r.vorige == self._h:
            return Bevinding(e, Breuktype.GEWIJZIGD,
                             f"het record na {vorige} draagt volgnummer {r.vn} in plaats van {e}")
        k_vn = index(vn, e)
        k_kand = index(vg, hp)
        if k_vn is None and k_kand is None:
            aanwezig = [v for v in set(vn) if e <= v < r.vn]
            tot = min(aanwezig) - 1 if aanwezig else r.vn - 1
            wat = f"volgnummer {e}" if tot == e else f"volgnummer {e} t/m {tot}"
            return Bevinding(e, Breuktype.ONTBREEKT,
                             f"{wat} ontbreekt: na {vorige if vorige >= basis else 'het begin'} volgt {r.vn}")
        lid = heeft_voorganger(0) or heeft_opvolger(0)
        sterk = bool(ok[0]) and heeft_voorganger(0) and heeft_opvolger(0)
        concurrent_sterk = any(ok[i] and heeft_voorganger(i) and heeft_opvolger(i) for i in met_volgnummer(r.vn))
        if lid and (sterk or not concurrent_sterk):
            return Bevinding(e, Breuktype.VERWISSELD, f"record {e} staat na record {r.vn}")
        return Bevinding(e, Breuktype.INGEVOEGD,
                         f"tussen {vorige} en {e} staat een record (volgnummer {r.vn}) dat niet in de keten hoort")


# --------------------------------------------------------------------------- one-shot helpers


def verifieer(
    events: Iterable[Any],
    controleer_handtekening: HandtekeningControle | None = None,
    *,
    huis: str | None = None,
    begin_verplicht: bool = False,
    verwacht_laatste: int | tuple[int, str | None] | None = None,
    venster: int = 10_000,
) -> Verslag:
    """Verify one house's events and checkpoints, in the order they were read."""
    it = iter(events)
    eerste = next(it, None)
    if huis is None:
        huis = (huis_van(eerste) if eerste is not None else None) or "?"
    v = KetenVerificatie(huis, controleer_handtekening, begin_verplicht=begin_verplicht,
                         verwacht_laatste=verwacht_laatste, venster=venster)
    if eerste is not None:
        v.voeg_toe(eerste)
    v.voeg_alles_toe(it)
    return v.afronden()


def verifieer_per_huis(
    events: Iterable[Any],
    controleer_handtekening: HandtekeningControle | None = None,
    *,
    begin_verplicht: bool = False,
) -> dict[str, Verslag]:
    """Verify a mixed stream (several houses), one verifier per house, streaming."""
    verificaties: dict[str, KetenVerificatie] = {}
    for ev in events:
        huis = huis_van(ev) or "?"
        v = verificaties.get(huis)
        if v is None:
            v = verificaties[huis] = KetenVerificatie(huis, controleer_handtekening, begin_verplicht=begin_verplicht)
        v.voeg_toe(ev)
    return {h: v.afronden() for h, v in sorted(verificaties.items())}
