"""Reading a whole audit log - from the Kafka topic or from the database ledger - for `ketenpoort audit`.

Both readers are async generators of ``(huis, cloudevent)`` in the order the log was written:

- Kafka: a consumer without a group assigns every partition of the topic, captures the end offsets
  at the start (ListOffsets, or the first fetch's high watermark when that is higher) and reads each
  partition from its beginning up to that end, one partition after the other (per-partition order
  is chain order: the record key is the house). Records that are not
  JSON objects are yielded as unreadable placeholders, so the verifier sees that something is there.
- Database: per house, the ledger by volgnummer (a server-side cursor, `yield_per`), with each
  checkpoint right after the event it names - the order in which the gateway wrote them.

Neither holds the log in memory; a progress callback ``voortgang(gelezen, totaal)`` is called per batch.

Also here: the Ed25519 side of checkpoints for verifiers (load a public key, build the
``controleer_handtekening`` callable the domain verifier takes) and, for tests and tools, making a
key pair and signing a checkpoint. The `.pub` and `sleutelId` conventions are those of
``gateway.infrastructure.ondertekening`` (the writer side).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select, union
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.domain.audit import AUDIT_TYPE, checkpoint_bericht
from gateway.domain.verificatie import huis_van

from .db import tables as t
from .identity import AesGcmKluis
from .ondertekening import publiek_pad, sleutel_id

__all__ = [
    "AuditBronFout",
    "Voortgang",
    "handtekening_controle",
    "laad_publieke_sleutel",
    "lees_database",
    "lees_engine",
    "lees_kafka",
    "maak_sleutelpaar",
    "onderteken_checkpoint",
    "publiek_pad",
    "sleutel_id",
    "tellerstanden",
    "zoek_betrokkenen",
]

Voortgang = Callable[[int, int | None], None]


class AuditBronFout(Exception):
    """The audit log could not be read (broker unreachable, topic or database missing, ...)."""


# --------------------------------------------------------------------------- Kafka


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
    import asyncio

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
                    ev = _ontleed(rec.value, f"kafka:{topic}:{tp.partition}:{rec.offset}")
                    h = huis_van(ev, sleutel) or "?"
                    if huis is None or h == huis:
                        yield h, ev
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


def _ontleed(waarde: bytes | None, plaats: str) -> dict[str, Any]:
    try:
        ev = json.loads(waarde) if waarde is not None else None
    except (ValueError, UnicodeDecodeError):
        ev = None
    if isinstance(ev, dict):
        return ev
    # Something that is not a CloudEvent sits in the audit log: keep its place.
    return {"id": plaats, "type": AUDIT_TYPE, "data": None, "onleesbaar": True}


async def _stop_stil(consumer: Any) -> None:
    try:
        await consumer.stop()
    except Exception:  # noqa: BLE001 - closing a consumer that never connected
        pass


# --------------------------------------------------------------------------- database


def lees_engine(url: str) -> AsyncEngine:
    """An engine for reading only: no `BEGIN IMMEDIATE` on SQLite, so a long read blocks no writer."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        pad = u.database
        if pad and pad != ":memory:" and not pad.startswith("file:") and not Path(pad).exists():
            raise AuditBronFout(f"database {pad} bestaat niet")
        return create_async_engine(url, connect_args={"timeout": 30})
    return create_async_engine(url, pool_size=2, max_overflow=0)


async def lees_database(
    url: str,
    *,
    huis: str | None = None,
    voortgang: Voortgang | None = None,
    checkpoints: bool = True,
    betrokkenen: Iterable[UUID] | None = None,
    partner: str | None = None,
    vanaf: datetime | None = None,
    tot: datetime | None = None,
    batch: int = 2000,
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The ledger per house by volgnummer, each checkpoint right after the event it names.

    The filters (betrokkenen, requesting partner, tijdstip from/until) narrow the ledger in SQL;
    checkpoints are only meaningful without them.
    """
    from sqlalchemy.exc import SQLAlchemyError

    engine = lees_engine(url)
    c, k = t.audit_ledger.c, t.audit_checkpoints.c
    waar = []
    if huis is not None:
        waar.append(c.huis == huis)
    if betrokkenen is not None:
        ids = list(betrokkenen)
        if not ids:
            await engine.dispose()
            return
        waar.append(c.betrokkene.in_(ids))
    if partner is not None:
        waar.append(c.partner == partner)
    if vanaf is not None:
        waar.append(c.tijdstip >= vanaf)
    if tot is not None:
        waar.append(c.tijdstip < tot)
    gefilterd = betrokkenen is not None or partner is not None or vanaf is not None or tot is not None
    met_checkpoints = checkpoints and not gefilterd
    try:
        async with engine.connect() as conn:
            try:
                q_huizen = select(c.huis).where(*waar)
                if met_checkpoints:
                    q_huizen = union(q_huizen, select(k.huis).where(*([k.huis == huis] if huis else [])))
                huizen = sorted({r[0] for r in await conn.execute(q_huizen)})
                q_aantal = select(func.count()).select_from(t.audit_ledger).where(*waar)
                totaal = (await conn.execute(q_aantal)).scalar_one()
            except SQLAlchemyError as e:
                raise AuditBronFout(f"de audit-ledger is niet te lezen ({type(e).__name__}); "
                                    "is de database gemigreerd (`ketenpoort db upgrade`)?") from None
            gelezen = 0
            if voortgang:
                voortgang(0, totaal)
            for h in huizen:
                cps: list[Any] = []
                if met_checkpoints:
                    cps = list(await conn.execute(
                        select(k.volgnummer, k.event).where(k.huis == h).order_by(k.volgnummer, k.event_id)))
                ci = 0
                stroom = await conn.stream(
                    select(c.volgnummer, c.event).where(c.huis == h, *waar).order_by(c.volgnummer)
                    .execution_options(yield_per=batch))
                async for rij in stroom:
                    while ci < len(cps) and cps[ci].volgnummer < rij.volgnummer:
                        yield h, _event(cps[ci].event)
                        ci += 1
                    yield h, _event(rij.event)
                    gelezen += 1
                    if voortgang and gelezen % batch == 0:
                        voortgang(gelezen, totaal)
                    # a checkpoint follows the event it names
                    while ci < len(cps) and cps[ci].volgnummer == rij.volgnummer:
                        yield h, _event(cps[ci].event)
                        ci += 1
                for cp in cps[ci:]:
                    yield h, _event(cp.event)
            if voortgang:
                voortgang(gelezen, totaal)
    finally:
        await engine.dispose()


def _event(waarde: Any) -> dict[str, Any]:
    if isinstance(waarde, str):  # a JSON column read back as text by some drivers
        try:
            waarde = json.loads(waarde)
        except ValueError:
            waarde = None
    return waarde if isinstance(waarde, dict) else {"type": AUDIT_TYPE, "data": None, "onleesbaar": True}


async def tellerstanden(url: str, huis: str | None = None) -> dict[str, tuple[int, str]]:
    """Per house the ledger's own counter (volgnummer, laatste hash): where the chain should end."""
    engine = lees_engine(url)
    try:
        async with engine.connect() as conn:
            q = select(t.huis_tellers.c.huis, t.huis_tellers.c.volgnummer, t.huis_tellers.c.laatste_hash)
            if huis is not None:
                q = q.where(t.huis_tellers.c.huis == huis)
            return {r.huis: (int(r.volgnummer), r.laatste_hash) for r in await conn.execute(q) if r.volgnummer > 0}
    finally:
        await engine.dispose()


async def zoek_betrokkenen(url: str, identiteitssleutel: str, bsn: str, huis: str | None = None) -> dict[str, UUID]:
    """The betrokkene id per house for a BSN, through the vault's pseudonym (the BSN is never sent anywhere)."""
    kluis = AesGcmKluis(identiteitssleutel)
    engine = lees_engine(url)
    i = t.identiteiten.c
    try:
        async with engine.connect() as conn:
            huizen = [huis] if huis is not None else [r[0] for r in await conn.execute(select(i.huis).distinct())]
            uit: dict[str, UUID] = {}
            for h in huizen:
                rij = (await conn.execute(
                    select(i.betrokkene_id).where(i.huis == h, i.pseudoniem == kluis.pseudoniem(h, bsn)))).first()
                if rij is not None:
                    uit[h] = rij.betrokkene_id
            return uit
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- Ed25519


def laad_publieke_sleutel(pad: Path | str) -> Ed25519PublicKey:
    """A PEM SubjectPublicKeyInfo Ed25519 public key."""
    pad = Path(pad)
    try:
        sleutel = serialization.load_pem_public_key(pad.read_bytes())
    except (ValueError, TypeError) as e:
        raise ValueError(f"{pad} is geen PEM-publieke sleutel ({type(e).__name__})") from None
    if not isinstance(sleutel, Ed25519PublicKey):
        raise ValueError(f"{pad} is geen Ed25519-sleutel")
    return sleutel


def handtekening_controle(
    publieke_sleutels: Ed25519PublicKey | Iterable[Ed25519PublicKey],
) -> Callable[[Mapping[str, Any]], bool]:
    """The `controleer_handtekening(data) -> bool` the domain verifier takes.

    Several keys may be given (key rotation); the checkpoint's `sleutelId` picks one.
    """
    sleutels = [publieke_sleutels] if isinstance(publieke_sleutels, Ed25519PublicKey) else list(publieke_sleutels)
    per_id = {sleutel_id(s): s for s in sleutels}

    def controleer(data: Mapping[str, Any]) -> bool:
        sleutel = per_id.get(str(data.get("sleutelId")))
        handtekening, huis, vn, h = (data.get("handtekening"), data.get("huis"), data.get("volgnummer"),
                                     data.get("hash"))
        if sleutel is None or not isinstance(handtekening, str) or not isinstance(huis, str):
            return False
        if not isinstance(vn, int) or isinstance(vn, bool) or not isinstance(h, str):
            return False
        try:
            sleutel.verify(base64.b64decode(handtekening, validate=True), checkpoint_bericht(huis, vn, h))
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    return controleer


def maak_sleutelpaar(pad: Path | str) -> Ed25519PrivateKey:
    """A new Ed25519 key: PKCS8 PEM at `pad` (mode 0600) and its SPKI PEM at `publiek_pad(pad)`."""
    pad = Path(pad)
    pad.parent.mkdir(parents=True, exist_ok=True)
    sleutel = Ed25519PrivateKey.generate()
    pad.write_bytes(sleutel.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    pad.chmod(0o600)
    publiek_pad(pad).write_bytes(sleutel.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return sleutel


def onderteken_checkpoint(sleutel: Ed25519PrivateKey, huis: str, volgnummer: int, hash_: str) -> dict[str, Any]:
    """The data of a checkpoint event (CONTRACT.md §6)."""
    return {
        "huis": huis,
        "volgnummer": volgnummer,
        "hash": hash_,
        "handtekening": base64.b64encode(sleutel.sign(checkpoint_bericht(huis, volgnummer, hash_))).decode(),
        "sleutelId": sleutel_id(sleutel.public_key()),
    }
