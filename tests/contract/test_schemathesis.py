"""Issue 10 item 0: a bounded schemathesis run (all checks, stateful phase, every role's token) on SQLite and
PostgreSQL. It fails on any 5xx and on any response that differs from the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.support.server import echte_server

ROLLEN = ["demo-politie", "demo-gemeente-a", "demo-procesregisseur", "demo-privacy", "noord-politie"]
# Outside /v1 (no token, other servers entry) and the endless SSE stream are not fuzzed here.
NIET = r"^/(health|ready|metrics|oauth/.*|audit/publieke-sleutel|gebeurtenissen)$"
MAX_VOORBEELDEN = int(os.environ.get("KETENPOORT_ST_MAX_EXAMPLES", "8"))


async def test_schemathesis_all_checks_stateful_every_role(omgeving, tmp_path):
    tokens = [await omgeving.token(c) for c in ROLLEN]
    st = Path(sys.executable).with_name("st")
    async with echte_server(omgeving.container.app) as url:
        env = {**os.environ, "KETENPOORT_ST_TOKENS": json.dumps(tokens), "SCHEMATHESIS_HOOKS": "tests.contract.st_hooks",
               "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        proc = await asyncio.create_subprocess_exec(
            str(st), "run", f"{url}/v1/openapi.json", "--url", f"{url}/v1", "--checks", "all",
            # Schema-valid is not always valid: the elfproef, the house's themas and overlegtypen and the status
            # rules cannot be written in JSON Schema, so "valid data accepted" would flag correct 400s.
            "--exclude-checks", "positive_data_acceptance",
            "--phases", "examples,coverage,fuzzing,stateful", "-n", str(MAX_VOORBEELDEN), "--seed", "10",
            "--exclude-path-regex", NIET, "--request-timeout", "10", "--generation-deterministic",
            "--no-color", "--max-failures", "20",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        uit, _ = await asyncio.wait_for(proc.communicate(), 240)
    tekst = uit.decode(errors="replace")
    (tmp_path / "schemathesis.txt").write_text(tekst)
    assert proc.returncode == 0, tekst[-12000:]
