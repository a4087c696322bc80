"""Several gateway replicas: only one relay publishes at a time (a lease with a fencing token)."""

from __future__ import annotations

import pytest

from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.engine import is_sqlite, maak_engine
from gateway.infrastructure.kafka_relay import OutboxRelay


async def test_one_leader_at_a_time(database_url):
    if is_sqlite(database_url):
        pytest.skip("SQLite is one process: no replicas to coordinate")
    a, b = maak_engine(database_url), maak_engine(database_url)
    r1 = OutboxRelay(a, "127.0.0.1:1", audit_topic="x", events_topic="y")
    r2 = OutboxRelay(b, "127.0.0.1:1", audit_topic="x", events_topic="y")
    try:
        assert await r1._ben_leider()  # noqa: SLF001
        assert not await r2._ben_leider()  # noqa: SLF001
        await r1.sluit()
        assert await r2._ben_leider()  # noqa: SLF001
    finally:
        await r1.sluit()
        await r2.sluit()
        await a.dispose()
        await b.dispose()


async def test_a_relay_that_lost_its_lease_stops_publishing(database_url):
    """Fencing: once another relay holds the lease (token moved on), the old holder's renewal fails."""
    from sqlalchemy import update

    a, b = maak_engine(database_url), maak_engine(database_url)
    r1 = OutboxRelay(a, "127.0.0.1:1", audit_topic="x", events_topic="y", lease_s=1.0)
    r2 = OutboxRelay(b, "127.0.0.1:1", audit_topic="x", events_topic="y", lease_s=1.0)
    try:
        assert await r1._ben_leider()  # noqa: SLF001
        assert r1.leiderschap.geldig
        assert not await r2._ben_leider()  # noqa: SLF001
        async with a.begin() as conn:  # r1 stalls past its lease (say, a long GC pause or a frozen VM)
            await conn.execute(update(t.relay_leiderschap).values(verloopt_ms=0))
        assert await r2._ben_leider()  # noqa: SLF001
        assert not await r1._ben_leider()  # noqa: SLF001
        assert not r1.leiderschap.geldig and r2.leiderschap.geldig
    finally:
        await r1.sluit()
        await r2.sluit()
        await a.dispose()
        await b.dispose()
