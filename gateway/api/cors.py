"""CORS for browser front-ends: origins from configuration only; `*` only on the public OpenAPI document."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIEK = "/v1/openapi.json"
HEADERS_IN = ["Authorization", "Content-Type", "X-Gebruiker", "Last-Event-ID", "X-Request-ID"]
HEADERS_UIT = ["API-Version", "X-Request-ID", "Location", "Link", "X-Total-Count", "X-Pagination-Page",
               "X-Pagination-Limit", "Allow"]


class Cors:
    def __init__(self, app: ASGIApp, *, origins: Sequence[str] = ()):
        self.app = app
        # No wildcard and no credentials: a bearer token is sent explicitly, never as a cookie.
        self.lijst = CORSMiddleware(app, allow_origins=[o for o in origins if o != "*"],
                                    allow_methods=["GET", "HEAD", "POST", "PATCH", "DELETE"],
                                    allow_headers=HEADERS_IN, expose_headers=HEADERS_UIT, max_age=600)
        self.iedereen = CORSMiddleware(app, allow_origins=["*"], allow_methods=["GET", "HEAD"],
                                       expose_headers=["API-Version"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await (self.iedereen if scope.get("path") == PUBLIEK else self.lijst)(scope, receive, send)


__all__ = ["Cors", "PUBLIEK"]
