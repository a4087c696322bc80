"""JCO-support zoekJeugdigeResponse -> DatInformatie. Zaken, parketnummers and afdoeningen stop here.

Only four paths are read: peildatum, gevonden, dossier/dossiernummer, dossier/aanmaakdatum and
dossier/contactpunt; nothing else of the element is touched or copied.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

import structlog

from adapters._gedeeld import als_utc
from gateway.domain.errors import BronNietBeschikbaar
from gateway.domain.model import Contactpunt, DatInformatie

from .client import BRONSYSTEEM, SLUG
from .wsdl import JCO_NS

log = structlog.get_logger()

_NS = {"jco": JCO_NS}


class _Onleesbaar(Exception):
    pass


def naar_dat_informatie(antwoord: ET.Element) -> DatInformatie:
    try:
        return _lees(antwoord)
    except (_Onleesbaar, ValueError):
        pass
    log.warning(f"adapter.{SLUG}.onleesbaar", bron=BRONSYSTEEM, waarom="zoekJeugdigeResponse onvolledig")
    raise BronNietBeschikbaar(BRONSYSTEEM, "onleesbaar antwoord")


def _lees(antwoord: ET.Element) -> DatInformatie:
    peildatum = als_utc(datetime.fromisoformat(_tekst(antwoord, "jco:peildatum")))
    gevonden = _tekst(antwoord, "jco:gevonden")
    if gevonden not in ("true", "false", "1", "0"):
        raise _Onleesbaar
    if gevonden in ("false", "0"):
        return DatInformatie(BRONSYSTEEM, bekend=False, bron_peildatum=peildatum)
    dossier = antwoord.find("jco:dossier", _NS)
    if dossier is None:
        raise _Onleesbaar
    contact = dossier.find("jco:contactpunt", _NS)
    return DatInformatie(
        bronsysteem=BRONSYSTEEM,
        bekend=True,
        bekend_sinds=date.fromisoformat(_tekst(dossier, "jco:aanmaakdatum")),
        contactpunt=_contactpunt(contact) if contact is not None else None,
        referentie=_tekst(dossier, "jco:dossiernummer"),
        bron_peildatum=peildatum,
    )


def _contactpunt(element: ET.Element) -> Contactpunt:
    return Contactpunt(
        naam=_tekst(element, "jco:naam"),
        telefoon=_optioneel(element, "jco:telefoon"),
        email=_optioneel(element, "jco:email"),
    )


def _tekst(element: ET.Element, pad: str) -> str:
    waarde = _optioneel(element, pad)
    if waarde is None:
        raise _Onleesbaar
    return waarde


def _optioneel(element: ET.Element, pad: str) -> str | None:
    tekst = element.findtext(pad, namespaces=_NS)
    return (tekst.strip() or None) if tekst is not None else None
