"""`python -m bench` (`make bench`): start everything on this machine, run the scenarios, print a table,
write bench/results/<date>.json. See bench/README.md.

    python -m bench                         all five scenarios, default sizes (~12 minutes on 2 cores)
    python -m bench --quick                 a short smoke run of everything (~2 minutes)
    python -m bench --scenario 2 --profile 50   scenario 2 only, py-spy on the gateway workers at 50 concurrent
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from . import infra, omgeving, scenarios

DOELEN = {
    "agendaVerhoudingP50": 2.0,        # 1: p50 / slowest source latency at 10 concurrent meetings, at most
    "liveOverheadP99Ms": 25.0,         # 2: gateway p99 - direct p99 at 50 concurrent, at most
    "liveBronopvragingenPerS": 500.0,  # 2: fully audited source lookups/s on PostgreSQL, at least
    "auditVerhouding": 0.5,            # 3: relay events/s over raw aiokafka events/s, at least
    "verifyEventsPerS": 50_000.0,      # 4: audit verify from the ledger, at least
    "inzageS": 2.0,                    # 4: audit inzage for one person from the ledger, less than
    "rssMiB": 300.0,                   # 5: peak RSS of a gateway worker at 200 concurrent, less than
}


def _lijst(tekst: str) -> list[int]:
    return [int(x) for x in tekst.split(",") if x.strip()]


def _latentie(tekst: str) -> dict[str, int]:
    from adapters import BRONSYSTEMEN

    if "=" not in tekst:
        return dict.fromkeys(BRONSYSTEMEN, int(tekst))
    uit = dict.fromkeys(BRONSYSTEMEN, 50)
    for deel in tekst.split(","):
        k, _, v = deel.partition("=")
        if k.strip() not in uit:
            raise argparse.ArgumentTypeError(f"onbekend bronsysteem {k!r}; bekend: {', '.join(BRONSYSTEMEN)}")
        uit[k.strip()] = int(v)
    return uit


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    a = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--scenario", default="1,2,3,4,5", help="comma-separated scenarios to run (5 needs 2)")
    a.add_argument("--quick", action="store_true", help="short durations and small sizes: a smoke run")
    a.add_argument("--latency", type=_latentie, default=_latentie("50"),
                   help="mock latency in ms: one number for all, or BPS=50,JCO-support=80,... (default 50)")
    a.add_argument("--workers", type=int, default=2, help="uvicorn workers of the gateway (default 2)")
    a.add_argument("--max-connections", type=int, default=16,
                   help="maxVerbindingen per source per worker in bronnen.yaml (default 16)")
    a.add_argument("--people", type=int, default=400, help="synthetic people, one casus each (default 400)")
    a.add_argument("--meetings", type=int, default=20, help="overleggen to prepare (default 20)")
    a.add_argument("--agenda-items", type=int, default=20, help="agendapunten per overleg (default 20)")
    a.add_argument("--agenda-concurrency", type=_lijst, default=[1, 10], help="scenario 1 levels (default 1,10)")
    a.add_argument("--live-concurrency", type=_lijst, default=[1, 10, 50, 200],
                   help="scenario 2 levels (default 1,10,50,200)")
    a.add_argument("--duration", type=float, default=30.0, help="seconds measured per level via the gateway")
    a.add_argument("--direct-duration", type=float, default=10.0, help="seconds measured per level, direct")
    a.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per level, not measured")
    a.add_argument("--audit-events", type=int, default=50_000, help="scenario 3 events (default 50,000)")
    a.add_argument("--events", type=int, default=1_000_000, help="scenario 4 ledger size (default 1,000,000)")
    a.add_argument("--person-events", type=int, default=3_000, help="scenario 4: events about the one person")
    a.add_argument("--profile", type=int, default=None, metavar="N",
                   help="py-spy the gateway workers during scenario 2 at concurrency N")
    a.add_argument("--relaxed-durability", action="store_true",
                   help="PostgreSQL with fsync and synchronous_commit off (default: production defaults)")
    a.add_argument("--deadline", type=float, default=3.0, help="KETENPOORT_VERWIJZING_DEADLINE_SECONDS")
    a.add_argument("--admission", type=int, default=16,
                   help="KETENPOORT_MAX_LOPENDE_OPVRAGINGEN: lookups in progress per worker (default 16)")
    a.add_argument("--log-level", default="INFO", help="gateway log level (default INFO, as in production)")
    a.add_argument("--label", default="", help="suffix for the result file: bench/results/<date>-<label>.json")
    a.add_argument("--output", type=Path, default=None, help="result file (default bench/results/<date>.json)")
    ns = a.parse_args(argv)
    ns.scenarios = {int(x) for x in ns.scenario.split(",") if x.strip()}
    if ns.quick:
        ns.duration, ns.direct_duration, ns.warmup = min(ns.duration, 4.0), min(ns.direct_duration, 3.0), 1.0
        ns.audit_events = min(ns.audit_events, 5_000)
        ns.events = min(ns.events, 20_000)
        ns.person_events = min(ns.person_events, 200)
        ns.people, ns.meetings = min(ns.people, 100), min(ns.meetings, 6)
        ns.live_concurrency = [n for n in ns.live_concurrency if n <= 50] or [1]
    if 5 in ns.scenarios:
        ns.scenarios.add(2)
    return ns


def _versies() -> dict[str, str]:
    uit = {"python": platform.python_version()}
    for pakket in ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "httpx", "sqlalchemy", "asyncpg",
                   "aiokafka", "pydantic", "joserfc", "cryptography", "structlog", "httpcore", "anyio", "sniffio",
                   "py-spy", "pyinstrument"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            uit[pakket] = metadata.version(pakket)
    return uit


def _machine() -> dict[str, Any]:
    import psutil

    model = ""
    with contextlib.suppress(OSError):
        for regel in Path("/proc/cpuinfo").read_text().splitlines():
            if regel.startswith("model name"):
                model = regel.split(":", 1)[1].strip()
                break
    return {"cpu": model, "kernen": os.cpu_count(), "geheugenGiB": round(psutil.virtual_memory().total / 2**30, 1),
            "kernel": platform.release(), "systeem": platform.platform()}


def _git() -> str:
    import subprocess

    with contextlib.suppress(Exception):
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=infra.ROOT, capture_output=True,
                             text=True).stdout.strip()
        vuil = subprocess.run(["git", "status", "--porcelain", "gateway", "adapters"], cwd=infra.ROOT,
                              capture_output=True, text=True).stdout.strip()
        return rev + ("+wijzigingen" if vuil else "")
    return "onbekend"


def _doelen(r: dict[str, Any]) -> dict[str, Any]:
    """Each target with the measured value and met/missed (None when the scenario did not run)."""
    uit: dict[str, Any] = {}

    def zet(naam: str, waarde: float | None, doel: float, richting: str) -> None:
        gehaald = None
        if waarde is not None:
            gehaald = {"<=": waarde <= doel, ">=": waarde >= doel, "<": waarde < doel}[richting]
        uit[naam] = {"gemeten": waarde, "doel": f"{richting} {doel:g}", "gehaald": gehaald}

    niveau = lambda s, n: next((x for x in s.get("niveaus", []) if x["gelijktijdig"] == n), None)  # noqa: E731
    a = niveau(r.get("agenda", {}), 10)
    zet("1 agenda p50/ideaal @10", a and a["verhoudingP50TotIdeaal"], DOELEN["agendaVerhoudingP50"], "<=")
    l50 = niveau(r.get("live", {}), 50)
    zet("2 overhead p99 ms @50", l50 and l50["overheadP99Ms"], DOELEN["liveOverheadP99Ms"], "<=")
    beste = max((x["bronopvragingenPerS"] for x in r.get("live", {}).get("niveaus", [])), default=None)
    zet("2 bronopvragingen/s (max)", beste, DOELEN["liveBronopvragingenPerS"], ">=")
    au = r.get("audit")
    zet("3 relay/ruw", au and au["verhouding"], DOELEN["auditVerhouding"], ">=")
    v = r.get("verifyInzage", {})
    ve, iz = v.get("verify", {}), v.get("inzage", {})
    zet("4 verify events/s", ve.get("eventsPerS") if ve.get("exitcode") == 0 else None, DOELEN["verifyEventsPerS"],
        ">=")
    zet("4 inzage s", iz.get("s") if iz.get("exitcode") == 0 else None, DOELEN["inzageS"], "<")
    l200 = niveau(r.get("live", {}), 200)
    rss = max(l200["piekRssWorkersMiB"].values(), default=None) if l200 else None
    zet("5 piek-RSS worker MiB @200", rss, DOELEN["rssMiB"], "<")
    return uit


def _fmt(x: Any, nd: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def tabel(r: dict[str, Any]) -> str:
    regels: list[str] = []
    w = regels.append
    if "agenda" in r:
        w(f"\n1. Agendavoorbereiding ({r['agenda']['agendapunten']} agendapunten x 4 bronnen, "
          f"ideaal {r['agenda']['idealeMs']:g} ms)")
        w(f"   {'gelijktijdig':>12} {'overleggen/s':>13} {'bron/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'p50/ideaal':>11}"
          f" {'CPU ms/overleg':>15}  fouten")
        for s in r["agenda"]["niveaus"]:
            w(f"   {s['gelijktijdig']:>12} {_fmt(s['overleggenPerS'], 2):>13} {_fmt(s['bronopvragingenPerS']):>9} "
              f"{_fmt(s['p50Ms']):>9} {_fmt(s['p99Ms']):>9} {_fmt(s['verhoudingP50TotIdeaal'], 2):>11} "
              f"{_fmt(s.get('gatewayCpuMsPerOverleg')):>15}  {s['fouten'] or ''}")
    if "live" in r:
        w(f"\n2. Live opvragen tijdens een overleg (1 casus x 4 bronnen, ideaal {r['live']['idealeMs']:g} ms)")
        w(f"   {'gelijktijdig':>12} {'opvr/s':>8} {'bron/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'direct p50':>11}"
          f" {'direct p99':>11} {'overhead p50':>13} {'overhead p99':>13} {'RSS MiB':>8} {'CPU ms/opvr':>12}")
        for s in r["live"]["niveaus"]:
            rss = max(s["piekRssWorkersMiB"].values(), default=None)
            w(f"   {s['gelijktijdig']:>12} {_fmt(s['opvragingenPerS']):>8} {_fmt(s['bronopvragingenPerS']):>8} "
              f"{_fmt(s['p50Ms']):>8} {_fmt(s['p99Ms']):>8} {_fmt(s['direct']['p50Ms']):>11} "
              f"{_fmt(s['direct']['p99Ms']):>11} {_fmt(s['overheadP50Ms']):>13} {_fmt(s['overheadP99Ms']):>13} "
              f"{_fmt(rss):>8} {_fmt(s.get('gatewayCpuMsPerOpvraging')):>12}" + (f"  fouten {s['fouten']}" if s["fouten"] else ""))
    if "audit" in r:
        a = r["audit"]
        w(f"\n3. Auditdoorvoer (commit -> Kafka-ack): relay {_fmt(a['relayEventsPerS'], 0)} events/s, "
          f"ruw aiokafka {_fmt(a['ruwEventsPerS'], 0)} events/s, verhouding {_fmt(a['verhouding'], 3)} "
          f"({a['publicaties']:,} records)")
    if "verifyInzage" in r:
        v = r["verifyInzage"]
        w(f"\n4. Verify en inzage: {v['events']:,} events gegenereerd in {v['genererenS']} s "
          f"({v['ledgerOmvang']}); CLI-opstart {v.get('cliOpstartS', '-')} s")
        ve, iz = v.get("verify", {}), v.get("inzage", {})
        if ve.get("beschikbaar"):
            w(f"   audit verify: exit {ve['exitcode']}, {ve['s']} s, {_fmt(ve['eventsPerS'], 0)} events/s")
            w(f"   audit inzage: exit {iz['exitcode']}, {iz['s']} s, {iz['uitwisselingen']} uitwisselingen "
              f"(van {v['persoonEvents']})")
        else:
            w(f"   audit verify/inzage: niet beschikbaar ({ve.get('reden')})")
    w("\nDoelen")
    for naam, d in r["doelen"].items():
        teken = {True: "gehaald", False: "GEMIST", None: "niet gemeten"}[d["gehaald"]]
        w(f"   {naam:<30} {_fmt(d['gemeten'], 2):>12}  doel {d['doel']:<10} {teken}")
    return "\n".join(regels)


async def _draai(ns: argparse.Namespace, werkmap: Path, procs: infra.Processen, r: dict[str, Any]) -> None:
    log = scenarios._log
    t_start = time.perf_counter()
    log(f"werkmap {werkmap}")
    pg = infra.start_postgres(procs, werkmap, duurzaam=not ns.relaxed_durability)
    log(f"PostgreSQL op {pg.port} ({pg.versie}; {'duurzaam' if pg.duurzaam else 'fsync uit'})")
    broker = infra.start_tansu(procs, werkmap, {"ketenpoort.audit.v1": 1, "ketenpoort.gebeurtenissen.v1": 1,
                                                "bench.ruw": 1})
    log(f"tansu op {broker.bootstrap} ({broker.versie})")
    basispoort = infra.vrije_basispoort()
    config, brondata, bsns = omgeving.maak_configuratie(werkmap, mock_basispoort=basispoort,
                                                        max_verbindingen=ns.max_connections,
                                                        aantal_personen=ns.people)
    mocks = infra.start_mocks(procs, werkmap, brondata, ns.latency, basispoort)
    log(f"mocks op {mocks.basispoort + 1}..{mocks.basispoort + 4}, latentie {ns.latency}")
    database_url = await infra.maak_database(pg, "ketenpoort")
    ondertekening, tokensleutel = omgeving.sleutels(werkmap)
    env = omgeving.gateway_env(dict(os.environ), database_url=database_url, config=config, kafka=broker.bootstrap,
                               ondertekening=ondertekening, token=tokensleutel, deadline_s=ns.deadline,
                               log_level=ns.log_level, toelating=ns.admission)
    infra.migreer(env, database_url, werkmap / "migratie.log")
    gw = infra.start_gateway(procs, werkmap, env, ns.workers)
    log(f"gateway op {gw.url} met {ns.workers} worker(s): {gw.worker_pids()}")
    r["opzet"].update({"postgres": pg.versie, "postgresDuurzaam": pg.duurzaam, "tansu": broker.versie})

    from .zaaien import zaai

    t0 = time.perf_counter()
    huis = await zaai(gw.url, bsns, overleggen=ns.meetings, agendapunten=ns.agenda_items)
    log(f"huis gevuld: {len(huis.casussen)} casussen, {len(huis.overleggen)} overleggen in "
        f"{time.perf_counter() - t0:.1f} s")
    import yaml

    geboren = {p["bsn"]: p["geboortedatum"] for p in yaml.safe_load(brondata.read_text())["personen"]}
    groepen = {
        "gateway-worker": gw.worker_pids,
        "gateway-supervisor": lambda: [gw.proces.pid] if ns.workers > 1 else [],
        "postgres": pg.pids,
        "mocks": lambda: [p.pid for p in mocks.processen.values()],
        "tansu": lambda: [broker.proces.pid],
        "bench": lambda: [os.getpid()],
    }
    ctx = scenarios.Context(gw, pg, database_url, config, bsns, geboren, huis, ns.latency, env, ondertekening,
                            broker.bootstrap, werkmap, groepen, ns.max_connections, ns.output, ns.label)
    await scenarios._wacht_outbox_leeg(ctx)
    if 1 in ns.scenarios:
        r["agenda"] = await scenarios.agenda(ctx, ns.agenda_concurrency, ns.duration, ns.warmup)
    if 2 in ns.scenarios:
        r["live"] = await scenarios.live(ctx, ns.live_concurrency, ns.duration, ns.direct_duration, ns.warmup,
                                         ns.profile, max(ns.duration - 1, 1))
    if 3 in ns.scenarios:
        r["audit"] = await scenarios.audit_doorvoer(ctx, ns.audit_events)
    if 4 in ns.scenarios:
        infra.stop_proces(gw.proces)  # the year of audit needs the whole machine, not the idle gateway
        r["verifyInzage"] = await scenarios.verify_en_inzage(ctx, ns.events, ns.person_events)
    r["duurS"] = round(time.perf_counter() - t_start, 1)


def main(argv: list[str] | None = None) -> int:
    ns = parse(argv)
    datum = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    if ns.output is None:
        ns.output = infra.ROOT / "bench" / "results" / (f"{datum}-{ns.label}.json" if ns.label else f"{datum}.json")
    ns.output.parent.mkdir(parents=True, exist_ok=True)
    r: dict[str, Any] = {
        "datum": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commando": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": _machine(), "versies": _versies(), "git": _git(),
        "opzet": {"workers": ns.workers, "latentieMs": ns.latency, "toelatingPerWorker": ns.admission,
                  "maxVerbindingenPerBronPerWorker": ns.max_connections,
                  "personen": ns.people, "overleggen": ns.meetings, "agendapunten": ns.agenda_items,
                  "duurS": ns.duration, "directDuurS": ns.direct_duration, "opwarmenS": ns.warmup,
                  "auditEvents": ns.audit_events, "events": ns.events, "snel": ns.quick},
        "doelen": {},
    }

    def op_signaal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signaal {signum}")

    signal.signal(signal.SIGTERM, op_signaal)
    from gateway.infrastructure.observability import configureer_logging

    configureer_logging("WARNING", json=False)  # the direct adapter calls here must not log every lookup
    procs = infra.Processen()
    werkmap = Path(tempfile.mkdtemp(prefix="ketenpoort-bench-"))
    werkmap.chmod(0o755)
    fout = None
    try:
        import uvloop

        uvloop.run(_draai(ns, werkmap, procs, r))
    except BaseException as e:  # noqa: BLE001 - report what we have, then clean up and fail
        fout = e
        r["fout"] = f"{type(e).__name__}: {e}"
    finally:
        procs.close()
        import shutil

        if fout is None:
            shutil.rmtree(werkmap, ignore_errors=True)
        else:
            print(f"[bench] logs blijven staan in {werkmap}", file=sys.stderr)
    r["doelen"] = _doelen(r)
    ns.output.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n")
    print(tabel(r))
    print(f"\nresultaten: {ns.output}")
    if fout is not None:
        print(f"[bench] afgebroken: {r['fout']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
