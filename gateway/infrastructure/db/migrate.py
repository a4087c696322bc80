"""Run the Alembic migrations programmatically (`ketenpoort db upgrade`, the demo, the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations

from .engine import maak_engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def _draai(url: str, opdracht, revisie: str) -> None:  # noqa: ANN001 - an alembic.command function
    engine = maak_engine(url)
    try:
        async with engine.connect() as conn:
            def _run(sync_conn) -> None:  # noqa: ANN001
                cfg = alembic_config(url)
                cfg.attributes["connection"] = sync_conn
                opdracht(cfg, revisie)

            await conn.run_sync(_run)
            await conn.commit()
    finally:
        await engine.dispose()


async def upgrade(url: str, revisie: str = "head") -> None:
    await _draai(url, command.upgrade, revisie)


async def downgrade(url: str, revisie: str = "base") -> None:
    await _draai(url, command.downgrade, revisie)
