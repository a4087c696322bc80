"""The BPS wire: `POST /api/v2/personen/_zoek` with `{"bsn", "geboortedatum"?}`.

The reply is the native person record, content included; mapping.py keeps only dat-information.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from adapters._gedeeld import BronHttp, controleer_status, lees_json_object

from .config import BpsConfig

BRONSYSTEEM = "BPS"
SLUG = "bps"
ZOEK_PAD = "/api/v2/personen/_zoek"


class BpsClient:
    def __init__(self, config: BpsConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = BronHttp(
            BRONSYSTEEM,
            SLUG,
            config,
            transport=transport,
            headers={"X-BPS-ApiKey": config.api_key.get_secret_value(), "Accept": "application/json"},
        )

    async def zoek_persoon(self, bsn: str, geboortedatum: date | None) -> dict[str, Any]:
        body: dict[str, str] = {"bsn": bsn}
        if geboortedatum is not None:
            body["geboortedatum"] = geboortedatum.isoformat()
        # A search: safe to repeat, though POST (the BSN must stay out of the URL and access logs).
        antwoord = await self._http.verstuur("POST", ZOEK_PAD, json_body=body, idempotent=True)
        controleer_status(BRONSYSTEEM, SLUG, antwoord)
        return lees_json_object(BRONSYSTEEM, SLUG, antwoord)

    async def sluit(self) -> None:
        await self._http.sluit()
