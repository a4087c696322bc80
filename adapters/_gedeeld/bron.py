"""What every source adapter shares: `zoek` -> DatInformatie behind a circuit breaker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import structlog

from gateway.domain.model import DatInformatie

from .config import BronConfig
from .onderbreker import Stroomonderbreker, Toestand

log = structlog.get_logger()


class BronMetOnderbreker:
    """Subclasses set `bronsysteem` and `slug` and implement `_zoek` (native call + mapping)."""

    bronsysteem: str
    slug: str

    def __init__(self, client: Any, config: BronConfig, *, klok: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._onderbreker = Stroomonderbreker(
            self.bronsysteem,
            self.slug,
            drempel=config.circuit_breaker.drempel,
            herstel_seconden=config.circuit_breaker.herstel_seconden,
            klok=klok,
        )

    @property
    def circuit(self) -> Toestand:
        return self._onderbreker.toestand

    async def zoek(self, bsn: str, geboortedatum: date | None = None) -> DatInformatie:
        begin = time.perf_counter()
        dat = await self._onderbreker.roep_aan(lambda: self._zoek(bsn, geboortedatum))
        log.debug(f"adapter.{self.slug}.gezocht", bron=self.bronsysteem, bekend=dat.bekend,
                  duurMs=round((time.perf_counter() - begin) * 1000))
        return dat

    async def _zoek(self, bsn: str, geboortedatum: date | None) -> DatInformatie:
        # Mapping belongs inside the breaker: an unreadable reply is a failing source too.
        raise NotImplementedError

    async def sluit(self) -> None:
        await self._client.sluit()
