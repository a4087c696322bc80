"""The JCO-support wire: one SOAP 1.1 call, `zoekJeugdige`, answered by a dossier or a Fault.

    POST /services/JeugdigeService/v1   Content-Type: text/xml; charset=utf-8
    SOAPAction: "urn:nl:om:jco-support:jeugdige:v1#zoekJeugdige"

Faults come back as HTTP 500 (SOAP 1.1 §6.2): `Client*` faults become BronWeigert,
`Server` and unknown faults BronNietBeschikbaar. The faultstring is never read into a reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from xml.sax.saxutils import escape

import httpx
import structlog

from adapters._gedeeld import Antwoord, BronHttp, controleer_status
from gateway.domain.errors import BronFout, BronNietBeschikbaar, BronWeigert

from .config import JcoSupportConfig
from .wsdl import JCO_NS, PASSWORD_TEXT, SERVICE_PAD, SOAP_ACTION, SOAP_NS, WSSE_NS

BRONSYSTEEM = "JCO-support"
SLUG = "jco_support"

log = structlog.get_logger()

_ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="{soap}" xmlns:jco="{jco}">
  <soapenv:Header>
    <wsse:Security xmlns:wsse="{wsse}" soapenv:mustUnderstand="1">
      <wsse:UsernameToken>
        <wsse:Username>{gebruiker}</wsse:Username>
        <wsse:Password Type="{type}">{wachtwoord}</wsse:Password>
      </wsse:UsernameToken>
    </wsse:Security>
  </soapenv:Header>
  <soapenv:Body>
    <jco:zoekJeugdige>
      <jco:BSN>{bsn}</jco:BSN>{geboortedatum}
    </jco:zoekJeugdige>
  </soapenv:Body>
</soapenv:Envelope>
"""


class JcoSupportClient:
    def __init__(self, config: JcoSupportConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._config = config
        self._http = BronHttp(BRONSYSTEEM, SLUG, config, transport=transport)

    async def zoek_jeugdige(self, bsn: str, geboortedatum: date | None) -> ET.Element:
        """The `zoekJeugdigeResponse` element (native, content included)."""
        envelope = _ENVELOPE.format(
            soap=SOAP_NS,
            jco=JCO_NS,
            wsse=WSSE_NS,
            type=PASSWORD_TEXT,
            gebruiker=escape(self._config.gebruikersnaam),
            wachtwoord=escape(self._config.wachtwoord.get_secret_value()),
            bsn=escape(bsn),
            geboortedatum=f"\n      <jco:geboortedatum>{geboortedatum.isoformat()}</jco:geboortedatum>"
            if geboortedatum
            else "",
        )
        antwoord = await self._http.verstuur(
            "POST",
            SERVICE_PAD,
            content=envelope.encode(),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}"'},
            idempotent=True,  # zoekJeugdige only reads
            opnieuw_bij=frozenset({502, 503, 504}),  # a 500 carries a Fault: the server has spoken
        )
        return _lees_antwoord(antwoord)

    async def sluit(self) -> None:
        await self._http.sluit()


def _lees_antwoord(antwoord: Antwoord) -> ET.Element:
    if antwoord.status not in (200, 500):
        controleer_status(BRONSYSTEEM, SLUG, antwoord)
    body = _soap_body(antwoord.inhoud)
    if body is None:
        if antwoord.status == 500:
            controleer_status(BRONSYSTEEM, SLUG, antwoord)  # an app server's HTML error page, say
        raise _onleesbaar("geen SOAP-envelope")
    fault = body.find(f"{{{SOAP_NS}}}Fault")
    if fault is not None:
        raise _vertaal_fault(fault)
    if antwoord.status != 200:
        controleer_status(BRONSYSTEEM, SLUG, antwoord)
    resultaat = body.find(f"{{{JCO_NS}}}zoekJeugdigeResponse")
    if resultaat is None:
        raise _onleesbaar("geen zoekJeugdigeResponse")
    return resultaat


def _soap_body(inhoud: bytes) -> ET.Element | None:
    envelope = lees_xml(inhoud)
    if envelope is None:
        return None
    if envelope.tag != f"{{{SOAP_NS}}}Envelope":
        return None
    return envelope.find(f"{{{SOAP_NS}}}Body")


def lees_xml(inhoud: bytes) -> ET.Element | None:
    """Parse without DTDs: they are how entity-expansion attacks arrive, and SOAP 1.1 §3 forbids them.

    The body is decoded as UTF-8 first and the text that is checked is the text that is parsed,
    so another encoding (UTF-16, say) cannot smuggle a DOCTYPE past the check; it is refused.
    """
    try:
        tekst = inhoud.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "<!DOCTYPE" in tekst.upper():
        return None
    try:
        return ET.fromstring(tekst)  # noqa: S314 - DTDs refused above; expat fetches no external entities
    except ET.ParseError:
        return None


def _vertaal_fault(fault: ET.Element) -> BronFout:
    code = (fault.findtext("faultcode") or "").strip()
    lokaal = code.rpartition(":")[2]
    soort, _, verfijning = lokaal.partition(".")
    if soort == "Client" and verfijning in ("Authenticatie", "Autorisatie"):
        log.error(f"adapter.{SLUG}.niet_geautoriseerd", bron=BRONSYSTEEM, faultcode="Client")
        return BronWeigert(BRONSYSTEEM, "niet geautoriseerd", {"faultcode": "Client"})
    if soort in ("Client", "VersionMismatch", "MustUnderstand"):
        log.warning(f"adapter.{SLUG}.soap_fault", bron=BRONSYSTEEM, faultcode=soort)
        return BronWeigert(BRONSYSTEEM, f"verzoek geweigerd (SOAP Fault {soort})", {"faultcode": soort})
    soort = "Server" if soort == "Server" else "onbekend"
    log.warning(f"adapter.{SLUG}.soap_fault", bron=BRONSYSTEEM, faultcode=soort)
    return BronNietBeschikbaar(BRONSYSTEEM, f"serverfout (SOAP Fault {soort})", {"faultcode": soort})


def _onleesbaar(waarom: str) -> BronNietBeschikbaar:
    log.warning(f"adapter.{SLUG}.onleesbaar", bron=BRONSYSTEEM, waarom=waarom)
    return BronNietBeschikbaar(BRONSYSTEEM, "onleesbaar antwoord")
