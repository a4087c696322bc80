"""Reading a whole audit log - from the Kafka topic or from the database ledger - for `ketenpoort audit`.

Both readers are async generators of ``(huis, cloudevent)`` in the order the log was written:

- Kafka: a consumer without a group assigns every partition of the topic, captures the end offsets
  at the start (ListOffsets, or the first fetch's high watermark when that is higher) and reads each
  partition from its beginning up to that end, one partition after the other (per-partition order
  is chain order: the record key is the house). Records that are not
  JSON objects are yielded as unreadable placeholders, so the verifier sees that something is there.
- Database: per house, the ledger by volgnummer (a server-side cursor), with each checkpoint right
  after the event it names - the order in which the gateway wrote them. On PostgreSQL the stored JSON
  is fetched as text straight through asyncpg, in chunks, the next chunk travelling while the current
  one is decoded; elsewhere through SQLAlchemy.

Neither holds the log in memory; a progress callback ``voortgang(gelezen, totaal)`` is called per batch.
``lees_kafka_gehasht`` / ``lees_database_gehasht`` also yield each event's chain hash, computed while
decoding (``lees_event``): the verifier's hot path. From PARALLEL_VANAF events the database reader decodes
and hashes in forked helper processes; with ``reeksen`` (`audit verify`) they send back runs of events that
are intact among themselves as a few bytes per event (``Reeks``), which the verifier takes whole where a
run continues its chain (``KetenVerificatie.voeg_toe_reeks``) and one by one otherwise.

Decoding and hashing: ``audit_json`` (orjson where it is exact). The Ed25519 side of checkpoints for
verifiers lives beside the writer's in ``ondertekening``; both are re-exported here for `ketenpoort audit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from array import array
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from sqlalchemy import Text, cast, func, select, union
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.domain.audit import AUDIT_TYPE
from gateway.domain.verificatie import _id_digest, huis_van

from .audit_json import (
    laad_json,
    lees_event,
    namen_onder_d800,
    orjson_hash,
    snelle_keten_hash,
    zonder_float,
)
from .db import tables as t
from .identity import AesGcmKluis
from .ondertekening import (
    handtekening_controle,
    laad_publieke_sleutel,
    maak_sleutelpaar,
    onderteken_checkpoint,
    publiek_pad,
    sleutel_id,
)

__all__ = [
    "AuditBronFout",
    "Reeks",
    "Voortgang",
    "handtekening_controle",
    "laad_json",
    "laad_publieke_sleutel",
    "lees_database",
    "lees_database_gehasht",
    "lees_engine",
    "lees_event",
    "lees_kafka",
    "lees_kafka_gehasht",
    "maak_sleutelpaar",
    "onderteken_checkpoint",
    "publiek_pad",
    "sleutel_id",
    "snelle_keten_hash",
    "tellerstanden",
    "zoek_betrokkenen",
]

Voortgang = Callable[[int, int | None], None]
# (huis, event, keten_hash of its data or None: not computed). From a helper process a plain audit event
# comes as its AuditKern instead: (id, volgnummer, vorigeHash, hash) - see KetenVerificatie.voeg_toe_audit.
AuditKern = tuple[str, Any, Any, Any]
Gelezen = tuple[str, "dict[str, Any] | AuditKern", str | None]
PARALLEL_VANAF = 50_000  # events: below this, helper processes cost more than they save
_PROEF = "ketenpoort:id-digest"  # helpers must digest ids as this process does (forked: the same str hash)


class Reeks(NamedTuple):
    """Consecutive plain audit events that a helper found intact among themselves, compactly: the
    arguments of KetenVerificatie.voeg_toe_reeks (volgnummers from ``volgnummer``, the first one's
    vorigeHash, the id digests, the 32-byte hashes one after another)."""

    volgnummer: int
    vorige_hash: str
    id_digests: array
    hashes: bytes


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
    async for h, ev, _ in _lees_database(url, huis=huis, voortgang=voortgang, checkpoints=checkpoints,
                                         betrokkenen=betrokkenen, partner=partner, vanaf=vanaf, tot=tot,
                                         batch=batch, hashen=False):
        yield h, ev


def lees_database_gehasht(
    url: str, *, huis: str | None = None, voortgang: Voortgang | None = None, batch: int = 5000,
    werkers: int | None = None, reeksen: bool = False,
) -> AsyncIterator[Gelezen]:
    """The whole ledger with checkpoints (as lees_database), with each event's chain hash where it was
    computed while decoding (see lees_event).

    ``werkers``: helper processes that decode and hash chunks of rows while this one fetches the next
    chunk and the caller verifies (default: one per CPU from PARALLEL_VANAF events on, else none). Plain
    audit events then come as their AuditKern; with ``reeksen``, runs of them that are intact among
    themselves come as a Reeks (for KetenVerificatie.voeg_toe_reeks), split after every checkpoint's
    volgnummer so that each checkpoint still follows the event it names.
    """
    return _lees_database(url, huis=huis, voortgang=voortgang, checkpoints=True, betrokkenen=None, partner=None,
                          vanaf=None, tot=None, batch=batch, hashen=True, werkers=werkers, reeksen=reeksen)


async def _lees_database(
    url: str, *, huis: str | None, voortgang: Voortgang | None, checkpoints: bool,
    betrokkenen: Iterable[UUID] | None, partner: str | None, vanaf: datetime | None, tot: datetime | None,
    batch: int, hashen: bool, werkers: int | None = 0, reeksen: bool = False,
) -> AsyncIterator[Gelezen]:
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
    ontleed = _ontleed_rij_gehasht if hashen else _ontleed_rij
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
            apg = None
            if engine.dialect.driver == "asyncpg" and not gefilterd:
                apg = (await conn.get_raw_connection()).driver_connection
                if apg is None or not apg.is_in_transaction():  # a server-side cursor lives in a transaction
                    apg = None
            gelezen = 0
            if voortgang:
                voortgang(0, totaal)
            if werkers is None:
                werkers = (os.cpu_count() or 1) if hashen and totaal >= PARALLEL_VANAF else 0
            pool = _helpers(werkers) if hashen and werkers > 0 else None
            for h in huizen:
                cps: list[tuple[int, Any]] = []
                if met_checkpoints:
                    if apg is not None:
                        cps = [tuple(r) for r in await apg.fetch(
                            f"SELECT volgnummer, event::text FROM {t.audit_checkpoints.name} WHERE huis = $1 "
                            "ORDER BY volgnummer, event_id", h)]
                    else:
                        cps = [tuple(r) for r in await conn.execute(
                            select(k.volgnummer, cast(k.event, Text)).where(k.huis == h)
                            .order_by(k.volgnummer, k.event_id))]
                ci = 0
                if apg is not None:
                    # For the helpers as UTF-8 bytes (bytea): nothing to decode here, nothing to re-encode on
                    # the way over; the text of a json column decodes the same from either.
                    tekst = "convert_to(event::text, 'UTF8')" if pool is not None else "event::text"
                    stukken = _stukken_asyncpg(
                        apg, f"SELECT volgnummer, {tekst} FROM {t.audit_ledger.name} WHERE huis = $1 "
                             "ORDER BY volgnummer", h, batch=batch)
                else:
                    stukken = _stukken_sqlalchemy(
                        conn, select(c.volgnummer, cast(c.event, Text)).where(c.huis == h, *waar)
                        .order_by(c.volgnummer), batch=batch)
                if pool is not None and reeksen:
                    async for aantal, items in _in_helpers(stukken, pool, werkers, reeksen=True):
                        for item in items:
                            if type(item) is Reeks:
                                vn0, n = item.volgnummer, len(item.id_digests)
                                while ci < len(cps) and cps[ci][0] < vn0:
                                    yield h, *ontleed(cps[ci][1])
                                    ci += 1
                                a = 0
                                while ci < len(cps) and cps[ci][0] < vn0 + n:
                                    b = cps[ci][0] - vn0 + 1  # the run up to and including the named event
                                    yield h, _deel(item, a, b), None
                                    while ci < len(cps) and cps[ci][0] == vn0 + b - 1:
                                        yield h, *ontleed(cps[ci][1])
                                        ci += 1
                                    a = b
                                if a < n:
                                    yield h, _deel(item, a, n), None
                                continue
                            volgnummer, ev, eigen = item
                            while ci < len(cps) and cps[ci][0] < volgnummer:
                                yield h, *ontleed(cps[ci][1])
                                ci += 1
                            yield h, ev, eigen
                            while ci < len(cps) and cps[ci][0] == volgnummer:
                                yield h, *ontleed(cps[ci][1])
                                ci += 1
                        gelezen += aantal
                        if voortgang:
                            voortgang(gelezen, totaal)
                    for _, cp in cps[ci:]:
                        yield h, *ontleed(cp)
                    continue
                if pool is not None:
                    stukken = _in_helpers(stukken, pool, werkers)
                else:
                    stukken = _hier(stukken, ontleed)
                async for volgnummers, gelezen_stuk in stukken:
                    for volgnummer, (ev, eigen) in zip(volgnummers, gelezen_stuk):
                        while ci < len(cps) and cps[ci][0] < volgnummer:
                            yield h, *ontleed(cps[ci][1])
                            ci += 1
                        yield h, ev, eigen
                        # a checkpoint follows the event it names
                        while ci < len(cps) and cps[ci][0] == volgnummer:
                            yield h, *ontleed(cps[ci][1])
                            ci += 1
                    gelezen += len(volgnummers)
                    if voortgang:
                        voortgang(gelezen, totaal)
                for _, cp in cps[ci:]:
                    yield h, *ontleed(cp)
            if voortgang:
                voortgang(gelezen, totaal)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        await engine.dispose()


async def _hier(stukken: AsyncIterator[list[Any]], ontleed: Callable[[Any], tuple[Any, str | None]],
                ) -> AsyncIterator[tuple[list[int], list[tuple[Any, str | None]]]]:
    async for rijen in stukken:
        yield [r[0] for r in rijen], [ontleed(r[1]) for r in rijen]


def _helpers(werkers: int) -> Any:
    """A pool of helper processes, forked (they need nothing but this module), or None where fork is missing."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=werkers, mp_context=multiprocessing.get_context("fork"))


async def _in_helpers(stukken: AsyncIterator[list[Any]], pool: Any, werkers: int, *, reeksen: bool = False,
                      ) -> AsyncIterator[Any]:
    """Chunks decoded and hashed by the helpers, in order; at most werkers + 1 chunks in flight.

    Without ``reeksen``: (volgnummers, [(event or AuditKern, eigen)]) per chunk; with: (number of rows,
    items of _ontleed_stuk_reeksen).
    """
    loop = asyncio.get_running_loop()
    onderweg: deque[tuple[Any, asyncio.Future[Any]]] = deque()
    proef = _id_digest(_PROEF)
    try:
        async for rijen in stukken:
            if reeksen:
                onderweg.append((len(rijen), loop.run_in_executor(
                    pool, _ontleed_stuk_reeksen, [r[0] for r in rijen], [r[1] for r in rijen])))
            else:
                onderweg.append(([r[0] for r in rijen],
                                 loop.run_in_executor(pool, _ontleed_stuk, [r[1] for r in rijen])))
            if len(onderweg) > werkers:
                kop, klaar = onderweg.popleft()
                yield kop, _na_helper(await klaar, reeksen, proef)
        while onderweg:
            kop, klaar = onderweg.popleft()
            yield kop, _na_helper(await klaar, reeksen, proef)
    finally:
        for _, klaar in onderweg:
            klaar.cancel()


def _na_helper(uitkomst: Any, reeksen: bool, proef: int) -> Any:
    if not reeksen:
        return uitkomst
    helper_proef, items = uitkomst
    if helper_proef != proef:  # not forked from this process: its id digests would differ
        raise RuntimeError("hulpproces berekent andere id-digests")
    return items


def _deel(r: Reeks, a: int, b: int) -> Reeks:
    """Events a..b-1 of a run (counted from 0), as a run."""
    if a == 0 and b == len(r.id_digests):
        return r
    return Reeks(r.volgnummer + a, r.vorige_hash if a == 0 else r.hashes[32 * a - 32: 32 * a].hex(),
                 r.id_digests[a:b], r.hashes[32 * a: 32 * b])


def _gewone_schakel(tekst: Any, vn_kol: int) -> tuple[str, int, str, str] | None:
    """(id, volgnummer, vorigeHash, hash) of a stored audit event as the writer writes it - data with its
    hash last, that hash its keten_hash, volgnummer the row's - else None (then the general path decides).

    What _ontleed_stuk_reeksen would put in a run for it, with less work: of the event only `data` is
    walked (a float elsewhere makes lees_event leave the hash to the verifier, which finds the same
    kern: data without floats decodes the same by json and orjson, and is hashed the same).
    """
    if type(tekst) is not bytes and type(tekst) is not str:
        return None
    try:
        ev = orjson.loads(tekst)
    except orjson.JSONDecodeError:
        return None
    if type(ev) is not dict:
        return None
    data = ev.get("data")
    ev_id = ev.get("id")
    if type(data) is not dict or type(ev_id) is not str or ev.get("type") != AUDIT_TYPE:
        return None
    vn, vorige, h = data.get("volgnummer"), data.get("vorigeHash"), data.get("hash")
    if (type(vn) is not int or vn != vn_kol or vn < 1 or type(vorige) is not str or type(h) is not str
            or len(h) != 64 or next(reversed(data)) != "hash" or not zonder_float(data)):
        return None
    ascii_tekst = tekst.isascii() and (b"\\u" not in tekst if type(tekst) is bytes else "\\u" not in tekst)
    if not ascii_tekst and not namen_onder_d800(data):
        return None
    del data["hash"]
    if orjson_hash(data) != h:
        return None
    return ev_id, vn, vorige, h


def _ontleed_stuk_reeksen(volgnummers: list[int], teksten: list[Any]) -> tuple[int, list[Any]]:
    """In a helper process: decode and hash stored rows (volgnummer column, event text). Consecutive plain
    audit events that are intact among themselves - data volgnummer = the row's, +1 each, vorigeHash =
    the previous hash, hash = keten_hash of the data - go back as a Reeks (a few bytes per event); any
    other row as (volgnummer, AuditKern or event, eigen), as _ontleed_stuk would send it."""
    uit: list[Any] = []
    ids = array("Q")
    hashes = bytearray()
    begin_vn = eind_vn = 0
    begin_vorige = laatste = ""

    def sluit() -> None:
        nonlocal ids, hashes
        if ids:
            uit.append(Reeks(begin_vn, begin_vorige, ids, bytes(hashes)))
            ids, hashes = array("Q"), bytearray()

    for vn_kol, tekst in zip(volgnummers, teksten):
        gewoon = _gewone_schakel(tekst, vn_kol)
        if gewoon is not None:
            ev_id, vn, vorige, h = gewoon
            if not (ids and vn == eind_vn + 1 and vorige == laatste):
                sluit()
                begin_vn, begin_vorige = vn, vorige
            ids.append(_id_digest(ev_id))
            hashes += bytes.fromhex(h)
            eind_vn, laatste = vn, h
            continue
        ev, eigen = _ontleed_rij_gehasht(tekst)
        if eigen is not None and ev.get("type") == AUDIT_TYPE and type(ev_id := ev.get("id")) is str:
            data = ev["data"]  # a dict: eigen is only computed for one
            vn, vorige, h = data.get("volgnummer"), data.get("vorigeHash"), data.get("hash")
            if h == eigen and type(vn) is int and vn == vn_kol and vn >= 1 and type(vorige) is str:
                if not (ids and vn == eind_vn + 1 and vorige == laatste):
                    sluit()
                    begin_vn, begin_vorige = vn, vorige
                ids.append(_id_digest(ev_id))
                hashes += bytes.fromhex(h)
                eind_vn, laatste = vn, h
                continue
            sluit()
            uit.append((vn_kol, (ev_id, vn, vorige, h), eigen))
        else:
            sluit()
            uit.append((vn_kol, ev, eigen))
    sluit()
    return _id_digest(_PROEF), uit


def _ontleed_stuk(teksten: list[Any]) -> list[tuple[Any, str | None]]:
    """In a helper process: decode and hash stored events; a plain audit event goes back as its AuditKern
    (a fraction of the event to send back), anything else whole."""
    uit: list[tuple[Any, str | None]] = []
    for tekst in teksten:
        ev, eigen = _ontleed_rij_gehasht(tekst)
        if eigen is not None and ev.get("type") == AUDIT_TYPE and type(ev.get("id")) is str:
            data = ev["data"]  # a dict: eigen is only computed for one
            uit.append(((ev["id"], data.get("volgnummer"), data.get("vorigeHash"), data.get("hash")), eigen))
        else:
            uit.append((ev, eigen))
    return uit


async def _stukken_asyncpg(apg: Any, sql: str, *args: Any, batch: int) -> AsyncIterator[list[Any]]:
    """Rows in chunks from a server-side cursor; the next chunk is requested before this one is handed
    out, so PostgreSQL produces it while the caller decodes and hashes."""
    cursor = await apg.cursor(sql, *args)
    volgende: asyncio.Future[list[Any]] | None = asyncio.ensure_future(cursor.fetch(batch))
    try:
        while volgende is not None:
            rijen = await volgende
            volgende = None
            if len(rijen) == batch:
                volgende = asyncio.ensure_future(cursor.fetch(batch))
                await asyncio.sleep(0)  # let it send the request now
            yield rijen
    finally:
        if volgende is not None:
            volgende.cancel()
            with contextlib.suppress(BaseException):
                await volgende


async def _stukken_sqlalchemy(conn: Any, q: Any, *, batch: int) -> AsyncIterator[list[Any]]:
    stroom = await conn.stream(q.execution_options(yield_per=batch))
    async for deel in stroom.partitions(batch):
        yield deel


def _ontleed_rij(tekst: Any) -> tuple[dict[str, Any], None]:
    """A stored event, read as text."""
    try:
        waarde = laad_json(tekst) if isinstance(tekst, (str, bytes)) else tekst
    except ValueError:
        waarde = None
    return _event(waarde), None


def _ontleed_rij_gehasht(tekst: Any) -> tuple[dict[str, Any], str | None]:
    if not isinstance(tekst, (str, bytes)):
        return _event(tekst), None
    try:
        ev, eigen = lees_event(tekst)
    except ValueError:
        ev, eigen = None, None
    if isinstance(ev, dict):
        return ev, eigen
    return _event(ev), None


def _event(waarde: Any) -> dict[str, Any]:
    if isinstance(waarde, str):  # JSON stored as a JSON string (text written into a JSON column)
        try:
            waarde = laad_json(waarde)
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
