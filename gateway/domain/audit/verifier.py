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

from array import array
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from .ankers import HandtekeningControle, _Ankers
from .diagnose import classificeer
from .keten import NUL_HASH
from .records import _BEREKEN, _Diagnose, _Rec, _id_digest, _kern_rec, _rec, _soort_van, _data_van, _ev_id, huis_van
from .verslag import Bevinding, Breuktype, Verslag

class KetenVerificatie(_Ankers):
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
        checkpoint_elke: int | None = None,
    ):
        self.huis = huis
        self._checkpoint_elke = checkpoint_elke
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
        self._cp_ids: set[Any] = set()
        self._cp_inhoud: dict[int, tuple[Any, ...]] = {}  # per volgnummer what its valid checkpoints sign
        self._cp_wachtend: dict[int, list[str]] = {}  # valid checkpoints ahead of the events
        self._cp_gedekt: set[int] = set()  # volgnummers confirmed by a valid checkpoint
        self._cp_ok = 0
        self._cp_ongecontroleerd = 0
        self._anker: int | None = None
        self._breuk: Bevinding | None = None  # lowest-volgnummer finding so far (checkpoints)
        self._boom: list[bytes] = []  # Merkle frontier over the accepted events, grown to each signed root
        self._boom_n = 0

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
            tijd = ev.get("time") if isinstance(ev, Mapping) and ev is not data else None
            if not self._venster:  # nothing waits before it: its turn is now
                self._checkpoint(_ev_id(ev, data), data, tijd)
                return
            item: tuple[str, Any, Any] = ("c", _ev_id(ev, data), (data, tijd))
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

    def voeg_toe_reeks(self, volgnummer: int, vorige_hash: str, id_digests: array[int], hashes: bytes) -> None:
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
            self._checkpoint(a, *b)
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

    def meld_kolom(self, volgnummer: int, kolommen: Iterable[str]) -> None:
        """A ledger row whose indexed columns (what the filters select on) differ from its hashed event."""
        namen = ", ".join(kolommen)
        self._meld(Bevinding(volgnummer, Breuktype.KOLOM_GEWIJZIGD,
                             f"de ledger-kolom(men) {namen} van record {volgnummer} wijken af van het gehashte event: "
                             "filters (inzage, replay) zouden het verkeerd selecteren"))

    def _meld(self, b: Bevinding) -> None:
        if self._breuk is None or b.volgnummer < self._breuk.volgnummer:
            self._breuk = b

    # -- the end ------------------------------------------------------------------------

    def afronden(self) -> Verslag:
        while self._venster:
            self._verwerk_oudste()
        breuk = self._breuk
        if self._diagnose is not None:
            b = classificeer(self)
            if breuk is None or b.volgnummer <= breuk.volgnummer:
                breuk = b
        else:
            einde = self._einde(geen_anker_melden=breuk is None)  # a real break outranks "cannot vouch"
            if einde is not None and (breuk is None or einde.volgnummer < breuk.volgnummer):
                breuk = einde
        laatste_geaccepteerd = self._e - 1 if self._basis is not None and self._e > self._basis else None
        staart, staart_vanaf = 0, None
        if breuk is None and laatste_geaccepteerd is not None:
            breuk = self._verplichte_checkpoints(laatste_geaccepteerd)
            if breuk is None:
                staart, staart_vanaf = self._staart(laatste_geaccepteerd)
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
            staart=staart,
            staart_vanaf=staart_vanaf,
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

# --------------------------------------------------------------------------- one-shot helpers


def verifieer(
    events: Iterable[Any],
    controleer_handtekening: HandtekeningControle | None = None,
    *,
    huis: str | None = None,
    begin_verplicht: bool = False,
    verwacht_laatste: int | tuple[int, str | None] | None = None,
    venster: int = 10_000,
    checkpoint_elke: int | None = None,
) -> Verslag:
    """Verify one house's events and checkpoints, in the order they were read."""
    it = iter(events)
    eerste = next(it, None)
    if huis is None:
        huis = (huis_van(eerste) if eerste is not None else None) or "?"
    v = KetenVerificatie(huis, controleer_handtekening, begin_verplicht=begin_verplicht,
                         verwacht_laatste=verwacht_laatste, venster=venster,
                         checkpoint_elke=checkpoint_elke)
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
