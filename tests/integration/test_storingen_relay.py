"""Issue 17: one relay after a database restart; database failures told from broker failures.

Real components: a PostgreSQL cluster of this module's own (restarted and stopped for real), the tansu broker.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select

from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.engine import maak_engine
from gateway.infrastructure.db.migrate import upgrade
from gateway.infrastructure.kafka_relay import OutboxRelay, maak_producer
from tests.plugins.postgres import create_database
from tests.support.kafka_lezen import lees_topic
from tests.support.pg_storing import storing_cluster, storing_pg  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgresql


class _TelProducer:
    """A real producer that notes who sent what, and when."""

    def __init__(self, bootstrap: str, naam: str, verzonden: list):
        self._p, self._naam, self._verzonden = maak_producer(bootstrap), naam, verzonden

    async def start(self) -> None:
        await self._p.start()

    async def stop(self) -> None:
        await self._p.stop()

    async def send(self, topic, value, **kw):  # noqa: ANN001, ANN003, ANN201
        self._verzonden.append((self._naam, time.monotonic(), value))
        return await self._p.send(topic, value, **kw)


async def _schrijver(engine, stop: asyncio.Event, geschreven: list[str]) -> None:  # noqa: ANN001
    """Steady load: ten outbox rows every 20 ms; failures during the restart are simply retried."""
    while not stop.is_set():
        rijen = [{"huis": "demo", "topic": "audit", "sleutel": "demo", "event": {"id": str(uuid.uuid4())},
                  "aangemaakt_op": datetime.now(timezone.utc)} for _ in range(10)]
        try:
            async with engine.begin() as conn:
                await conn.execute(insert(t.outbox), rijen)
            geschreven.extend(r["event"]["id"] for r in rijen)
        except Exception:  # noqa: BLE001 - the database is restarting
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.02)


def _wissels(verzonden: list) -> int:
    """How often the sender changed, in the order records were handed to a producer."""
    namen = [n for n, _, _ in sorted(verzonden, key=lambda v: v[1])]
    return sum(1 for a, b in zip(namen, namen[1:]) if a != b)


async def test_one_publisher_through_a_postgresql_restart_under_load(storing_pg, kafka_bootstrap):  # noqa: F811
    url = create_database(storing_pg.server.url(), f"relay_{uuid.uuid4().hex[:8]}")
    await upgrade(url)
    topic = f"storing-{uuid.uuid4().hex[:8]}"
    verzonden: list = []
    laad, r1e, r2e = (maak_engine(url, timeout_s=2.0) for _ in range(3))
    relays = [OutboxRelay(e, kafka_bootstrap, audit_topic=topic, events_topic=topic + "-g", batch=50,
                          interval=0.05, lease_s=2.0, houder=naam,
                          producer_factory=lambda b, n=naam: _TelProducer(b, n, verzonden))
              for e, naam in ((r1e, "r1"), (r2e, "r2"))]
    stop, geschreven = asyncio.Event(), []
    schrijver = asyncio.create_task(_schrijver(laad, stop, geschreven))
    taken = [asyncio.create_task(r.run()) for r in relays]
    try:
        await asyncio.sleep(3)
        assert verzonden, "no relay published before the restart"
        await asyncio.to_thread(storing_pg.herstart)
        await asyncio.sleep(8)  # the old code: the second relay takes the lock within 5 s, both publish
        stop.set()
        await schrijver
        for _ in range(100):  # drain
            async with laad.connect() as conn:
                open_ = (await conn.execute(select(func.count()).select_from(t.outbox)
                                            .where(t.outbox.c.verzonden_op.is_(None)))).scalar()
            if open_ == 0:
                break
            await asyncio.sleep(0.2)
        assert open_ == 0
    finally:
        stop.set()
        for taak in taken:
            taak.cancel()
        await asyncio.gather(schrijver, *taken, return_exceptions=True)
        for e in (laad, r1e, r2e):
            await e.dispose()
    # One publisher at a time: the sender changes only with the leadership (a restart, at most a hand-over).
    assert _wissels(verzonden) <= 2, f"{_wissels(verzonden)} changes of sender"
    # Duplicates only from the resend rule: at most a batch per leadership change, and nothing lost.
    op_topic = [json.loads(r.value)["id"] for r in await lees_topic(kafka_bootstrap, topic)]
    assert set(geschreven) <= set(op_topic)
    assert len(op_topic) - len(set(op_topic)) <= 50 * (1 + _wissels(verzonden))


async def test_database_failure_is_not_a_broker_failure(storing_pg, kafka_bootstrap):  # noqa: F811
    import io

    import structlog
    from prometheus_client import CollectorRegistry

    from gateway.infrastructure.observability import configureer_logging

    log = io.StringIO()
    configureer_logging("INFO", json=True)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(log))
    url = create_database(storing_pg.server.url(), f"relay_{uuid.uuid4().hex[:8]}")
    await upgrade(url)
    engine = maak_engine(url, timeout_s=1.0)
    registry = CollectorRegistry()
    topic = f"storing-{uuid.uuid4().hex[:8]}"
    relay = OutboxRelay(engine, kafka_bootstrap, audit_topic=topic, events_topic=topic, interval=0.05, lease_s=2.0,
                        registry=registry)
    async with engine.begin() as conn:
        await conn.execute(insert(t.outbox).values(huis="demo", topic="audit", sleutel="demo", event={"id": "1"},
                                                   aangemaakt_op=datetime.now(timezone.utc)))
    taak = asyncio.create_task(relay.run())
    try:
        for _ in range(100):
            if relay.gepubliceerd:
                break
            await asyncio.sleep(0.1)
        producer = relay._producer  # noqa: SLF001
        assert producer is not None
        await asyncio.to_thread(storing_pg.stop)
        await asyncio.sleep(2.5)
        assert relay._producer is producer, "a database outage closed the Kafka producer"  # noqa: SLF001
        assert registry.get_sample_value("ketenpoort_relay_fouten_total", {"soort": "database"}) >= 1
        assert not registry.get_sample_value("ketenpoort_relay_fouten_total", {"soort": "broker"})
    finally:
        taak.cancel()
        await asyncio.gather(taak, return_exceptions=True)
        await engine.dispose()
    regels = [json.loads(r) for r in log.getvalue().splitlines() if r.startswith("{")]
    db = [r for r in regels if r["event"] == "relay.database_onbereikbaar"]
    assert db and all(r.get("fout") for r in db)
    assert not [r for r in regels if r["event"] == "relay.broker_onbereikbaar"]


async def test_broker_failure_is_counted_as_broker(fresh_database):
    from prometheus_client import CollectorRegistry

    await upgrade(fresh_database)
    engine = maak_engine(fresh_database)
    registry = CollectorRegistry()
    relay = OutboxRelay(engine, "127.0.0.1:1", audit_topic="x", events_topic="y", interval=0.05, registry=registry)
    async with engine.begin() as conn:
        await conn.execute(insert(t.outbox).values(huis="demo", topic="audit", sleutel="demo", event={"id": "1"},
                                                   aangemaakt_op=datetime.now(timezone.utc)))
    taak = asyncio.create_task(relay.run())
    try:
        for _ in range(100):
            if registry.get_sample_value("ketenpoort_relay_fouten_total", {"soort": "broker"}):
                break
            await asyncio.sleep(0.1)
        assert registry.get_sample_value("ketenpoort_relay_fouten_total", {"soort": "broker"}) >= 1
        assert not registry.get_sample_value("ketenpoort_relay_fouten_total", {"soort": "database"})
    finally:
        taak.cancel()
        await asyncio.gather(taak, return_exceptions=True)
        await engine.dispose()
