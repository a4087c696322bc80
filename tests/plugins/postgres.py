"""Real, throwaway PostgreSQL for tests (pytest plugin).

Fixtures
--------
``postgresql_server`` (session)
    A :class:`PostgresServer`: one PostgreSQL cluster for the whole test session,
    initdb'ed into a fresh temporary directory, listening on a free loopback TCP
    port (unix socket inside the temp dir), with ``fsync``/``full_page_writes``/
    ``synchronous_commit`` off. Superuser ``postgres``, ``trust`` auth, no password.
    Stopped and deleted at session end.
``postgresql_url`` (session)
    ``postgresql+asyncpg://postgres@127.0.0.1:PORT/ketenpoort`` - a database created
    once per session on that cluster. Shared by every test that uses it.
``fresh_database`` (function) / ``module_database`` (module)
    URL (str, asyncpg) of a brand-new, empty database (``CREATE DATABASE ... TEMPLATE
    template0``), dropped (``WITH (FORCE)``, open connections are terminated) when the
    test / module is done. Takes ~0.2 s.

Helpers (plain functions, usable from fixtures and tests, sync and async tests alike)
    ``temporary_database(postgresql_url)``  context manager yielding a new database URL, dropped on exit
    ``create_database(postgresql_url)``     create a database, return its URL (same driver as input)
    ``drop_database(database_url)``         drop it again (terminating open connections)

How the cluster is run
----------------------
The process is driven by pytest-postgresql's ``PostgreSQLExecutor`` (version check,
``pg_ctl initdb``, ``pg_ctl start -w`` + TCP readiness wait, ``pg_ctl stop -m fast``).
PostgreSQL refuses to run as root, so when the tests run as root the executor is
given a tiny generated wrapper instead of the real ``pg_ctl``::

    #!/bin/sh
    cd / && exec runuser -u postgres -- /usr/lib/postgresql/NN/bin/pg_ctl "$@"

and the data/socket/log directory is owned by ``postgres``. For a normal (non-root)
account the real ``pg_ctl`` is used directly as the current user.

pytest-postgresql's own ``postgresql_proc`` fixture *factory* is not used: it puts the
data directory under pytest's ``tmp_path_factory`` basetemp (``/tmp/pytest-of-root``,
forced to mode 0700 by pytest on every run), which the ``postgres`` user cannot
traverse, and there is no option to relocate it. Do not request pytest-postgresql's
built-in ``postgresql_proc`` / ``postgresql`` fixtures in this project; as root
they cannot start a server.

Binaries: newest ``/usr/lib/postgresql/*/bin`` (Debian layout), else ``pg_ctl`` on
PATH; override with ``KETENPOORT_PG_BINDIR``. If none is found the fixture *fails*
and tells you to run ``make test`` (which runs ``scripts/ensure-system-packages.sh``);
set ``KETENPOORT_TEST_SKIP_POSTGRES=1`` to skip those tests instead.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SKIP_ENV = "KETENPOORT_TEST_SKIP_POSTGRES"
BINDIR_ENV = "KETENPOORT_PG_BINDIR"
SESSION_DBNAME = "ketenpoort"
PG_OS_USER = "postgres"  # OS account the cluster runs under when we are root
PG_SUPERUSER = "postgres"  # database superuser created by initdb
HOST = "127.0.0.1"

# -F (fsync=off) is already passed by pytest-postgresql's start command.
SERVER_OPTIONS = (
    f"-c listen_addresses={HOST} "
    "-c full_page_writes=off "
    "-c synchronous_commit=off "
    "-c max_connections=200 "
    "-c log_min_messages=warning"
)


# --------------------------------------------------------------------------- discovery


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> numeric sort ("9.6" < "15" < "16")
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_pg_bindir() -> Path | None:
    """Directory holding pg_ctl/initdb/postgres, or None when PostgreSQL is not installed."""
    override = os.environ.get(BINDIR_ENV)
    if override:
        return Path(override) if (Path(override) / "pg_ctl").is_file() else None
    debian = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if debian:
        return max(debian, key=_version_key)
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).parent / "initdb").exists():
        return Path(on_path).resolve().parent
    return None


def _missing_postgres(reason: str) -> None:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{reason} ({SKIP_ENV}=1)")
    pytest.fail(
        f"{reason}.\n"
        "Run `make test` (it runs scripts/ensure-system-packages.sh, which installs the "
        "Debian `postgresql` package), or install PostgreSQL server binaries yourself "
        f"(or point {BINDIR_ENV} at a bin directory containing pg_ctl). "
        f"Set {SKIP_ENV}=1 to skip PostgreSQL-backed tests instead.",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- server


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    bindir: Path
    logfile: Path

    def url(self, dbname: str = "postgres", driver: str = "asyncpg") -> str:
        """SQLAlchemy URL, e.g. ``postgresql+asyncpg://postgres@127.0.0.1:PORT/postgres``."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{dbname}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError as exc:
            return f"<cannot read {self.logfile}: {exc}>"


def _write_runuser_wrapper(directory: Path, pg_ctl: Path) -> Path:
    runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if runuser is None:
        pytest.fail("Running as root but `runuser` (util-linux) is not installed.", pytrace=False)
    wrapper = directory / "pg_ctl"
    wrapper.write_text(
        "#!/bin/sh\n"
        "# generated by tests/plugins/postgres.py: PostgreSQL refuses to run as root\n"
        f'cd / && exec "{runuser}" -u {PG_OS_USER} -- "{pg_ctl}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


@contextmanager
def run_postgres_cluster() -> Iterator[PostgresServer]:
    """Start a throwaway cluster; stop and delete it on exit (also usable outside pytest)."""
    from mirakuru.exceptions import ExecutorError
    from pytest_postgresql.executors import PostgreSQLExecutor

    bindir = find_pg_bindir()
    if bindir is None:
        where = (
            f"{BINDIR_ENV}={os.environ[BINDIR_ENV]} has no pg_ctl"
            if os.environ.get(BINDIR_ENV)
            else "no /usr/lib/postgresql/*/bin/initdb, no pg_ctl on PATH"
        )
        _missing_postgres(f"PostgreSQL server binaries not found ({where})")
    assert bindir is not None
    pg_ctl = bindir / "pg_ctl"

    # Layout: <top> (ours, 0711) / bin/pg_ctl (root-owned wrapper) and pg/ (owned by the
    # server's OS user: data dir, socket dir, log). The wrapper must not live in a directory
    # the postgres account can write to, since root executes it.
    top = Path(tempfile.mkdtemp(prefix="ketenpoort-pg-"))
    top.chmod(0o711)
    pgdir = top / "pg"
    pgdir.mkdir(mode=0o700)
    (pgdir / "sock").mkdir(mode=0o700)
    executable = pg_ctl
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(PG_OS_USER)
        except KeyError:
            shutil.rmtree(top, ignore_errors=True)
            _missing_postgres(f"Running as root but there is no `{PG_OS_USER}` OS user to run PostgreSQL as")
            raise
        for path in (pgdir, pgdir / "sock"):
            os.chown(path, account.pw_uid, account.pw_gid)
        (top / "bin").mkdir(mode=0o755)
        executable = _write_runuser_wrapper(top / "bin", pg_ctl)

    port = _free_port()
    server = PostgresServer(HOST, port, PG_SUPERUSER, bindir, pgdir / "postgresql.log")
    executor = PostgreSQLExecutor(
        executable=str(executable),
        host=HOST,
        port=port,
        datadir=str(pgdir / "data"),
        unixsocketdir=str(pgdir / "sock"),
        logfile=str(server.logfile),
        startparams="-w",
        dbname=SESSION_DBNAME,
        user=PG_SUPERUSER,
        postgres_options=SERVER_OPTIONS,
        timeout=60,
    )
    try:
        try:
            executor.start()
        except (ExecutorError, OSError) as exc:
            pytest.fail(
                f"Could not start PostgreSQL ({executable}) on {HOST}:{port}: {exc!r}\n"
                f"--- {server.logfile} ---\n{server.log_tail()}",
                pytrace=False,
            )
        _wait_until_accepting(server)
        yield server
    finally:
        try:
            if executor.running():
                executor.stop()
        finally:
            shutil.rmtree(top, ignore_errors=True)


def _wait_until_accepting(server: PostgresServer, seconds: float = 60.0) -> None:
    """The port opens before recovery ends ("the database system is starting up"): wait for a real session."""
    import time

    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            with _connect_admin(server.url()):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                pytest.fail(f"PostgreSQL on {server.host}:{server.port} did not accept sessions\n{server.log_tail()}",
                            pytrace=False)
            time.sleep(0.1)


# --------------------------------------------------------------------------- databases


def _connect_admin(database_url: str):
    """Autocommit psycopg connection to the maintenance DB of the server behind ``database_url``."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def create_database(postgresql_url: str, name: str | None = None) -> str:
    """Create an empty database next to ``postgresql_url``'s; return its URL (same driver)."""
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = name or f"t_{uuid.uuid4().hex[:16]}"
    with _connect_admin(postgresql_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
    return make_url(postgresql_url).set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    """Drop the database named in ``database_url``, kicking out open connections."""
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = make_url(database_url).database
    if not name or name in {"postgres", "template0", "template1"}:
        raise ValueError(f"refusing to drop database {name!r}")
    with _connect_admin(database_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def temporary_database(postgresql_url: str, name: str | None = None) -> Iterator[str]:
    """``with temporary_database(postgresql_url) as url:`` - new empty database, dropped afterwards."""
    url = create_database(postgresql_url, name)
    try:
        yield url
    finally:
        drop_database(url)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    """The session's throwaway PostgreSQL cluster (see module docstring)."""
    with run_postgres_cluster() as server:
        yield server


@pytest.fixture(scope="session")
def postgresql_url(postgresql_server: PostgresServer) -> str:
    """``postgresql+asyncpg://postgres@127.0.0.1:PORT/ketenpoort`` (session-wide, shared)."""
    return create_database(postgresql_server.url(), SESSION_DBNAME)


@pytest.fixture(scope="module")
def module_database(postgresql_url: str) -> Iterator[str]:
    """URL of a new empty database for the current test module (asyncpg); dropped afterwards."""
    with temporary_database(postgresql_url) as url:
        yield url


@pytest.fixture
def fresh_database(postgresql_url: str) -> Iterator[str]:
    """URL of a new empty database for the current test (asyncpg); dropped afterwards."""
    with temporary_database(postgresql_url) as url:
        yield url


__all__ = [
    "PostgresServer",
    "create_database",
    "drop_database",
    "find_pg_bindir",
    "run_postgres_cluster",
    "temporary_database",
]
