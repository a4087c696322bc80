"""The law the convenant validator knows (issue 11, item 6), on the raw document.

Refusals name the path and the article; judgement calls are warnings, shown by `convenant explain` and
`convenant validate` (on stderr). Sources: seed 003 (see ../shared/DOMAIN.md, "Rules that software can check").
"""

from __future__ import annotations

import re
from typing import Any

from gateway.domain.convenant import JUSTITIE_SOORT, KERNPARTNERS, NAZORG, SCHILPARTNERS
from gateway.domain.model import HUISROLLEN, PROCESREGIE

MAX_BEWAARTERMIJN_MAANDEN = 60  # five years, then delete (seed 003:2771)
_WJSG_39F = re.compile(r"wjsg\s*(art(ikel)?\.?)?\s*39\s*f", re.IGNORECASE)
_ZORG = re.compile(r"gezondheid|medisch|jeugdhulp|jeugdzorg|verslaving|psych", re.IGNORECASE)
_VIR = re.compile(r"verwijsindex", re.IGNORECASE)

VIR_ARTIKEL = "Jeugdwet art. 7.1.3.1 (de verwijsindex dient hulp en zorg, geen handhaving; seed 003:768-792)"
ZORG_ARTIKEL = "AVG art. 9 jo. WGBO art. 7:457 / Jeugdwet art. 7.3.11 (toestemming naar leeftijd of wettelijke plicht; seed 003:2352-2390)"
WJSG_ARTIKEL = "Wjsg art. 39f (strafvorderlijke gegevens mogen niet verder worden verstrekt; seed 003:2649-2657)"
BEWAAR_ARTIKEL = "AVG art. 5 lid 1 sub e (bewaartermijn 5 jaar, daarna vernietigen; seed 003:2771)"


def _map(w: Any) -> dict[str, Any]:
    return w if isinstance(w, dict) else {}


def _lijst(w: Any) -> list[Any]:
    return w if isinstance(w, list) else []


def is_wjsg_39f(grondslag: Any) -> bool:
    return isinstance(grondslag, str) and bool(_WJSG_39F.search(grondslag))


def _soort(doc: dict[str, Any], partner: Any) -> Any:
    return _map(_map(doc.get("partners")).get(partner)).get("soort") if isinstance(partner, str) else None


def is_justitieel(doc: dict[str, Any], ot: Any) -> bool:
    """Explicit `justitieel`, else: chaired by a justice partner (JCO, veelplegers, JCO-HG are chaired by the OM)."""
    ot = _map(ot)
    if isinstance(ot.get("justitieel"), bool):
        return ot["justitieel"]
    return _soort(doc, ot.get("voorzitter")) == JUSTITIE_SOORT


def _is_vir(doc: dict[str, Any], v: dict[str, Any]) -> bool:
    bron = _map(_map(doc.get("partners")).get(v.get("bron")))
    return bron.get("bronsysteem") == "VIR" or bool(_VIR.search(str(v.get("categorie") or "")))


def _justitie_in(doc: dict[str, Any], ot: dict[str, Any], rol: str) -> list[str]:
    leden = _lijst(ot.get(rol)) + ([ot.get("voorzitter")] if rol == KERNPARTNERS else [])
    return sorted({p for p in leden if _soort(doc, p) == JUSTITIE_SOORT})


def wettelijke_problemen(doc: dict[str, Any]) -> list[tuple[str, str]]:
    uit: list[tuple[str, str]] = []
    kop = _map(doc.get("convenant"))
    partners = _map(doc.get("partners"))
    overlegtypen = _map(doc.get("overlegtypen"))
    termijn = kop.get("bewaartermijnMaanden")
    if isinstance(termijn, int) and termijn > MAX_BEWAARTERMIJN_MAANDEN and not kop.get("bewaartermijnMotivering"):
        uit.append(("convenant.bewaartermijnMaanden",
                    f"{termijn} maanden is meer dan {MAX_BEWAARTERMIJN_MAANDEN} zonder bewaartermijnMotivering: {BEWAAR_ARTIKEL}"))
    for i, p in enumerate(_lijst(kop.get("bsnGerechtigden"))):
        if isinstance(p, str) and p not in partners and p != PROCESREGIE:
            uit.append((f"convenant.bsnGerechtigden[{i}]", f"onbekende partner {p!r} (of de rol {PROCESREGIE!r})"))
    for oid, ot in overlegtypen.items():
        ot = _map(ot)
        g = ot.get("gemeente")
        if isinstance(g, str) and (g not in partners or _soort(doc, g) not in (None, "gemeente")):
            uit.append((f"overlegtypen.{oid}.gemeente", f"{g!r} is geen gemeente van dit convenant"))
        leeftijd = _map(ot.get("leeftijd"))
        lo, hi = leeftijd.get("min"), leeftijd.get("max")
        if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            uit.append((f"overlegtypen.{oid}.leeftijd", f"min {lo} ligt boven max {hi}"))
    for i, v in enumerate(_lijst(doc.get("verstrekkingen"))):
        v = _map(v)
        basis = f"verstrekkingen[{i}]"
        if _is_vir(doc, v):
            for j, oid in enumerate(_lijst(v.get("overlegtypen"))):
                if oid in overlegtypen and is_justitieel(doc, overlegtypen[oid]):
                    uit.append((f"{basis}.overlegtypen[{j}]", f"VIR-gegevens in justitieel overlegtype {oid!r}: {VIR_ARTIKEL}"))
            for j, o in enumerate(_lijst(v.get("ontvangers"))):
                if _soort(doc, o) == JUSTITIE_SOORT:
                    uit.append((f"{basis}.ontvangers[{j}]", f"VIR-gegevens aan justitiepartner {o!r}: {VIR_ARTIKEL}"))
                elif o in (KERNPARTNERS, SCHILPARTNERS):
                    for oid in _lijst(v.get("overlegtypen")):
                        justitie = _justitie_in(doc, _map(overlegtypen.get(oid)), o)
                        if justitie:
                            uit.append((f"{basis}.ontvangers[{j}]",
                                        f"{o} van {oid} omvatten justitiepartners {', '.join(justitie)}: {VIR_ARTIKEL}"))
        if (_ZORG.search(str(v.get("categorie") or "")) and v.get("toestemmingVereist") is not True
                and not v.get("wettelijkePlicht")):
            uit.append((f"{basis}.toestemmingVereist",
                        f"categorie {v.get('categorie')!r} zonder toestemming en zonder wettelijkePlicht: {ZORG_ARTIKEL}"))
        if is_wjsg_39f(v.get("grondslag")) and v.get("verderVerstrekken") is True:
            uit.append((f"{basis}.verderVerstrekken", f"verderVerstrekken: true onder {WJSG_ARTIKEL}"))
        for j, o in enumerate(_lijst(v.get("ontvangers"))):
            if o in HUISROLLEN and o != PROCESREGIE:
                uit.append((f"{basis}.ontvangers[{j}]", f"de rol {o!r} ontvangt geen verstrekkingen; alleen {PROCESREGIE!r}"))
    return uit


def waarschuwingen(doc: dict[str, Any]) -> list[str]:
    """Judgement calls: valid, but a privacy officer should look."""
    uit: list[str] = []
    kop = _map(doc.get("convenant"))
    termijn = kop.get("bewaartermijnMaanden")
    if isinstance(termijn, int) and termijn > MAX_BEWAARTERMIJN_MAANDEN and kop.get("bewaartermijnMotivering"):
        uit.append(f"convenant.bewaartermijnMaanden: {termijn} maanden, gemotiveerd; toets de motivering ({BEWAAR_ARTIKEL})")
    if not _lijst(kop.get("bsnGerechtigden")):
        uit.append("convenant.bsnGerechtigden: ontbreekt; niemand mag op BSN aanmelden of zoeken (seed 003:2681-2695)")
    for oid, ot in _map(doc.get("overlegtypen")).items():
        ot = _map(ot)
        if NAZORG in _lijst(ot.get("themas")) and not ot.get("gemeente"):
            uit.append(f"overlegtypen.{oid}: nazorg zonder vaste gemeente; elk overleg moet zijn gemeente noemen (seed 000:6079-6090)")
    for i, v in enumerate(_lijst(doc.get("verstrekkingen"))):
        v = _map(v)
        if is_wjsg_39f(v.get("grondslag")) and "verderVerstrekken" not in v:
            uit.append(f"verstrekkingen[{i}].verderVerstrekken: ontbreekt onder Wjsg art. 39f; geldt als false")
        if _ZORG.search(str(v.get("categorie") or "")) and SCHILPARTNERS in _lijst(v.get("ontvangers")):
            uit.append(f"verstrekkingen[{i}].ontvangers: ook 'bekend bij' {v.get('bron')} onthult gezondheidsgegevens"
                       " aan schilpartners (seed 003:2045, 003:2697-2708)")
        if v.get("wettelijkePlicht") and v.get("toestemmingVereist") is not True:
            uit.append(f"verstrekkingen[{i}].wettelijkePlicht: zorg- of jeugdgegevens zonder toestemming op grond van"
                       f" {v.get('wettelijkePlicht')!r}; toets of die plicht dit overleg dekt")
    return uit
