"""The OpenAPI document as the truth of what the server answers (NL API Design Rules, Logius Spectral ruleset).

FastAPI documents the success response and a 422 that this server never sends. This completes the
generated document once: every error as problem+json (400 with `invalidParams`), the `API-Version`
header on every response, OAuth2 scopes per operation, `servers` with `/v1`, `info.contact`, and Dutch
descriptions with examples for the attributes.
"""

from __future__ import annotations

import copy
import re
from typing import Any

PROBLEEM = {
    "type": "object",
    "description": "Foutmelding volgens RFC 9457 (problem details).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "URN van het soort fout", "example": "urn:nld:ketenpoort:probleem:ongeldige-invoer"},
        "title": {"type": "string", "description": "Korte omschrijving van het soort fout", "example": "Ongeldige invoer"},
        "status": {"type": "integer", "description": "De HTTP-statuscode", "example": 400},
        "detail": {"type": "string", "description": "Uitleg bij deze fout", "example": "thema: onbekend thema"},
        "invalidParams": {
            "type": "array", "description": "Elk ongeldig veld, alle tegelijk (alleen bij 400)",
            "items": {"$ref": "#/components/schemas/OngeldigeParameter"},
        },
        "bestaandeCasus": {"type": "string", "format": "uuid", "description": "De open casus die al bestaat (409)"},
        "regel": {"type": "string", "description": "Convenantregel of toegangsregel die weigerde (403)", "example": "T-ROL"},
    },
    "additionalProperties": True,
}
ONGELDIGE_PARAMETER = {
    "type": "object", "required": ["name", "reason"], "description": "Eén ongeldig veld of parameter.",
    "properties": {"name": {"type": "string", "description": "Naam van het veld (pad in de body)", "example": "thema"},
                   "reason": {"type": "string", "description": "Waarom het ongeldig is", "example": "onbekend thema"}},
}

_FOUTEN = {
    "400": "Ongeldige invoer: elk ongeldig veld staat in `invalidParams`, ook onbekende velden en queryparameters.",
    "401": "Geen, ongeldig of verlopen token.",
    "403": "Geauthenticeerd maar niet toegestaan (rol, convenant of deelname).",
    "404": "Niet gevonden, of van een ander huis.",
    "409": "Conflict: dubbele open casus, niet-toegestane statusovergang, of (bewijzen) nog geen ondertekend "
           "checkpoint.",
    "413": "De body is groter dan 64 KiB.",
    "415": "De body is geen JSON (`Content-Type: application/json`).",
    "431": "De requestheaders zijn samen te groot.",
    "500": "Onverwachte fout; er is niets uitgewisseld zonder auditrecord.",
    "503": "Tijdelijk niet beschikbaar (database of auditlog); er is niets uitgewisseld.",
}

SCOPES = {
    "partner": "Systeem van een partner, namens de eigen gebruikers (X-Gebruiker)",
    "procesregisseur": "Medewerker van het huis die overleggen en agenda's plant en casussen stuurt",
    "privacy": "Privacyfunctionaris: auditlog en inzage",
    "beheer": "Beheer",
}

# Which scopes an operation accepts; the convenant and participation decide further (403).
_SCOPE_PER_OPERATIE: list[tuple[str, str, list[str]]] = [
    ("post", r"^/v1/casussen$", ["partner", "procesregisseur"]),
    ("patch", r"^/v1/casussen/\{[^}]+\}$", ["procesregisseur"]),
    ("post", r"^/v1/overleggen$", ["procesregisseur"]),
    ("post", r"^/v1/overleggen/\{[^}]+\}/agendapunten$", ["procesregisseur"]),
    ("delete", r"^/v1/overleggen/", ["procesregisseur"]),
    ("get", r"^/v1/audit/(checkpoints|bewijzen/)", ["partner", "procesregisseur", "privacy", "beheer"]),
    (r".*", r"^/v1/audit/", ["privacy"]),
    ("post", r"^/v1/gebeurtenissen/_ticket$", ["partner", "procesregisseur"]),
    (r".*", r"^/v1/gebeurtenissen", ["partner", "procesregisseur"]),
    (r".*", r"^/v1/", ["partner", "procesregisseur"]),
]

# Dutch descriptions and examples, by attribute name, for every schema that has them.
VELDEN: dict[str, tuple[str, Any]] = {
    "id": ("Unieke id (UUID)", "3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10"),
    "huis": ("Het Zorg- en Veiligheidshuis", "demo"),
    "thema": ("Thema van de casus, uit het convenant", "jeugd"),
    "status": ("Status", "aangemeld"),
    "gemeente": ("Gemeente (van terugkeer) van de betrokkene: een partner-id uit het convenant", "gemeente-a"),
    "bsn": ("Burgerservicenummer (9 cijfers, elfproef); wordt nooit teruggegeven of gelogd", "999990019"),
    "geboortedatum": ("Geboortedatum, voor de toestemmingsregels naar leeftijd", "2010-05-01"),
    "betrokkene": ("De persoon, als ondoorzichtige id (nooit een BSN)", None),
    "aangemeldDoor": ("Partner die de casus aanmeldde", "politie"),
    "aangemeldOp": ("Tijdstip van aanmelding (RFC 3339, UTC)", "2026-11-23T10:00:00Z"),
    "casusregisseur": ("Partner die de casusregie heeft", "om"),
    "afgeslotenOp": ("Tijdstip van afsluiten (RFC 3339, UTC)", "2026-12-01T09:00:00Z"),
    "afsluitReden": ("Reden van afsluiten (vrije tekst, geen BSN)", "Doelen bereikt"),
    "casussen": ("De casussen", None),
    "pagina": ("Paginanummer, vanaf 1", 1),
    "paginaGrootte": ("Aantal per pagina (maximaal 100)", 20),
    "totaal": ("Totaal aantal resultaten over alle pagina's", 42),
    "_links": ("Links naar deze, de eerste, vorige, volgende en laatste pagina (HAL)", None),
    "overlegtype": ("Soort overleg, uit het convenant", "jco"),
    "datum": ("Datum van het overleg", "2026-12-01"),
    "deelnemers": ("Alle deelnemende partners (kern en schil)", ["om", "politie", "rvdk"]),
    "kernpartners": ("Kernpartners: krijgen dat-informatie", ["om", "politie"]),
    "schilpartners": ("Schilpartners: krijgen alleen bekend/niet bekend", ["gemeente-a"]),
    "voorzitter": ("Voorzitter van het overleg", "om"),
    "overleggen": ("De overleggen", None),
    "casusId": ("Id van de casus", "3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10"),
    "overlegId": ("Id van het overleg", "8a1d0c55-6c1e-4c39-9a57-1d1b2f7e4c21"),
    "volgorde": ("Plaats op de agenda, vanaf 1", 1),
    "agendapunten": ("De agendapunten", None),
    "uitvoerder": ("Partner die de afspraak uitvoert", "politie"),
    "actie": ("Wat er afgesproken is (maximaal 500 tekens, geen BSN)", "Huisbezoek afleggen"),
    "deadline": ("Uiterste datum", "2026-12-15"),
    "vastgelegdDoor": ("Partner die vastlegde", "om"),
    "vastgelegdOp": ("Tijdstip van vastleggen (RFC 3339, UTC)", "2026-11-23T10:00:00Z"),
    "toelichting": ("Toelichting bij de uitkomst (geen BSN)", "Uitgevoerd op 14 december"),
    "gewijzigdOp": ("Tijdstip van de laatste wijziging (RFC 3339, UTC)", "2026-11-24T10:00:00Z"),
    "verlopen": ("Open en voorbij de deadline", False),
    "afspraken": ("De afspraken", None),
    "categorie": ("Gegevenscategorie waarvoor toestemming geldt", "gezondheidsgegevens"),
    "gegevenDoor": ("Wie de toestemming gaf", "betrokkene"),
    "geldigTot": ("Laatste dag waarop de toestemming geldt", "2027-12-31"),
    "toestemmingen": ("De toestemmingen", None),
    "bron": ("Partner die bron is", "politie"),
    "bronsysteem": ("Bronsysteem van de partner", "BPS"),
    "verwijzing": ("Dat-informatie (alleen voor kernpartners)", None),
    "regel": ("Convenantregel (verstrekking) die besliste", "V-POL-JCO"),
    "reden": ("Reden van weigering of onbeschikbaarheid", "bron antwoordde niet op tijd"),
    "bekendSinds": ("Sinds wanneer de bron de persoon kent", "2025-02-11"),
    "contactpunt": ("Contactpunt bij de bron", None),
    "naam": ("Naam van het contactpunt", "Wijkagent Centrum"),
    "telefoon": ("Telefoonnummer van het contactpunt", "0900-8844"),
    "email": ("E-mailadres van het contactpunt", "wijkagent@politie.example"),
    "referentie": ("Referentie in het bronsysteem", "BPS-2025-0001"),
    "bronPeildatum": ("Peildatum van de bron zelf (RFC 3339)", "2026-11-01T00:00:00Z"),
    "opgehaaldOp": ("Tijdstip van ophalen (RFC 3339, UTC)", "2026-11-23T10:00:00Z"),
    "resultaten": ("Eén resultaat per bron", None),
    "uitwisselingen": ("Auditgegevens van elke uitwisseling over deze persoon, oudste eerst", None),
    "gebeurtenissen": ("Auditgegevens (CloudEvents data)", None),
    "ticket": ("Eenmalig streamticket voor EventSource (kort geldig)", "q3Jx0xk2tS0y7tq1"),
    "verlooptOp": ("Tijdstip waarop het ticket verloopt (RFC 3339, UTC)", "2026-11-23T10:00:30Z"),
    "access_token": ("Het toegangstoken (JWT)", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
    "token_type": ("Altijd Bearer", "Bearer"),
    "expires_in": ("Geldigheid in seconden", 900),
    "scope": ("Toegekende scopes, gescheiden door spaties", "partner"),
}


TOKEN_ANTWOORD = {
    "type": "object", "required": ["access_token", "token_type", "expires_in"],
    "description": "Toegangstoken (RFC 6749 paragraaf 5.1).",
    "properties": {"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                   "expires_in": {"type": "integer"}, "scope": {"type": "string"}},
}
OAUTH_FOUT = {
    "type": "object", "required": ["error"], "description": "Foutmelding van het tokenendpoint (RFC 6749 paragraaf 5.2).",
    "properties": {"error": {"type": "string", "example": "invalid_client"},
                   "error_description": {"type": "string", "example": "onbekende client of verkeerd geheim"}},
}


def _tokenendpoint(op: dict[str, Any]) -> None:
    """RFC 6749 prescribes its own JSON error format here, not problem+json (lint/spectral.yaml says so)."""
    antwoorden = op["responses"]
    antwoorden["200"]["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/TokenAntwoord"}}}
    for code, tekst in (("400", "Ongeldig verzoek (bijvoorbeeld grant_type)"), ("401", "Onbekende client of verkeerd geheim")):
        antwoorden[code] = {"description": tekst, "headers": {"API-Version": _api_versie_header()},
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthFout"}}}}


def _api_versie_header() -> dict[str, Any]:
    return {"$ref": "#/components/headers/API-Version"}


def _scopes(methode: str, pad: str) -> list[str] | None:
    if not pad.startswith("/v1/") or pad == "/v1/openapi.json":
        return None
    for m, p, scopes in _SCOPE_PER_OPERATIE:
        if re.fullmatch(m, methode) and re.search(p, pad):
            return scopes
    return None


def _beschrijf(schema: dict[str, Any]) -> None:
    for naam, prop in (schema.get("properties") or {}).items():
        if naam in VELDEN:
            beschrijving, voorbeeld = VELDEN[naam]
            prop.setdefault("description", beschrijving)
            if "enum" in prop:
                voorbeeld = prop["enum"][0]
            if voorbeeld is not None and "$ref" not in prop and "example" not in prop:
                prop["example"] = voorbeeld
        prop.pop("title", None)


def _probleem_antwoord(code: str) -> dict[str, Any]:
    return {"description": _FOUTEN[code], "headers": {"API-Version": _api_versie_header()},
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Probleem"}}}}


def _foutcodes(methode: str, pad: str, op: dict[str, Any], beveiligd: bool) -> list[str]:
    codes = ["500", "503"]
    heeft_params = bool(op.get("parameters")) or "requestBody" in op
    if heeft_params or methode in ("post", "put", "patch"):
        codes.append("400")
    if beveiligd:
        codes += ["401", "403", "404"]
    elif "{" in pad:
        codes.append("404")
    if "requestBody" in op:
        codes += ["413", "415"]
    if (methode, pad) in {("post", "/v1/casussen"), ("patch", "/v1/casussen/{casus_id}"),
                          ("post", "/v1/casussen/{casus_id}/afspraken"), ("patch", "/v1/afspraken/{afspraak_id}"),
                          ("post", "/v1/overleggen/{overleg_id}/agendapunten"),
                          ("get", "/v1/audit/bewijzen/opname")}:  # not yet under a signed checkpoint
        codes.append("409")
    return sorted(set(codes))


def verrijk(origineel: dict[str, Any], *, contact: dict[str, str]) -> dict[str, Any]:
    doc = copy.deepcopy(origineel)
    doc["info"]["contact"] = contact
    doc["servers"] = [{"url": "/v1", "description": "Deze gateway, versie 1 van de API"}]
    comp = doc.setdefault("components", {})
    schemas = comp.setdefault("schemas", {})
    for weg in ("HTTPValidationError", "ValidationError"):
        schemas.pop(weg, None)
    schemas["Probleem"] = PROBLEEM
    schemas["OngeldigeParameter"] = ONGELDIGE_PARAMETER
    schemas["TokenAntwoord"] = TOKEN_ANTWOORD
    schemas["OAuthFout"] = OAUTH_FOUT
    comp["headers"] = {"API-Version": {
        "description": "Volledige versie van de API (semver), op elk antwoord",
        "schema": {"type": "string", "example": doc["info"]["version"]}}}
    # The bearer scheme FastAPI documents stays; oauth2 adds the token URL and the scopes per operation.
    comp.setdefault("securitySchemes", {})["oauth2"] = {
        "type": "oauth2", "description": "Client credentials; het token gaat mee als `Authorization: Bearer …`.",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": SCOPES}}}
    for schema in schemas.values():
        _beschrijf(schema)

    paden: dict[str, Any] = {}
    for pad, item in doc["paths"].items():
        for methode, op in item.items():
            if methode not in ("get", "post", "put", "patch", "delete"):
                continue
            op.pop("security", None)
            scopes = _scopes(methode, pad)
            if scopes is not None:
                op["security"] = [{"oauth2": scopes, "HTTPBearer": []}]
                rollen = ", ".join(f"`{s}`" for s in scopes)
                op["description"] = (op.get("description") or op.get("summary", "")) + \
                    f"\n\nScopes: {rollen}. Het convenant en de deelname aan het overlegtype beslissen verder (403)."
            antwoorden = op.setdefault("responses", {})
            antwoorden.pop("422", None)
            for code in _foutcodes(methode, pad, op, scopes is not None):
                antwoorden.setdefault(code, _probleem_antwoord(code))
            for code, antwoord in antwoorden.items():
                antwoord.setdefault("headers", {})["API-Version"] = _api_versie_header()
                if code.startswith(("4", "5")):
                    antwoord["content"] = _probleem_antwoord(code)["content"]
            if pad == "/oauth/token":
                _tokenendpoint(op)
            # The token is the security scheme's business, not a header parameter of each operation.
            op["parameters"] = [p for p in op.get("parameters", [])
                                if not (p["in"] == "header" and p["name"].lower() == "authorization")]
            if not op["parameters"]:
                del op["parameters"]
            for p in op.get("parameters", []):
                p.get("schema", {}).pop("title", None)
                p.setdefault("description", VELDEN.get(p["name"], (p["name"], None))[0])
        if pad.startswith("/v1/") and pad != "/v1/openapi.json":
            paden[pad[3:]] = item
        else:  # outside /v1: token, operations, the public key
            item["servers"] = [{"url": "/", "description": "Buiten /v1"}]
            paden[pad] = item
    doc["paths"] = paden
    doc.pop("security", None)
    return _hernoem(doc, {"Body_token_oauth_token_post": "TokenVerzoek"})


def _hernoem(doc: dict[str, Any], namen: dict[str, str]) -> dict[str, Any]:
    """Generated schema names that are not UpperCamelCase get a Dutch one (every $ref follows)."""
    import json

    tekst = json.dumps(doc)
    for oud, nieuw in namen.items():
        tekst = tekst.replace(f'"#/components/schemas/{oud}"', f'"#/components/schemas/{nieuw}"')
    uit = json.loads(tekst)
    schemas = uit["components"]["schemas"]
    for oud, nieuw in namen.items():
        if oud in schemas:
            schemas[nieuw] = schemas.pop(oud)
    return uit
