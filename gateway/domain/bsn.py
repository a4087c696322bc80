"""The burgerservicenummer: validation by the elfproef, and detection in free text."""

from __future__ import annotations

import re

_NEGEN_CIJFERS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def is_geldig_bsn(waarde: str) -> bool:
    """Nine digits whose weighted sum (9..2, then -1) is a positive multiple of 11."""
    if not isinstance(waarde, str) or len(waarde) != 9 or not waarde.isascii() or not waarde.isdigit():
        return False
    som = sum(int(c) * w for c, w in zip(waarde[:8], range(9, 1, -1))) - int(waarde[8])
    return som % 11 == 0 and som != 0 and waarde != "000000000"


def bevat_bsn(tekst: str) -> bool:
    """True when free text holds a 9-digit number passing the elfproef (a likely BSN)."""
    return any(is_geldig_bsn(m.group()) for m in _NEGEN_CIJFERS.finditer(tekst))
