"""Mock of the OM's JCO-support SOAP 1.1 service, serving the people of brondata.yaml.

GET  /services/JeugdigeService/v1?wsdl      the (abridged) WSDL
POST /services/JeugdigeService/v1           SOAPAction "urn:nl:om:jco-support:jeugdige:v1#zoekJeugdige"
  Header: wsse:Security/wsse:UsernameToken (PasswordText)
  Body:   jco:zoekJeugdige/{jco:BSN, jco:geboortedatum?}
  200     jco:zoekJeugdigeResponse/{peildatum, gevonden, dossier?/{dossiernummer, aanmaakdatum,
          contactpunt/{naam, telefoon?, email?}, zaken/zaak*/{parketnummer, ...} <- content,
          every other brondata key as an element <- content}}
  500     soapenv:Fault, faultcode soapenv:Client.Authenticatie | soapenv:Client.OngeldigVerzoek
          | soapenv:Server (also what `/_storing` failures look like)
"""

from __future__ import annotations

import hmac
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters._gedeeld import Brondata, Registratie, StoringMiddleware, als_json, rfc3339
from gateway.domain.bsn import is_geldig_bsn

from ..wsdl import JCO_NS, SERVICE_PAD, SOAP_ACTION, SOAP_NS, WSSE_NS

STANDAARD_GEBRUIKER = "demo-ketenpoort"  # demo secret, matches deploy/demo/bronnen.yaml
STANDAARD_WACHTWOORD = "demo-jco-wachtwoord"

_XML = "text/xml; charset=utf-8"
_GEEN_NAAM = re.compile(r"[^A-Za-z0-9_.-]")

# Readable prefixes in what the mock writes, as a real SOAP stack would use them.
ET.register_namespace("soapenv", SOAP_NS)
ET.register_namespace("jco", JCO_NS)


def maak_app(
    brondata: Brondata, *, gebruiker: str = STANDAARD_GEBRUIKER, wachtwoord: str = STANDAARD_WACHTWOORD
) -> StoringMiddleware:
    bekend = brondata.voor("JCO-support")

    async def dienst(request: Request) -> Response:
        if request.method == "GET":
            if "wsdl" in (k.lower() for k in request.query_params):
                return Response(_WSDL, media_type=_XML)
            return Response("JCO-support JeugdigeService: POST SOAP 1.1, of ?wsdl", media_type="text/plain")
        if request.headers.get("SOAPAction", "").strip('"') != SOAP_ACTION:
            return _fault("Client.OngeldigVerzoek", "Onbekende of ontbrekende SOAPAction")
        envelope = _lees_xml(await request.body())
        if envelope is None:
            return _fault("Client.OngeldigVerzoek", "Verzoek is geen geldige XML (UTF-8, zonder DTD)")
        token = envelope.find(f"{{{SOAP_NS}}}Header/{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
        naam = token.findtext(f"{{{WSSE_NS}}}Username", "") if token is not None else ""
        geheim = token.findtext(f"{{{WSSE_NS}}}Password", "") if token is not None else ""
        if not (hmac.compare_digest(naam, gebruiker) and hmac.compare_digest(geheim, wachtwoord)):
            return _fault("Client.Authenticatie", "Authenticatie mislukt")
        vraag = envelope.find(f"{{{SOAP_NS}}}Body/{{{JCO_NS}}}zoekJeugdige")
        bsn = (vraag.findtext(f"{{{JCO_NS}}}BSN") or "").strip() if vraag is not None else ""
        if not is_geldig_bsn(bsn):
            return _fault("Client.OngeldigVerzoek", "BSN ontbreekt of voldoet niet aan de elfproef")
        return Response(_antwoord(bekend.get(bsn)), media_type=_XML)

    app = Starlette(routes=[Route(SERVICE_PAD, dienst, methods=["GET", "POST"])])
    return StoringMiddleware(app, fout_antwoord=lambda: _fault("Server", "Interne fout in JCO-support", status=500))


def _lees_xml(inhoud: bytes) -> ET.Element | None:
    # The mock's own copy of the rule (no DTD, UTF-8 only), so it does not lean on the client it tests.
    try:
        tekst = inhoud.decode("utf-8")
        if "<!DOCTYPE" in tekst.upper():
            return None
        return ET.fromstring(tekst)  # noqa: S314 - DTDs refused above
    except (UnicodeDecodeError, ET.ParseError):
        return None


def _q(naam: str) -> str:
    return f"{{{JCO_NS}}}{naam}"


def _antwoord(reg: Registratie | None) -> bytes:
    envelope = ET.Element(f"{{{SOAP_NS}}}Envelope")
    body = ET.SubElement(envelope, f"{{{SOAP_NS}}}Body")
    resultaat = ET.SubElement(body, _q("zoekJeugdigeResponse"))
    peil = reg.peildatum if reg and reg.peildatum else datetime.now(UTC)
    ET.SubElement(resultaat, _q("peildatum")).text = rfc3339(peil)
    ET.SubElement(resultaat, _q("gevonden")).text = "true" if reg else "false"
    if reg is not None:
        dossier = ET.SubElement(resultaat, _q("dossier"))
        ET.SubElement(dossier, _q("dossiernummer")).text = reg.referentie("JCO-")
        ET.SubElement(dossier, _q("aanmaakdatum")).text = reg.bekend_sinds.isoformat()
        _element(dossier, "contactpunt", reg.contactpunt)
        inhoud = als_json(reg.inhoud)
        zaken = ET.SubElement(dossier, _q("zaken"))
        for zaak in inhoud.pop("zaken", None) or []:
            _element(zaken, "zaak", zaak)
        for sleutel, waarde in inhoud.items():
            _element(dossier, sleutel, waarde)
    return _xml(envelope)


def _element(ouder: ET.Element, sleutel: str, waarde: Any) -> None:
    """Content as XML the way a generated SOAP stack would write it: lists repeat their element."""
    naam = _GEEN_NAAM.sub("_", str(sleutel))
    if not naam[:1].isalpha():
        naam = "_" + naam  # an XML name starts with a letter or underscore
    if isinstance(waarde, list):
        for item in waarde:
            _element(ouder, naam, item)
        return
    kind = ET.SubElement(ouder, _q(naam))
    if isinstance(waarde, dict):
        for k, v in waarde.items():
            _element(kind, k, v)
    elif waarde is not None:
        kind.text = str(waarde).lower() if isinstance(waarde, bool) else str(waarde)


def _fault(code: str, tekst: str, *, status: int = 500) -> Response:
    envelope = ET.Element(f"{{{SOAP_NS}}}Envelope")
    fault = ET.SubElement(ET.SubElement(envelope, f"{{{SOAP_NS}}}Body"), f"{{{SOAP_NS}}}Fault")
    ET.SubElement(fault, "faultcode").text = f"soapenv:{code}"
    ET.SubElement(fault, "faultstring").text = tekst
    return Response(_xml(envelope), status_code=status, media_type=_XML)


def _xml(envelope: ET.Element) -> bytes:
    return bytes(ET.tostring(envelope, encoding="utf-8", xml_declaration=True))


_WSDL = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:tns="{JCO_NS}" targetNamespace="{JCO_NS}" name="JeugdigeService">
  <message name="zoekJeugdigeRequest"><part name="parameters" element="tns:zoekJeugdige"/></message>
  <message name="zoekJeugdigeResponse"><part name="parameters" element="tns:zoekJeugdigeResponse"/></message>
  <portType name="JeugdigePort">
    <operation name="zoekJeugdige">
      <input message="tns:zoekJeugdigeRequest"/><output message="tns:zoekJeugdigeResponse"/>
    </operation>
  </portType>
  <binding name="JeugdigeBinding" type="tns:JeugdigePort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="zoekJeugdige">
      <soap:operation soapAction="{SOAP_ACTION}"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="JeugdigeService">
    <port name="JeugdigePort" binding="tns:JeugdigeBinding">
      <soap:address location="{SERVICE_PAD}"/>
    </port>
  </service>
</definitions>
"""
