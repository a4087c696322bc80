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

from adapters import laad_bronnen_config, maak_bron, maak_mock_apps
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
    mocks: dict[str, httpx.AsyncClient]

    async def storing(self, bronsysteem: str, latentie_ms: int = 0, foutkans: float = 0.0) -> None:
        r = await self.mocks[bronsysteem].put("/_storing", json={"latentieMs": latentie_ms, "foutkans": foutkans})
        assert r.status_code in (200, 204), r.text

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
def config_dir() -> Path:
    """The house configuration; a test module may override this fixture with its own directory."""
    return DEMO


@pytest.fixture
def instellingen(database_url: str, config_dir: Path) -> Instellingen:
    # A short deadline keeps the slow-source tests quick; the product default is 3 s.
    return Instellingen(database_url=database_url, config_dir=config_dir, identity_key=IDENTITY_KEY,
                        verwijzing_deadline_seconds=1.0)


@pytest.fixture
async def omgeving(instellingen: Instellingen, brondata_pad: Path) -> AsyncIterator[Omgeving]:
    from gateway.infrastructure.observability import configureer_logging

    log = io.StringIO()
    configureer_logging("INFO", json=True)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(log))
    klok = VasteKlok()
    # The partner systems are the one thing we mock: real ASGI apps, served in-process.
    apps = maak_mock_apps(brondata_pad)
    config = laad_bronnen_config(DEMO / "bronnen.yaml")
    for c in config.values():
        c["timeoutSeconden"] = 0.8  # below the test deadline, as production keeps it below 3 s
    bronnen = {s: maak_bron(s, config[s], transport=httpx.ASGITransport(app=apps[s])) for s in apps}
    mocks = {s: httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url=f"http://{s.lower()}.test")
             for s, a in apps.items()}
    container = bouw(instellingen, klok=klok, bronnen=bronnen)
    transport = httpx.ASGITransport(app=container.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield Omgeving(container, client, klok, log, mocks)
    for m in mocks.values():
        await m.aclose()
    await container.sluit()


@pytest.fixture
def brondata_pad() -> Path:
    """The people the mocks serve; a test may override this fixture with its own file."""
    return DEMO / "brondata.yaml"


def log_regels(log: io.StringIO) -> list[dict]:
    return [json.loads(r) for r in log.getvalue().splitlines() if r.strip().startswith("{")]
