"""Reads what reconciliation and offline proof checks need from the ledger: hashes, requesters, checkpoints."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.afstemming import Schakel

from . import tables as t

_BATCH = 20_000


async def lees_keten(engine: AsyncEngine, huis: str) -> tuple[dict[int, Schakel], list[str], list[dict[str, Any]]]:
    """The house's chain as (volgnummer -> hash and requesting partner), its hashes in order, its checkpoints.

    The requester is read from the hashed event itself, not from the indexed column beside it.
    """
    c = t.audit_ledger.c
    keten: dict[int, Schakel] = {}
    hashes: list[str] = []
    async with engine.connect() as conn:
        vanaf = 0
        while True:
            rijen = (await conn.execute(select(c.volgnummer, c.event).where(c.huis == huis, c.volgnummer > vanaf)
                                        .order_by(c.volgnummer).limit(_BATCH))).all()
            if not rijen:
                break
            for r in rijen:
                data = r.event["data"]
                keten[r.volgnummer] = Schakel(data["hash"], (data.get("verzoeker") or {}).get("partner"))
                if r.volgnummer == len(hashes) + 1:
                    hashes.append(data["hash"])
            vanaf = rijen[-1].volgnummer
        k = t.audit_checkpoints.c
        checkpoints = [r.event["data"] for r in await conn.execute(
            select(k.event).where(k.huis == huis).order_by(k.volgnummer))]
    return keten, hashes, checkpoints
