"""Issue 17: a lost or paused database is a bounded 503 with Retry-After, its cause logged; /ready knows.

Real components: this module's own PostgreSQL cluster, stopped and paused (SIGSTOP) for real.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.infrastructure.db.migrate import upgrade
from gateway.infrastructure.settings import Instellingen
from tests.api.helpers import is_probleem
from tests.api.test_verwijzingen import BPS_JCO_VIR_16, _agendeer
from tests.plugins.postgres import create_database
from tests.support.fixtures import IDENTITY_KEY, log_regels
from tests.support.pg_storing import storing_cluster, storing_pg  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgresql

DB_TIMEOUT = 1.0


@pytest.fixture
async def database_url(storing_pg) -> Iterator[str]:  # noqa: F811 - this module's own cluster
    url = create_database(storing_pg.server.url(), f"api_{uuid.uuid4().hex[:8]}")
    await upgrade(url)
    return url


@pytest.fixture
def instellingen(database_url: str, config_dir: Path) -> Instellingen:
    return Instellingen(database_url=database_url, config_dir=config_dir, identity_key=IDENTITY_KEY,
                        verwijzing_deadline_seconds=1.0, database_timeout_seconds=DB_TIMEOUT)


def _database_fouten(o, request_id: str) -> list[dict]:  # noqa: ANN001
    return [r for r in log_regels(o.log) if r.get("request_id") == request_id
            and r["event"] in ("http.database_fout", "http.audit_niet_vastgelegd")]


async def test_a_stopped_database_is_a_503_with_its_cause_logged(omgeving, storing_pg):  # noqa: F811
    h = await omgeving.als("demo-politie")
    assert (await omgeving.client.get("/v1/casussen", headers=h)).status_code == 200
    await asyncio.to_thread(storing_pg.stop)
    for pad in ("/v1/casussen", "/v1/afspraken"):
        r = await omgeving.client.get(pad, headers=h)
        body = is_probleem(r, 503)
        assert int(r.headers["retry-after"]) >= 1 and "database" in body["detail"]
        regels = _database_fouten(omgeving, r.headers["x-request-id"])
        assert len(regels) == 1, regels  # one JSON event, with the request id and the cause
        assert regels[0]["fout"] and (regels[0].get("oorzaak") or regels[0].get("bericht"))
    r = await omgeving.client.post("/v1/casussen", headers=h,
                                   json={"bsn": "999990019", "thema": "jeugd", "gemeente": "gemeente-a"})
    is_probleem(r, 503)
    assert "999990019" not in omgeving.log.getvalue()
    ready = await omgeving.client.get("/ready")
    assert ready.status_code == 503 and ready.json()["controles"]["database"] != "ok"
    assert (await omgeving.client.get("/health")).status_code == 200  # liveness: the process is fine
    await asyncio.to_thread(storing_pg.start)
    for _ in range(20):
        if (await omgeving.client.get("/ready")).status_code == 200:
            break
        await asyncio.sleep(0.2)
    assert (await omgeving.client.get("/v1/casussen", headers=h)).status_code == 200


async def test_a_paused_database_never_holds_a_request_past_the_bound(omgeving, storing_pg):  # noqa: F811
    casus, overleg = await _agendeer(omgeving, BPS_JCO_VIR_16)
    h = await omgeving.als("demo-om")

    async def gemeten(coro):  # noqa: ANN001, ANN202
        begin = time.monotonic()
        r = await coro
        return r, time.monotonic() - begin

    with storing_pg.gepauzeerd():
        uitkomsten = await asyncio.gather(
            gemeten(omgeving.client.get("/v1/casussen", headers=h)),
            gemeten(omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=h)),
            gemeten(omgeving.client.post(f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen", headers=h,
                                         json={"overlegId": overleg["id"]})),
            gemeten(omgeving.client.get("/ready")),
            asyncio.sleep(6),  # the old code: every request waits until the database answers again
        )
    for r, duur in uitkomsten[:4]:
        # A pooled connection's ping and one reconnect, each bounded by the timeout.
        assert duur < 2 * DB_TIMEOUT + 1.5, (r.request.url, duur)
        assert r.status_code == 503, r.text
        assert r.headers.get("retry-after") or r.request.url.path == "/ready"
    for r, _ in uitkomsten[:3]:
        assert _database_fouten(omgeving, r.headers["x-request-id"])
    for _ in range(30):
        if (await omgeving.client.get("/ready")).status_code == 200:
            break
        await asyncio.sleep(0.2)
    assert (await omgeving.client.get("/v1/casussen", headers=h)).status_code == 200
