"""HTTP at the boundary: timeouts, bounded connections, retries for reads, error translation.

Every foreign failure becomes a domain error here, once:

    asyncio / httpx timeout ................. BronNietBeschikbaar("timeout")
    connect / read / protocol errors ........ BronNietBeschikbaar("geen verbinding" | "verbindingsfout")
    reply larger than maxAntwoordBytes ...... BronNietBeschikbaar("antwoord te groot")
    any other exception from the transport .. BronNietBeschikbaar("onverwachte fout")
    HTTP 5xx / 429 (controleer_status) ...... BronNietBeschikbaar("serverfout")
    HTTP 401 / 403 .......................... BronWeigert("niet geautoriseerd")
    other HTTP 4xx .......................... BronWeigert("verzoek geweigerd")
    body that is not the expected JSON ...... BronNietBeschikbaar("onleesbaar antwoord")

Reasons are our own fixed words: foreign text (exception messages, fault strings) may hold a
BSN or content, so it never reaches a reason, a detail or a log line.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from gateway.domain.errors import BronNietBeschikbaar, BronWeigert

from .config import BronConfig

log = structlog.get_logger()

# RFC 9110 §9.2.2: these methods are idempotent; POST is only when the caller says so (a search).
_IDEMPOTENTE_METHODES = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_STANDAARD_OPNIEUW_BIJ = frozenset({500, 502, 503, 504})
_PER_POOL = 4  # connections per httpx client (bench/README.md, round 2: 2, 4 and 8 measured)
# Failures where the request most likely never got processed, or was a read anyway.
_OPNIEUW_FOUTEN = (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Antwoord:
    status: int
    headers: httpx.Headers
    inhoud: bytes


class _TeGroot(Exception):
    pass


class BronHttp:
    """Pooled httpx clients for one source; `verstuur` never lets a foreign exception escape."""

    def __init__(
        self,
        bronsysteem: str,
        slug: str,
        config: BronConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.bronsysteem = bronsysteem
        self._slug = slug
        self._config = config
        # Several small pools instead of one big one: httpcore checks every pooled connection (a socket
        # poll each) on every request start and end, so one pool of 16 costs about four times a pool of 4;
        # this halved the CPU of a meeting's 80 source calls. A given transport (tests, in-process mocks)
        # holds its own pool: one client then.
        aantal = 1 if transport is not None else -(-config.max_verbindingen // _PER_POOL)
        per_pool = -(-config.max_verbindingen // aantal)
        self._clients = [httpx.AsyncClient(
            base_url=config.base_url,
            timeout=httpx.Timeout(config.timeout_seconden),
            limits=httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool),
            # A partner's operator should see who calls; nothing about the person is in here.
            headers={"User-Agent": f"Ketenpoort-adapter/{slug}", **(headers or {})},
            auth=auth,
            transport=transport,
            follow_redirects=False,  # a redirect from a source is a misconfiguration, not something to follow blindly
        ) for _ in range(aantal)]
        self._bezig = [0] * aantal
        # Requests wait here, never in a pool (httpcore rescans its waiting requests on every change). With at
        # most maxVerbindingen in flight, the least busy pool always has a free connection.
        self._plekken = asyncio.Semaphore(config.max_verbindingen)

    async def verstuur(
        self,
        methode: str,
        pad: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        opnieuw_bij: frozenset[int] = _STANDAARD_OPNIEUW_BIJ,
    ) -> Antwoord:
        """Send once, or up to `pogingen` times for idempotent requests on transient failures.

        Timeouts are not retried: the attempt already spent the budget the gateway's deadline allows.
        """
        methode = methode.upper()
        herhaalbaar = methode in _IDEMPOTENTE_METHODES if idempotent is None else idempotent
        pogingen = self._config.pogingen if herhaalbaar else 1
        verzoek = self._clients[0].build_request(methode, pad, json=json_body, content=content, headers=headers)
        for poging in range(1, pogingen + 1):
            laatste = poging == pogingen
            try:
                async with self._plekken:
                    antwoord = await self._een_poging(verzoek)
            except _OPNIEUW_FOUTEN as fout:
                if laatste:
                    raise self._vertaal(fout) from None
                self._log_opnieuw(poging, soort=type(fout).__name__)
            else:
                if antwoord.status not in opnieuw_bij or laatste:
                    return antwoord
                self._log_opnieuw(poging, status=antwoord.status)
            await asyncio.sleep(self._wachttijd(poging))
        raise AssertionError("unreachable")  # pragma: no cover

    async def sluit(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def _een_poging(self, verzoek: httpx.Request) -> Antwoord:
        i = min(range(len(self._bezig)), key=self._bezig.__getitem__)
        self._bezig[i] += 1
        try:
            return await self._in_pool(i, verzoek)
        finally:
            self._bezig[i] -= 1

    async def _in_pool(self, i: int, verzoek: httpx.Request) -> Antwoord:
        try:
            # httpx times each phase; this bounds the whole exchange (and in-process ASGI transports,
            # which ignore httpx timeouts altogether).
            async with asyncio.timeout(self._config.timeout_seconden):
                response = await self._clients[i].send(verzoek, stream=True)
                try:
                    inhoud = bytearray()
                    async for deel in response.aiter_bytes():
                        inhoud += deel
                        if len(inhoud) > self._config.max_antwoord_bytes:
                            raise _TeGroot
                finally:
                    await response.aclose()
                return Antwoord(response.status_code, response.headers, bytes(inhoud))
        except _OPNIEUW_FOUTEN:
            raise
        except Exception as fout:  # noqa: BLE001 - the boundary: nothing foreign gets past here
            raise self._vertaal(fout) from None

    def _vertaal(self, fout: Exception) -> BronNietBeschikbaar:
        if isinstance(fout, TimeoutError | httpx.TimeoutException):
            reden, gebeurtenis = "timeout", "timeout"
            details = {"naSeconden": f"{self._config.timeout_seconden:g}"}
        elif isinstance(fout, _TeGroot):
            reden, gebeurtenis, details = "antwoord te groot", "te_groot", {}
        elif isinstance(fout, httpx.ConnectError):
            reden, gebeurtenis, details = "geen verbinding", "geen_verbinding", {}
        elif isinstance(fout, httpx.HTTPError):
            reden, gebeurtenis, details = "verbindingsfout", "verbindingsfout", {}
        else:
            reden, gebeurtenis, details = "onverwachte fout", "onverwachte_fout", {}
        # Only the exception type: its message may carry request data.
        log.warning(f"adapter.{self._slug}.{gebeurtenis}", bron=self.bronsysteem, soort=type(fout).__name__)
        return BronNietBeschikbaar(self.bronsysteem, reden, details)

    def _log_opnieuw(self, poging: int, **context: Any) -> None:
        log.info(f"adapter.{self._slug}.opnieuw", bron=self.bronsysteem, poging=poging, **context)

    def _wachttijd(self, poging: int) -> float:
        basis = self._config.wachttijd_seconden * 2.0 ** (poging - 1)
        return basis * (0.5 + random.random() / 2)  # jitter, so replicas do not retry in lockstep


def controleer_status(bronsysteem: str, slug: str, antwoord: Antwoord) -> None:
    """Raise the domain error for a non-2xx reply (see the module docstring)."""
    status = antwoord.status
    if 200 <= status < 300:
        return
    details = {"status": str(status)}
    if status == 429 or status >= 500:
        log.warning(f"adapter.{slug}.serverfout", bron=bronsysteem, status=status)
        raise BronNietBeschikbaar(bronsysteem, f"serverfout (HTTP {status})", details)
    if status in (401, 403):
        log.error(f"adapter.{slug}.niet_geautoriseerd", bron=bronsysteem, status=status)
        raise BronWeigert(bronsysteem, "niet geautoriseerd", details)
    if 400 <= status < 500:
        log.warning(f"adapter.{slug}.geweigerd", bron=bronsysteem, status=status)
        raise BronWeigert(bronsysteem, f"verzoek geweigerd (HTTP {status})", details)
    log.warning(f"adapter.{slug}.onverwacht_antwoord", bron=bronsysteem, status=status)
    raise BronNietBeschikbaar(bronsysteem, f"onverwacht antwoord (HTTP {status})", details)


def lees_json_object(bronsysteem: str, slug: str, antwoord: Antwoord) -> dict[str, Any]:
    """The body as a JSON object, or BronNietBeschikbaar("onleesbaar antwoord")."""
    try:
        waarde = json.loads(antwoord.inhoud)
    except (ValueError, UnicodeDecodeError):
        waarde = None
    if not isinstance(waarde, dict):
        log.warning(f"adapter.{slug}.onleesbaar", bron=bronsysteem, reden="geen JSON-object")
        raise BronNietBeschikbaar(bronsysteem, "onleesbaar antwoord")
    return waarde
