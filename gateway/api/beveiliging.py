"""Security headers on every response (ADR /core/transport/security-headers) and the request-header limit."""

from __future__ import annotations

import json

from starlette.types import Scope, Send

from .problems import PROBLEM

# The API serves JSON only: nothing may run, be framed or be sniffed as something else.
_CSP_API = b"default-src 'none'; frame-ancestors 'none'"
# The offline documentation pages run their own bundled scripts and styles, from this origin only.
_CSP_DOCS = (b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
             b"img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'")
_DOCS = ("/docs", "/redoc", "/static/")
# Public, non-personal and versioned with the release: may be cached.
_CACHEBAAR = ("/static/", "/v1/openapi.json")


def beveiligingsheaders(scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    pad = scope.get("path", "")
    namen = {k.lower() for k, _ in headers}
    uit = list(headers)

    def zet(naam: bytes, waarde: bytes) -> None:
        if naam not in namen:
            uit.append((naam, waarde))

    zet(b"x-content-type-options", b"nosniff")
    zet(b"x-frame-options", b"DENY")
    zet(b"content-security-policy", _CSP_DOCS if pad.startswith(_DOCS) else _CSP_API)
    zet(b"referrer-policy", b"no-referrer")
    # Personal data must not end up in a browser or proxy cache: no-store unless public and static.
    zet(b"cache-control", b"public, max-age=300" if pad.startswith(_CACHEBAAR) else b"no-store")
    if scope.get("scheme") == "https":  # HSTS means something only over TLS (RFC 6797 section 7.2)
        zet(b"strict-transport-security", b"max-age=31536000; includeSubDomains")
    return uit


def headers_te_groot(scope: Scope, limiet: int) -> bool:
    return sum(len(k) + len(v) + 4 for k, v in scope.get("headers", [])) > limiet


async def stuur_431(send: Send, limiet: int, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({
        "type": "urn:nld:ketenpoort:probleem:headers-te-groot", "title": "Headers te groot", "status": 431,
        "detail": f"de requestheaders zijn samen groter dan {limiet} bytes",
    }).encode()
    await send({"type": "http.response.start", "status": 431,
                "headers": beveiligingsheaders({}, [(b"content-type", PROBLEM.encode()),
                                                    (b"content-length", str(len(body)).encode()), *extra])})
    await send({"type": "http.response.body", "body": body})
