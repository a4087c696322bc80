"""The VIR wire: `POST /api/v1/signalen/_zoek` with `{"bsn", "geboortedatum"?}`.

The answer lists the visible signals (who is involved, how to reach them) and the match, if two
or more organisations signalled. Which organisations signalled is itself sensitive (a care
provider's signal says something about care), so mapping.py keeps one contact point only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from adapters._gedeeld import BronHttp, controleer_status, lees_json_object

from .config import VirConfig

BRONSYSTEEM = "VIR"
SLUG = "vir"
ZOEK_PAD = "/api/v1/signalen/_zoek"


class VirClient:
    def __init__(self, config: VirConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = BronHttp(
            BRONSYSTEEM,
            SLUG,
            config,
            transport=transport,
            headers={
                "X-VIR-Apikey": config.api_key.get_secret_value(),
                "X-VIR-OIN": config.organisatie_oin,
                "Accept": "application/json",
            },
        )

    async def zoek_signalen(self, bsn: str, geboortedatum: date | None) -> dict[str, Any]:
        body: dict[str, str] = {"bsn": bsn}
        if geboortedatum is not None:
            body["geboortedatum"] = geboortedatum.isoformat()
        # Consulting the index places no signal, so it is a read: safe to repeat.
        antwoord = await self._http.verstuur("POST", ZOEK_PAD, json_body=body, idempotent=True)
        controleer_status(BRONSYSTEEM, SLUG, antwoord)
        return lees_json_object(BRONSYSTEEM, SLUG, antwoord)

    async def sluit(self) -> None:
        await self._http.sluit()
