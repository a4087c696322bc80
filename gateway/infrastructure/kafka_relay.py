"""The outbox relay: publishes committed outbox rows to Kafka, in order, at least once (invariant 4).

Rows are marked sent only after the broker acknowledged them (acks=all), and only as a contiguous
prefix: after a failure the relay resends from the first unacknowledged row, so the last copy of
every event in the topic stands in chain order (consumers deduplicate by CloudEvents `id`).
A broker outage only delays the stream; exchanges write to the database and never wait for Kafka.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import BigInteger, Text, any_, bindparam, cast, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import tables as t
from .db.engine import is_sqlite

log = structlog.get_logger("ketenpoort.relay")

CONTENT_TYPE = [("content-type", b"application/cloudevents+json; charset=UTF-8")]
_LEIDER_SLEUTEL = 0x4B50_5245  # "KPRE": one relay at a time across gateway replicas (PostgreSQL)


# Marking 5,000 rows sent: on PostgreSQL one array parameter (= ANY), not 5,000 bind parameters to
# render and parse (that took ~120 ms of a ~300 ms round).
_MARKEER = (update(t.outbox).where(t.outbox.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
            .values(verzonden_op=bindparam("nu")))
_MARKEER_SQLITE = (update(t.outbox).where(t.outbox.c.id.in_(bindparam("ids", expanding=True)))
                   .values(verzonden_op=bindparam("nu")))


def _nu() -> datetime:
    return datetime.now(timezone.utc)


def maak_producer(bootstrap: str) -> AIOKafkaProducer:
    # No idempotence: not every broker offers it (the test broker does not); order comes from
    # the relay's own resend-from-first-unacked rule instead.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=5,
        max_batch_size=256 * 1024, request_timeout_ms=10000, retry_backoff_ms=200,
        # Outbox rows are published as stored (bytes, compact JSON: db.engine.json_tekst); anything else is encoded.
        value_serializer=lambda v: v if isinstance(v, bytes) else json.dumps(v, ensure_ascii=False,
                                                                             separators=(",", ":")).encode(),
        key_serializer=lambda k: k.encode(),
    )


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        bootstrap: str,
        *,
        audit_topic: str,
        events_topic: str,
        batch: int = 5000,
        interval: float = 0.2,
        producer_factory: Callable[[str], AIOKafkaProducer] = maak_producer,
    ):
        self.engine = engine
        self.bootstrap = bootstrap
        self.topics = {"audit": audit_topic, "gebeurtenissen": events_topic}
        self.batch = batch
        self.interval = interval
        self._producer_factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self.gepubliceerd = 0
        self.gewekt = asyncio.Event()
        self._sqlite = is_sqlite(str(engine.url))

    async def _start_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            p = self._producer_factory(self.bootstrap)
            try:
                await asyncio.wait_for(p.start(), timeout=15)
            except BaseException:
                await _stop_stil(p)
                raise
            self._producer = p
            log.info("relay.verbonden", bootstrap=self.bootstrap)
        return self._producer

    async def _sluit_producer(self) -> None:
        if self._producer is not None:
            p, self._producer = self._producer, None
            await _stop_stil(p)

    async def ronde(self) -> int:
        """Publish one batch of pending rows; return how many were acknowledged and marked sent."""
        async with self.engine.connect() as conn:
            # The event as its stored text: published without decoding and encoding it again.
            rijen = (await conn.execute(
                select(t.outbox.c.id, t.outbox.c.topic, t.outbox.c.sleutel,
                       cast(t.outbox.c.event, Text).label("event"))
                .where(t.outbox.c.verzonden_op.is_(None)).order_by(t.outbox.c.id).limit(self.batch)
            )).all()
            await conn.rollback()
        if not rijen:
            return 0
        producer = await self._start_producer()
        futures = []
        for i, r in enumerate(rijen, 1):
            fut = await producer.send(self.topics[r.topic], r.event.encode(), key=r.sleutel, headers=CONTENT_TYPE)
            futures.append(fut)
            if i % 500 == 0:
                await asyncio.sleep(0)  # a big backlog must not hold up the requests this process serves
        uitkomsten = await asyncio.gather(*futures, return_exceptions=True)
        bevestigd = []
        for r, u in zip(rijen, uitkomsten, strict=True):
            if isinstance(u, BaseException):
                break  # the contiguous acknowledged prefix only; the rest is resent in order
            bevestigd.append(r.id)
        if bevestigd:
            async with self.engine.begin() as conn:
                await conn.execute(_MARKEER_SQLITE if self._sqlite else _MARKEER, {"ids": bevestigd, "nu": _nu()})
            self.gepubliceerd += len(bevestigd)
        if len(bevestigd) < len(rijen):
            fout = next(u for u in uitkomsten if isinstance(u, BaseException))
            raise fout if isinstance(fout, Exception) else KafkaError(str(fout))
        return len(bevestigd)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Run until cancelled (or `stop` is set). Never raises for a broker outage; it waits and retries."""
        stop = stop or asyncio.Event()
        wacht = self.interval
        try:
            while not stop.is_set():
                try:
                    if not await self._ben_leider():
                        await asyncio.sleep(5)
                        continue
                    aantal = await self.ronde()
                    wacht = self.interval
                    if aantal >= self.batch:
                        continue  # more waiting: no pause
                except asyncio.CancelledError:
                    raise
                except (KafkaError, OSError, asyncio.TimeoutError, ConnectionError) as e:
                    log.warning("relay.broker_onbereikbaar", fout=type(e).__name__, opnieuw_over_s=round(wacht, 2))
                    await self._sluit_producer()
                    wacht = min(max(wacht * 2, 0.5), 10.0)
                except Exception as e:  # noqa: BLE001 - the relay must outlive any single failure
                    log.error("relay.fout", fout=type(e).__name__)
                    await self._sluit_producer()
                    wacht = min(max(wacht * 2, 0.5), 10.0)
                try:
                    await asyncio.wait_for(self.gewekt.wait(), timeout=wacht)
                except asyncio.TimeoutError:
                    pass
                self.gewekt.clear()
        finally:
            # Also on cancellation: release the producer and the leader lock for another replica.
            await asyncio.shield(self.sluit())

    async def sluit(self) -> None:
        await self._sluit_producer()
        await self._laat_leiderschap_los()

    # --- one relay at a time (PostgreSQL advisory lock on a dedicated connection) ------------

    _leider_conn: Any = None

    async def _ben_leider(self) -> bool:
        if is_sqlite(str(self.engine.url)):
            return True
        if self._leider_conn is not None:
            return True
        conn = await self.engine.connect()
        gekregen = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _LEIDER_SLEUTEL})).scalar()
        if gekregen:
            await conn.commit()
            self._leider_conn = conn
            log.info("relay.leider")
            return True
        await conn.close()
        return False

    async def _laat_leiderschap_los(self) -> None:
        if self._leider_conn is not None:
            conn, self._leider_conn = self._leider_conn, None
            try:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LEIDER_SLEUTEL})
                await conn.commit()
            finally:
                await conn.close()


async def _stop_stil(p: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(p.stop(), timeout=5)
    except Exception:  # noqa: BLE001 - closing a producer to a dead broker may fail; it is gone anyway
        pass
