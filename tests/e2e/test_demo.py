"""`ketenpoort demo` as a user runs it: real sockets, four mocks, SQLite, built-in issuer; Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.fixtures import DEMO
from tests.support.server import vrije_basispoort, vrije_poort


def _wacht_gereed(url: str, proces: subprocess.Popen, seconden: float = 60) -> None:
    eind = time.monotonic() + seconden
    while time.monotonic() < eind:
        assert proces.poll() is None, "demo stopped early"
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("demo not ready in time")


def test_demo_end_to_end_and_clean_stop(tmp_path: Path):
    poort, mocks = vrije_poort(), vrije_basispoort()
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
    proces = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "demo", "--port", str(poort), "--mock-base-port", str(mocks),
         "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", "--config", str(DEMO)],
        cwd=tmp_path, env=omgeving, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{poort}"
    try:
        _wacht_gereed(url, proces)
        with httpx.Client(base_url=url, timeout=10) as c:
            def h(client_id: str) -> dict[str, str]:
                r = c.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                 "client_secret": f"{client_id}-geheim"})
                return {"Authorization": f"Bearer {r.json()['access_token']}", "X-Gebruiker": "demo.gebruiker"}

            pr = h("demo-procesregisseur")
            overleg = c.post("/v1/overleggen", json={"overlegtype": "jco", "datum": "2026-12-01"}, headers=pr).json()
            casus = c.post("/v1/casussen", json={"bsn": "999990780", "thema": "jeugd", "gemeente": "gemeente-b"},
                           headers=h("demo-politie")).json()
            c.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]}, headers=pr)
            r = c.post(f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen", json={"overlegId": overleg["id"]},
                       headers=h("demo-om"))
            assert r.status_code == 200, r.text
            status = {x["bron"]: x["status"] for x in r.json()["resultaten"]}
            assert status["politie"] == "bekend" and status["om"] == "bekend"  # over real sockets to the mocks
            ring = c.get("/audit/publieke-sleutel").json()["sleutels"]  # the keyring (docs/audit.md)
            assert ring[0]["publiekeSleutel"].startswith("-----BEGIN PUBLIC KEY-----")
            assert c.get("/audit/publieke-sleutel", headers={"Accept": "application/x-pem-file"}).text.startswith(
                "-----BEGIN PUBLIC KEY-----")
            assert c.get("/docs").status_code == 200
        assert (tmp_path / ".ketenpoort" / "identity.key").exists()
        assert (tmp_path / ".ketenpoort" / "signing.pub").exists()
        assert (tmp_path / ".ketenpoort" / "signing.keyring.json").exists()
    finally:
        proces.send_signal(signal.SIGINT)
        try:
            uit, _ = proces.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proces.kill()
            uit, _ = proces.communicate()
            raise AssertionError("demo did not stop on Ctrl-C:\n" + uit[-3000:]) from None
    assert proces.returncode == 0, uit[-3000:]
    assert "999990780" not in uit
    assert '"gateway.gestopt"' in uit or "gateway.gestopt" in uit


def _stop(proces: subprocess.Popen) -> str:
    proces.send_signal(signal.SIGINT)
    try:
        uit, _ = proces.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proces.kill()
        uit, _ = proces.communicate()
        raise AssertionError("did not stop on Ctrl-C:\n" + uit[-3000:]) from None
    return uit


def test_serve_configured_by_environment(tmp_path: Path):
    db = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
    omgeving.update(KETENPOORT_DATABASE_URL=db, KETENPOORT_CONFIG_DIR=str(DEMO),
                    KETENPOORT_IDENTITY_KEY="k" * 40, KETENPOORT_SIGNING_KEY=str(tmp_path / "s.key"))
    subprocess.run([sys.executable, "-m", "gateway.cli", "db", "upgrade"], env=omgeving, check=True,
                   capture_output=True)
    from gateway.infrastructure.audit.sleutels import laad_of_maak_sleutel

    laad_of_maak_sleutel(tmp_path / "s.key", maak=True)
    poort = vrije_poort()
    proces = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--port", str(poort)], cwd=tmp_path,
                              env=omgeving, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wacht_gereed(f"http://127.0.0.1:{poort}", proces)
        r = httpx.post(f"http://127.0.0.1:{poort}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "noord-politie", "client_secret": "noord-politie-geheim"})
        assert r.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{poort}/ready").json()
        assert ready["convenanten"] == ["demo", "noord"] and ready["database"] == "ok"
    finally:
        uit = _stop(proces)
    assert proces.returncode == 0, uit[-2000:]


def test_mocks_alone_on_real_ports(tmp_path: Path):
    basis = vrije_basispoort()
    proces = subprocess.Popen([sys.executable, "-m", "gateway.cli", "mocks", "--base-port", str(basis),
                               "--source-data", str(DEMO / "brondata.yaml")], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        eind = time.monotonic() + 30
        while True:
            try:
                r = httpx.post(f"http://127.0.0.1:{basis + 1}/api/v2/personen/_zoek", json={"bsn": "999990780"},
                               headers={"X-BPS-ApiKey": "demo-bps-sleutel"}, timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < eind and proces.poll() is None
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["personen"]
        for offset in (2, 3, 4):  # JCO-support, Depan, VIR answer on their ports too
            with socket.create_connection(("127.0.0.1", basis + offset), timeout=2):
                pass
    finally:
        uit = _stop(proces)
    assert proces.returncode == 0, uit[-2000:]
