"""One relay at a time: leadership is a lease row with a fencing token, renewed before every publishing round.

The advisory lock this replaces was taken once and never checked again: after a PostgreSQL restart the old
leader's lock connection was gone, another relay took the lock, and both published (issue 17). A lease
cannot be held by accident: before each round the holder renews it with one UPDATE that names its token;
if anyone else took it meanwhile (the token moved on), the UPDATE matches nothing and the relay stops at
once. A lease that was not renewed for `duur_s` may be taken by another relay, which increments the token.

The holder publishes only until `duur_s * MARGE` after the start of its last successful renewal, measured
on its own monotonic clock, so it stops before anyone else may take over even when the database is
unreachable (renewal failing) in the middle of a round. Times in the row are the database's clock on
PostgreSQL (replicas may disagree about the time); SQLite is one machine.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import Any

import structlog
from sqlalchemy import literal, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .db import tables as t
from .db.engine import is_sqlite

log = structlog.get_logger("ketenpoort.relay")

LEASE = "outbox"
MARGE = 0.8  # publish for at most 80 % of the lease after renewing it


def houder_id() -> str:
    """Who holds the lease, for operators: host, process and a random part (two relays in one process differ)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def nu_ms_expr(sqlite: bool) -> Any:
    """`now` in milliseconds since the epoch, on the database's clock where there is one."""
    if sqlite:
        return literal(int(time.time() * 1000))
    return literal_column("CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")


async def lease_stand(conn: AsyncConnection, sqlite: bool, naam: str = LEASE) -> tuple[int, int] | None:
    """(verloopt_ms, nu_ms) of the lease, for readiness; None when the row is missing (not migrated)."""
    rij = (await conn.execute(select(t.relay_leiderschap.c.verloopt_ms, nu_ms_expr(sqlite).label("nu"))
                              .where(t.relay_leiderschap.c.naam == naam))).first()
    return None if rij is None else (int(rij.verloopt_ms), int(rij.nu))


class Leiderschap:
    def __init__(self, engine: AsyncEngine, *, duur_s: float = 10.0, houder: str | None = None, naam: str = LEASE):
        self.engine = engine
        self.duur_s = duur_s
        self.houder = houder or houder_id()
        self.naam = naam
        self.token: int | None = None
        self._geldig_tot = 0.0  # monotonic: publish only before this
        self._sqlite = is_sqlite(str(engine.url))

    @property
    def geldig(self) -> bool:
        """Still inside the safe part of the lease (checked before every record sent)."""
        return self.token is not None and time.monotonic() < self._geldig_tot

    async def vernieuw(self) -> bool:
        """Renew the lease this relay holds, or take a free one. True when this relay may publish now.

        Database errors propagate (the caller tells them from broker errors); the lease then simply runs out.
        """
        start = time.monotonic()
        self._geldig_tot = 0.0
        lt = t.relay_leiderschap
        nu = nu_ms_expr(self._sqlite)
        duur_ms = int(self.duur_s * 1000)
        async with self.engine.begin() as conn:
            if self.token is not None:
                r = await conn.execute(update(lt).where(lt.c.naam == self.naam, lt.c.houder == self.houder,
                                                        lt.c.token == self.token)
                                       .values(verloopt_ms=nu + duur_ms, vernieuwd_ms=nu))
                if r.rowcount != 1:
                    log.warning("relay.leiderschap_verloren", houder=self.houder, token=self.token)
                    self.token = None
            if self.token is None:
                rij = (await conn.execute(update(lt).where(lt.c.naam == self.naam, lt.c.verloopt_ms < nu)
                                          .values(houder=self.houder, token=lt.c.token + 1,
                                                  verloopt_ms=nu + duur_ms, vernieuwd_ms=nu)
                                          .returning(lt.c.token))).first()
                if rij is None:
                    return False
                self.token = int(rij.token)
                log.info("relay.leider", houder=self.houder, token=self.token)
        self._geldig_tot = start + self.duur_s * MARGE
        return True

    async def laat_los(self) -> None:
        """Give the lease up (shutdown), so another relay need not wait for it to run out."""
        if self.token is None:
            return
        token, self.token, self._geldig_tot = self.token, None, 0.0
        lt = t.relay_leiderschap
        async with self.engine.begin() as conn:
            await conn.execute(update(lt).where(lt.c.naam == self.naam, lt.c.houder == self.houder,
                                                lt.c.token == token).values(verloopt_ms=0))
