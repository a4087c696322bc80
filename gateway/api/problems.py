"""RFC 9457 problem details, as the NL API Design Rules ask: 400 (never 422) naming every invalid field."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from gateway.domain.errors import (
    AntwoordNietVastgelegd,
    AuditNietVastgelegd,
    Conflict,
    GeenToegang,
    KetenpoortFout,
    NietGeauthenticeerd,
    NietGevonden,
    OngeldigeInvoer,
)

PROBLEM = "application/problem+json"
_TYPE = "urn:nld:ketenpoort:probleem:"
_TITELS = {
    400: ("ongeldige-invoer", "Ongeldige invoer"),
    401: ("niet-geauthenticeerd", "Niet geauthenticeerd"),
    403: ("geen-toegang", "Geen toegang"),
    404: ("niet-gevonden", "Niet gevonden"),
    405: ("methode-niet-toegestaan", "Methode niet toegestaan"),
    409: ("conflict", "Conflict"),
    413: ("te-groot", "Verzoek te groot"),
    415: ("mediatype-niet-ondersteund", "Mediatype niet ondersteund"),
    500: ("interne-fout", "Interne fout"),
    503: ("niet-beschikbaar", "Tijdelijk niet beschikbaar"),
}


def probleem(status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    slug, titel = _TITELS.get(status, ("fout", "Fout"))
    body: dict[str, Any] = {"type": _TYPE + slug, "title": titel, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _naam(loc: tuple[Any, ...]) -> str:
    # ("body", "deelnemers", 0, "naam") -> "deelnemers[0].naam"; headers and query keep their name.
    delen = [p for p in loc if p not in ("body", "query", "path", "header")]
    uit = ""
    for p in delen:
        uit += f"[{p}]" if isinstance(p, int) else (f".{p}" if uit else str(p))
    return uit or "body"


def _reden(err: dict[str, Any]) -> str:
    if err.get("type") == "extra_forbidden":
        return "onbekend veld"
    if err.get("type") == "missing":
        return "verplicht veld ontbreekt"
    if err.get("type") == "timezone_aware":
        return "tijdzone ontbreekt (RFC 3339, bijvoorbeeld 2026-01-01T00:00:00Z)"
    # Only the message: the rejected input may itself be personal data (a BSN).
    return str(err.get("msg", "ongeldig"))


async def validatie_fout(_: Request, exc: RequestValidationError) -> JSONResponse:
    params = []
    gezien = set()
    for e in exc.errors():
        naam, reden = _naam(tuple(e.get("loc", ()))), _reden(e)
        if (naam, reden) not in gezien:
            gezien.add((naam, reden))
            params.append({"name": naam, "reason": reden})
    detail = "; ".join(f"{p['name']}: {p['reason']}" for p in params)
    return probleem(400, detail or "ongeldige invoer", invalidParams=params)


def _storing(request: Request, exc: BaseException, gebeurtenis: str, detail: str) -> JSONResponse:
    """A 503 the caller may retry; its cause is logged once, as JSON, with the request id (bound by the middleware)."""
    import structlog

    afh = getattr(request.app.state, "afhankelijkheden", None)
    oorzaak = getattr(afh, "oorzaak", None)
    velden = oorzaak(exc.__cause__ or exc) if oorzaak else {"fout": type(exc).__name__}
    structlog.get_logger("ketenpoort.http").error(gebeurtenis, route=getattr(request.scope.get("route"), "path", None),
                                                  **velden)
    wacht = str(getattr(afh, "retry_after", 2))
    return probleem(503, detail, headers={"Retry-After": wacht})


async def database_fout(request: Request, exc: Exception) -> JSONResponse:
    """Any database failure outside a commit (connecting, reading, a timeout): temporary, so 503, never 500."""
    return _storing(request, exc, "http.database_fout",
                    "de database is tijdelijk niet bereikbaar of niet beschrijfbaar; er is niets uitgewisseld, "
                    "probeer het later opnieuw")


async def domein_fout(request: Request, exc: KetenpoortFout) -> JSONResponse:
    if isinstance(exc, OngeldigeInvoer):
        return probleem(400, exc.detail, invalidParams=[{"name": p.name, "reason": p.reason} for p in exc.params])
    if isinstance(exc, NietGeauthenticeerd):
        return probleem(401, exc.reden, headers={"WWW-Authenticate": 'Bearer realm="ketenpoort"'})
    if isinstance(exc, GeenToegang):
        return probleem(403, exc.reden, regel=exc.regel)
    if isinstance(exc, NietGevonden):
        return probleem(404, f"{exc.wat} niet gevonden")
    if isinstance(exc, Conflict):
        return probleem(409, exc.detail, **exc.extra)
    if isinstance(exc, AuditNietVastgelegd):
        return _storing(request, exc, "http.audit_niet_vastgelegd",
                        "het auditrecord kon niet worden vastgelegd; er is niets uitgewisseld")
    if isinstance(exc, AntwoordNietVastgelegd):
        return _storing(request, exc, "http.antwoord_niet_vastgelegd",
                        "de uitwisseling is vastgelegd in het auditlog en de bronnen zijn bevraagd, maar het "
                        "antwoord kon niet worden opgeslagen of teruggegeven; vraag opnieuw op")
    return probleem(500, "onverwachte fout")


async def http_fout(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else _TITELS.get(exc.status_code, ("", "Fout"))[1]
    return probleem(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def onverwachte_fout(_: Request, exc: Exception) -> JSONResponse:
    # The type only: a message may carry personal data. The traceback goes to the server log.
    import structlog

    structlog.get_logger("ketenpoort.http").error("http.onverwachte_fout", fout=type(exc).__name__)
    return probleem(500, "onverwachte fout; er is niets uitgewisseld zonder auditrecord")
