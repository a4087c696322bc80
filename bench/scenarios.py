"""The five scenarios of the benchmark (bench/README.md says what each measures and why)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from adapters import laad_bronnen_config, maak_bron

from . import grootboek
from .infra import PYTHON, ROOT, Gateway, Postgres, maak_database, migreer
from .meten import Bemonsteraar, Meting, gesloten_lus, op_tempo, percentiel
from .omgeving import HUIS, IDENTITY_KEY, inzage_bsn
from .zaaien import Huis, token


@dataclass
class Context:
    gateway: Gateway
    pg: Postgres
    database_url: str
    config: Path
    bsns: list[str]
    geboortedata: dict[str, str]
    huis: Huis
    latentie_ms: dict[str, int]
    env: dict[str, str]
    ondertekening: Path
    kafka: str
    werkmap: Path
    bemonster_groepen: dict[str, Any]
    max_verbindingen: int
    uitvoer: Path
    label: str

    @property
    def ideaal_ms(self) -> float:
        return float(max(self.latentie_ms.values()))


def _log(tekst: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {tekst}", flush=True)


PER_CLIENT = 16


class _Clients:
    """The load generator's HTTP clients: one per 16 simulated users. httpcore scans every connection of its
    pool on each request, so one client with 200 connections spent more CPU than the gateway it measured."""

    def __init__(self, url: str, gelijktijdig: int):
        aantal = max(1, -(-gelijktijdig // PER_CLIENT))
        self._c = [httpx.AsyncClient(base_url=url, timeout=60,
                                     limits=httpx.Limits(max_connections=PER_CLIENT + 2,
                                                         max_keepalive_connections=PER_CLIENT + 2))
                   for _ in range(aantal)]

    def voor(self, nr: int) -> httpx.AsyncClient:
        return self._c[nr % len(self._c)]

    async def __aenter__(self) -> _Clients:
        return self

    async def __aexit__(self, *_: object) -> None:
        for c in self._c:
            await c.aclose()


async def _wacht_outbox_leeg(ctx: Context, timeout: float = 180) -> float:
    """Wait until the relay has published every outbox row; return how long that took."""
    conn = await asyncpg.connect(ctx.pg.dsn(ctx.database_url.rsplit("/", 1)[1]))
    try:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if await conn.fetchval("SELECT count(*) FROM outbox WHERE verzonden_op IS NULL") == 0:
                return time.perf_counter() - t0
            await asyncio.sleep(0.05)
        raise RuntimeError("de outbox liep niet leeg: draait de relay?")
    finally:
        await conn.close()


def _spreiding(per_pid: dict[int, float]) -> dict[str, object]:
    """Cores per worker and the least busy worker's share of the busiest one's (1.0: even; issue 17)."""
    kernen = sorted(per_pid.values())
    return {"kernen": kernen, "verhouding": round(kernen[0] / kernen[-1], 2) if len(kernen) > 1 and kernen[-1] else None}


def _cpu_ms_per(cpu: dict[str, float], per_s: float | None) -> float | None:
    """CPU the gateway workers spent per request (background work included): steadier than a rate on a busy machine."""
    kernen = cpu.get("gateway-worker")
    return round(1000 * kernen / per_s, 1) if kernen and per_s else None


def _bronopvragingen(statussen: Counter[str], per_verzoek: int, m: Meting) -> float:
    """Source lookups answered (bekend or niet_bekend: asked, audited, answered) per second."""
    totaal = sum(statussen.values())
    if not totaal:
        return 0.0
    beantwoord = (statussen["bekend"] + statussen["niet_bekend"]) / totaal
    return round(beantwoord * per_verzoek * m.per_s, 1)


# --------------------------------------------------------------------------- 1. agenda preparation


async def agenda(ctx: Context, niveaus: list[int], duur_s: float, opwarmen_s: float) -> dict[str, Any]:
    uit: dict[str, Any] = {"idealeMs": ctx.ideaal_ms, "agendapunten": len(next(iter(ctx.huis.agenda.values()))),
                           "bronnen": 4, "niveaus": []}
    for n in niveaus:
        async with _Clients(ctx.gateway.url, n) as cs:
            om = await token(cs.voor(0), "bench-om")
            statussen: Counter[str] = Counter()

            async def verzoek(nr: int, rng) -> str | None:  # noqa: ANN001
                oid = ctx.huis.overleggen[rng.randrange(len(ctx.huis.overleggen))]
                r = await cs.voor(nr).post(f"/v1/overleggen/{oid}/verwijzingen/_ophalen", headers=om)
                if r.status_code != 200:
                    return f"HTTP {r.status_code}"
                for punt in r.json()["agendapunten"]:
                    for res in punt["resultaten"]:
                        statussen[res["status"]] += 1
                return None

            _log(f"1. agendavoorbereiding: {n} gelijktijdige overleggen, {duur_s:g} s")
            with Bemonsteraar(ctx.bemonster_groepen) as b:
                m = await gesloten_lus(n, duur_s, opwarmen_s, verzoek)
        s = m.samenvatting()
        s["overleggenPerS"] = s.pop("perS")
        s["bronopvragingenPerS"] = _bronopvragingen(statussen, uit["agendapunten"] * 4, m)
        s["verhoudingP50TotIdeaal"] = round(m.p(50) / ctx.ideaal_ms, 2) if m.p(50) else None
        s["statussen"] = dict(statussen)
        s["cpuKernen"] = b.cpu()
        s["gatewayCpuMsPerOverleg"] = _cpu_ms_per(s["cpuKernen"], s["overleggenPerS"])
        s["cpuPerWorker"] = _spreiding(b.cpu_per_pid("gateway-worker"))
        uit["niveaus"].append(s)
        await _wacht_outbox_leeg(ctx)
    return uit


# --------------------------------------------------------------------------- 2. live lookups, 5. memory


async def _direct(ctx: Context, n: int, per_s: float, duur_s: float, opwarmen_s: float) -> Meting:
    """The same four source calls, made straight from here through the same adapters, at the rate the gateway
    achieved (at most `n` at a time): what the sources themselves take under the load they had."""
    cfg = laad_bronnen_config(ctx.config / "bronnen.yaml")
    bronnen = {}
    for systeem, c in cfg.items():
        c = {**c, "maxVerbindingen": ctx.max_verbindingen * ctx.gateway.workers}
        bronnen[systeem] = maak_bron(systeem, c)
    try:
        from datetime import date

        async def verzoek(nr: int, rng) -> str | None:  # noqa: ANN001
            bsn = ctx.bsns[rng.randrange(len(ctx.bsns))]
            geboren = date.fromisoformat(ctx.geboortedata[bsn])
            uitkomsten = await asyncio.gather(*(b.zoek(bsn, geboren) for b in bronnen.values()),
                                              return_exceptions=True)
            for u in uitkomsten:
                if isinstance(u, BaseException):
                    return type(u).__name__
            return None

        return await op_tempo(n, per_s, duur_s, opwarmen_s, verzoek)
    finally:
        for b in bronnen.values():
            await b.sluit()


async def live(ctx: Context, niveaus: list[int], duur_s: float, direct_duur_s: float,
               opwarmen_s: float, profiel: int | None, profiel_duur_s: float) -> dict[str, Any]:
    uit: dict[str, Any] = {"idealeMs": ctx.ideaal_ms, "niveaus": []}
    for n in niveaus:
        async with _Clients(ctx.gateway.url, n) as cs:
            om = await token(cs.voor(0), "bench-om")
            statussen: Counter[str] = Counter()

            async def verzoek(nr: int, rng) -> str | None:  # noqa: ANN001
                cid, oid = ctx.huis.paren[rng.randrange(len(ctx.huis.paren))]
                r = await cs.voor(nr).post(f"/v1/casussen/{cid}/verwijzingen/_ophalen", json={"overlegId": oid},
                                           headers=om)
                if r.status_code != 200:
                    return f"HTTP {r.status_code}"
                for res in r.json()["resultaten"]:
                    statussen[res["status"]] += 1
                return None

            _log(f"2. live opvragen: {n} gelijktijdig via de gateway, {duur_s:g} s")
            profiel_taak = None
            if profiel == n:
                profiel_taak = asyncio.create_task(_profileer(ctx, opwarmen_s, profiel_duur_s))
            with Bemonsteraar(ctx.bemonster_groepen) as b:
                m = await gesloten_lus(n, duur_s, opwarmen_s, verzoek)
            profiel_uit = await profiel_taak if profiel_taak else None
        await _wacht_outbox_leeg(ctx)
        _log(f"2. live opvragen: dezelfde bronvragen rechtstreeks naar de mocks, {m.per_s:.1f}/s "
             f"(ten hoogste {n} tegelijk), {direct_duur_s:g} s")
        d = await _direct(ctx, n, max(m.per_s, 1.0), direct_duur_s, min(opwarmen_s, 2))
        s = m.samenvatting()
        s["opvragingenPerS"] = s.pop("perS")
        s["bronopvragingenPerS"] = _bronopvragingen(statussen, 4, m)
        s["statussen"] = dict(statussen)
        s["direct"] = d.samenvatting()
        for q in (50, 99):
            g, r = m.p(q), d.p(q)
            s[f"overheadP{q}Ms"] = round(g - r, 2) if g is not None and r is not None else None
        s["cpuKernen"] = b.cpu()
        s["gatewayCpuMsPerOpvraging"] = _cpu_ms_per(s["cpuKernen"], s["opvragingenPerS"])
        s["cpuPerWorker"] = _spreiding(b.cpu_per_pid("gateway-worker"))
        s["piekRssWorkersMiB"] = b.piek_rss_mib("gateway-worker")
        if profiel_uit:
            s["profiel"] = profiel_uit
        uit["niveaus"].append(s)
    return uit


async def _profileer(ctx: Context, wacht_s: float, duur_s: float) -> dict[str, Any]:
    """py-spy on every gateway worker during the measured window; raw collapsed stacks + a top list."""
    await asyncio.sleep(wacht_s)
    pyspy = Path(PYTHON).with_name("py-spy")
    if not pyspy.exists():
        return {"fout": "py-spy niet geïnstalleerd (pip install -e '.[bench]')"}
    uit: dict[str, Any] = {}
    processen = []
    for pid in ctx.gateway.worker_pids():
        bestand = ctx.uitvoer.parent / f"{ctx.uitvoer.stem}-profiel-{pid}.txt"
        processen.append((pid, bestand, await asyncio.create_subprocess_exec(
            str(pyspy), "record", "--pid", str(pid), "--duration", str(int(duur_s)), "--rate", "200",
            "--format", "raw", "--nonblocking", "--gil", "-o", str(bestand),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)))
    for pid, bestand, p in processen:
        await p.wait()
        if bestand.exists():
            naam = str(bestand.relative_to(ROOT)) if bestand.is_relative_to(ROOT) else str(bestand)
            uit[str(pid)] = {"bestand": naam,
                             "top": top_van_profiel(bestand)}
    return uit


def top_van_profiel(bestand: Path, n: int = 25) -> dict[str, list]:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    zelf: Counter[str] = Counter()
    inclusief: Counter[str] = Counter()
    totaal = 0
    for regel in bestand.read_text(errors="replace").splitlines():
        stapel, _, aantal = regel.rpartition(" ")
        if not aantal.isdigit():
            continue
        k = int(aantal)
        totaal += k
        frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].rsplit("/", 1)[-1] + ")"
                  if " (" in f else f for f in stapel.split(";")]
        if frames:
            zelf[frames[-1]] += k
        for f in set(frames):
            inclusief[f] += k
    pct = lambda c: [(f, round(100 * k / totaal, 1)) for f, k in c.most_common(n)] if totaal else []  # noqa: E731
    return {"monsters": totaal, "zelf": pct(zelf), "inclusief": pct(inclusief)}


# --------------------------------------------------------------------------- 3. audit throughput


async def audit_doorvoer(ctx: Context, aantal: int) -> dict[str, Any]:
    from gateway.infrastructure.kafka_relay import CONTENT_TYPE, maak_producer
    from gateway.infrastructure.audit.sleutels import Ondertekenaar, laad_of_maak_sleutel

    await _wacht_outbox_leeg(ctx)
    ondertekenaar = Ondertekenaar(laad_of_maak_sleutel(ctx.ondertekening))
    betrokkenen = [uuid.uuid4() for _ in range(1000)]
    dsn = ctx.pg.dsn(ctx.database_url.rsplit("/", 1)[1])
    gen = grootboek.Generator(HUIS, begin=datetime.now(timezone.utc), stap=timedelta(microseconds=500),
                              betrokkenen=betrokkenen, ondertekenaar=ondertekenaar)
    _log(f"3. auditdoorvoer: {aantal} events in ledger + outbox vastleggen")
    await grootboek.schrijf(dsn, gen, aantal, outbox=True)
    # The relay publishes from the moment of the commit above.
    t0 = time.perf_counter()
    with Bemonsteraar(ctx.bemonster_groepen) as b:
        await _wacht_outbox_leeg(ctx, timeout=600)
    relay_s = time.perf_counter() - t0
    publicaties = aantal + aantal // 100

    _log("3. auditdoorvoer: dezelfde hoeveelheid rechtstreeks met aiokafka produceren")
    ruw_gen = grootboek.Generator("ruw", begin=datetime.now(timezone.utc), stap=timedelta(microseconds=500),
                                  betrokkenen=betrokkenen, ondertekenaar=ondertekenaar)
    events = []
    for rij in ruw_gen.volgende(aantal)[0]:
        events.append(json.loads(rij[9]))
    events += events[: aantal // 100]  # as many records as the relay sent (events + checkpoints)
    producer = maak_producer(ctx.kafka)
    await producer.start()
    try:
        t0 = time.perf_counter()
        futures = [await producer.send("bench.ruw", ev, key="ruw", headers=CONTENT_TYPE) for ev in events]
        await asyncio.gather(*futures)
        ruw_s = time.perf_counter() - t0
    finally:
        await producer.stop()
    relay = publicaties / relay_s
    ruw = len(events) / ruw_s
    return {"events": aantal, "publicaties": publicaties, "relayS": round(relay_s, 2),
            "relayEventsPerS": round(relay, 1), "ruwS": round(ruw_s, 2), "ruwEventsPerS": round(ruw, 1),
            "verhouding": round(relay / ruw, 3), "cpuKernen": b.cpu()}


# --------------------------------------------------------------------------- 4. verify and inzage at scale


KETENPOORT = [PYTHON, "-m", "gateway.cli"]
# `ketenpoort audit` before gateway/cli.py mounts it: the same typer app, started directly.
AUDIT_APP = [PYTHON, "-c", "from gateway.cli_audit import audit_app; audit_app(prog_name='ketenpoort audit')"]


def _cli(args: list[str], env: dict[str, str], timeout: float = 1800,
         cmd: list[str] = KETENPOORT) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    p = subprocess.run([*cmd, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - t0, p


def _audit_commando(env: dict[str, str]) -> tuple[list[str], str] | None:
    if _cli(["audit", "--help"], env)[1].returncode == 0:
        return [*KETENPOORT, "audit"], "ketenpoort audit"
    if _cli(["--help"], env, cmd=AUDIT_APP)[1].returncode == 0:
        return AUDIT_APP, "gateway.cli_audit:audit_app (nog niet onder `ketenpoort` gehangen)"
    return None


async def verify_en_inzage(ctx: Context, aantal: int, persoon_events: int) -> dict[str, Any]:
    from gateway.infrastructure.audit.sleutels import Ondertekenaar, laad_of_maak_sleutel, publiek_pad

    huis = HUIS  # a configured house: `audit inzage` records the read under the house's convenant
    url = await maak_database(ctx.pg, "jaar")
    env = {**ctx.env, "KETENPOORT_DATABASE_URL": url}
    migreer(env, url, ctx.werkmap / "migratie-jaar.log")
    dsn = ctx.pg.dsn("jaar")
    bsn = inzage_bsn()
    persoon = await grootboek.identiteit(dsn, huis, bsn, IDENTITY_KEY)
    ondertekenaar = Ondertekenaar(laad_of_maak_sleutel(ctx.ondertekening))
    betrokkenen = [uuid.uuid4() for _ in range(50_000)]
    begin = datetime.now(timezone.utc) - timedelta(days=365)
    gen = grootboek.Generator(huis, begin=begin, stap=timedelta(seconds=365 * 86400 / aantal),
                              betrokkenen=betrokkenen, ondertekenaar=ondertekenaar, persoon=persoon,
                              persoon_elke=max(1, aantal // persoon_events))
    _log(f"4. {aantal} geketende events genereren in de ledger (COPY)")
    t0 = time.perf_counter()
    laatste = [0.0]

    def voortgang(n: int) -> None:
        if time.perf_counter() - laatste[0] > 15:
            laatste[0] = time.perf_counter()
            _log(f"   {n} / {aantal}")

    await grootboek.schrijf(dsn, gen, aantal, outbox=False, voortgang=voortgang)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE")
        omvang = await conn.fetchval("SELECT pg_size_pretty(pg_total_relation_size('audit_ledger'))")
    finally:
        await conn.close()
    genereren_s = time.perf_counter() - t0
    uit: dict[str, Any] = {"events": aantal, "genererenS": round(genereren_s, 1),
                           "genererenEventsPerS": round(aantal / genereren_s), "ledgerOmvang": omvang,
                           "persoonEvents": gen.persoon_events}

    opstart_s, _ = _cli(["--help"], env)
    uit["cliOpstartS"] = round(opstart_s, 2)
    gevonden_cmd = _audit_commando(env)
    if gevonden_cmd is None:
        uit["verify"] = uit["inzage"] = {"beschikbaar": False, "reden": "`ketenpoort audit` bestaat (nog) niet"}
        return uit
    audit_cmd, uit["auditCommando"] = gevonden_cmd
    _log("4. ketenpoort audit verify --database-url ... (ledger)")
    pub = publiek_pad(ctx.ondertekening)
    duur, p = _cli(["verify", "--database-url", url, "--huis", huis, "--public-key", str(pub)], env, cmd=audit_cmd)
    uit["verify"] = {"beschikbaar": True, "exitcode": p.returncode, "s": round(duur, 2),
                     "eventsPerS": round(aantal / duur), "uitvoer": (p.stdout + p.stderr).strip()[-600:]}
    _log("4. ketenpoort audit inzage --bsn ... --database-url ... (ledger)")
    duur, p = _cli(["inzage", "--bsn", bsn, "--huis", huis, "--database-url", url, "--format", "json"], env,
                   cmd=audit_cmd)
    gevonden = None
    if p.returncode == 0:
        try:
            doc = json.loads(p.stdout)
            gevonden = len(doc.get("uitwisselingen", [])) if isinstance(doc, dict) else len(doc)
        except ValueError:
            pass
    uit["inzage"] = {"beschikbaar": True, "exitcode": p.returncode, "s": round(duur, 2),
                     "uitwisselingen": gevonden, "fout": p.stderr.strip()[-600:] if p.returncode else None}
    return uit


__all__ = ["Context", "agenda", "audit_doorvoer", "live", "percentiel", "top_van_profiel", "verify_en_inzage"]
