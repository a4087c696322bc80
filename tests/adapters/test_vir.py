"""VIR: signals and matches; one contact point, never the list of signalling organisations."""

from __future__ import annotations

from datetime import date

import httpx

from adapters._gedeeld import Brondata
from adapters.vir import mock as vir_mock

from .conftest import BEKEND, BRONDATA, VERLOPEN_VIR, json_app


async def _zoek(body: dict, headers: dict | None = None) -> httpx.Response:
    app = vir_mock.maak_app(Brondata.uit(BRONDATA))
    kop = {"X-VIR-Apikey": vir_mock.STANDAARD_API_KEY, "X-VIR-OIN": "0" * 20, **(headers or {})}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vir") as c:
        return await c.post("/api/v1/signalen/_zoek", json=body, headers=kop)


async def test_twee_organisaties_maken_een_match(opstelling):
    antwoord = (await _zoek({"bsn": BEKEND})).json()
    assert antwoord["match"] is not None
    assert len(antwoord["signalen"]) == 2
    assert [s["centraalContactpunt"] for s in antwoord["signalen"]] == [True, False]

    o = await opstelling("VIR")
    dat = await o.bron.zoek(BEKEND)
    assert dat.referentie == antwoord["match"]["matchId"]
    assert dat.contactpunt is not None and dat.contactpunt.naam == "Wijkteam Jeugd Oost"
    assert dat.bekend_sinds == date(2025, 9, 1)


async def test_signaal_ouder_dan_vijf_jaar_is_verdwenen(opstelling):
    o = await opstelling("VIR")
    assert (await o.bron.zoek(VERLOPEN_VIR)).bekend is False


async def test_doelgroep_volgt_de_leeftijd():
    assert (await _zoek({"bsn": BEKEND, "geboortedatum": "2011-05-01"})).json()["doelgroep"] is True
    assert (await _zoek({"bsn": BEKEND, "geboortedatum": "1990-05-01"})).json()["doelgroep"] is False


async def test_mock_eist_sleutel_en_oin():
    assert (await _zoek({"bsn": BEKEND}, {"X-VIR-Apikey": "fout"})).status_code == 401
    assert (await _zoek({"bsn": BEKEND}, {"X-VIR-OIN": "123"})).status_code == 400
    assert (await _zoek({"bsn": BEKEND, "geboortedatum": "gisteren"})).status_code == 400


async def test_zonder_centraal_contactpunt_het_oudste_actieve_signaal(opstelling):
    antwoord = {
        "peildatum": "2026-11-23T10:00:00Z",
        "match": None,
        "signalen": [
            {
                "signaalId": "S-OUD",
                "afgegevenOp": "2022-01-01",
                "status": "inactief",
                "contactpersoon": {"naam": "Oud"},
            },
            {"signaalId": "S-NIEUW", "afgegevenOp": "2026-02-01", "status": "actief", "contactpersoon": {"naam": "Nu"}},
            {
                "signaalId": "S-MIDDEN",
                "afgegevenOp": "2025-03-01",
                "status": "actief",
                "contactpersoon": {"naam": "Eerder"},
            },
        ],
    }
    o = await opstelling("VIR", app=json_app(200, antwoord))
    dat = await o.bron.zoek(BEKEND)
    assert dat.referentie == "S-MIDDEN"
    assert dat.bekend_sinds == date(2022, 1, 1)  # the index has known the person since the first signal


async def test_adapter_stuurt_oin_mee(opstelling):
    o = await opstelling("VIR")
    await o.bron.zoek(BEKEND)
    assert o.app.verzoeken[0]["headers"]["x-vir-oin"] == "00000099123456780000"
