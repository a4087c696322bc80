"""`python -m bench.merkle`: what the Merkle tree beside the chain costs (docs/merkle.md, issue targets).

1. Bookkeeping at commit: CPU per event of growing the tree (two SHA-256 per leaf on average, the frontier
   kept as text), and so per live lookup of four sources (four audit events), against the gateway CPU
   per live lookup measured by `make bench` (bench/README.md).
2. Proof generation: inclusion and consistency proofs over a tree of `--events` leaves in a real database
   (SQLite file by default, PostgreSQL with --database-url), read as the gateway reads them.

    python -m bench.merkle [--events 1000000] [--database-url URL] [--output FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.boom import Boom, SqlAuditBewijzen, herbouw
from gateway.infrastructure.db.engine import maak_engine
from gateway.infrastructure.db.migrate import upgrade

HUIS = "bench"
GATEWAY_CPU_MS_PER_LOOKUP = 10.5  # make bench, round 2 (bench/README.md): 10-11 ms at 50-200 concurrent


def boekhouding(n: int = 200_000) -> dict[str, float]:
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]
    boom = Boom([], 0)
    start = time.process_time()
    for h in hashes:
        boom.voeg_toe(HUIS, h)
        if len(boom.knopen) > 1000:
            boom.knopen.clear()
    tekst = boom.tekst()  # once per transaction
    per_event_us = (time.process_time() - start) / n * 1e6
    per_lookup_ms = 4 * per_event_us / 1000
    return {"eventsGemeten": n, "usPerEvent": round(per_event_us, 2), "msPerOpvraging": round(per_lookup_ms, 4),
            "aandeelVanGatewayCpu": round(per_lookup_ms / GATEWAY_CPU_MS_PER_LOOKUP, 5),
            "frontierBytes": len(tekst)}


async def _vul(engine: Any, n: int) -> float:
    tijd = datetime(2026, 1, 1, tzinfo=timezone.utc)
    async with engine.begin() as conn:
        for begin in range(0, n, 20_000):
            await conn.execute(insert(t.audit_ledger), [
                {"huis": HUIS, "volgnummer": i + 1, "event_id": uuid.uuid4(),
                 "hash": hashlib.sha256(str(i).encode()).hexdigest(), "tijdstip": tijd, "handeling": "casus_inzien",
                 "besluit": "toegestaan", "partner": "politie", "betrokkene": None, "event": {}}
                for i in range(begin, min(n, begin + 20_000))])
        start = time.perf_counter()
        await herbouw(conn, HUIS, n)
    return time.perf_counter() - start


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p * len(xs)))], 3)


async def bewijzen(database_url: str, n: int, aantal: int = 500) -> dict[str, Any]:
    await upgrade(database_url)
    engine = maak_engine(database_url)
    try:
        herbouw_s = await _vul(engine, n)
        lezer = SqlAuditBewijzen(engine)
        rnd = random.Random(7)
        opname, consistentie = [], []
        for _ in range(aantal):
            m = rnd.randrange(n)
            s = time.perf_counter()
            await lezer.opname(HUIS, m, n)
            opname.append((time.perf_counter() - s) * 1000)
        for _ in range(aantal // 5):
            m = rnd.randrange(1, n)
            s = time.perf_counter()
            await lezer.consistentie(HUIS, m, n)
            consistentie.append((time.perf_counter() - s) * 1000)
    finally:
        await engine.dispose()
    return {"bladen": n, "herbouwS": round(herbouw_s, 1), "opgeslagenKnopenPerEvent": round(1 / 8, 3),
            "opname": {"aantal": len(opname), "p50Ms": _pct(opname, 0.5), "p99Ms": _pct(opname, 0.99),
                       "gemiddeldMs": round(statistics.fmean(opname), 3)},
            "consistentie": {"aantal": len(consistentie), "p50Ms": _pct(consistentie, 0.5),
                             "p99Ms": _pct(consistentie, 0.99)}}


def main(argv: list[str] | None = None) -> int:
    a = argparse.ArgumentParser(prog="python -m bench.merkle", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--events", type=int, default=1_000_000)
    a.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    a.add_argument("--output", type=Path, default=None)
    ns = a.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = ns.database_url or f"sqlite+aiosqlite:///{tmp}/merkle.db"
        r = {"datum": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "database": url.split(":", 1)[0], "boekhouding": boekhouding(),
             "bewijzen": asyncio.run(bewijzen(url, ns.events))}
    print(json.dumps(r, indent=2))
    b, p = r["boekhouding"], r["bewijzen"]
    print(f"bookkeeping {b['usPerEvent']} µs/event = {b['aandeelVanGatewayCpu'] * 100:.2f} % of a live lookup's "
          f"gateway CPU (target < 5 %); inclusion proof over {p['bladen']:,} leaves p50 {p['opname']['p50Ms']} ms, "
          f"p99 {p['opname']['p99Ms']} ms (target < 10 ms)")
    if ns.output:
        ns.output.write_text(json.dumps(r, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
