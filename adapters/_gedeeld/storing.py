"""`/_storing` for the mocks: simulate a slow or failing source (CONTRACT.md §7).

    PUT    /_storing {"latentieMs": int >= 0, "foutkans": 0.0-1.0}  -> 200 with the new setting
    GET    /_storing                                                 -> 200 with the current setting
    DELETE /_storing                                                 -> 204, healed

Every other request first waits `latentieMs`, then fails with probability `foutkans` using the
mock's own native error (a JSON 503 by default, a SOAP Server fault for JCO-support).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

PAD = "/_storing"


def _standaard_fout() -> Response:
    return JSONResponse({"fout": "storing", "melding": "Dienst tijdelijk niet beschikbaar"}, status_code=503)


class StoringMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        fout_antwoord: Callable[[], Response] = _standaard_fout,
        rng: random.Random | None = None,
    ) -> None:
        self.app = app
        self.latentie_ms = 0
        self.foutkans = 0.0
        self._fout_antwoord = fout_antwoord
        self._rng = rng or random.Random()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == PAD:
            antwoord = await self._beheer(Request(scope, receive))
            await antwoord(scope, receive, send)
            return
        if self.latentie_ms:
            await asyncio.sleep(self.latentie_ms / 1000)
        if self.foutkans and self._rng.random() < self.foutkans:
            await self._fout_antwoord()(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _stand(self) -> dict[str, float | int]:
        return {"latentieMs": self.latentie_ms, "foutkans": self.foutkans}

    async def _beheer(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.latentie_ms, self.foutkans = 0, 0.0
            return Response(status_code=204)
        if request.method == "GET":
            return JSONResponse(self._stand())
        if request.method != "PUT":
            return Response(status_code=405, headers={"Allow": "GET, PUT, DELETE"})
        try:
            body = json.loads(await request.body())
            latentie = body.get("latentieMs", 0)
            kans = body.get("foutkans", 0.0)
            geldig = (
                isinstance(latentie, int)
                and not isinstance(latentie, bool)
                and 0 <= latentie <= 600_000
                and isinstance(kans, int | float)
                and not isinstance(kans, bool)
                and 0.0 <= kans <= 1.0
            )
        except (ValueError, AttributeError):
            geldig = False
        if not geldig:
            return JSONResponse(
                {"fout": "ongeldig", "melding": "verwacht {latentieMs: 0..600000, foutkans: 0.0..1.0}"},
                status_code=400,
            )
        self.latentie_ms, self.foutkans = latentie, float(kans)
        return JSONResponse(self._stand())
