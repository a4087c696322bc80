"""Fixtures for the adapter tests: each adapter against its own mock, in-process (httpx.ASGITransport).

The test people carry distinctive content markers (GEHEIM-...) so a test can prove that no
content crosses the adapter boundary.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters import maak_bron
from adapters._gedeeld import Brondata, StoringMiddleware
from adapters.bps import mock as bps_mock
from adapters.depan import mock as depan_mock
from adapters.jco_support import mock as jco_mock
from adapters.vir import mock as vir_mock
from gateway.domain.ports import Bron

BEKEND = "999990019"  # known in all four systems
ONBEKEND = "999990044"  # known nowhere
VERLOPEN_VIR = "999990081"  # only a VIR signal older than five years, so no longer visible
ALLE = ("BPS", "JCO-support", "Depan", "VIR")

GEHEIMEN = (
    "GEHEIM-BPS-omschrijving",
    "GEHEIM-BPS-modus",
    "GEHEIM-JCO-feit",
    "GEHEIM-JCO-afdoening",
    "13/GEHEIM-26",
    "GEHEIM-DEPAN-schulden",
    "GEHEIM-DEPAN-inrichting",
    "2026-12-15",
    "GEHEIM-VIR-organisatie",
    "GEHEIM-VIR-behandelaar",
)

BRONDATA: dict[str, Any] = {
    "personen": [
        {
            "bsn": BEKEND,
            "geboortedatum": date(2011, 5, 1),
            "BPS": {
                "bekendSinds": date(2025, 2, 11),
                "contactpunt": {"naam": "Wijkagent Centrum", "telefoon": "0900-8844"},
                "registraties": [{"datum": date(2025, 2, 11), "omschrijving": "GEHEIM-BPS-omschrijving"}],
                "modusOperandi": "GEHEIM-BPS-modus",
            },
            "JCO-support": {
                "bekendSinds": date(2025, 6, 3),
                "contactpunt": {"naam": "Jeugdparket Demo", "email": "jeugdparket@om.demo.example"},
                "zaken": [
                    {
                        "parketnummer": "13/GEHEIM-26",
                        "feit": "GEHEIM-JCO-feit",
                        "voorgesteldeAfdoening": "GEHEIM-JCO-afdoening",
                    }
                ],
            },
            "Depan": {
                "bekendSinds": date(2026, 6, 1),
                "contactpunt": {"naam": "PI Vught, afdeling MMD", "telefoon": "012-345 6801"},
                "peildatum": "2026-11-01T00:00:00Z",
                "status": "gedetineerd",
                "inrichting": "GEHEIM-DEPAN-inrichting",
                "verwachteUitstroom": date(2026, 12, 15),
                "leefgebieden": {"schulden": "GEHEIM-DEPAN-schulden"},
            },
            "VIR": {
                "bekendSinds": date(2025, 9, 1),
                "contactpunt": {"naam": "Wijkteam Jeugd Oost", "telefoon": "012-345 6901"},
                "signalen": [
                    {
                        "organisatie": "GEHEIM-VIR-organisatie",
                        "afgegevenOp": date(2025, 10, 1),
                        "contactpunt": {"naam": "GEHEIM-VIR-behandelaar"},
                    }
                ],
            },
        },
        {"bsn": ONBEKEND, "geboortedatum": date(1990, 1, 1)},
        {
            "bsn": VERLOPEN_VIR,
            "VIR": {"bekendSinds": date(2019, 1, 1), "contactpunt": {"naam": "Jeugdteam Oud"}},
        },
    ]
}

VERWACHT: dict[str, dict[str, Any]] = {
    "BPS": {"sinds": date(2025, 2, 11), "contact": "Wijkagent Centrum"},
    "JCO-support": {"sinds": date(2025, 6, 3), "contact": "Jeugdparket Demo"},
    "Depan": {"sinds": date(2026, 6, 1), "contact": "PI Vught, afdeling MMD"},
    "VIR": {"sinds": date(2025, 9, 1), "contact": "Wijkteam Jeugd Oost"},
}

_MOCKS: dict[str, Callable[[Brondata], StoringMiddleware]] = {
    "BPS": bps_mock.maak_app,
    "JCO-support": jco_mock.maak_app,
    "Depan": depan_mock.maak_app,
    "VIR": vir_mock.maak_app,
}

_CONFIG: dict[str, dict[str, Any]] = {
    "BPS": {"apiKey": bps_mock.STANDAARD_API_KEY},
    "JCO-support": {"gebruikersnaam": jco_mock.STANDAARD_GEBRUIKER, "wachtwoord": jco_mock.STANDAARD_WACHTWOORD},
    "Depan": {"clientId": depan_mock.STANDAARD_CLIENT_ID, "clientSecret": depan_mock.STANDAARD_CLIENT_SECRET},
    "VIR": {"apiKey": vir_mock.STANDAARD_API_KEY, "organisatieOin": "00000099123456780000"},
}


def config(bronsysteem: str, **extra: Any) -> dict[str, Any]:
    """Short timeouts and no back-off, so the whole suite stays fast."""
    return {
        "baseUrl": f"http://{bronsysteem.lower()}.test",
        "timeoutSeconden": 0.15,
        "pogingen": 2,
        "wachttijdSeconden": 0,
        "circuitBreaker": {"drempel": 3, "herstelSeconden": 30},
        **_CONFIG[bronsysteem],
        **extra,
    }


class Teller:
    """Counts (and records) requests that reach the wrapped app, `/_storing` excluded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.verzoeken: list[dict[str, Any]] = []

    @property
    def aantal(self) -> int:
        return len(self.verzoeken)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/_storing":
            self.verzoeken.append(
                {
                    "methode": scope["method"],
                    "pad": scope["path"],
                    "query": scope["query_string"].decode(),
                    "headers": {k.decode().lower(): v.decode() for k, v in scope["headers"]},
                }
            )
        await self.app(scope, receive, send)


@dataclass
class Opstelling:
    bronsysteem: str
    bron: Bron
    app: Teller
    klok: list[float] = field(default_factory=lambda: [0.0])

    async def storing(self, latentie_ms: int = 0, foutkans: float = 0.0) -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://mock") as c:
            r = await c.put("/_storing", json={"latentieMs": latentie_ms, "foutkans": foutkans})
            assert r.status_code == 200

    async def herstel(self) -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://mock") as c:
            assert (await c.delete("/_storing")).status_code == 204


MaakOpstelling = Callable[..., Awaitable[Opstelling]]


@pytest.fixture
async def opstelling() -> Any:
    """`await opstelling("BPS", app=None, **config)`: the adapter wired to its mock (or to `app`)."""
    gemaakt: list[Opstelling] = []

    async def maak(bronsysteem: str, *, app: ASGIApp | None = None, **extra: Any) -> Opstelling:
        teller = Teller(app or _MOCKS[bronsysteem](Brondata.uit(BRONDATA)))
        klok = [0.0]  # hand-cranked, for the circuit breaker's recovery time
        bron = maak_bron(
            bronsysteem,
            config(bronsysteem, **extra),
            transport=httpx.ASGITransport(app=teller),
            klok=lambda: klok[0],
        )
        o = Opstelling(bronsysteem, bron, teller, klok)
        gemaakt.append(o)
        return o

    yield maak
    for o in gemaakt:
        await o.bron.sluit()


def vaste_app(status: int, inhoud: bytes | str, content_type: str = "application/json") -> ASGIApp:
    """A tiny foreign system that always answers the same thing (garbage, an HTML page, ...)."""
    body = inhoud.encode() if isinstance(inhoud, str) else inhoud

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type.encode())]}
        )
        await send({"type": "http.response.body", "body": body})

    return app


def json_app(status: int, waarde: Any) -> ASGIApp:
    return vaste_app(status, json.dumps(waarde))


def zonder_bsn(fout: BaseException, *bsns: str) -> None:
    """No BSN in anything an error exposes: message, repr, details, args."""
    teksten = [str(fout), repr(fout), repr(getattr(fout, "details", "")), repr(fout.args)]
    for bsn in bsns or (BEKEND, ONBEKEND, VERLOPEN_VIR):
        for tekst in teksten:
            assert bsn not in tekst, f"BSN in foutmelding: {tekst!r}"
