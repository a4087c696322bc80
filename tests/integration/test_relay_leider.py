"""Several gateway replicas: only one relay publishes at a time (PostgreSQL advisory lock)."""

from __future__ import annotations

import pytest

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
