"""Smoke tests for the real-component test infrastructure (tests/plugins/postgres.py, kafka.py)."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.plugins.kafka import TansuBroker
from tests.plugins.postgres import temporary_database

# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgresql
async def test_postgresql_select_1(postgresql_url: str) -> None:
    assert postgresql_url.startswith("postgresql+asyncpg://")
    engine = create_async_engine(postgresql_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("select 1"))).scalar_one() == 1
            assert (await conn.execute(text("select current_setting('fsync')"))).scalar_one() == "off"
    finally:
        await engine.dispose()


@pytest.mark.postgresql
async def test_postgresql_temporary_database_is_created_and_dropped(postgresql_url: str) -> None:
    admin = create_async_engine(postgresql_url)
    try:
        with temporary_database(postgresql_url) as url:
            name = url.rsplit("/", 1)[1]
            engine = create_async_engine(url)
            try:
                async with engine.begin() as conn:
                    assert (await conn.execute(text("select current_database()"))).scalar_one() == name
                    await conn.execute(text("create table t (id int primary key)"))
                    await conn.execute(text("insert into t values (1)"))
            finally:
                await engine.dispose()
            async with admin.connect() as conn:
                exists = await conn.execute(text("select 1 from pg_database where datname = :n"), {"n": name})
                assert exists.scalar_one_or_none() == 1
        async with admin.connect() as conn:
            exists = await conn.execute(text("select 1 from pg_database where datname = :n"), {"n": name})
            assert exists.scalar_one_or_none() is None
    finally:
        await admin.dispose()


@pytest.mark.postgresql
async def test_postgresql_fresh_database_fixture_is_empty(fresh_database: str) -> None:
    assert fresh_database.startswith("postgresql+asyncpg://")
    engine = create_async_engine(fresh_database)
    try:
        async with engine.connect() as conn:
            tables = await conn.execute(text("select count(*) from pg_tables where schemaname = 'public'"))
            assert tables.scalar_one() == 0
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- Kafka (tansu)


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"demo")
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, count: int) -> list[tuple[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        records: list[tuple[bytes, bytes]] = []
        for _ in range(50):
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend((r.key, r.value) for r in batch)
            if len(records) >= count:
                break
        return records
    finally:
        await consumer.stop()


@pytest.mark.kafka
async def test_kafka_produce_consume_in_order(kafka_bootstrap: str) -> None:
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    values = [b"one", b"two", b"three"]
    await _produce(kafka_bootstrap, topic, values)
    assert await _consume(kafka_bootstrap, topic, 3) == [(b"demo", v) for v in values]


@pytest.mark.kafka
async def test_kafka_stop_start_keeps_data(kafka_broker: TansuBroker) -> None:
    topic = f"outage-{uuid.uuid4().hex[:8]}"
    await _produce(kafka_broker.bootstrap, topic, [b"a", b"b", b"c"])

    kafka_broker.stop()
    assert not kafka_broker.is_up
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap, request_timeout_ms=1000)
    with pytest.raises(KafkaConnectionError):  # nothing listens on the bootstrap port
        await producer.start()
    await producer.stop()

    kafka_broker.start()
    assert kafka_broker.is_up
    await _produce(kafka_broker.bootstrap, topic, [b"d", b"e", b"f"])
    assert await _consume(kafka_broker.bootstrap, topic, 6) == [(b"demo", v) for v in b"a b c d e f".split()]


@pytest.mark.kafka
async def test_kafka_producer_survives_outage(kafka_broker: TansuBroker) -> None:
    topic = f"survive-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"before", key=b"demo")
        kafka_broker.stop()
        pending = await producer.send(topic, b"during", key=b"demo")  # buffered, retried after start()
        kafka_broker.start()
        await pending
        await producer.send_and_wait(topic, b"after", key=b"demo")
    finally:
        await producer.stop()
    assert await _consume(kafka_broker.bootstrap, topic, 3) == [
        (b"demo", b"before"),
        (b"demo", b"during"),
        (b"demo", b"after"),
    ]


@pytest.mark.kafka
async def test_kafka_fresh_restart_loses_records_but_keeps_topics(kafka_broker: TansuBroker) -> None:
    topic = f"fresh-{uuid.uuid4().hex[:8]}"
    kafka_broker.create_topic(topic, partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"lost", key=b"demo")
        kafka_broker.restart(fresh=True)  # crash: empty broker, same port, topic re-created
        assert kafka_broker.topics()[topic] == 1
        for value in (b"x", b"y", b"z"):  # same producer, cached metadata: must still work
            await producer.send_and_wait(topic, value, key=b"demo")
    finally:
        await producer.stop()
    assert await _consume(kafka_broker.bootstrap, topic, 3) == [(b"demo", v) for v in (b"x", b"y", b"z")]
