"""Read a whole topic back from the real broker (no consumer group: assign every partition)."""

from __future__ import annotations

import json
from collections import defaultdict

from aiokafka import AIOKafkaConsumer, TopicPartition


async def lees_topic(bootstrap: str, topic: str) -> list:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partities = consumer.partitions_for_topic(topic) or set()
        if not partities:
            await consumer._client.force_metadata_update()  # noqa: SLF001 - topic created moments ago
            partities = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partities)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        einde = await consumer.end_offsets(tps)
        records = []
        async def bij() -> bool:
            for tp in tps:
                if await consumer.position(tp) < einde[tp]:
                    return False
            return True

        # tansu under-reports end offsets: after reaching them, read on until the topic is quiet.
        stil = 0
        while stil < 2:
            batch = await consumer.getmany(*tps, timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
            stil = 0 if (batch or not await bij()) else stil + 1
        return records
    finally:
        await consumer.stop()


def per_huis_laatste_kopie(records: list) -> dict[str, list[dict]]:
    """Deduplicate by CloudEvents id keeping the last copy's position (the relay resends in order)."""
    per_sleutel: dict[str, list] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        per_sleutel[r.key.decode()].append(json.loads(r.value))
    uit = {}
    for sleutel, events in per_sleutel.items():
        laatste = {e["id"]: i for i, e in enumerate(events)}
        uit[sleutel] = [events[i] for i in sorted(laatste.values())]
    return uit
