"""Mock of the police BPS person query, serving the people of brondata.yaml.

    POST /api/v2/personen/_zoek      header X-BPS-ApiKey; body {"bsn": "...", "geboortedatum"?: "JJJJ-MM-DD"}
      200 {"zoekopdrachtId", "peilmoment", "aantal", "personen": [{
             "registratienummer", "bsn", "geboortedatum", "eersteRegistratie",
             "behandelendTeam": {"naam", "telefoon"?, "email"?},
             "mutaties": [{"mutatienummer", "datum", "soort"?, "omschrijving", ...}],   <- content
             ...every other brondata key, verbatim                                       <- content
          }]}
      400 {"fout": "ongeldig_verzoek", "melding"}     401 {"fout": "niet_geautoriseerd", "melding"}
    GET  /api/v2/status               liveness of the mock

BPS is a live system, so `peilmoment` is the time of the answer unless brondata sets `peildatum`.
"""

from __future__ import annotations

import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters._gedeeld import Brondata, Registratie, StoringMiddleware, als_json, rfc3339
from gateway.domain.bsn import is_geldig_bsn

STANDAARD_API_KEY = "demo-bps-sleutel"  # demo secret, matches deploy/demo/bronnen.yaml


def maak_app(brondata: Brondata, *, api_key: str = STANDAARD_API_KEY) -> StoringMiddleware:
    bekend = brondata.voor("BPS")

    async def zoek(request: Request) -> JSONResponse:
        if not hmac.compare_digest(request.headers.get("X-BPS-ApiKey", ""), api_key):
            return _fout(401, "niet_geautoriseerd", "ongeldige of ontbrekende API-sleutel")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _fout(400, "ongeldig_verzoek", "body is geen JSON")
        bsn = body.get("bsn") if isinstance(body, dict) else None
        if not isinstance(bsn, str) or not is_geldig_bsn(bsn):
            return _fout(400, "ongeldig_verzoek", "bsn ontbreekt of voldoet niet aan de elfproef")
        reg = bekend.get(bsn)
        nu = datetime.now(UTC)
        personen = [_persoon(reg)] if reg else []
        peil = reg.peildatum if reg and reg.peildatum else nu
        return JSONResponse(
            {
                "zoekopdrachtId": str(uuid.uuid4()),
                "peilmoment": rfc3339(peil),
                "aantal": len(personen),
                "personen": personen,
            }
        )

    async def status(_: Request) -> JSONResponse:
        return JSONResponse({"systeem": "BPS", "status": "UP", "personen": len(bekend)})

    app = Starlette(routes=[Route("/api/v2/personen/_zoek", zoek, methods=["POST"]), Route("/api/v2/status", status)])
    return StoringMiddleware(app)


def _persoon(reg: Registratie) -> dict[str, Any]:
    inhoud = dict(reg.inhoud)
    mutaties = [
        {"mutatienummer": reg.referentie("M", 10) + f"-{i + 1:02d}", **_mutatie(m)}
        for i, m in enumerate(inhoud.pop("registraties", None) or [])
    ]
    return {
        "registratienummer": reg.referentie("PL-"),
        "bsn": reg.bsn,
        "geboortedatum": reg.geboortedatum.isoformat() if reg.geboortedatum else None,
        "eersteRegistratie": reg.bekend_sinds.isoformat(),
        "behandelendTeam": dict(reg.contactpunt),
        "mutaties": mutaties,
        **als_json(inhoud),
    }


def _mutatie(ruw: Any) -> dict[str, Any]:
    return als_json(ruw) if isinstance(ruw, dict) else {"omschrijving": str(ruw)}


def _fout(status: int, code: str, melding: str) -> JSONResponse:
    return JSONResponse({"fout": code, "melding": melding}, status_code=status)
