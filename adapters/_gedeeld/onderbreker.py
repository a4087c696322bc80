"""Circuit breaker per source: a failing source is skipped fast instead of eating every deadline.

    GESLOTEN --(drempel consecutive failures)--> OPEN --(herstelSeconden)--> HALF_OPEN
    HALF_OPEN: one trial call; success -> GESLOTEN, failure -> OPEN again.

Only BronNietBeschikbaar counts as a failure. BronWeigert means the source answered, so it is
up; a cancellation from the caller's deadline says nothing about the source either way.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

import structlog

from gateway.domain.errors import BronNietBeschikbaar

log = structlog.get_logger()

T = TypeVar("T")


class Toestand(StrEnum):
    GESLOTEN = "gesloten"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Stroomonderbreker:
    def __init__(
        self,
        bronsysteem: str,
        slug: str,
        *,
        drempel: int,
        herstel_seconden: float,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bron = bronsysteem
        self._slug = slug
        self._drempel = drempel
        self._herstel = herstel_seconden
        self._klok = klok
        self._toestand = Toestand.GESLOTEN
        self._fouten = 0
        self._geopend_op = 0.0
        self._proef_loopt = False

    @property
    def toestand(self) -> Toestand:
        if self._toestand is Toestand.OPEN and self._klok() - self._geopend_op >= self._herstel:
            return Toestand.HALF_OPEN
        return self._toestand

    async def roep_aan(self, aanroep: Callable[[], Awaitable[T]]) -> T:
        self._toelaten()
        try:
            resultaat = await aanroep()
        except BronNietBeschikbaar:
            self._mislukt()
            raise
        except BaseException:
            self._proef_loopt = False  # no verdict: let the next call try again
            raise
        self._geslaagd()
        return resultaat

    def _toelaten(self) -> None:
        toestand = self.toestand
        if toestand is Toestand.GESLOTEN:
            return
        if toestand is Toestand.HALF_OPEN and not self._proef_loopt:
            self._toestand = Toestand.HALF_OPEN
            self._proef_loopt = True
            log.info(f"adapter.{self._slug}.circuit_half_open", bron=self._bron)
            return
        raise BronNietBeschikbaar(self._bron, "circuit open", {"circuit": toestand.value})

    def _geslaagd(self) -> None:
        if self._toestand is not Toestand.GESLOTEN:
            log.info(f"adapter.{self._slug}.circuit_gesloten", bron=self._bron)
        self._toestand = Toestand.GESLOTEN
        self._fouten = 0
        self._proef_loopt = False

    def _mislukt(self) -> None:
        self._fouten += 1
        self._proef_loopt = False
        if self._toestand is Toestand.HALF_OPEN or self._fouten >= self._drempel:
            if self._toestand is not Toestand.OPEN:
                log.warning(f"adapter.{self._slug}.circuit_open", bron=self._bron, fouten=self._fouten)
            self._toestand = Toestand.OPEN
            self._geopend_op = self._klok()
