"""Shared fixtures: a migrated database per test (SQLite and PostgreSQL), the app, tokens."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
import structlog

from gateway.bootstrap import Container, bouw
from gateway.infrastructure.db.migrate import upgrade
from gateway.infrastructure.settings import Instellingen

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "deploy" / "demo"
IDENTITY_KEY = "test-identiteitssleutel-" + "x" * 32
NU = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)

# Test BSNs (elfproef-valid, synthetic).
BSN_A = "999990019"
BSN_B = "999990020"


class VasteKlok:
    def __init__(self, nu: datetime = NU):
        self.tijd = nu

    def nu(self) -> datetime:
        return self.tijd


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'ketenpoort.db'}"
        await upgrade(url)
        yield url
    else:
        maak = request.getfixturevalue("fresh_database")
        url = await maak() if callable(maak) else maak
        await upgrade(url)
        yield url


@dataclass
class Omgeving:
    container: Container
    client: httpx.AsyncClient
    klok: VasteKlok
    log: io.StringIO

    async def token(self, client_id: str, scope: str | None = None) -> str:
        data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": f"{client_id}-geheim"}
        if scope:
            data["scope"] = scope
        r = await self.client.post("/oauth/token", data=data)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    async def als(self, client_id: str, gebruiker: str | None = "t.tester") -> dict[str, str]:
        h = {"Authorization": f"Bearer {await self.token(client_id)}"}
        if gebruiker:
            h["X-Gebruiker"] = gebruiker
        return h


@pytest.fixture
def instellingen(database_url: str) -> Instellingen:
    return Instellingen(database_url=database_url, config_dir=DEMO, identity_key=IDENTITY_KEY)


@pytest.fixture
async def omgeving(instellingen: Instellingen) -> AsyncIterator[Omgeving]:
    from gateway.infrastructure.observability import configureer_logging

    log = io.StringIO()
    configureer_logging("INFO", json=True)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(log))
    klok = VasteKlok()
    container = bouw(instellingen, klok=klok)
    transport = httpx.ASGITransport(app=container.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield Omgeving(container, client, klok, log)
    await container.sluit()


def log_regels(log: io.StringIO) -> list[dict]:
    return [json.loads(r) for r in log.getvalue().splitlines() if r.strip().startswith("{")]
