"""The Depan wire: `POST /api/v1/gedetineerden/_zoek` with `{"bsn", "geboortedatum"?}`.

Depan also offers the paged release feed `GET /api/v1/uitstroom?pagina=` that municipalities
poll; the gateway does not read it: a per-person lookup answers a meeting's question directly
and keeps other people's detention records out of the gateway entirely.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from adapters._gedeeld import BronHttp, controleer_status, lees_json_object

from .config import DepanConfig

BRONSYSTEEM = "Depan"
SLUG = "depan"
ZOEK_PAD = "/api/v1/gedetineerden/_zoek"


class DepanClient:
    def __init__(self, config: DepanConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = BronHttp(
            BRONSYSTEEM,
            SLUG,
            config,
            transport=transport,
            headers={"Accept": "application/json"},
            auth=httpx.BasicAuth(config.client_id, config.client_secret.get_secret_value()),
        )

    async def zoek_gedetineerde(self, bsn: str, geboortedatum: date | None) -> dict[str, Any]:
        body: dict[str, str] = {"bsn": bsn}
        if geboortedatum is not None:
            body["geboortedatum"] = geboortedatum.isoformat()
        # A search: safe to repeat, though POST (the BSN must stay out of the URL).
        antwoord = await self._http.verstuur("POST", ZOEK_PAD, json_body=body, idempotent=True)
        controleer_status(BRONSYSTEEM, SLUG, antwoord)
        return lees_json_object(BRONSYSTEEM, SLUG, antwoord)

    async def sluit(self) -> None:
        await self._http.sluit()
