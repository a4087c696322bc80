"""Stream tickets: how a browser's EventSource (which cannot send headers) authenticates without a token in a URL.

The front-end asks `POST /v1/gebeurtenissen/_ticket` with its bearer token and gets a random ticket that is
valid for a few seconds and for one use: `new EventSource("/v1/gebeurtenissen?ticket=…")`. A ticket in a log
line or browser history is worthless after that use. The stream still ends when the original token expires.
Tickets live in the memory of the worker that issued them (docs/api.md: route a browser to one worker, or
keep one worker per replica for SSE).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from gateway.domain.model import Verzoeker


@dataclass(frozen=True)
class Ticket:
    verzoeker: Verzoeker
    geldig_tot: float  # monotonic
    token_verloopt: float | None  # wall clock (the token's exp)


class StroomTickets:
    def __init__(self, ttl_s: float = 30.0, max_open: int = 10_000):
        self.ttl_s, self.max_open = ttl_s, max_open
        self._open: dict[str, Ticket] = {}

    def uitgeven(self, v: Verzoeker, token_verloopt: float | None) -> tuple[str, float]:
        self._opruimen()
        if len(self._open) >= self.max_open:  # a flood of unused tickets must not grow memory without bound
            self._open.pop(next(iter(self._open)))
        ticket = secrets.token_urlsafe(32)
        self._open[ticket] = Ticket(v, time.monotonic() + self.ttl_s, token_verloopt)
        return ticket, time.time() + self.ttl_s

    def inwisselen(self, ticket: str) -> Ticket | None:
        t = self._open.pop(ticket, None)  # single use, valid or not
        if t is None or t.geldig_tot < time.monotonic():
            return None
        if t.token_verloopt is not None and t.token_verloopt <= time.time():
            return None
        return t

    def _opruimen(self) -> None:
        nu = time.monotonic()
        for k in [k for k, t in self._open.items() if t.geldig_tot < nu]:
            del self._open[k]
