"""Depan: the per-person lookup, the paged release feed of the mock, and a stale peildatum."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx

from adapters._gedeeld import Brondata
from adapters.depan import mock as depan_mock

from .conftest import BEKEND, BRONDATA, json_app


def _persoon(i: int, bsn: str, uitstroom: date) -> dict:
    return {
        "bsn": bsn,
        "Depan": {
            "bekendSinds": date(2026, 1, i + 1),
            "contactpunt": {"naam": f"PI Demo {i}"},
            "status": "gedetineerd",
            "verwachteUitstroom": uitstroom,
            "gemeente": "gemeente-a" if i % 2 else "gemeente-b",
        },
    }


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://depan",
        auth=(depan_mock.STANDAARD_CLIENT_ID, depan_mock.STANDAARD_CLIENT_SECRET),
    )


async def test_verouderde_peildatum_komt_mee(opstelling):
    o = await opstelling("Depan")
    dat = await o.bron.zoek(BEKEND)
    # The record says "gedetineerd, uitstroom 2026-12-15", but as of 1 November: the meeting sees how old.
    assert dat.bron_peildatum == datetime(2026, 11, 1, tzinfo=UTC)
    assert dat.referentie and dat.referentie.startswith("DPN-")


async def test_zonder_eigen_peildatum_geldt_de_nachtelijke_batch(opstelling):
    antwoord = {
        "peildatum": "2026-11-23T02:00:00Z",
        "gedetineerden": [{"detentieId": "DPN-1", "registratiedatum": "2026-01-01", "contactpunt": {"naam": "PI"}}],
    }
    o = await opstelling("Depan", app=json_app(200, antwoord))
    assert (await o.bron.zoek(BEKEND)).bron_peildatum == datetime(2026, 11, 23, 2, tzinfo=UTC)


async def test_meerdere_detenties_geven_de_laatste(opstelling):
    antwoord = {
        "peildatum": "2026-11-23T02:00:00Z",
        "gedetineerden": [
            {"detentieId": "DPN-OUD", "registratiedatum": "2024-01-01", "contactpunt": {"naam": "PI Oud"}},
            {"detentieId": "DPN-NU", "registratiedatum": "2026-03-01", "contactpunt": {"naam": "PI Nu"}},
        ],
    }
    o = await opstelling("Depan", app=json_app(200, antwoord))
    dat = await o.bron.zoek(BEKEND)
    assert (dat.referentie, dat.bekend_sinds) == ("DPN-NU", date(2026, 3, 1))


async def test_adapter_gebruikt_http_basic(opstelling):
    o = await opstelling("Depan")
    await o.bron.zoek(BEKEND)
    (verzoek,) = o.app.verzoeken
    assert verzoek["headers"]["authorization"].startswith("Basic ")


async def test_uitstroomfeed_is_gepagineerd():
    bsns = ["999990093", "999990111", "999990123", "999990135", "999990147"]
    data = Brondata.uit({"personen": [_persoon(i, b, date(2026, 12, 10 - i)) for i, b in enumerate(bsns)]})
    async with _client(depan_mock.maak_app(data)) as c:
        eerste = (await c.get("/api/v1/uitstroom", params={"pagina": 1, "paginaGrootte": 2})).json()
        laatste = (await c.get("/api/v1/uitstroom", params={"pagina": 3, "paginaGrootte": 2})).json()
        gefilterd = (await c.get("/api/v1/uitstroom", params={"gemeente": "gemeente-a"})).json()
    assert eerste["totaalAantal"] == 5 and len(eerste["items"]) == 2
    assert eerste["items"][0]["verwachteUitstroom"] == "2026-12-06"  # earliest release first
    assert "volgende" in eerste["_links"] and "vorige" not in eerste["_links"]
    assert len(laatste["items"]) == 1 and "volgende" not in laatste["_links"]
    assert "peildatum" in eerste
    assert gefilterd["totaalAantal"] == 2


async def test_uitstroomfeed_weigert_onzin_en_vreemden():
    async with _client(depan_mock.maak_app(Brondata.uit(BRONDATA))) as c:
        assert (await c.get("/api/v1/uitstroom", params={"pagina": 0})).status_code == 400
        assert (await c.get("/api/v1/uitstroom", params={"paginaGrootte": 1000})).status_code == 400
        assert (await c.get("/api/v1/uitstroom", params={"pagina": "een"})).status_code == 400
        assert (await c.get("/api/v1/uitstroom", auth=("demo-ketenpoort", "fout"))).status_code == 401
        kapot = await c.get("/api/v1/uitstroom", headers={"Authorization": "Basic !!"}, auth=None)
        assert kapot.status_code == 401
