"""Pure ASGI middleware: body and header limits (413/431), API-Version, security headers, request ids,
tracing, metrics, access log."""

from __future__ import annotations

import os
import re
import time
import uuid
from typing import Any

import structlog
from opentelemetry import trace
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.domain.ontvangstbewijs import bewijzen as bewijzen_van
from gateway.domain.ontvangstbewijs import verzamel

from .beveiliging import beveiligingsheaders, headers_te_groot, stuur_431
from .problems import PROBLEM

log = structlog.get_logger("ketenpoort.http")
_tracer = trace.get_tracer("ketenpoort.gateway")
_VEILIG_ID = re.compile(r"[^A-Za-z0-9._:-]")


class TeGroot(HTTPException):
    """An HTTPException so FastAPI's body parsing passes it through as a 413, not a generic 400."""

    def __init__(self, limiet: int):
        super().__init__(413, f"de body is groter dan {limiet} bytes")


async def _stuur_413(send: Send, limiet: int, extra_headers: list[tuple[bytes, bytes]]) -> None:
    import json

    body = json.dumps({
        "type": "urn:nld:ketenpoort:probleem:te-groot", "title": "Verzoek te groot", "status": 413,
        "detail": f"de body is groter dan {limiet} bytes",
    }).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode()),
                            *beveiligingsheaders({}, extra_headers)]})
    await send({"type": "http.response.body", "body": body})


class _Levensduur:
    """Bounded keep-alive: after so many requests or seconds a connection gets `Connection: close`.

    uvicorn's workers share one listening socket and a keep-alive connection stays with the worker that
    accepted it, so a few busy clients can load one worker and leave the other idle (issue 17). A client
    that reconnects is accepted by whichever worker is free first. A connection is known by its client
    address, which is unique per open connection of one worker.
    """

    def __init__(self, max_verzoeken: int, max_seconden: float):
        self.max_verzoeken, self.max_seconden = max_verzoeken, max_seconden
        self._verbindingen: dict[tuple[Any, ...], tuple[int, float]] = {}

    def sluiten(self, client: Any) -> bool:
        if not client or not (self.max_verzoeken or self.max_seconden):
            return False
        sleutel = tuple(client)
        nu = time.monotonic()
        aantal, sinds = self._verbindingen.get(sleutel, (0, nu))
        aantal += 1
        if (self.max_verzoeken and aantal >= self.max_verzoeken) or (
                self.max_seconden and nu - sinds >= self.max_seconden):
            self._verbindingen.pop(sleutel, None)
            return True
        self._verbindingen[sleutel] = (aantal, sinds)
        if len(self._verbindingen) > 10_000:  # connections that went away: forget the oldest half
            for k, _ in sorted(self._verbindingen.items(), key=lambda kv: kv[1][1])[:5_000]:
                del self._verbindingen[k]
        return False


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, *, api_versie: str, max_body: int, metrieken: Any = None,
                 max_headers: int = 16 * 1024, keepalive: tuple[int, float] = (0, 0.0)):
        self.app, self.api_versie, self.max_body, self.metrieken = app, api_versie, max_body, metrieken
        self.max_headers = max_headers
        self._levensduur = _Levensduur(*keepalive)
        self._worker = os.getpid()  # which worker served it: the app is built in each worker after the fork

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Echoed in a header and logged: only a safe alphabet survives (no control characters).
        request_id = next((_VEILIG_ID.sub("", v.decode("latin-1"))[:64] for k, v in scope["headers"]
                           if k == b"x-request-id"), None) or uuid.uuid4().hex
        extra = [(b"api-version", self.api_versie.encode()), (b"x-request-id", request_id.encode())]
        if headers_te_groot(scope, self.max_headers):
            await stuur_431(send, self.max_headers, extra)
            return
        if self._levensduur.sluiten(scope.get("client")):
            extra.append((b"connection", b"close"))
        lengte = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if lengte is not None and (not lengte.isdigit() or int(lengte) > self.max_body):
            await _stuur_413(send, self.max_body, extra)
            return

        gelezen = 0
        beantwoord = False
        status = 500

        async def ontvang() -> Message:
            nonlocal gelezen
            msg = await receive()
            if msg["type"] == "http.request":
                gelezen += len(msg.get("body", b""))
                if gelezen > self.max_body:  # chunked bodies have no Content-Length
                    raise TeGroot(self.max_body)
            return msg

        async def verstuur(msg: Message) -> None:
            nonlocal beantwoord, status
            if msg["type"] == "http.response.start":
                beantwoord = True
                status = msg["status"]
                # Committed by now: every audit record this request caused, as a receipt for the partner.
                bewijzen = [(b"ketenpoort-ontvangstbewijs", b.als_header().encode()) for b in bewijzen_van(records)]
                msg["headers"] = beveiligingsheaders(scope, [*msg.get("headers", []), *extra, *bewijzen])
            await send(msg)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        pad = scope.get("path", "")
        with verzamel() as records, _tracer.start_as_current_span(f"{scope['method']} {pad}",
                                                                  kind=trace.SpanKind.SERVER):
            try:
                await self.app(scope, ontvang, verstuur)
            except TeGroot:
                status = 413
                if not beantwoord:
                    await _stuur_413(send, self.max_body, extra)
            finally:
                duur = time.perf_counter() - start
                route = scope.get("route")
                route_pad = getattr(route, "path", "onbekend")
                if self.metrieken is not None and pad not in ("/metrics",):
                    self.metrieken.verzoeken.labels(scope["method"], route_pad, str(status)).inc()
                    self.metrieken.duur.labels(scope["method"], route_pad).observe(duur)
                # Paths carry ids only, never personal data (searches by BSN are POST bodies).
                log.info("http.verzoek", method=scope["method"], route=route_pad, status=status,
                         duur_ms=round(duur * 1000, 1), worker=self._worker)
                structlog.contextvars.unbind_contextvars("request_id")
