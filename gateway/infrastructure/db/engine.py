"""Async engines for SQLite (embedded default) and PostgreSQL (production and tests)."""

from __future__ import annotations

import json

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def json_tekst(waarde: object) -> str:
    """How JSON columns are written: compact UTF-8, so the outbox relay can publish a stored event as it is."""
    return json.dumps(waarde, ensure_ascii=False, separators=(",", ":"))


def maak_engine(url: str, *, echo: bool = False, timeout_s: float | None = None) -> AsyncEngine:
    """`timeout_s` bounds every database call of the gateway: connecting, waiting for a pooled connection,
    and each statement (docs/storingen.md). Unset (CLI tools, migrations): no bound beyond the defaults."""
    if is_sqlite(url):
        wacht = timeout_s if timeout_s is not None else 30.0
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": wacht}, json_serializer=json_tekst,
                                     **({"pool_timeout": timeout_s} if timeout_s is not None else {}))

        # SQLite has one writer: take the write lock at BEGIN so two audited transactions
        # queue up instead of failing mid-way with "database is locked".
        @event.listens_for(engine.sync_engine, "connect")
        def _connect(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(wacht * 1000)}")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):  # noqa: ANN001
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    extra: dict = {}
    if timeout_s is not None:
        # Client side (asyncpg's command_timeout, connect timeout) so a paused or unreachable server is
        # noticed too; statement_timeout so the server stops the work as well.
        extra = {"pool_timeout": timeout_s, "connect_args": {
            "timeout": timeout_s, "command_timeout": timeout_s,
            "server_settings": {"statement_timeout": str(int(timeout_s * 1000))}}}
    return create_async_engine(url, echo=echo, pool_size=20, max_overflow=20, pool_pre_ping=True,
                               json_serializer=json_tekst, **extra)
