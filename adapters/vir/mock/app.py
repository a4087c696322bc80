"""Mock of the Verwijsindex Risicojongeren (VIR), serving the people of brondata.yaml.

    POST /api/v1/signalen/_zoek   headers X-VIR-Apikey, X-VIR-OIN (20 digits); body {"bsn", "geboortedatum"?}
      200 {"peildatum", "doelgroep": bool, "match": {"matchId", "ontstaanOp"} | null,
           "signalen": [{"signaalId", "afgegevenOp", "actiefTot", "zichtbaarTot",
                         "status": "actief"|"inactief", "centraalContactpunt", "organisatie": {"naam"},
                         "contactpersoon": {"naam", "telefoon"?, "email"?}}]}
      400 / 401 {"fout", "melding"}

From brondata: the person's VIR `bekendSinds` + `contactpunt` are the first signal (the central
contact point); `signalen: [{organisatie, afgegevenOp, contactpunt}]` adds other organisations.
As in the real index a signal is active two years and visible five; two or more organisations
with visible signals make a match. `doelgroep` says whether the person is within 0-23.
"""

from __future__ import annotations

import hmac
import json
import re
from datetime import UTC, date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters._gedeeld import Brondata, Registratie, StoringMiddleware, rfc3339
from gateway.domain.bsn import is_geldig_bsn

STANDAARD_API_KEY = "demo-vir-sleutel"  # demo secret, matches deploy/demo/bronnen.yaml
_OIN = re.compile(r"^\d{20}$")
_MAX_LEEFTIJD = 23


def maak_app(brondata: Brondata, *, api_key: str = STANDAARD_API_KEY) -> StoringMiddleware:
    bekend = brondata.voor("VIR")

    async def zoek(request: Request) -> JSONResponse:
        if not hmac.compare_digest(request.headers.get("X-VIR-Apikey", ""), api_key):
            return _fout(401, "niet_geautoriseerd", "ongeldige of ontbrekende API-sleutel")
        if not _OIN.match(request.headers.get("X-VIR-OIN", "")):
            return _fout(400, "ongeldig_verzoek", "X-VIR-OIN ontbreekt of is geen OIN")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _fout(400, "ongeldig_verzoek", "body is geen JSON")
        bsn = body.get("bsn") if isinstance(body, dict) else None
        if not isinstance(bsn, str) or not is_geldig_bsn(bsn):
            return _fout(400, "ongeldig_verzoek", "bsn ontbreekt of voldoet niet aan de elfproef")
        try:
            geboortedatum = date.fromisoformat(body["geboortedatum"]) if body.get("geboortedatum") else None
        except (TypeError, ValueError):
            return _fout(400, "ongeldig_verzoek", "geboortedatum is geen datum (JJJJ-MM-DD)")
        vandaag = datetime.now(UTC).date()
        reg = bekend.get(bsn)
        signalen = _signalen(reg, vandaag) if reg else []
        organisaties = {s["organisatie"]["naam"] for s in signalen}
        match = None
        if len(organisaties) >= 2:
            tweede = sorted(s["afgegevenOp"] for s in signalen)[1]
            match = {"matchId": reg.referentie("VIR-M-") if reg else "", "ontstaanOp": tweede}
        return JSONResponse(
            {
                "peildatum": rfc3339(reg.peildatum if reg and reg.peildatum else datetime.now(UTC)),
                "doelgroep": geboortedatum is None or _leeftijd(geboortedatum, vandaag) < _MAX_LEEFTIJD,
                "match": match,
                "signalen": signalen,
            }
        )

    app = Starlette(routes=[Route("/api/v1/signalen/_zoek", zoek, methods=["POST"])])
    return StoringMiddleware(app)


def _signalen(reg: Registratie, vandaag: date) -> list[dict[str, Any]]:
    eerste = {
        "organisatie": reg.inhoud.get("organisatie") or reg.contactpunt["naam"],
        "afgegevenOp": reg.bekend_sinds,
        "contactpunt": reg.contactpunt,
    }
    overige = [s for s in reg.inhoud.get("signalen") or [] if isinstance(s, dict)]
    signalen = []
    for i, bron in enumerate([eerste, *overige]):
        afgegeven = _als_datum(bron.get("afgegevenOp")) or reg.bekend_sinds
        zichtbaar_tot = _jaren_later(afgegeven, 5)
        if zichtbaar_tot <= vandaag:
            continue  # older than five years: deleted from the index
        actief_tot = _jaren_later(afgegeven, 2)
        contact = bron.get("contactpunt") or {"naam": str(bron.get("organisatie", "onbekend"))}
        signalen.append(
            {
                "signaalId": reg.referentie(f"VIR-S{i + 1}-"),
                "afgegevenOp": afgegeven.isoformat(),
                "actiefTot": actief_tot.isoformat(),
                "zichtbaarTot": zichtbaar_tot.isoformat(),
                "status": "actief" if vandaag < actief_tot else "inactief",
                "centraalContactpunt": i == 0,
                "organisatie": {"naam": str(bron.get("organisatie") or contact.get("naam"))},
                "contactpersoon": {k: str(v) for k, v in contact.items() if k in ("naam", "telefoon", "email")},
            }
        )
    return signalen


def _als_datum(waarde: Any) -> date | None:
    if isinstance(waarde, date):
        return waarde
    try:
        return date.fromisoformat(str(waarde)) if waarde else None
    except ValueError:
        return None


def _jaren_later(dag: date, jaren: int) -> date:
    try:
        return dag.replace(year=dag.year + jaren)
    except ValueError:  # 29 February
        return dag.replace(year=dag.year + jaren, day=28)


def _leeftijd(geboren: date, op: date) -> int:
    return op.year - geboren.year - ((op.month, op.day) < (geboren.month, geboren.day))


def _fout(status: int, code: str, melding: str) -> JSONResponse:
    return JSONResponse({"fout": code, "melding": melding}, status_code=status)
