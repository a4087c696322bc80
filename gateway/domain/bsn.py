"""The burgerservicenummer: validation by the elfproef, and one guard that finds it in any caller text.

The guard normalises first, so a BSN cannot be smuggled past it in disguise: Unicode NFKC (full-width
and other compatibility digits), any script's decimal digits as ASCII, invisible format characters
(zero-width space, soft hyphen) removed, and separators *between* digits (spaces of every kind, dots,
dashes, underscores, slashes, commas) dropped. It then looks for nine digits passing the elfproef, also
made of consecutive digit groups ("999 990 378", "1 999 990 378", "9999.90.378").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
import unicodedata

_NEGEN_CIJFERS = re.compile(r"(?<!\d)\d{9}(?!\d)")
# What may stand between the digits of a disguised number (after NFKC): whitespace, dots, dashes, ...
_SCHEIDING = r"[\s.\-_/,·:'\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]+"
_GROEPEN = re.compile(rf"\d+(?:{_SCHEIDING}\d+)*")
_SCHEIDER = re.compile(_SCHEIDING)


def is_geldig_bsn(waarde: str) -> bool:
    """Nine digits whose weighted sum (9..2, then -1) is a positive multiple of 11."""
    if not isinstance(waarde, str) or len(waarde) != 9 or not waarde.isascii() or not waarde.isdigit():
        return False
    som = sum(int(c) * w for c, w in zip(waarde[:8], range(9, 1, -1))) - int(waarde[8])
    return som % 11 == 0 and som != 0 and waarde != "000000000"


def normaliseer(tekst: str) -> str:
    """NFKC, every decimal digit as ASCII, format characters (Cf) removed."""
    uit = []
    for ch in unicodedata.normalize("NFKC", tekst):
        if unicodedata.category(ch) == "Cf":
            continue
        cijfer = unicodedata.decimal(ch, None)
        uit.append(str(cijfer) if cijfer is not None and not ch.isascii() else ch)
    return "".join(uit)


def _kandidaten(tekst: str) -> Iterator[str]:
    for m in _GROEPEN.finditer(tekst):
        groepen = [g for g in _SCHEIDER.split(m.group()) if g]
        # every run of consecutive groups that together make nine digits
        for i in range(len(groepen)):
            samen = ""
            for g in groepen[i:]:
                samen += g
                if len(samen) >= 9:
                    break
            if len(samen) == 9:
                yield samen


def bevat_bsn(tekst: str) -> bool:
    """True when caller text holds a 9-digit number passing the elfproef (a likely BSN), in any disguise."""
    if not isinstance(tekst, str) or not tekst:
        return False
    genormaliseerd = normaliseer(tekst)
    if any(is_geldig_bsn(m.group()) for m in _NEGEN_CIJFERS.finditer(genormaliseerd)):
        return True
    return any(is_geldig_bsn(k) for k in _kandidaten(genormaliseerd))


BSN_IN_TEKST = "bevat een BSN (ook gespatieerd, met punten of streepjes, of in andere cijfers); noem de betrokkene niet in vrije tekst"
