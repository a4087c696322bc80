"""Pruning the outbox: it is a queue for Kafka, not a record. The audit ledger is the durable source and is
never pruned here.

With Kafka: rows the relay marked sent longer ago than the retention are deleted. Without Kafka (the demo,
a ledger-only install) nothing ever marks a row sent, so rows older than the retention are deleted as they
are: a topic connected later starts from what is still in the outbox, and `audit verify --database-url`
checks the whole chain from the ledger.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import tables as t


async def ruim_outbox_op(engine: AsyncEngine, *, bewaar_s: float, met_kafka: bool, batch: int = 5000) -> int:
    """Delete outbox rows past the retention, in batches (short transactions); return how many."""
    grens = datetime.now(timezone.utc) - timedelta(seconds=bewaar_s)
    o = t.outbox
    waar = o.c.verzonden_op < grens if met_kafka else o.c.aangemaakt_op < grens
    totaal = 0
    while True:
        async with engine.begin() as conn:
            ids = (await conn.execute(select(o.c.id).where(waar).order_by(o.c.id).limit(batch))).scalars().all()
            if ids:
                await conn.execute(delete(o).where(o.c.id.in_(ids)))
        totaal += len(ids)
        if len(ids) < batch:
            return totaal
