"""The VIR source as the gateway sees it: `zoek` -> DatInformatie, behind a circuit breaker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import httpx

from adapters._gedeeld import BronMetOnderbreker
from gateway.domain.model import DatInformatie

from .client import BRONSYSTEEM, SLUG, VirClient
from .config import VirConfig
from .mapping import naar_dat_informatie


class VirBron(BronMetOnderbreker):
    bronsysteem = BRONSYSTEEM
    slug = SLUG

    def __init__(
        self,
        config: VirConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(VirClient(config, transport=transport), config, klok=klok)

    async def _zoek(self, bsn: str, geboortedatum: date | None) -> DatInformatie:
        return naar_dat_informatie(await self._client.zoek_signalen(bsn, geboortedatum))
