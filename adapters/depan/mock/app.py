"""Mock of DJI's Depan, serving the people of brondata.yaml. HTTP Basic authentication.

    GET  /api/v1/uitstroom?pagina=1&paginaGrootte=25[&gemeente=..]   the paged release feed
      200 {"peildatum", "pagina", "paginaGrootte", "totaalAantal", "items": [melding...],
           "_links": {"self": {"href"}, "volgende"?: {"href"}, "vorige"?: {"href"}}}
    POST /api/v1/gedetineerden/_zoek   {"bsn", "geboortedatum"?}
      200 {"peildatum", "aantal", "gedetineerden": [{
             "detentieId", "bsn", "geboortedatum", "registratiedatum", "peildatum",
             "contactpunt": {"naam", "telefoon"?, "email"?},
             "status", "inrichting", "verwachteUitstroom", "leefgebieden", ...   <- content
          }]}
      400 / 401 {"fout", "melding"}

Depan is filled in nightly batches, so its `peildatum` is last night's run (02:00 UTC) unless
brondata gives the record its own, older one: a release after that moment is not in Depan yet.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters._gedeeld import Brondata, Registratie, StoringMiddleware, als_json, rfc3339
from gateway.domain.bsn import is_geldig_bsn

STANDAARD_CLIENT_ID = "demo-ketenpoort"  # demo secret, matches deploy/demo/bronnen.yaml
STANDAARD_CLIENT_SECRET = "demo-depan-geheim"
_MAX_PAGINA_GROOTTE = 100


def maak_app(
    brondata: Brondata, *, client_id: str = STANDAARD_CLIENT_ID, client_secret: str = STANDAARD_CLIENT_SECRET
) -> StoringMiddleware:
    bekend = brondata.voor("Depan")

    def geautoriseerd(request: Request) -> bool:
        schema, _, waarde = request.headers.get("Authorization", "").partition(" ")
        try:
            naam, _, geheim = base64.b64decode(waarde, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        # Both comparisons always run, so timing does not tell which half was wrong.
        naam_goed = hmac.compare_digest(naam, client_id)
        geheim_goed = hmac.compare_digest(geheim, client_secret)
        return schema.lower() == "basic" and naam_goed and geheim_goed

    async def zoek(request: Request) -> JSONResponse:
        if not geautoriseerd(request):
            return _fout(401, "niet_geautoriseerd", "ongeldige client-gegevens")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _fout(400, "ongeldig_verzoek", "body is geen JSON")
        bsn = body.get("bsn") if isinstance(body, dict) else None
        if not isinstance(bsn, str) or not is_geldig_bsn(bsn):
            return _fout(400, "ongeldig_verzoek", "bsn ontbreekt of voldoet niet aan de elfproef")
        reg = bekend.get(bsn)
        records = [_record(reg)] if reg else []
        return JSONResponse(
            {"peildatum": rfc3339(_batch_peildatum()), "aantal": len(records), "gedetineerden": records}
        )

    async def uitstroom(request: Request) -> JSONResponse:
        if not geautoriseerd(request):
            return _fout(401, "niet_geautoriseerd", "ongeldige client-gegevens")
        try:
            pagina = int(request.query_params.get("pagina", "1"))
            grootte = int(request.query_params.get("paginaGrootte", "25"))
        except ValueError:
            return _fout(400, "ongeldig_verzoek", "pagina en paginaGrootte zijn gehele getallen")
        if pagina < 1 or not 1 <= grootte <= _MAX_PAGINA_GROOTTE:
            return _fout(400, "ongeldig_verzoek", f"pagina >= 1, paginaGrootte 1..{_MAX_PAGINA_GROOTTE}")
        gemeente = request.query_params.get("gemeente")
        meldingen = sorted(
            (r for r in bekend.values() if "verwachteUitstroom" in r.inhoud or "uitstroomdatum" in r.inhoud),
            key=_uitstroom_datum,
        )
        if gemeente:
            meldingen = [r for r in meldingen if str(r.inhoud.get("gemeente", "")).lower() == gemeente.lower()]
        begin = (pagina - 1) * grootte
        items = [{"meldingId": r.referentie("UM-"), **_record(r)} for r in meldingen[begin : begin + grootte]]
        links = {"self": {"href": _href(pagina, grootte, gemeente)}}
        if begin + grootte < len(meldingen):
            links["volgende"] = {"href": _href(pagina + 1, grootte, gemeente)}
        if pagina > 1:
            links["vorige"] = {"href": _href(pagina - 1, grootte, gemeente)}
        return JSONResponse(
            {
                "peildatum": rfc3339(_batch_peildatum()),
                "pagina": pagina,
                "paginaGrootte": grootte,
                "totaalAantal": len(meldingen),
                "items": items,
                "_links": links,
            }
        )

    app = Starlette(
        routes=[
            Route("/api/v1/gedetineerden/_zoek", zoek, methods=["POST"]),
            Route("/api/v1/uitstroom", uitstroom, methods=["GET"]),
        ]
    )
    return StoringMiddleware(app)


def _batch_peildatum() -> datetime:
    nu = datetime.now(UTC)
    vannacht = datetime.combine(nu.date(), time(2), UTC)
    return vannacht if nu >= vannacht else vannacht - timedelta(days=1)


def _record(reg: Registratie) -> dict[str, Any]:
    return {
        "detentieId": reg.referentie("DPN-"),
        "bsn": reg.bsn,
        "geboortedatum": reg.geboortedatum.isoformat() if reg.geboortedatum else None,
        "registratiedatum": reg.bekend_sinds.isoformat(),
        "peildatum": rfc3339(reg.peildatum or _batch_peildatum()),
        "contactpunt": dict(reg.contactpunt),
        **als_json(reg.inhoud),
    }


def _uitstroom_datum(reg: Registratie) -> str:
    return str(reg.inhoud.get("uitstroomdatum") or reg.inhoud.get("verwachteUitstroom"))


def _href(pagina: int, grootte: int, gemeente: str | None) -> str:
    parameters: dict[str, str | int] = {"pagina": pagina, "paginaGrootte": grootte}
    if gemeente:
        parameters["gemeente"] = gemeente
    return f"/api/v1/uitstroom?{urlencode(parameters)}"


def _fout(status: int, code: str, melding: str) -> JSONResponse:
    return JSONResponse({"fout": code, "melding": melding}, status_code=status)
