"""The four partner source-system adapters, their registry, and their mock systems.

    BRONSYSTEMEN                         the systems this package can talk to
    maak_bron(bronsysteem, config)       a `gateway.domain.ports.Bron` for one system
    laad_bronnen_config(path)            bronnen.yaml -> {bronsysteem: settings}
    maak_mock_apps(brondata_path)        {bronsysteem: ASGI app} serving brondata.yaml
    serve_mocks(base_port, brondata)     the four mocks over real sockets, until cancelled

Each adapter (bps, jco_support, depan, vir) has config, client, mapping, source and mock, and
imports only `gateway.domain` and `adapters._gedeeld` (never another adapter).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import structlog
import uvicorn
import yaml
from pydantic import ValidationError
from starlette.types import ASGIApp

from gateway.domain.ports import Bron

from . import bps, depan, jco_support, vir
from ._gedeeld import BronConfig, laad_brondata
from .bps import mock as bps_mock
from .depan import mock as depan_mock
from .jco_support import mock as jco_support_mock
from .vir import mock as vir_mock

__all__ = [
    "BRONSYSTEMEN",
    "MOCK_POORT_OFFSET",
    "laad_bronnen_config",
    "maak_bron",
    "maak_mock_apps",
    "mock_base_url",
    "serve_mocks",
]

log = structlog.get_logger()

BRONSYSTEMEN: tuple[str, ...] = ("BPS", "JCO-support", "Depan", "VIR")
MOCK_POORT_OFFSET: Mapping[str, int] = {"BPS": 1, "JCO-support": 2, "Depan": 3, "VIR": 4}

_ADAPTERS: Mapping[str, tuple[type[BronConfig], type[Any]]] = {
    "BPS": (bps.BpsConfig, bps.BpsBron),
    "JCO-support": (jco_support.JcoSupportConfig, jco_support.JcoSupportBron),
    "Depan": (depan.DepanConfig, depan.DepanBron),
    "VIR": (vir.VirConfig, vir.VirBron),
}
_OMGEVING = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def maak_bron(
    bronsysteem: str,
    config: Mapping[str, Any] | BronConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    klok: Callable[[], float] = time.monotonic,
) -> Bron:
    """The adapter for `bronsysteem`, configured by its bronnen.yaml entry.

    `transport` replaces the network, e.g. `httpx.ASGITransport(app=maak_mock_apps(p)["BPS"])`
    to run against a mock in-process; `klok` drives the circuit breaker's recovery time (tests).
    Raises ValueError for an unknown system or bad settings.
    """
    try:
        config_klasse, bron_klasse = _ADAPTERS[bronsysteem]
    except KeyError:
        raise ValueError(f"onbekend bronsysteem {bronsysteem!r}; bekend: {', '.join(BRONSYSTEMEN)}") from None
    if isinstance(config, BronConfig):
        if not isinstance(config, config_klasse):
            raise ValueError(f"{type(config).__name__} is geen configuratie voor {bronsysteem}")
        geldig = config
    else:
        geldig = _valideer(bronsysteem, config_klasse, config)
    bron: Bron = bron_klasse(geldig, transport=transport, klok=klok)
    return bron


def laad_bronnen_config(
    path: str | os.PathLike[str], *, mock_base_port: int | None = None
) -> dict[str, dict[str, Any]]:
    """Read bronnen.yaml: `{bronnen: {<bronsysteem>: {baseUrl, timeoutSeconden, ..., credentials}}}`.

    `${NAME}` and `${NAME:-default}` in string values come from the environment, so production
    credentials need not live in the file. Every entry is validated here, at start-up, so a typo
    fails the boot rather than the first meeting. `mock_base_port` points every system at the
    local mock on base+1..4 (what `ketenpoort demo --mock-base-port` needs).
    """
    with Path(path).open(encoding="utf-8") as bestand:
        document = yaml.safe_load(bestand) or {}
    bronnen = document.get("bronnen") if isinstance(document, Mapping) else None
    if not isinstance(bronnen, Mapping):
        raise ValueError(f"{path}: verwacht een mapping 'bronnen' met per bronsysteem de instellingen")
    resultaat: dict[str, dict[str, Any]] = {}
    for bronsysteem, ruw in bronnen.items():
        if bronsysteem not in _ADAPTERS:
            raise ValueError(f"{path}: bronnen.{bronsysteem}: onbekend bronsysteem; bekend: {', '.join(BRONSYSTEMEN)}")
        if not isinstance(ruw, Mapping):
            raise ValueError(f"{path}: bronnen.{bronsysteem}: verwacht een mapping")
        instellingen = {k: _vul_omgeving(v, f"bronnen.{bronsysteem}.{k}") for k, v in ruw.items()}
        if mock_base_port is not None:
            instellingen["baseUrl"] = mock_base_url(bronsysteem, mock_base_port)
        _valideer(bronsysteem, _ADAPTERS[bronsysteem][0], instellingen)
        resultaat[bronsysteem] = instellingen
    return resultaat


def mock_base_url(bronsysteem: str, base_port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{base_port + MOCK_POORT_OFFSET[bronsysteem]}"


def maak_mock_apps(brondata_path: str | os.PathLike[str]) -> dict[str, ASGIApp]:
    """One ASGI app per source system, each speaking its native interface (see each mock's docstring)."""
    brondata = laad_brondata(brondata_path)
    return {
        "BPS": bps_mock.maak_app(brondata),
        "JCO-support": jco_support_mock.maak_app(brondata),
        "Depan": depan_mock.maak_app(brondata),
        "VIR": vir_mock.maak_app(brondata),
    }


class _MockConfig(uvicorn.Config):
    def configure_logging(self) -> None:
        """Leave logging to the process owner: four mocks must not reconfigure the gateway's loggers."""


class _MockServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Ctrl-C belongs to the process owner (asyncio.run cancels us); we stop on cancellation.
        yield


async def serve_mocks(
    base_port: int,
    brondata_path: str | os.PathLike[str],
    host: str = "127.0.0.1",
    *,
    gestart: asyncio.Event | None = None,
) -> None:
    """Serve the four mocks (BPS base+1, JCO-support +2, Depan +3, VIR +4) until cancelled.

    Sets `gestart` once all four listen. On cancellation (Ctrl-C) the servers finish their
    open requests and close; a port that cannot be bound raises RuntimeError.
    """
    apps = maak_mock_apps(brondata_path)
    servers = {
        naam: _MockServer(_MockConfig(app, host=host, port=base_port + MOCK_POORT_OFFSET[naam], lifespan="off"))
        for naam, app in apps.items()
    }
    taken = [asyncio.create_task(_draai(naam, server), name=f"mock-{naam}") for naam, server in servers.items()]
    try:
        while not all(s.started for s in servers.values()):
            for taak in taken:
                if taak.done():
                    await taak  # raises why it stopped (a port in use, say)
            await asyncio.sleep(0.02)
        log.info("mocks.gestart", host=host, poorten={n: s.config.port for n, s in servers.items()})
        if gestart is not None:
            gestart.set()
        # wait, unlike gather, does not cancel the servers when we are cancelled: they stop gracefully below.
        klaar, _ = await asyncio.wait(taken, return_when=asyncio.FIRST_COMPLETED)
        for taak in klaar:
            taak.result()
    finally:
        for server in servers.values():
            server.should_exit = True
        _, blijvers = await asyncio.wait(taken, timeout=5)
        for taak in blijvers:
            taak.cancel()
        log.info("mocks.gestopt")


async def _draai(naam: str, server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit:
        # uvicorn exits the process when it cannot bind; inside a task that would kill the loop.
        raise RuntimeError(f"mock {naam} kon niet starten op {server.config.host}:{server.config.port}") from None


def _valideer(bronsysteem: str, klasse: type[BronConfig], instellingen: Mapping[str, Any]) -> BronConfig:
    try:
        return klasse.model_validate(instellingen)
    except ValidationError as fout:
        # Our own wording: pydantic's text would echo the input, and that may be a secret.
        problemen = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in fout.errors())
        raise ValueError(f"bronnen.{bronsysteem}: {problemen}") from None


def _vul_omgeving(waarde: Any, pad: str) -> Any:
    if isinstance(waarde, Mapping):
        return {k: _vul_omgeving(v, f"{pad}.{k}") for k, v in waarde.items()}
    if not isinstance(waarde, str):
        return waarde

    def vervang(m: re.Match[str]) -> str:
        naam, standaard = m.group(1), m.group(2)
        if naam in os.environ:
            return os.environ[naam]
        if standaard is not None:
            return standaard
        raise ValueError(f"{pad}: omgevingsvariabele {naam} is niet gezet")

    return _OMGEVING.sub(vervang, waarde)
