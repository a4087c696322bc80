"""adapters/__init__: the registry, bronnen.yaml, the demo data and the mocks over real sockets."""

from __future__ import annotations

import asyncio
import socket
from datetime import date
from pathlib import Path

import httpx
import pytest

import adapters
from adapters import BRONSYSTEMEN, laad_bronnen_config, maak_bron, maak_mock_apps, serve_mocks
from adapters._gedeeld import SYSTEMEN, laad_brondata
from gateway.domain.bsn import is_geldig_bsn

DEMO = Path(__file__).resolve().parents[2] / "deploy" / "demo"


def test_publiek_oppervlak():
    assert set(adapters.__all__) >= {
        "BRONSYSTEMEN",
        "maak_bron",
        "laad_bronnen_config",
        "maak_mock_apps",
        "serve_mocks",
    }
    assert BRONSYSTEMEN == SYSTEMEN == ("BPS", "JCO-support", "Depan", "VIR")


def test_demo_bronnen_config():
    config = laad_bronnen_config(DEMO / "bronnen.yaml")
    assert list(config) == list(BRONSYSTEMEN)
    assert {s: c["partner"] for s, c in config.items()} == {
        "BPS": "politie",
        "JCO-support": "om",
        "Depan": "dji",
        "VIR": "vir",
    }
    assert [c["baseUrl"] for c in config.values()] == [f"http://127.0.0.1:810{i}" for i in range(1, 5)]
    for bronsysteem, instellingen in config.items():
        assert maak_bron(bronsysteem, instellingen).bronsysteem == bronsysteem


def test_bronnen_config_leest_omgeving_en_mockpoort(tmp_path, monkeypatch):
    bestand = tmp_path / "bronnen.yaml"
    bestand.write_text("bronnen:\n  BPS:\n    baseUrl: https://bps.politie.example\n    apiKey: ${TEST_BPS_SLEUTEL}\n")
    monkeypatch.setenv("TEST_BPS_SLEUTEL", "uit-de-omgeving")
    assert laad_bronnen_config(bestand)["BPS"]["apiKey"] == "uit-de-omgeving"
    assert laad_bronnen_config(bestand, mock_base_port=9000)["BPS"]["baseUrl"] == "http://127.0.0.1:9001"
    monkeypatch.delenv("TEST_BPS_SLEUTEL")
    with pytest.raises(ValueError, match="TEST_BPS_SLEUTEL is niet gezet"):
        laad_bronnen_config(bestand)


@pytest.mark.parametrize(
    ("inhoud", "melding"),
    [
        ("bronnen:\n  Politie: {baseUrl: http://x}\n", "onbekend bronsysteem"),
        ("bronnen:\n  BPS: {baseUrl: ftp://x, apiKey: k}\n", "baseUrl"),
        ("bronnen:\n  BPS: {baseUrl: http://x, apiKey: k, timeoutSeconden: -1}\n", "timeoutSeconden"),
        ("bronnen:\n  BPS: {baseUrl: http://x, apiKey: k, tijdslimiet: 3}\n", "tijdslimiet"),
        ("bronnen:\n  VIR: {baseUrl: http://x, apiKey: k, organisatieOin: '12'}\n", "organisatieOin"),
        ("andere: {}\n", "bronnen"),
    ],
)
def test_bronnen_config_fouten(tmp_path, inhoud, melding):
    bestand = tmp_path / "bronnen.yaml"
    bestand.write_text(inhoud)
    with pytest.raises(ValueError, match=melding):
        laad_bronnen_config(bestand)


def test_maak_bron_kent_geen_onbekende_systemen():
    with pytest.raises(ValueError, match="onbekend bronsysteem"):
        maak_bron("GGZ-dossier", {"baseUrl": "http://x"})


def test_geheimen_lekken_niet_uit_config_fouten():
    with pytest.raises(ValueError) as fout:
        maak_bron("BPS", {"baseUrl": "http://x", "apiKey": ["zeer-geheim"]})
    assert "zeer-geheim" not in str(fout.value)


def test_demo_brondata_is_bruikbaar():
    data = laad_brondata(DEMO / "brondata.yaml")
    assert 40 <= len(data.personen) <= 60
    assert all(is_geldig_bsn(p.bsn) and p.bsn.startswith("99999") for p in data.personen)
    peil = date(2026, 11, 23)

    def leeftijd(geboren: date, op: date) -> int:
        return op.year - geboren.year - ((op.month, op.day) < (geboren.month, geboren.day))

    leeftijden = [leeftijd(p.geboortedatum, peil) for p in data.personen if p.geboortedatum]
    assert any(a < 12 for a in leeftijden) and any(12 <= a < 16 for a in leeftijden)
    assert any(16 <= a < 18 for a in leeftijden) and any(a >= 23 for a in leeftijden)
    assert any(not p.registraties for p in data.personen)
    assert any(len(p.registraties) == 4 for p in data.personen)
    for systeem in BRONSYSTEMEN:
        assert data.voor(systeem), systeem
    for reg in data.voor("VIR").values():  # the VIR is for 0-23
        assert reg.geboortedatum is not None and leeftijd(reg.geboortedatum, reg.bekend_sinds) < 23
    verouderd = [
        r
        for r in data.voor("Depan").values()
        if r.inhoud.get("status") == "gedetineerd"
        and r.peildatum is not None
        and r.peildatum.date() < r.inhoud["verwachteUitstroom"] <= peil
    ]
    assert verouderd, "a Depan record whose release is not recorded yet"


def _vrije_basispoort() -> int:
    for _ in range(20):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            basis = s.getsockname()[1]
        if basis > 65000:
            continue
        try:
            for i in range(1, 5):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", basis + i))
        except OSError:
            continue
        return basis
    pytest.skip("no free port range")


async def test_serve_mocks_over_echte_sockets():
    basis = _vrije_basispoort()
    gestart = asyncio.Event()
    taak = asyncio.create_task(serve_mocks(basis, DEMO / "brondata.yaml", gestart=gestart))
    await asyncio.wait_for(gestart.wait(), 10)
    config = laad_bronnen_config(DEMO / "bronnen.yaml", mock_base_port=basis)
    for bronsysteem in BRONSYSTEMEN:
        bron = maak_bron(bronsysteem, config[bronsysteem])
        try:
            assert (await bron.zoek("999990755")).bekend is True
        finally:
            await bron.sluit()
    taak.cancel()
    with pytest.raises(asyncio.CancelledError):
        await taak
    with pytest.raises(httpx.ConnectError):  # really stopped
        async with httpx.AsyncClient() as c:
            await c.get(f"http://127.0.0.1:{basis + 1}/_storing")


async def test_serve_mocks_meldt_bezette_poort():
    basis = _vrije_basispoort()
    with socket.socket() as bezet:
        bezet.bind(("127.0.0.1", basis + 3))
        bezet.listen()
        with pytest.raises(RuntimeError, match="Depan"):
            await asyncio.wait_for(serve_mocks(basis, DEMO / "brondata.yaml"), 10)


def test_maak_mock_apps_per_bronsysteem():
    assert set(maak_mock_apps(DEMO / "brondata.yaml")) == set(BRONSYSTEMEN)
