"""The benchmark harness runs end to end (real PostgreSQL, broker, mocks, gateway) and writes its result file.

No timing is asserted here: speed and memory targets live in bench/, never in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgresql, pytest.mark.kafka]


def test_quick_run_of_live_lookups_writes_the_result_file(tmp_path: Path) -> None:
    uit = tmp_path / "bench.json"
    p = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--scenario", "2", "--live-concurrency", "1,4",
         "--duration", "1.5", "--direct-duration", "1", "--warmup", "0.5", "--people", "12", "--meetings", "2",
         "--agenda-items", "4", "--output", str(uit)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    r = json.loads(uit.read_text())
    assert {"datum", "commando", "machine", "versies", "opzet", "live", "doelen", "duurS"} <= r.keys()
    niveaus = r["live"]["niveaus"]
    assert [n["gelijktijdig"] for n in niveaus] == [1, 4]
    for n in niveaus:
        assert {"opvragingenPerS", "bronopvragingenPerS", "p50Ms", "p99Ms", "direct", "overheadP50Ms",
                "overheadP99Ms", "cpuKernen", "gatewayCpuMsPerOpvraging", "piekRssWorkersMiB", "statussen"} <= n.keys()
        assert n["gatewayCpuMsPerOpvraging"] > 0
        assert n["aantal"] > 0 and not n["fouten"]
        assert set(n["statussen"]) <= {"bekend", "niet_bekend"}  # every source asked, audited and answered
    assert {"1 agenda p50/ideaal @10", "2 bronopvragingen/s (max)", "5 piek-RSS worker MiB @200"} <= r["doelen"].keys()
    assert "Live opvragen" in p.stdout and "CPU ms/opvr" in p.stdout
