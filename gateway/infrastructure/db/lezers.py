"""Read models over the ledger and the domain-event table (privacy officer, SSE)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.ports import OpgeslagenGebeurtenis

from . import tables as t


class SqlAuditLezer:
    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def gebeurtenissen(
        self, huis: str, *, betrokkene: UUID | None = None, filters: Mapping[str, Any] | None = None,
        limiet: int | None = None,
    ) -> Sequence[dict[str, Any]]:
        f = dict(filters or {})
        c = t.audit_ledger.c
        waar = [c.huis == huis]
        if betrokkene is not None:
            waar.append(c.betrokkene == betrokkene)
        if isinstance(f.get("vanaf"), datetime):
            waar.append(c.tijdstip >= f["vanaf"])
        if isinstance(f.get("tot"), datetime):
            waar.append(c.tijdstip < f["tot"])
        for veld, kolom in (("partner", c.partner), ("handeling", c.handeling), ("besluit", c.besluit)):
            if f.get(veld):
                waar.append(kolom == f[veld])
        q = select(c.event).where(*waar).order_by(c.volgnummer)
        if limiet is not None:
            q = q.limit(limiet)
        async with self.engine.connect() as conn:
            return [r.event["data"] for r in await conn.execute(q)]


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
