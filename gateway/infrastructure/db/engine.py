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


def maak_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, json_serializer=json_tekst)

        # SQLite has one writer: take the write lock at BEGIN so two audited transactions
        # queue up instead of failing mid-way with "database is locked".
        @event.listens_for(engine.sync_engine, "connect")
        def _connect(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):  # noqa: ANN001
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, echo=echo, pool_size=20, max_overflow=20, pool_pre_ping=True,
                               json_serializer=json_tekst)
