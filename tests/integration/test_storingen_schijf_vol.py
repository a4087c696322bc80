"""Issue 17: the SQLite demo on a full disk: a logged 503 for every write, and /ready knows it.

Real components: the SQLite file on a small tmpfs that is filled up for real (needs root to mount).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.infrastructure.db.migrate import upgrade
from tests.api.helpers import is_probleem, meld_aan
from tests.support.fixtures import log_regels


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    schijf = tmp_path / "schijf"
    schijf.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(schijf)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        url = f"sqlite+aiosqlite:///{schijf / 'ketenpoort.db'}"
        await upgrade(url)
        yield url
    finally:
        subprocess.run(["umount", "-l", str(schijf)], check=False)


def _vul(map_: Path) -> None:
    with contextlib.suppress(OSError), open(map_ / "vulsel", "wb") as f:  # noqa: PTH123
        while True:
            f.write(b"\0" * 65536)
            f.flush()


async def test_a_full_disk_is_a_logged_503_and_not_ready(omgeving, database_url):
    await meld_aan(omgeving)
    assert (await omgeving.client.get("/ready")).status_code == 200
    _vul(Path(database_url.removeprefix("sqlite+aiosqlite:///")).parent)
    h = await omgeving.als("demo-politie")
    codes = []
    for bsn in ("999990378", "999990342", "999990512", "999991103"):
        r = await omgeving.client.post("/v1/casussen", headers=h, json={"bsn": bsn, "thema": "veelplegers",
                                                                         "gemeente": "gemeente-a"})
        codes.append(r.status_code)
        if r.status_code == 503:
            is_probleem(r, 503)
            assert r.headers["retry-after"]
            regels = [x for x in log_regels(omgeving.log) if x.get("request_id") == r.headers["x-request-id"]
                      and x["event"] in ("http.audit_niet_vastgelegd", "http.database_fout")]
            assert len(regels) == 1 and "full" in regels[0].get("bericht", ""), regels
    assert 503 in codes and 500 not in codes, codes
    ready = await omgeving.client.get("/ready")
    assert ready.status_code == 503 and ready.json()["controles"]["schrijven"] != "ok", ready.text
    assert (await omgeving.client.get("/health")).status_code == 200
