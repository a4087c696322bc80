"""BPS: the native REST/JSON query, and what the adapter keeps of it."""

from __future__ import annotations

from datetime import date

import httpx

from adapters._gedeeld import Brondata
from adapters.bps import mock as bps_mock
from adapters.bps.mapping import naar_dat_informatie

from .conftest import BEKEND, BRONDATA, json_app


async def _post(body: object, sleutel: str = bps_mock.STANDAARD_API_KEY) -> httpx.Response:
    app = bps_mock.maak_app(Brondata.uit(BRONDATA))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bps") as c:
        return await c.post("/api/v2/personen/_zoek", json=body, headers={"X-BPS-ApiKey": sleutel})


async def test_mock_spreekt_bps_met_mutaties_als_inhoud():
    r = await _post({"bsn": BEKEND})
    assert r.status_code == 200
    persoon = r.json()["personen"][0]
    assert persoon["eersteRegistratie"] == "2025-02-11"
    assert persoon["behandelendTeam"]["naam"] == "Wijkagent Centrum"
    assert persoon["mutaties"][0]["omschrijving"] == "GEHEIM-BPS-omschrijving"  # content, served natively
    assert persoon["modusOperandi"] == "GEHEIM-BPS-modus"
    assert persoon["registratienummer"].startswith("PL-") and BEKEND not in persoon["registratienummer"]


async def test_mock_weigert_zonder_sleutel_en_bij_ongeldig_bsn():
    assert (await _post({"bsn": BEKEND}, sleutel="fout")).status_code == 401
    assert (await _post({"bsn": "123456789"})).status_code == 400
    assert (await _post(["geen", "object"])).status_code == 400


async def test_adapter_stuurt_api_sleutel_en_geboortedatum(opstelling):
    o = await opstelling("BPS")
    await o.bron.zoek(BEKEND, date(2011, 5, 1))
    (verzoek,) = o.app.verzoeken
    assert verzoek["pad"] == "/api/v2/personen/_zoek"
    assert verzoek["headers"]["x-bps-apikey"] == bps_mock.STANDAARD_API_KEY


async def test_dubbele_registratie_kiest_de_oudste(opstelling):
    antwoord = {
        "peilmoment": "2026-11-23T10:00:00Z",
        "aantal": 2,
        "personen": [
            {"registratienummer": "PL-B", "eersteRegistratie": "2025-05-01", "behandelendTeam": {"naam": "Team B"}},
            {"registratienummer": "PL-A", "eersteRegistratie": "2024-01-01", "behandelendTeam": {"naam": "Team A"}},
        ],
    }
    o = await opstelling("BPS", app=json_app(200, antwoord))
    dat = await o.bron.zoek(BEKEND)
    assert (dat.referentie, dat.contactpunt and dat.contactpunt.naam) == ("PL-A", "Team A")


def test_mapping_zonder_team_geeft_geen_contactpunt():
    dat = naar_dat_informatie(
        {
            "peilmoment": "2026-11-23T10:00:00",
            "personen": [{"registratienummer": "PL-1", "eersteRegistratie": "2025-01-01"}],
        }
    )
    assert dat.bekend and dat.contactpunt is None
    assert dat.bron_peildatum is not None and dat.bron_peildatum.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
