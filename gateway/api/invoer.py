"""Checks of a request body that name a field: the BSN's elfproef and the caller's convenant.

Run during body validation, so a 400 names every invalid field at once (an unknown field, a bad BSN
and an unknown thema together), as the NL API Design Rules ask. The convenant of the caller is set
per request by the `verzoeker` dependency, which FastAPI resolves before it validates the body;
without it (no caller yet) the convenant checks are left to the services, which repeat them anyway.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from gateway.domain.bsn import is_geldig_bsn
from gateway.domain.convenant import Convenant

_convenant: ContextVar[Convenant | None] = ContextVar("ketenpoort_convenant_van_verzoeker", default=None)


def zet_convenant(c: Convenant | None) -> None:
    _convenant.set(c)


def _bsn(waarde: str) -> str:
    # The reason never repeats the value: a near-BSN is still personal data.
    if not is_geldig_bsn(waarde):
        raise PydanticCustomError("bsn", "geen geldig BSN (9 cijfers, elfproef)")
    return waarde


def _thema(waarde: str) -> str:
    c = _convenant.get()
    if c is not None and waarde not in c.themas:
        raise PydanticCustomError("onbekend_thema", "onbekend thema; kies uit {keuze}", {"keuze": ", ".join(c.themas)})
    return waarde


def _overlegtype(waarde: str) -> str:
    c = _convenant.get()
    if c is not None and waarde not in c.overlegtypen:
        raise PydanticCustomError("onbekend_overlegtype", "onbekend; kies uit {keuze}",
                                  {"keuze": ", ".join(c.overlegtypen)})
    return waarde


Bsn = Annotated[str, AfterValidator(_bsn)]
BekendThema = Annotated[str, AfterValidator(_thema)]
BekendOverlegtype = Annotated[str, AfterValidator(_overlegtype)]
