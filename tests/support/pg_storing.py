"""A PostgreSQL cluster of its own that a test may restart, stop or pause (SIGSTOP) without touching the
session's shared cluster. Module-scoped: starting one costs a few seconds."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugins.postgres import PostgresServer, _wait_until_accepting, run_postgres_cluster


class StoringCluster:
    def __init__(self, server: PostgresServer):
        self.server = server
        self.pgdir = server.logfile.parent
        self.datadir = self.pgdir / "data"
        wrapper = self.pgdir.parent / "bin" / "pg_ctl"  # root: the runuser wrapper the plugin wrote
        self.pg_ctl = wrapper if wrapper.exists() else server.bindir / "pg_ctl"

    def _ctl(self, *args: str) -> None:
        subprocess.run([str(self.pg_ctl), "-D", str(self.datadir), "-l", str(self.server.logfile), *args],
                       check=True, timeout=90, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def draait(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def herstart(self) -> None:
        """A real fast restart: every session is cut, the data stays."""
        self._ctl("restart", "-m", "fast", "-w")
        _wait_until_accepting(self.server)

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast", "-w")

    def start(self) -> None:
        # The options it last ran with (port, settings): `pg_ctl restart` reuses them, `start` does not.
        opts = shlex.split((self.datadir / "postmaster.opts").read_text())[1:]
        if "-D" in opts:
            i = opts.index("-D")
            del opts[i:i + 2]
        self._ctl("start", "-w", "-o", " ".join(shlex.quote(o) for o in opts))
        _wait_until_accepting(self.server)

    def pids(self) -> list[int]:
        postmaster = int((self.datadir / "postmaster.pid").read_text().split()[0])
        kinderen = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    kinderen.append(int(stat.parent.name))
        return [postmaster, *kinderen]

    @contextlib.contextmanager
    def gepauzeerd(self) -> Iterator[None]:
        """The whole server frozen (postmaster and every backend): connections open, nothing answers."""
        pids = self.pids()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def storing_cluster() -> Iterator[StoringCluster]:
    if os.environ.get("KETENPOORT_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL skipped")
    with run_postgres_cluster() as server:
        cluster = StoringCluster(server)
        yield cluster
        if not cluster.draait:
            cluster.start()  # the plugin stops it on exit


@pytest.fixture
def storing_pg(storing_cluster: StoringCluster) -> Iterator[StoringCluster]:
    """The module's cluster, running again after the test whatever the test did to it."""
    yield storing_cluster
    try:
        os.kill(storing_cluster.pids()[0], signal.SIGCONT)
    except (OSError, ValueError):
        pass
    if not storing_cluster.draait:
        storing_cluster.start()
