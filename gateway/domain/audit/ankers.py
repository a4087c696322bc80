"""The verifier's checkpoints: signature, house, split view, and the event each one names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..merkle import groei, wortel
from .records import _is_hash
from .verslag import Bevinding, Breuktype

# `controleer_handtekening(data, tijd)`: whether a checkpoint's signature verifies (crypto lives in
# infrastructure); `tijd` is the checkpoint event's time, for the key's validity.
HandtekeningControle = Callable[..., bool]


class _Ankers:
    """Mixin of KetenVerificatie: what it does with each checkpoint."""

    huis: str
    _controle: HandtekeningControle | None
    _cp_ids: set[Any]
    _cp_inhoud: dict[int, tuple[Any, ...]]
    _checkpoint_elke: int | None
    _cp_wachtend: dict[int, list[str]]
    _cp_gedekt: set[int]
    _cp_ok: int
    _cp_ongecontroleerd: int
    _anker: int | None
    _dubbel: int
    _e: int
    _basis: int | None
    _diagnose: Any
    _hashes: bytearray
    _boom: list[bytes]
    _boom_n: int

    def _hash_bij(self, vn: int) -> str:
        raise NotImplementedError

    def _meld(self, b: Bevinding) -> None:
        raise NotImplementedError

    # -- checkpoints --------------------------------------------------------------------

    def _checkpoint(self, cp_id: str, data: Any, tijd: object = None) -> None:
        vn = data.get("volgnummer") if isinstance(data, Mapping) else None
        h = data.get("hash") if isinstance(data, Mapping) else None
        # A copy is the same id with the same signed content; the same id with other content is a checkpoint
        # of its own (a re-signed rewrite must not hide behind the id of the checkpoint it replaces).
        sleutel = (cp_id, vn, h, data.get("boomWortel"), data.get("handtekening")) if isinstance(data, Mapping) \
            else (cp_id,)
        if sleutel in self._cp_ids:
            self._dubbel += 1
            return
        self._cp_ids.add(sleutel)
        if self._controle is None:
            self._cp_ongecontroleerd += 1
            return
        if not isinstance(vn, int) or isinstance(vn, bool) or vn < 1 or not _is_hash(h):
            self._meld(Bevinding(vn if isinstance(vn, int) and not isinstance(vn, bool) and vn >= 1 else self._e,
                                 Breuktype.CHECKPOINT_VERVALST, "checkpoint zonder geldig volgnummer of hash"))
            return
        assert isinstance(h, str) and isinstance(vn, int)
        if data.get("huis") != self.huis:
            self._meld(Bevinding(vn, Breuktype.CHECKPOINT_VERVALST,
                                 f"checkpoint voor volgnummer {vn} noemt een ander huis"))
            return
        try:
            geldig = bool(self._controle(data, tijd))
        except Exception:  # noqa: BLE001 - a malformed signature is simply not valid
            geldig = False
        if not geldig:
            self._meld(Bevinding(vn, Breuktype.CHECKPOINT_VERVALST,
                                 f"de handtekening van het checkpoint voor volgnummer {vn} klopt niet of valt buiten "
                                 f"de geldigheid van de sleutel (sleutelId {data.get('sleutelId')!s})"))
            return
        inhoud = (h, data.get("boomGrootte"), data.get("boomWortel"))
        eerder = self._cp_inhoud.setdefault(vn, inhoud)
        if eerder != inhoud:
            self._meld(Bevinding(vn, Breuktype.GESPLITST,
                                 f"twee verschillende ondertekende checkpoints voor volgnummer {vn} (hash "
                                 f"{eerder[0][:12]}… en {h[:12]}…): het log is herschreven (split view)"))
            return
        if self._diagnose is not None or (self._basis is not None and vn < self._basis):
            self._cp_ongecontroleerd += 1  # after a break, or before the first event still present
            return
        if self._basis is None or vn >= self._e:
            self._cp_wachtend.setdefault(vn, []).append(h)
            return
        self._vergelijk_checkpoint(vn, h)

    def _boomwortel_bij(self, vn: int) -> str | None:
        """The RFC 9162 root over events 1..vn (None when the chain read does not start at 1)."""
        if self._basis != 1 or vn < self._boom_n:
            return None if self._basis != 1 else self._wortel_opnieuw(vn)
        self._boom, self._boom_n = groei(self._boom, self._boom_n,
                                         bytes(self._hashes[32 * self._boom_n: 32 * vn]), vn)
        return wortel(self._boom).hex()

    def _wortel_opnieuw(self, vn: int) -> str:
        """A root below the one grown so far (checkpoints out of order): from the first leaf."""
        frontier, _ = groei([], 0, bytes(self._hashes[: 32 * vn]), vn)
        return wortel(frontier).hex()

    def _vergelijk_checkpoint(self, vn: int, h: str) -> None:
        eigen = self._hash_bij(vn)
        if eigen == h:
            if vn in self._cp_gedekt:
                return  # the same checkpoint from another witness
            getekend = self._cp_inhoud.get(vn, (None, None, None))[2]
            if getekend is not None:
                berekend = self._boomwortel_bij(vn)
                if berekend is not None and berekend != getekend:
                    self._meld(Bevinding(vn, Breuktype.CHECKPOINT_VERVALST,
                                         f"het ondertekende checkpoint voor volgnummer {vn} noemt boomwortel "
                                         f"{getekend[:12]}… maar de Merkle-boom van de keten heeft {berekend[:12]}…"))
                    return
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

    def _verplichte_checkpoints(self, laatste: int) -> Bevinding | None:
        """The first multiple of the interval up to `laatste` without a matching signed checkpoint."""
        if self._checkpoint_elke is None or self._controle is None or self._basis is None:
            return None
        elke = self._checkpoint_elke
        k = -(-self._basis // elke) * elke
        while k <= laatste:
            if k not in self._cp_gedekt:
                return Bevinding(k, Breuktype.CHECKPOINT_ONTBREEKT,
                                 f"geen geldig ondertekend checkpoint voor volgnummer {k} (er hoort er een bij elk "
                                 f"veelvoud van {elke}): verwijderd, of de keten is daarna herschreven")
            k += elke
        return None

    def _staart(self, laatste: int) -> tuple[int, int | None]:
        """How many events follow the last matching checkpoint, and from which volgnummer."""
        if self._basis is None or laatste < self._basis:
            return 0, None
        gedekt = max(self._cp_gedekt) if self._cp_gedekt else self._basis - 1
        return (laatste - gedekt, gedekt + 1) if laatste > gedekt else (0, None)
