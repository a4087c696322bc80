"""Input types shared by every body, query and header: text without control characters, times with a zone.

One place so both databases see the same input: PostgreSQL refuses NUL (0x00) and lone surrogates
(the driver cannot encode them), SQLite would store them. Both are refused here with a 400 naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

# C0 and C1 controls, DEL, and UTF-16 surrogates (only reachable as lone "\ud800" escapes in JSON).
_REGEL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Free text may span lines: tab, newline and carriage return stay allowed.
_TEKST = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

REDEN_STUURTEKEN = "bevat stuurtekens (zoals NUL) of ongeldige Unicode"


def stuurteken_fout(waarde: str, *, meerdere_regels: bool = False) -> bool:
    return bool((_TEKST if meerdere_regels else _REGEL).search(waarde))


def _regel(waarde: str) -> str:
    if stuurteken_fout(waarde):
        raise PydanticCustomError("stuurteken", REDEN_STUURTEKEN)
    return waarde


def _tekst(waarde: str) -> str:
    if stuurteken_fout(waarde, meerdere_regels=True):
        raise PydanticCustomError("stuurteken", REDEN_STUURTEKEN)
    return waarde


def _utc(waarde: datetime) -> datetime:
    try:
        return waarde.astimezone(timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-01:00 has no UTC equivalent
        raise PydanticCustomError("tijd_buiten_bereik", "tijdstip valt buiten het ondersteunde bereik") from None


_ISO_DATUM = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIJD = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _alleen_tekst(patroon: re.Pattern[str], uitleg: str):  # noqa: ANN202
    def controleer(waarde: object) -> object:
        # Pydantic would read a number as a Unix time (vanaf=0 -> 1970); the document says an RFC 3339 string.
        if isinstance(waarde, str) and not patroon.match(waarde) or isinstance(waarde, (int, float)):
            raise PydanticCustomError("formaat", uitleg)
        return waarde

    return controleer


Regel = Annotated[str, AfterValidator(_regel)]
"""One line of text (names, references, filters): no control characters at all."""

Tekst = Annotated[str, AfterValidator(_tekst)]
"""Free text (actie, toelichting, afsluitReden): lines allowed, other control characters not."""

UtcTijd = Annotated[AwareDatetime, BeforeValidator(_alleen_tekst(_ISO_TIJD, "geen RFC 3339-tijdstip")),
                    AfterValidator(_utc)]
"""An RFC 3339 time with an explicit zone (a naive time is refused), normalised to UTC."""

Datum = Annotated[date, BeforeValidator(_alleen_tekst(_ISO_DATUM, "geen datum (JJJJ-MM-DD)"))]
"""A calendar date written as YYYY-MM-DD, as the document says (never a number)."""
