"""The VIR source as the gateway sees it: `zoek` -> DatInformatie, behind a circuit breaker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import httpx
import structlog

from adapters._gedeeld import Stroomonderbreker, Toestand
from gateway.domain.model import DatInformatie

from .client import BRONSYSTEEM, SLUG, VirClient
from .config import VirConfig
from .mapping import naar_dat_informatie

log = structlog.get_logger()


class VirBron:
    bronsysteem = BRONSYSTEEM

    def __init__(
        self,
        config: VirConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = VirClient(config, transport=transport)
        self._onderbreker = Stroomonderbreker(
            BRONSYSTEEM,
            SLUG,
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
        log.debug(f"adapter.{SLUG}.gezocht", bron=BRONSYSTEEM, bekend=dat.bekend, duurMs=_ms(begin))
        return dat

    async def _zoek(self, bsn: str, geboortedatum: date | None) -> DatInformatie:
        # Mapping inside the breaker: an unreadable reply is a failing source too.
        return naar_dat_informatie(await self._client.zoek_signalen(bsn, geboortedatum))

    async def sluit(self) -> None:
        await self._client.sluit()


def _ms(begin: float) -> int:
    return round((time.perf_counter() - begin) * 1000)
