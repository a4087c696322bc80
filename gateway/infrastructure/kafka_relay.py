"""The outbox relay: publishes committed outbox rows to Kafka, in order, at least once (invariant 4).

Rows are marked sent only after the broker acknowledged them (acks=all), and only as a contiguous
prefix: after a failure the relay resends from the first unacknowledged row, so the last copy of
every event in the topic stands in chain order (consumers deduplicate by CloudEvents `id`).
A broker outage only delays the stream; exchanges write to the database and never wait for Kafka.

One relay publishes at a time: leadership is a lease renewed before every round (relay_leiderschap.py).
Database failures (reading the outbox, marking it sent, renewing the lease) and broker failures are told
apart in the log and the metrics; only a broker failure closes the producer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timezone

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import BigInteger, Text, any_, bindparam, cast, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import tables as t
from .db.engine import is_sqlite
from .db.fouten import veilige_oorzaak
from .relay_leiderschap import Leiderschap

log = structlog.get_logger("ketenpoort.relay")

CONTENT_TYPE = [("content-type", b"application/cloudevents+json; charset=UTF-8")]


class DatabaseFout(Exception):
    """The relay's database side failed (the cause is chained); the producer stays open."""


class _Metrieken:
    def __init__(self, registry: CollectorRegistry | None):
        self.fouten = Counter("ketenpoort_relay_fouten_total", "Relay failures by side (database, broker, overig)",
                              ["soort"], registry=registry)
        self.leider = Gauge("ketenpoort_relay_leider", "1 while this process holds the relay lease",
                            registry=registry)


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
        lease_s: float = 10.0,
        houder: str | None = None,
        registry: CollectorRegistry | None = None,
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
        self.leiderschap = Leiderschap(engine, duur_s=lease_s, houder=houder)
        # Without a registry (tests, CLI) the metrics live in a private one.
        self._metrieken = _Metrieken(registry or CollectorRegistry())

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
        """Publish one batch of pending rows; return how many were acknowledged and marked sent.

        Only while the lease is safely held: a relay that cannot renew it, or whose lease runs short in the
        middle of a round, stops sending (what it already sent is bounded by one batch).
        """
        if not await self._ben_leider():  # re-checked before every round: fencing
            return 0
        try:
            async with self.engine.connect() as conn:
                # The event as its stored text: published without decoding and encoding it again.
                rijen = (await conn.execute(
                    select(t.outbox.c.id, t.outbox.c.topic, t.outbox.c.sleutel,
                           cast(t.outbox.c.event, Text).label("event"))
                    .where(t.outbox.c.verzonden_op.is_(None)).order_by(t.outbox.c.id).limit(self.batch)
                )).all()
                await conn.rollback()
        except Exception as e:
            raise DatabaseFout("outbox lezen") from e
        if not rijen:
            return 0
        producer = await self._start_producer()
        futures = []
        for i, r in enumerate(rijen, 1):
            if not self.leiderschap.geldig:
                break  # the lease may run out before this round ends: send no more, renew first
            fut = await producer.send(self.topics[r.topic], r.event.encode(), key=r.sleutel, headers=CONTENT_TYPE)
            futures.append(fut)
            if i % 500 == 0:
                await asyncio.sleep(0)  # a big backlog must not hold up the requests this process serves
        uitkomsten = await asyncio.gather(*futures, return_exceptions=True)
        bevestigd = []
        for r, u in zip(rijen, uitkomsten, strict=False):
            if isinstance(u, BaseException):
                break  # the contiguous acknowledged prefix only; the rest is resent in order
            bevestigd.append(r.id)
        if bevestigd:
            try:
                async with self.engine.begin() as conn:
                    await conn.execute(_MARKEER_SQLITE if self._sqlite else _MARKEER,
                                       {"ids": bevestigd, "nu": _nu()})
            except Exception as e:
                raise DatabaseFout("als verzonden markeren") from e  # resent later: a duplicate, never a loss
            self.gepubliceerd += len(bevestigd)
        if len(bevestigd) < len(uitkomsten):
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
                    aantal = await self.ronde()
                    if self.leiderschap.token is None:
                        self._metrieken.leider.set(0)
                        await self._sluit_producer()  # a follower holds no broker connections
                        await asyncio.sleep(min(self.leiderschap.duur_s / 3, 5.0))
                        continue
                    self._metrieken.leider.set(1)
                    wacht = self.interval
                    if aantal >= self.batch:
                        continue  # more waiting: no pause
                except asyncio.CancelledError:
                    raise
                except DatabaseFout as e:
                    # Not the broker's fault: the producer and its connections stay as they are.
                    self._metrieken.fouten.labels("database").inc()
                    log.warning("relay.database_onbereikbaar", stap=str(e), opnieuw_over_s=round(wacht, 2),
                                **veilige_oorzaak(e.__cause__ or e))
                    wacht = min(max(wacht * 2, 0.5), 10.0)
                except (KafkaError, OSError, asyncio.TimeoutError, ConnectionError) as e:
                    self._metrieken.fouten.labels("broker").inc()
                    log.warning("relay.broker_onbereikbaar", fout=type(e).__name__, opnieuw_over_s=round(wacht, 2))
                    await self._sluit_producer()
                    wacht = min(max(wacht * 2, 0.5), 10.0)
                except Exception as e:  # noqa: BLE001 - the relay must outlive any single failure
                    self._metrieken.fouten.labels("overig").inc()
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

    # --- one relay at a time: a lease renewed before every round (relay_leiderschap.py) -------

    async def _ben_leider(self) -> bool:
        try:
            return await self.leiderschap.vernieuw()
        except Exception as e:
            raise DatabaseFout("leiderschap vernieuwen") from e

    async def _laat_leiderschap_los(self) -> None:
        self._metrieken.leider.set(0)
        try:
            await self.leiderschap.laat_los()
        except Exception as e:  # noqa: BLE001 - an unreachable database: the lease simply runs out
            log.warning("relay.leiderschap_niet_losgelaten", **veilige_oorzaak(e))


async def _stop_stil(p: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(p.stop(), timeout=5)
    except Exception:  # noqa: BLE001 - closing a producer to a dead broker may fail; it is gone anyway
        pass
