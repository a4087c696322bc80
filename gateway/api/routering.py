"""HTTP method and request-shape rules that FastAPI leaves open, applied before a route runs.

- `HEAD` works on every GET route (same headers, no body); `OPTIONS` answers 204 with `Allow`.
- A 405 lists every method of the path in `Allow`.
- A body must be JSON (`application/json` or `*+json`; the token endpoint takes a form): else 415.
- Unknown query parameters are refused with a 400 naming each one (a typo in a filter must not
  silently widen a list).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import probleem

# Passed on so the caller gets the 401 that says why a token in a URL is refused.
_ALTIJD_DOORLATEN = frozenset({"access_token"})
_FORMULIER = "application/x-www-form-urlencoded"


def _query_namen(d: Dependant) -> set[str]:
    namen = {p.alias for p in d.query_params}
    for sub in d.dependencies:
        namen |= _query_namen(sub)
    return namen


def _heeft_body(d: Dependant) -> bool:
    return bool(d.body_params) or any(_heeft_body(s) for s in d.dependencies)


_INFO: dict[int, tuple[frozenset[str], bool]] = {}


def _route_info(route: APIRoute) -> tuple[frozenset[str], bool]:
    info = _INFO.get(id(route))
    if info is None:  # routes live as long as the app; computed once each
        info = _INFO[id(route)] = (frozenset(_query_namen(route.dependant)), _heeft_body(route.dependant))
    return info


def _json(content_type: str) -> bool:
    mt = content_type.split(";", 1)[0].strip().lower()
    return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))


async def _probleem(scope: Scope, receive: Receive, send: Send, status: int, detail: str,
                    headers: dict[str, str] | None = None, **extra: Any) -> None:
    await probleem(status, detail, headers=headers, **extra)(scope, receive, send)


class RouteringMiddleware:
    def __init__(self, app: ASGIApp, *, routes: list[BaseRoute]):
        self.app, self._routes = app, routes
        self._plat: list[BaseRoute] | None = None

    @property
    def routes(self) -> list[BaseRoute]:
        if self._plat is None:  # after startup the routes are fixed; included routers flattened once
            try:
                from fastapi.routing import _iter_included_route_candidates
            except ImportError:  # older FastAPI: the routes are already flat
                self._plat = list(self._routes)
            else:
                self._plat = list(_iter_included_route_candidates(self._routes))
        return self._plat

    def _methoden(self, scope: Scope) -> tuple[set[str], list[APIRoute | BaseRoute]]:
        methoden: set[str] = set()
        passend: list[APIRoute | BaseRoute] = []
        for r in self.routes:
            match, _ = r.matches({**scope, "method": "GET"})
            if match == Match.NONE:
                continue
            rm = getattr(r, "methods", None)
            if rm is None:  # a mount or websocket: leave it to the router
                return set(), []
            passend.append(r)
        # A literal path (/casussen/_zoek) is not also an id (/casussen/{casus_id}): its own methods only.
        letterlijk = [r for r in passend if getattr(r, "path", None) == scope.get("path")]
        passend = letterlijk or passend
        for r in passend:
            methoden |= set(getattr(r, "methods", ()))
        return methoden, passend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        methoden, passend = self._methoden(scope)
        if not methoden:  # unknown path: the router's 404
            await self.app(scope, receive, send)
            return
        if "GET" in methoden:
            methoden.add("HEAD")
        methoden.add("OPTIONS")
        allow = ", ".join(sorted(methoden)).encode()
        methode = scope["method"]
        if methode == "OPTIONS":  # a CORS preflight never gets here: the CORS middleware answers it
            await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow)]})
            await send({"type": "http.response.body", "body": b""})
            return
        if methode not in methoden:
            await _probleem(scope, receive, send, 405,
                            f"methode {methode} is hier niet toegestaan; wel: {allow.decode()}", {"Allow": allow.decode()})
            return
        echte = "GET" if methode == "HEAD" else methode
        route = next((r for r in passend if echte in getattr(r, "methods", ())), None)
        if isinstance(route, APIRoute):
            toegestaan, heeft_body = _route_info(route)
            onbekend = sorted({k for k, _ in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                                       keep_blank_values=True)} - toegestaan - _ALTIJD_DOORLATEN)
            if onbekend:
                params = [{"name": n, "reason": "onbekende queryparameter"} for n in onbekend]
                await _probleem(scope, receive, send, 400, "; ".join(f"{p['name']}: {p['reason']}" for p in params),
                                invalidParams=params)
                return
            if heeft_body and methode in ("POST", "PUT", "PATCH") and not await self._body_mag(scope, route):
                await _probleem(scope, receive, send, 415, "de body moet JSON zijn (Content-Type: application/json)",
                                {"Accept-Patch" if methode == "PATCH" else "Accept-Post": "application/json"})
                return
        if methode == "HEAD":
            gestart = False

            async def ontvang() -> Message:
                # Once the headers are out a HEAD is done: a stream (SSE) sees its client leave.
                return {"type": "http.disconnect"} if gestart else await receive()

            async def verstuur(msg: Message) -> None:
                nonlocal gestart
                gestart = gestart or msg["type"] == "http.response.start"
                await send_zonder_body(msg)

            send_zonder_body = _zonder_body(send)
            await self.app({**scope, "method": "GET"}, ontvang, verstuur)
            return
        await self.app(scope, receive, send)

    async def _body_mag(self, scope: Scope, route: APIRoute) -> bool:
        headers = dict(scope["headers"])
        ct = headers.get(b"content-type", b"").decode("latin-1")
        lengte = headers.get(b"content-length")
        if not ct:
            # No body at all is a missing-field 400 from validation, not a wrong media type.
            return lengte in (None, b"0") and b"transfer-encoding" not in headers
        if route.path == "/oauth/token":
            return ct.split(";", 1)[0].strip().lower() == _FORMULIER
        return _json(ct)


def _zonder_body(send: Send) -> Send:
    async def verstuur(msg: Message) -> None:
        if msg["type"] == "http.response.body":
            if not msg.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send(msg)

    return verstuur
