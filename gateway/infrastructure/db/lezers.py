"""Read models over the ledger and the domain-event table (privacy officer, SSE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.audit import AuditFilter
from gateway.domain.ports import OpgeslagenGebeurtenis

from . import tables as t


class SqlAuditLezer:
    """One house's ledger, oldest first, selected in SQL on the indexed columns (which `audit verify` holds
    against the hashed events) and once more on the event itself."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def gebeurtenissen(self, huis: str, filter: AuditFilter, limiet: int | None = None,
                             ) -> AsyncIterator[dict[str, Any]]:
        c = t.audit_ledger.c
        waar = [c.huis == huis]
        if filter.betrokkene is not None:
            waar.append(c.betrokkene == filter.betrokkene)
        if filter.vanaf is not None:
            waar.append(c.tijdstip >= filter.vanaf)
        if filter.tot is not None:
            waar.append(c.tijdstip < filter.tot)
        for waarde, kolom in ((filter.partner, c.partner), (filter.handeling, c.handeling),
                              (filter.besluit, c.besluit)):
            if waarde:
                waar.append(kolom == waarde)
        q = select(c.event).where(*waar).order_by(c.volgnummer)
        if limiet is not None and filter.bron is None:
            q = q.limit(limiet)
        n = 0
        async with self.engine.connect() as conn:
            stroom = await conn.stream(q.execution_options(yield_per=2000))
            async for r in stroom:
                data = r.event["data"]
                if filter.past(data):
                    yield data
                    n += 1
                    if limiet is not None and n >= limiet:
                        break


class SqlGebeurtenisLezer:
    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def na(self, huis: str, positie: int, limiet: int) -> list[OpgeslagenGebeurtenis]:
        c = t.gebeurtenissen.c
        q = (select(c.positie, c.event, c.thema, c.overlegtype)
             .where(c.huis == huis, c.positie > positie).order_by(c.positie).limit(limiet))
        async with self.engine.connect() as conn:
            return [OpgeslagenGebeurtenis(r.positie, r.event, r.thema, r.overlegtype) for r in await conn.execute(q)]

    async def laatste(self, huis: str) -> int:
        q = select(func.max(t.gebeurtenissen.c.positie)).where(t.gebeurtenissen.c.huis == huis)
        async with self.engine.connect() as conn:
            return int((await conn.execute(q)).scalar() or 0)
