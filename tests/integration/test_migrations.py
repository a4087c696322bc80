"""The real Alembic migrations: they build exactly the metadata, and go down and up again cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from gateway.infrastructure.db.engine import maak_engine
from gateway.infrastructure.db.migrate import downgrade, upgrade
from gateway.infrastructure.db.tables import metadata


async def _verschillen(url: str) -> list:
    engine = maak_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
            )
    finally:
        await engine.dispose()


async def _tabellen(url: str) -> set[str]:
    engine = maak_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_migrations_match_the_metadata(database_url):
    # The fixture already upgraded to head.
    assert await _verschillen(database_url) == []
    assert {t.name for t in metadata.sorted_tables} <= await _tabellen(database_url)


async def test_downgrade_and_upgrade_again(database_url):
    await downgrade(database_url, "base")
    assert await _tabellen(database_url) <= {"alembic_version"}
    await upgrade(database_url)
    assert await _verschillen(database_url) == []


async def test_upgrade_is_idempotent(database_url):
    await upgrade(database_url)
    await upgrade(database_url)
    assert await _verschillen(database_url) == []
