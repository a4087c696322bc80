"""The shared boundary machinery: retries only for reads, circuit breaker, /_storing, brondata."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
from starlette.responses import PlainTextResponse

from adapters._gedeeld import BronConfig, Brondata, BronHttp, StoringMiddleware, Stroomonderbreker, Toestand
from gateway.domain.errors import BronNietBeschikbaar, BronWeigert

from .conftest import BEKEND


def _http(handler, **config) -> BronHttp:
    instellingen = {"baseUrl": "http://bron.test", "pogingen": 3, "wachttijdSeconden": 0, "timeoutSeconden": 0.1}
    return BronHttp(
        "Test", "test", BronConfig.model_validate({**instellingen, **config}), transport=httpx.MockTransport(handler)
    )


class _Telt:
    def __init__(self, status: int = 503) -> None:
        self.status = status
        self.methodes: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.methodes.append(request.method)
        return httpx.Response(self.status)


@pytest.mark.parametrize(
    ("methode", "idempotent", "pogingen"),
    [
        ("GET", None, 3),  # a read by its method
        ("POST", True, 3),  # a search sent as POST, declared a read
        ("POST", None, 1),  # anything else: sent once
        ("POST", False, 1),
        ("GET", False, 1),
    ],
)
async def test_alleen_leesacties_worden_herhaald(methode, idempotent, pogingen):
    teller = _Telt()
    http = _http(teller)
    antwoord = await http.verstuur(methode, "/x", idempotent=idempotent)
    await http.sluit()
    assert antwoord.status == 503
    assert len(teller.methodes) == pogingen


async def test_verbindingsfout_bij_schrijven_niet_herhaald():
    pogingen = 0

    def weiger(request: httpx.Request) -> httpx.Response:
        nonlocal pogingen
        pogingen += 1
        raise httpx.ConnectError("weg", request=request)

    http = _http(weiger)
    with pytest.raises(BronNietBeschikbaar):
        await http.verstuur("POST", "/x", json_body={"bsn": BEKEND})
    await http.sluit()
    assert pogingen == 1


async def test_herstel_na_een_mislukte_poging():
    antwoorden = iter([httpx.Response(502), httpx.Response(200, text="ok")])
    http = _http(lambda _: next(antwoorden))
    antwoord = await http.verstuur("GET", "/x")
    await http.sluit()
    assert (antwoord.status, antwoord.inhoud) == (200, b"ok")


async def test_circuit_telt_weigeringen_niet_en_annulering_geeft_de_proef_vrij():
    klok = [0.0]
    c = Stroomonderbreker("Test", "test", drempel=2, herstel_seconden=10, klok=lambda: klok[0])

    async def faal() -> None:
        raise BronNietBeschikbaar("Test", "timeout")

    async def weiger() -> None:
        raise BronWeigert("Test", "verzoek geweigerd")

    async def ok() -> str:
        return "ok"

    for _ in range(3):
        with pytest.raises(BronWeigert):
            await c.roep_aan(weiger)
    assert c.toestand is Toestand.GESLOTEN
    for _ in range(2):
        with pytest.raises(BronNietBeschikbaar):
            await c.roep_aan(faal)
    assert c.toestand is Toestand.OPEN

    klok[0] = 11
    proef = asyncio.create_task(c.roep_aan(lambda: asyncio.sleep(10)))
    await asyncio.sleep(0)
    with pytest.raises(BronNietBeschikbaar, match="circuit open"):  # one trial at a time
        await c.roep_aan(ok)
    proef.cancel()
    with pytest.raises(asyncio.CancelledError):
        await proef
    assert await c.roep_aan(ok) == "ok"  # the cancelled trial freed the slot
    assert c.toestand is Toestand.GESLOTEN


async def test_storing_beheer():
    app = StoringMiddleware(PlainTextResponse("hallo"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as c:
        assert (await c.put("/_storing", json={"latentieMs": -1})).status_code == 400
        assert (await c.put("/_storing", json={"foutkans": 1.5})).status_code == 400
        assert (await c.put("/_storing", json={"foutkans": True})).status_code == 400
        assert (await c.put("/_storing", content=b"geen json")).status_code == 400
        assert (await c.post("/_storing")).status_code == 405
        r = await c.put("/_storing", json={"latentieMs": 5, "foutkans": 1})
        assert r.json() == {"latentieMs": 5, "foutkans": 1.0}
        assert (await c.get("/_storing")).json() == {"latentieMs": 5, "foutkans": 1.0}
        assert (await c.get("/iets")).status_code == 503
        assert (await c.delete("/_storing")).status_code == 204
        assert (await c.get("/iets")).text == "hallo"


def test_brondata_scheidt_dat_en_inhoud():
    data = Brondata.uit(
        {
            "personen": [
                {
                    "bsn": BEKEND,
                    "Depan": {
                        "bekendSinds": "2026-06-01",
                        "contactpunt": {"naam": "PI Vught", "afdeling MMD": None},
                        "peildatum": "2026-11-01T00:00:00",
                        "status": "gedetineerd",
                    },
                }
            ]
        }
    )
    reg = data.voor("Depan")[BEKEND]
    assert reg.bekend_sinds == date(2026, 6, 1)
    assert reg.contactpunt == {"naam": "PI Vught"}
    assert reg.peildatum is not None and reg.peildatum.tzinfo is not None
    assert reg.inhoud == {"status": "gedetineerd"}
    assert BEKEND not in reg.referentie("X-")
    assert data.voor("BPS") == {}


def test_brondata_fouten_noemen_de_plek_niet_het_bsn():
    with pytest.raises(ValueError) as fout:
        Brondata.uit(
            {
                "personen": [
                    {"bsn": "999990018", "BPS": {"bekendSinds": "2025-01-01", "contactpunt": {"naam": "x"}}},
                    {"bsn": BEKEND, "Politie": {}},
                    {"bsn": BEKEND, "VIR": {"contactpunt": {"naam": "x"}}},
                    {"bsn": "999990044", "Depan": {"bekendSinds": "gisteren", "contactpunt": {}}},
                ]
            }
        )
    tekst = str(fout.value)
    for verwacht in (
        "personen[0].bsn: geen geldig BSN",
        "personen[1].Politie: onbekend bronsysteem",
        "personen[2].bsn: dubbel",
        "personen[2].VIR.bekendSinds: verplicht",
        "personen[3].Depan.bekendSinds: geen datum",
    ):
        assert verwacht in tekst
    assert "999990018" not in tekst and BEKEND not in tekst


async def test_niet_meer_verzoeken_tegelijk_dan_maxverbindingen_de_rest_wacht():
    bezig = hoogste = 0

    async def traag(request: httpx.Request) -> httpx.Response:
        nonlocal bezig, hoogste
        bezig += 1
        hoogste = max(hoogste, bezig)
        await asyncio.sleep(0.01)
        bezig -= 1
        return httpx.Response(200, json={})

    http = _http(traag, maxVerbindingen=2, timeoutSeconden=5)
    antwoorden = await asyncio.gather(*(http.verstuur("GET", "/x") for _ in range(7)))
    await http.sluit()
    assert [a.status for a in antwoorden] == [200] * 7  # everyone served, in turn
    assert hoogste == 2  # waiting happens in the adapter, never in httpcore's pool


async def test_kleine_pools_laten_maxverbindingen_verzoeken_tegelijk_over_echte_sockets_toe():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from tests.support.server import echte_server

    bezig = hoogste = 0
    poorten: set[int] = set()

    async def traag(request):  # noqa: ANN001, ANN202
        nonlocal bezig, hoogste
        poorten.add(request.client.port)  # one client port per connection
        bezig += 1
        hoogste = max(hoogste, bezig)
        await asyncio.sleep(0.05)
        bezig -= 1
        return JSONResponse({})

    async with echte_server(Starlette(routes=[Route("/x", traag)])) as url:
        http = BronHttp("Test", "test", BronConfig.model_validate(
            {"baseUrl": url, "maxVerbindingen": 10, "timeoutSeconden": 5}))
        for _ in range(2):  # the second round reuses the connections of the first
            antwoorden = await asyncio.gather(*(http.verstuur("GET", "/x") for _ in range(25)))
            assert [a.status for a in antwoorden] == [200] * 25
        await http.sluit()
    # Spread over pools of at most four, yet all ten connections in use at once and never more.
    assert hoogste == 10 and len(poorten) == 10
