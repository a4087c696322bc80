"""Issue 17: requests spread over the workers of one serve; every log line JSON.

Two real uvicorn workers on one listening socket. A keep-alive connection stays with the worker that
accepted it, so one busy client used to load one worker only; with the bounded keep-alive lifetime the
client reconnects every few requests and the kernel hands the new connection to either worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

import asyncio

from gateway.infrastructure.db.migrate import upgrade
from tests.support.fixtures import DEMO, IDENTITY_KEY, ROOT
from tests.support.server import vrije_poort


def test_two_workers_share_one_keep_alive_client(tmp_path: Path):
    url_db = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    asyncio.run(upgrade(url_db))
    poort = vrije_poort()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
    env.update(KETENPOORT_DATABASE_URL=url_db, KETENPOORT_IDENTITY_KEY=IDENTITY_KEY,
               KETENPOORT_CONFIG_DIR=str(DEMO), KETENPOORT_KEEPALIVE_MAX_VERZOEKEN="10")
    log = tmp_path / "stdout"
    with open(log, "w") as uit:  # noqa: PTH123
        proces = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "gateway.asgi:create_app", "--workers", "2",
             "--host", "127.0.0.1", "--port", str(poort), "--log-config", str(ROOT / "deploy/uvicorn/log.json")],
            cwd=tmp_path, env=env, stdout=uit, stderr=subprocess.STDOUT)
    try:
        eind = time.monotonic() + 60
        gestart = 0
        while gestart < 2:  # both workers up
            assert proces.poll() is None and time.monotonic() < eind, log.read_text()[-2000:]
            gestart = log.read_text().count("Application startup complete")
            time.sleep(0.2)
        with httpx.Client(base_url=f"http://127.0.0.1:{poort}", limits=httpx.Limits(max_connections=1)) as c:
            for _ in range(300):
                assert c.get("/health").status_code == 200
    finally:
        proces.send_signal(signal.SIGINT)
        try:
            proces.wait(30)
        except subprocess.TimeoutExpired:
            proces.kill()
            proces.wait(10)
    regels = [r for r in log.read_text().splitlines() if r.strip()]
    niet_json = []
    for r in regels:
        try:
            json.loads(r)
        except ValueError:
            niet_json.append(r)
    assert not niet_json, niet_json[:5]
    per_worker = Counter(json.loads(r).get("worker") for r in regels if json.loads(r)["event"] == "http.verzoek")
    assert sum(per_worker.values()) == 300 and len(per_worker) == 2, per_worker
    assert min(per_worker.values()) >= 30, per_worker  # the old behaviour: 300 and 0
