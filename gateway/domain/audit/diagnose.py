"""Classifying the first event that did not fit (look-ahead over everything after it)."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .records import _GEEN, _p
from .verslag import Bevinding, Breuktype

if TYPE_CHECKING:
    from .verifier import KetenVerificatie


def classificeer(v: KetenVerificatie) -> Bevinding:
    """Classify the first event that did not fit, with look-ahead over everything after it."""
    d = v._diagnose
    assert d is not None and v._basis is not None
    r, e, basis = d.eerste, v._e, v._basis
    vn, vg, og, ok = d.vn, d.vg, d.og, d.ok
    n = len(vn)
    hp = _p(v._h)
    vorige = e - 1

    def index(arr: array[int], waarde: int, start: int = 1) -> int | None:
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
        if r.vorige == v._h:
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
        elif v._ids[i] == r.idd:
            uitleg = f"record {r.vn} komt nogmaals voor, met hetzelfde id maar een andere inhoud"
        else:
            uitleg = f"na volgnummer {vorige} staat een tweede, afwijkend record met volgnummer {r.vn}"
        return Bevinding(r.vn, Breuktype.INGEVOEGD, uitleg)

    if r.vn == e:
        k = index(vg, hp)
        echte_volgt = k is not None and vn[k] == e
        if r.vorige == v._h:  # in its place, but its content does not match its hash
            if echte_volgt and k is not None and ok[k]:
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
        if vorige in v._cp_gedekt or not (heeft_opvolger(0) or n == 1):
            bevestigd = " (dat door een ondertekend checkpoint is bevestigd)" if vorige in v._cp_gedekt else ""
            return Bevinding(e, Breuktype.GEWIJZIGD,
                             f"record {e} is gewijzigd en opnieuw gehasht: zijn vorigeHash verwijst niet naar "
                             f"record {vorige}{bevestigd}")
        return Bevinding(vorige, Breuktype.GEWIJZIGD,
                         f"record {vorige} is gewijzigd en opnieuw gehasht: record {e} verwijst naar een andere "
                         f"versie ervan (of de vorigeHash van record {e} is aangepast)")

    # r.vn > e: a later record came where e belongs.
    if r.vorige == v._h:
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


