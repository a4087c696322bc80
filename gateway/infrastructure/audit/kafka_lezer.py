"""Reading the whole audit topic from Kafka: every partition from its beginning to the end seen at the start.

A consumer without a group assigns every partition of the topic, captures the end offsets at the start
(ListOffsets, or the first fetch's high watermark when that is higher) and reads each partition from its
beginning up to that end, one partition after the other (per-partition order is chain order: the record
key is the house). Records that are not JSON objects are yielded as unreadable placeholders, so the
verifier sees that something is there.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from gateway.domain.audit import AUDIT_TYPE, AuditFilter, huis_van

from .bron import AuditBronFout, Gelezen, Voortgang
from .snel_json import laad_json, lees_event

async def lees_kafka(
    bootstrap: str,
    topic: str,
    *,
    huis: str | None = None,
    voortgang: Voortgang | None = None,
    batch: int = 5000,
    stil_timeout_s: float = 30.0,
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Every record of `topic` from the beginning to the end offsets seen at the start."""
    async for h, ev, _ in _lees_kafka(bootstrap, topic, huis=huis, voortgang=voortgang, batch=batch,
                                      stil_timeout_s=stil_timeout_s, hashen=False):
        yield h, ev


def lees_kafka_gehasht(
    bootstrap: str,
    topic: str,
    *,
    huis: str | None = None,
    voortgang: Voortgang | None = None,
    batch: int = 5000,
    stil_timeout_s: float = 30.0,
) -> AsyncIterator[Gelezen]:
    """As lees_kafka, with each event's chain hash where it was computed while decoding (see lees_event)."""
    return _lees_kafka(bootstrap, topic, huis=huis, voortgang=voortgang, batch=batch,
                       stil_timeout_s=stil_timeout_s, hashen=True)


async def _lees_kafka(
    bootstrap: str, topic: str, *, huis: str | None, voortgang: Voortgang | None, batch: int,
    stil_timeout_s: float, hashen: bool,
) -> AsyncIterator[Gelezen]:
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.errors import KafkaError

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
        client_id="ketenpoort-audit", request_timeout_ms=15000, max_partition_fetch_bytes=4 * 1024 * 1024,
        fetch_max_wait_ms=100,
    )
    try:
        await asyncio.wait_for(consumer.start(), timeout=20)
    except (KafkaError, OSError, asyncio.TimeoutError) as e:
        await _stop_stil(consumer)
        raise AuditBronFout(f"Kafka op {bootstrap} is niet bereikbaar ({type(e).__name__})") from None
    try:
        try:
            await consumer.topics()  # fetch metadata for every topic, without creating one
            partities = consumer.partitions_for_topic(topic)
        except KafkaError as e:
            raise AuditBronFout(f"metadata van Kafka op {bootstrap} niet te lezen ({type(e).__name__})") from None
        if not partities:
            raise AuditBronFout(f"topic {topic} bestaat niet op {bootstrap}")
        tps = [TopicPartition(topic, p) for p in sorted(partities)]
        consumer.assign(tps)
        consumer.pause(*tps)
        begin = await consumer.beginning_offsets(tps)
        eind = await consumer.end_offsets(tps)
        totaal = sum(max(0, eind[tp] - begin[tp]) for tp in tps)
        gelezen = 0
        if voortgang:
            voortgang(0, totaal)
        for tp in tps:
            # The end is what ListOffsets said at the start or, if higher, the high watermark of the
            # first fetch: some brokers (the tansu test broker) under-report the end in ListOffsets.
            einde, hw_gezien = eind[tp], False
            consumer.seek(tp, begin[tp])
            consumer.resume(tp)
            volgende = begin[tp]
            stil = 0.0
            while True:
                pakket = await consumer.getmany(tp, timeout_ms=200, max_records=batch)
                records = pakket.get(tp, [])
                hw = consumer.highwater(tp)
                if hw is not None and not hw_gezien:
                    hw_gezien = True
                    if hw > einde:
                        totaal += hw - max(einde, begin[tp])
                        einde = hw
                for rec in records:
                    if rec.offset >= einde:
                        break
                    volgende = rec.offset + 1
                    gelezen += 1
                    sleutel = rec.key.decode("utf-8", "replace") if rec.key is not None else None
                    ev, eigen = _ontleed(rec.value, f"kafka:{topic}:{tp.partition}:{rec.offset}", hashen)
                    h = huis_van(ev, sleutel) or "?"
                    if huis is None or h == huis:
                        yield h, ev, eigen
                if voortgang and records:
                    voortgang(gelezen, totaal)
                if hw_gezien and volgende >= einde:
                    break
                if records:
                    stil = 0.0
                    continue
                stil += 0.2
                if stil >= stil_timeout_s:
                    raise AuditBronFout(f"partitie {tp.partition} van {topic} levert niets meer na offset "
                                        f"{volgende} (einde {einde})")
            consumer.pause(tp)
    finally:
        await _stop_stil(consumer)


def _ontleed(waarde: bytes | None, plaats: str, hashen: bool = False) -> tuple[dict[str, Any], str | None]:
    eigen = None
    try:
        if waarde is None:
            ev = None
        elif hashen:
            ev, eigen = lees_event(waarde)
        else:
            ev = laad_json(waarde)
    except (ValueError, UnicodeDecodeError):
        ev = None
    if isinstance(ev, dict):
        return ev, eigen
    # Something that is not a CloudEvent sits in the audit log: keep its place.
    return {"id": plaats, "type": AUDIT_TYPE, "data": None, "onleesbaar": True}, None


async def _stop_stil(consumer: Any) -> None:
    try:
        await consumer.stop()
    except Exception:  # noqa: BLE001 - closing a consumer that never connected
        pass




class KafkaAuditLezer:
    """The AuditLezer port over the topic: one house's audit data objects in log order, selected with the
    AuditFilter on the hashed event itself; redeliveries dropped by CloudEvent id."""

    def __init__(self, bootstrap: str, topic: str):
        self.bootstrap, self.topic = bootstrap, topic

    async def gebeurtenissen(self, huis: str, filter: AuditFilter, limiet: int | None = None,
                             ) -> AsyncIterator[dict[str, Any]]:
        gezien: OrderedDict[str, None] = OrderedDict()  # recent ids: redeliveries lie close together
        n = 0
        async for _, ev in lees_kafka(self.bootstrap, self.topic, huis=huis):
            data = ev.get("data")
            if ev.get("type") != AUDIT_TYPE or not isinstance(data, dict) or not filter.past(data):
                continue
            ev_id = str(ev.get("id"))
            if ev_id in gezien:
                continue
            gezien[ev_id] = None
            if len(gezien) > 100_000:
                gezien.popitem(last=False)
            yield data
            n += 1
            if limiet is not None and n >= limiet:
                return
