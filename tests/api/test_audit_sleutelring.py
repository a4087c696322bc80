"""GET /audit/publieke-sleutel is the keyring; the audit-events metric counts what is committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.infrastructure.audit.sleutels import maak_sleutelpaar
from gateway.infrastructure.settings import Instellingen
from tests.support.fixtures import BSN_A, IDENTITY_KEY


@pytest.fixture
def instellingen(database_url: str, config_dir: Path, tmp_path: Path) -> Instellingen:
    maak_sleutelpaar(tmp_path / "signing.key")
    return Instellingen(database_url=database_url, config_dir=config_dir, identity_key=IDENTITY_KEY,
                        signing_key=tmp_path / "signing.key")


async def test_the_public_key_endpoint_serves_the_keyring(omgeving, tmp_path: Path) -> None:  # noqa: ANN001
    r = await omgeving.client.get("/audit/publieke-sleutel")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    ring = r.json()["sleutels"]
    assert [s["sleutelId"] for s in ring] == [omgeving.container.ondertekenaar.sleutel_id]
    assert ring[0]["algoritme"] == "Ed25519" and ring[0]["publiekeSleutel"].startswith("-----BEGIN PUBLIC KEY")
    pem = await omgeving.client.get("/audit/publieke-sleutel", headers={"Accept": "application/x-pem-file"})
    assert pem.status_code == 200 and pem.content == (tmp_path / "signing.pub").read_bytes()


async def test_audit_events_are_counted_when_committed(omgeving) -> None:  # noqa: ANN001
    h = await omgeving.als("demo-procesregisseur")
    for _ in range(3):
        await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=h)
    m = (await omgeving.client.get("/metrics")).text
    regel = next(r for r in m.splitlines() if r.startswith("ketenpoort_audit_events_total{")
                 and 'huis="demo"' in r and 'besluit="toegestaan"' in r)
    assert float(regel.rsplit(" ", 1)[1]) >= 3
