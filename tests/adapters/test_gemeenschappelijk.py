"""Behaviour every adapter shares, each against its own mock in-process."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC

import httpx
import pytest
from structlog.testing import capture_logs

from adapters import BRONSYSTEMEN, maak_bron
from gateway.domain.errors import BronNietBeschikbaar, BronWeigert

from .conftest import ALLE, BEKEND, GEHEIMEN, ONBEKEND, VERWACHT, config, json_app, vaste_app, zonder_bsn

pytestmark = pytest.mark.parametrize("bronsysteem", ALLE)


async def test_bekend_geeft_alleen_dat_informatie(opstelling, bronsysteem):
    o = await opstelling(bronsysteem)
    dat = await o.bron.zoek(BEKEND)
    assert dat.bronsysteem == bronsysteem == o.bron.bronsysteem
    assert dat.bekend is True
    assert dat.bekend_sinds == VERWACHT[bronsysteem]["sinds"]
    assert dat.contactpunt is not None and dat.contactpunt.naam == VERWACHT[bronsysteem]["contact"]
    assert dat.referentie and BEKEND not in dat.referentie
    assert dat.bron_peildatum is not None and dat.bron_peildatum.tzinfo is UTC


async def test_onbekend(opstelling, bronsysteem):
    o = await opstelling(bronsysteem)
    dat = await o.bron.zoek(ONBEKEND)
    assert dat.bekend is False
    assert (dat.bekend_sinds, dat.contactpunt, dat.referentie) == (None, None, None)
    assert dat.bron_peildatum is not None


async def test_geen_inhoud_en_geen_bsn_voorbij_de_adapter(opstelling, bronsysteem):
    o = await opstelling(bronsysteem)
    with capture_logs() as logs:
        dat = await o.bron.zoek(BEKEND)
    zichtbaar = repr(dat) + repr(asdict(dat)) + repr(logs)
    for geheim in GEHEIMEN:
        assert geheim not in zichtbaar
    assert BEKEND not in zichtbaar


async def test_bsn_gaat_in_de_body_nooit_in_de_url(opstelling, bronsysteem):
    o = await opstelling(bronsysteem)
    await o.bron.zoek(BEKEND, None)
    (verzoek,) = o.app.verzoeken
    assert verzoek["methode"] == "POST"
    assert BEKEND not in verzoek["pad"] + verzoek["query"]


async def test_timeout_wordt_bron_niet_beschikbaar_zonder_nieuwe_poging(opstelling, bronsysteem):
    o = await opstelling(bronsysteem)
    await o.storing(latentie_ms=2000)
    begin = time.perf_counter()
    with capture_logs() as logs, pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert time.perf_counter() - begin < 1.0
    assert fout.value.reden == "timeout"
    assert o.app.aantal == 1  # the budget is spent: a timeout is never retried
    assert any(e["event"] == f"adapter.{_slug(bronsysteem)}.timeout" for e in logs)
    zonder_bsn(fout.value)


async def test_5xx_wordt_bron_niet_beschikbaar(opstelling, bronsysteem):
    o = await opstelling(bronsysteem)
    await o.storing(foutkans=1.0)
    with pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden.startswith("serverfout")
    # A read is retried on 503; JCO-support's failure is a SOAP Server fault (HTTP 500): the server spoke.
    assert o.app.aantal == (1 if bronsysteem == "JCO-support" else 2)
    zonder_bsn(fout.value)
    await o.herstel()
    assert (await o.bron.zoek(BEKEND)).bekend is True


@pytest.mark.parametrize(
    "app",
    [
        vaste_app(200, "{niet: json"),
        vaste_app(200, "<html><body>Onderhoud</body></html>", "text/html"),
        json_app(200, ["een", "lijst"]),
        json_app(200, {"iets": "anders", "bsn": BEKEND}),
        vaste_app(200, b"\xff\xfe\x00garbage"),
    ],
    ids=["kapotte-json", "html", "json-lijst", "verkeerde-vorm", "binair"],
)
async def test_onleesbaar_antwoord(opstelling, bronsysteem, app):
    o = await opstelling(bronsysteem, app=app)
    with capture_logs() as logs, pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == "onleesbaar antwoord"
    zonder_bsn(fout.value)
    assert BEKEND not in repr(logs)


async def test_fout_van_bron_met_bsn_in_de_tekst_lekt_die_niet(opstelling, bronsysteem):
    # Some systems echo the request in their error text; that text must not reach our errors.
    o = await opstelling(bronsysteem, app=json_app(400, {"fout": f"BSN {BEKEND} onbekend formaat"}))
    with pytest.raises(BronWeigert) as fout:
        await o.bron.zoek(BEKEND)
    zonder_bsn(fout.value)


async def test_verkeerde_inloggegevens_worden_bron_weigert(opstelling, bronsysteem):
    verkeerd = {
        "BPS": {"apiKey": "fout"},
        "JCO-support": {"wachtwoord": "fout"},
        "Depan": {"clientSecret": "fout"},
        "VIR": {"apiKey": "fout"},
    }[bronsysteem]
    o = await opstelling(bronsysteem, **verkeerd)
    with pytest.raises(BronWeigert) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == "niet geautoriseerd"
    assert o.app.aantal == 1  # a refusal is final: never retried
    zonder_bsn(fout.value)


async def test_geen_verbinding_wordt_na_pogingen_bron_niet_beschikbaar(bronsysteem):
    pogingen = 0

    def weiger(request: httpx.Request) -> httpx.Response:
        nonlocal pogingen
        pogingen += 1
        raise httpx.ConnectError(f"verbinding geweigerd voor {request.content!r}", request=request)

    bron = maak_bron(bronsysteem, config(bronsysteem, pogingen=3), transport=httpx.MockTransport(weiger))
    with pytest.raises(BronNietBeschikbaar) as fout:
        await bron.zoek(BEKEND)
    await bron.sluit()
    assert fout.value.reden == "geen verbinding"
    assert pogingen == 3
    zonder_bsn(fout.value)


async def test_te_groot_antwoord_wordt_niet_gelezen(opstelling, bronsysteem):
    o = await opstelling(bronsysteem, app=vaste_app(200, b"x" * 3000), maxAntwoordBytes=2048)
    with pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == "antwoord te groot"


async def test_onverwachte_fout_in_transport_wordt_vertaald(bronsysteem):
    def stuk(request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"kapot bij {request.content!r}")

    bron = maak_bron(bronsysteem, config(bronsysteem), transport=httpx.MockTransport(stuk))
    with pytest.raises(BronNietBeschikbaar) as fout:
        await bron.zoek(BEKEND)
    await bron.sluit()
    assert fout.value.reden == "onverwachte fout"
    zonder_bsn(fout.value)


async def test_circuit_opent_en_gaat_half_open(opstelling, bronsysteem):
    o = await opstelling(bronsysteem, pogingen=1)  # drempel 3, herstel 30 s (conftest)
    await o.storing(foutkans=1.0)
    for _ in range(3):
        with pytest.raises(BronNietBeschikbaar):
            await o.bron.zoek(BEKEND)
    assert o.app.aantal == 3
    assert o.bron.circuit == "open"

    # Open: fail fast, without troubling the source.
    with pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == "circuit open"
    assert o.app.aantal == 3

    # After the recovery time one trial goes through; it fails, so the circuit opens again.
    o.klok[0] += 31
    assert o.bron.circuit == "half_open"
    with pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden != "circuit open"
    assert o.app.aantal == 4
    assert o.bron.circuit == "open"

    # Healed: the next trial succeeds and closes the circuit.
    await o.herstel()
    o.klok[0] += 31
    assert (await o.bron.zoek(BEKEND)).bekend is True
    assert o.bron.circuit == "gesloten"


async def test_weigering_opent_het_circuit_niet(opstelling, bronsysteem):
    o = await opstelling(bronsysteem, app=json_app(403, {"fout": "verboden"}))
    for _ in range(5):
        with pytest.raises(BronWeigert):
            await o.bron.zoek(BEKEND)
    assert o.bron.circuit == "gesloten"


def test_registry_kent_alle_vier(bronsysteem):
    assert bronsysteem in BRONSYSTEMEN


def _slug(bronsysteem: str) -> str:
    return bronsysteem.lower().replace("-", "_")
