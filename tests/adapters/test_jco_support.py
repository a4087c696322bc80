"""JCO-support: SOAP 1.1 envelopes, SOAPAction, WS-Security, and Faults."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from adapters._gedeeld import Brondata
from adapters.jco_support import mock as jco_mock
from adapters.jco_support.wsdl import JCO_NS, SERVICE_PAD, SOAP_ACTION, SOAP_NS
from gateway.domain.errors import BronNietBeschikbaar, BronWeigert

from .conftest import BEKEND, BRONDATA, vaste_app, zonder_bsn


def _fault(code: str, tekst: str) -> str:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>{code}</faultcode><faultstring>{tekst}</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )


async def test_adapter_stuurt_een_soap_envelope_met_soapaction(opstelling):
    o = await opstelling("JCO-support")
    await o.bron.zoek(BEKEND)
    (verzoek,) = o.app.verzoeken
    assert verzoek["pad"] == SERVICE_PAD
    assert verzoek["headers"]["soapaction"] == f'"{SOAP_ACTION}"'
    assert verzoek["headers"]["content-type"].startswith("text/xml")


async def test_mock_antwoordt_met_dossier_en_zaken_als_inhoud():
    app = jco_mock.maak_app(Brondata.uit(BRONDATA))
    envelope = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:jco="{JCO_NS}"><soapenv:Header>'
        '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
        f"<wsse:UsernameToken><wsse:Username>{jco_mock.STANDAARD_GEBRUIKER}</wsse:Username>"
        f"<wsse:Password>{jco_mock.STANDAARD_WACHTWOORD}</wsse:Password></wsse:UsernameToken></wsse:Security>"
        f"</soapenv:Header><soapenv:Body><jco:zoekJeugdige><jco:BSN>{BEKEND}</jco:BSN></jco:zoekJeugdige>"
        "</soapenv:Body></soapenv:Envelope>"
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jco") as c:
        r = await c.post(SERVICE_PAD, content=envelope, headers={"SOAPAction": f'"{SOAP_ACTION}"'})
        wsdl = await c.get(SERVICE_PAD, params={"wsdl": ""})
        zonder_actie = await c.post(SERVICE_PAD, content=envelope)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    zaak = ET.fromstring(r.content).find(  # noqa: S314 - our own mock's reply
        f".//{{{JCO_NS}}}zaak"
    )
    assert zaak is not None and zaak.findtext(f"{{{JCO_NS}}}feit") == "GEHEIM-JCO-feit"
    assert wsdl.status_code == 200 and b"zoekJeugdige" in wsdl.content
    assert zonder_actie.status_code == 500 and b"Client.OngeldigVerzoek" in zonder_actie.content


@pytest.mark.parametrize(
    ("code", "soort", "reden"),
    [
        ("soapenv:Client.Authenticatie", BronWeigert, "niet geautoriseerd"),
        ("soapenv:Client", BronWeigert, "verzoek geweigerd (SOAP Fault Client)"),
        ("soap:VersionMismatch", BronWeigert, "verzoek geweigerd (SOAP Fault VersionMismatch)"),
        ("soapenv:Server", BronNietBeschikbaar, "serverfout (SOAP Fault Server)"),
        ("vreemd:Iets", BronNietBeschikbaar, "serverfout (SOAP Fault onbekend)"),
    ],
)
async def test_soap_faults_worden_domeinfouten(opstelling, code, soort, reden):
    # The faultstring quotes the BSN and content: neither may reach our error.
    app = vaste_app(500, _fault(code, f"BSN {BEKEND}: GEHEIM-JCO-feit"), "text/xml")
    o = await opstelling("JCO-support", app=app)
    with pytest.raises(soort) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == reden
    assert "GEHEIM" not in str(fout.value) + repr(fout.value.details)
    zonder_bsn(fout.value)
    assert o.app.aantal == 1  # a Fault is an answer: not retried


async def test_fault_met_http_200_telt_ook(opstelling):
    o = await opstelling("JCO-support", app=vaste_app(200, _fault("soapenv:Server", "stuk"), "text/xml"))
    with pytest.raises(BronNietBeschikbaar):
        await o.bron.zoek(BEKEND)


async def test_503_van_een_loadbalancer_wordt_opnieuw_geprobeerd(opstelling):
    o = await opstelling("JCO-support", app=vaste_app(503, "<html>Service Unavailable</html>", "text/html"))
    with pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == "serverfout (HTTP 503)"
    assert o.app.aantal == 2


@pytest.mark.parametrize(
    "inhoud",
    [
        # Entity expansion ("billion laughs"): refused before parsing.
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}"><soapenv:Body>&b;</soapenv:Body></soapenv:Envelope>',
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}"><soapenv:Body><ander/></soapenv:Body></soapenv:Envelope>',
        f'<Envelope><Body><zoekJeugdigeResponse xmlns="{JCO_NS}"/></Body></Envelope>',
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}"><soapenv:Body><zoekJeugdigeResponse xmlns="{JCO_NS}">'
        "<gevonden>misschien</gevonden><peildatum>2026-11-23T10:00:00Z</peildatum>"
        "</zoekJeugdigeResponse></soapenv:Body></soapenv:Envelope>",
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}"><soapenv:Body><zoekJeugdigeResponse xmlns="{JCO_NS}">'
        "<gevonden>true</gevonden><peildatum>2026-11-23T10:00:00Z</peildatum>"
        "</zoekJeugdigeResponse></soapenv:Body></soapenv:Envelope>",
        "<soapenv:Envelope",
        # The same DTD in UTF-16: no byte-level check would see it; UTF-16 is refused outright.
        (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}"><soapenv:Body>&a;</soapenv:Body></soapenv:Envelope>'
        ).encode("utf-16"),
    ],
    ids=[
        "dtd",
        "ander-element",
        "geen-soap-namespace",
        "gevonden-onzin",
        "dossier-ontbreekt",
        "afgebroken",
        "utf16-dtd",
    ],
)
async def test_onleesbare_soap(opstelling, inhoud):
    o = await opstelling("JCO-support", app=vaste_app(200, inhoud, "text/xml"))
    with pytest.raises(BronNietBeschikbaar) as fout:
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == "onleesbaar antwoord"


async def test_wachtwoord_met_xml_tekens_wordt_ge_escaped(opstelling):
    o = await opstelling("JCO-support", wachtwoord="a<b&c")
    with pytest.raises(BronWeigert) as fout:  # the mock expects another password, but parses the envelope
        await o.bron.zoek(BEKEND)
    assert fout.value.reden == "niet geautoriseerd"
