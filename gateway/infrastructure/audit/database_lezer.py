"""Reading the database ledger for `ketenpoort audit`: per house by volgnummer, each checkpoint right
after the event it names (the order in which the gateway wrote them).

On PostgreSQL the stored JSON is fetched as text straight through asyncpg, in chunks, the next chunk
travelling while the current one is decoded; elsewhere through SQLAlchemy. Nothing holds the log in
memory; a progress callback ``voortgang(gelezen, totaal)`` is called per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Text, cast, func, select, union
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ..db import tables as t
from gateway.domain.audit.kolommen import LEDGER_KOLOMMEN

from .bron import PARALLEL_VANAF, AuditBronFout, Gelezen, Kolomafwijking, Reeks, Voortgang
from .rijen import _deel, _helpers, _hier, _in_helpers, _ontleed_rij, _ontleed_rij_gehasht

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
    """The ledger per house by volgnummer, each checkpoint right after the event it names (and, reading the
    whole ledger, a Kolomafwijking for each row whose indexed columns differ from its event).

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


# The indexed columns as the event writes them (text ids, RFC 3339 UTC to the millisecond), for the check
# that they still say what the hashed event says.
# On PostgreSQL as one text per row (rijen.KOLOMMEN_SCHEIDING between them, rijen.NULL for NULL): a helper
# process gets one string instead of nine values.
_PG_KOLOMMEN = (", concat_ws(chr(31), huis, volgnummer, event_id, hash, to_char(tijdstip AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), handeling, besluit, coalesce(partner, chr(1)), "
                "coalesce(betrokkene::text, chr(1)))")


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
    kolomcheck = hashen or met_checkpoints  # reading the whole ledger: do its columns say what the events say?
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
                        apg, f"SELECT volgnummer, {tekst}{_PG_KOLOMMEN if kolomcheck else ''} FROM "
                             f"{t.audit_ledger.name} WHERE huis = $1 ORDER BY volgnummer", h, batch=batch)
                else:
                    kolommen = [c[n] for n in LEDGER_KOLOMMEN] if kolomcheck else []
                    stukken = _stukken_sqlalchemy(
                        conn, select(c.volgnummer, cast(c.event, Text), *kolommen).where(c.huis == h, *waar)
                        .order_by(c.volgnummer), batch=batch)
                if pool is not None and reeksen:
                    async for aantal, items in _in_helpers(stukken, pool, werkers, reeksen=True):
                        for item in items:
                            if type(item) is Kolomafwijking:
                                yield h, item, None
                                continue
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
                async for volgnummers, gelezen_stuk, afwijkend in stukken:
                    for a in afwijkend:
                        yield h, a, None
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


async def tijdstippen(url: str, volgnummers: dict[str, int]) -> dict[str, datetime]:
    """Per house the tijdstip of one event (the first of an unanchored tail, for its age)."""
    if not volgnummers:
        return {}
    engine = lees_engine(url)
    c = t.audit_ledger.c
    try:
        async with engine.connect() as conn:
            uit: dict[str, datetime] = {}
            for huis, vn in volgnummers.items():
                w = (await conn.execute(select(c.tijdstip).where(c.huis == huis, c.volgnummer == vn))).scalar()
                if w is not None:
                    uit[huis] = w
            return uit
    finally:
        await engine.dispose()
