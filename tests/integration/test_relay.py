"""Invariant 4 with a real Kafka-protocol broker: in order, at least once, through outages."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from sqlalchemy import func, select

from gateway.domain.audit import CHECKPOINT_TYPE, Breuktype, verifieer
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.kafka_relay import OutboxRelay
from tests.support.kafka_lezen import lees_topic, per_huis_laatste_kopie
from tests.support.scenario import draai_scenario

pytestmark = pytest.mark.kafka


def _relay(o, bootstrap: str) -> OutboxRelay:  # noqa: ANN001
    u = uuid.uuid4().hex[:8]
    return OutboxRelay(o.container.engine, bootstrap, audit_topic=f"audit-{u}", events_topic=f"events-{u}",
                       interval=0.05, batch=50)


async def _onverzonden(o) -> int:  # noqa: ANN001
    async with o.container.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(t.outbox)
                                   .where(t.outbox.c.verzonden_op.is_(None)))).scalar_one()


async def _ledger(o, huis: str) -> list[dict]:  # noqa: ANN001
    async with o.container.engine.connect() as conn:
        return [r.event for r in await conn.execute(select(t.audit_ledger.c.event).where(t.audit_ledger.c.huis == huis)
                                                    .order_by(t.audit_ledger.c.volgnummer))]


async def _leeg(o, seconden: float = 60) -> None:  # noqa: ANN001
    eind = time.monotonic() + seconden
    while await _onverzonden(o):
        assert time.monotonic() < eind, "outbox not drained"
        await asyncio.sleep(0.1)


async def test_relay_publishes_every_event_in_chain_order(omgeving, kafka_bootstrap):
    await draai_scenario(omgeving)
    relay = _relay(omgeving, kafka_bootstrap)
    while await relay.ronde():
        pass
    await relay.sluit()
    assert await _onverzonden(omgeving) == 0
    audit = await lees_topic(kafka_bootstrap, relay.topics["audit"])
    assert all(dict(r.headers)["content-type"].startswith(b"application/cloudevents+json") for r in audit)
    per_huis = per_huis_laatste_kopie(audit)
    for huis in ("demo", "noord"):
        events = [e for e in per_huis[huis] if e["type"] != CHECKPOINT_TYPE]
        assert [e["id"] for e in events] == [e["id"] for e in await _ledger(omgeving, huis)]
        assert verifieer([e["data"] for e in events], begin_verplicht=True).intact
    domein = await lees_topic(kafka_bootstrap, relay.topics["gebeurtenissen"])
    async with omgeving.container.engine.connect() as conn:
        verwacht = (await conn.execute(select(func.count()).select_from(t.gebeurtenissen))).scalar_one()
    assert len({r.value for r in domein}) == verwacht
    assert all(r.key.decode() == __import__("json").loads(r.value)["subject"] for r in domein)


async def _uitwisselingen(o, n: int, start: int) -> None:  # noqa: ANN001
    """n registrations (each one audited), each answered quickly whatever the broker does."""
    from gateway.domain.bsn import is_geldig_bsn

    bsns = [b for b in (f"9999{k:05d}" for k in range(start, start + 40 * n)) if is_geldig_bsn(b)][:n]
    h = await o.als("demo-politie")
    for bsn in bsns:
        begin = time.monotonic()
        r = await o.client.post("/v1/casussen", json={"bsn": bsn, "thema": "jeugd", "gemeente": "gemeente-a"}, headers=h)
        assert r.status_code == 201, r.text
        assert time.monotonic() - begin < 2.0  # Kafka never blocks an exchange


async def test_broker_outage_delays_but_loses_nothing(omgeving, kafka_broker):
    relay = _relay(omgeving, kafka_broker.bootstrap)
    taak = asyncio.create_task(relay.run())
    try:
        await _uitwisselingen(omgeving, 8, 1000)
        kafka_broker.stop()
        await _uitwisselingen(omgeving, 12, 3000)
        assert await _onverzonden(omgeving) > 0
        kafka_broker.start()
        await _uitwisselingen(omgeving, 6, 6000)
        await _leeg(omgeving)
    finally:
        taak.cancel()
        await asyncio.gather(taak, return_exceptions=True)
    audit = await lees_topic(kafka_broker.bootstrap, relay.topics["audit"])
    events = per_huis_laatste_kopie(audit)["demo"]
    ledger = await _ledger(omgeving, "demo")
    assert [e["id"] for e in events] == [e["id"] for e in ledger]  # every one, exactly once after dedup, in order
    assert verifieer([e["data"] for e in events], begin_verplicht=True).intact
    domein = {__import__("json").loads(r.value)["id"]
              for r in await lees_topic(kafka_broker.bootstrap, relay.topics["gebeurtenissen"])}
    async with omgeving.container.engine.connect() as conn:
        verwacht = {str(r.event_id) for r in await conn.execute(select(t.gebeurtenissen.c.event_id))}
    assert domein == verwacht


async def test_fresh_empty_broker_receives_every_pending_event_in_order(omgeving, kafka_broker):
    relay = _relay(omgeving, kafka_broker.bootstrap)
    taak = asyncio.create_task(relay.run())
    try:
        await _uitwisselingen(omgeving, 5, 1000)
        await _leeg(omgeving)
        kafka_broker.kill()  # crash with total data loss
        await _uitwisselingen(omgeving, 7, 3000)
        async with omgeving.container.engine.connect() as conn:
            pending = [r.event["id"] for r in await conn.execute(
                select(t.outbox.c.event).where(t.outbox.c.verzonden_op.is_(None), t.outbox.c.topic == "audit")
                .order_by(t.outbox.c.id))]
        kafka_broker.start()
        await _leeg(omgeving)
    finally:
        taak.cancel()
        await asyncio.gather(taak, return_exceptions=True)
    events = per_huis_laatste_kopie(await lees_topic(kafka_broker.bootstrap, relay.topics["audit"]))["demo"]
    assert [e["id"] for e in events][-len(pending):] == pending
    datas = [e["data"] for e in events]
    # The fresh broker holds a chain whose head is gone: intact from its first event on, but not anchored.
    v = verifieer(datas)
    assert v.breuk is not None and v.breuk.soort is Breuktype.GEEN_ANKER and v.breuk.volgnummer == datas[0]["volgnummer"]
    assert v.hoogste == datas[-1]["volgnummer"] and v.aantal == len(datas)


async def test_checkpoints_every_hundred_and_periodically(omgeving, tmp_path, kafka_bootstrap):
    import base64

    from gateway.domain.audit import checkpoint_bericht
    from gateway.infrastructure.db.uow import checkpoint_indien_nodig
    from gateway.infrastructure.audit.sleutels import Ondertekenaar, laad_of_maak_sleutel

    sleutel = laad_of_maak_sleutel(tmp_path / "signing.key", maak=True)
    omgeving.container.uow.ondertekenaar = Ondertekenaar(sleutel)
    h = await omgeving.als("demo-procesregisseur")
    for _ in range(215):  # each search is one audited exchange
        await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": "999990019"}, headers=h)
    async with omgeving.container.engine.begin() as conn:
        assert await checkpoint_indien_nodig(conn, "demo", omgeving.container.uow.ondertekenaar, 0.0)
    relay = _relay(omgeving, kafka_bootstrap)
    while await relay.ronde():
        pass
    await relay.sluit()
    stroom = per_huis_laatste_kopie(await lees_topic(kafka_bootstrap, relay.topics["audit"]))["demo"]
    checkpoints = [(i, e["data"]) for i, e in enumerate(stroom) if e["type"] == CHECKPOINT_TYPE]
    assert [c["volgnummer"] for _, c in checkpoints] == [100, 200, 215]
    publiek = sleutel.public_key()
    for i, c in checkpoints:
        assert stroom[i - 1]["data"]["volgnummer"] == c["volgnummer"] and stroom[i - 1]["data"]["hash"] == c["hash"]
        publiek.verify(base64.b64decode(c["handtekening"]), checkpoint_bericht(c))
        assert c["boomGrootte"] == c["volgnummer"] and len(c["boomWortel"]) == 64  # the root is signed too
