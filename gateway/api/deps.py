"""What the API needs, filled in by the composition root; and the caller as a typed dependency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from opentelemetry import trace

from gateway.domain.bsn import bevat_bsn
from gateway.domain.errors import GeenToegang, NietGeauthenticeerd, OngeldigeInvoer
from gateway.domain.model import Scope, Verzoeker, rol_voor_scopes
from gateway.domain.ports import TokenControle
from gateway.services.afspraken import AfspraakDienst
from gateway.services.audit import AuditDienst
from gateway.services.bewijzen import BewijsDienst
from gateway.services.casussen import CasusDienst
from gateway.services.gebeurtenissen import GebeurtenisDienst
from gateway.services.overleggen import OverlegDienst
from gateway.services.toestemmingen import ToestemmingDienst
from gateway.services.verwijzingen import VerwijzingDienst

from .invoer import zet_convenant

API_VERSIE = "1.0.0"


@dataclass
class Afhankelijkheden:
    casussen: CasusDienst
    overleggen: OverlegDienst
    afspraken: AfspraakDienst
    toestemmingen: ToestemmingDienst
    verwijzingen: VerwijzingDienst
    audit: AuditDienst
    gebeurtenissen: GebeurtenisDienst
    tokens: TokenControle
    gereed: Callable[[], Awaitable[dict[str, Any]]]
    metrieken: Any
    max_body_bytes: int = 64 * 1024
    publieke_sleutel: bytes | None = None
    sleutelring: bytes | None = None  # JSON, gateway.infrastructure.audit.sleutels.Sleutelring
    bewijzen: BewijsDienst | None = None
    cors_origins: tuple[str, ...] = ()  # browser origins allowed by CORS (docs/api.md)
    max_header_bytes: int = 16 * 1024
    stream_ticket_seconds: int = 30
    # Faults (docs/storingen.md): which exceptions are database failures (503, not 500), what of them may
    # be logged, the Retry-After of a 503, and the keep-alive bound per connection (requests, seconds).
    databasefouten: tuple[type[BaseException], ...] = ()
    oorzaak: Callable[[BaseException], dict[str, Any]] | None = None
    retry_after: int = 2
    keepalive: tuple[int, float] = (0, 0.0)


def afh(request: Request) -> Afhankelijkheden:
    return request.app.state.afhankelijkheden


def _trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


_bearer = HTTPBearer(auto_error=False, description="Token van POST /oauth/token (client credentials)")


async def verzoeker(
    request: Request,
    _schema: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,  # documents the scheme
    authorization: Annotated[str | None, Header()] = None,
    x_gebruiker: Annotated[str | None, Header(alias="X-Gebruiker")] = None,
) -> Verzoeker:
    zet_convenant(None)  # per request: never a previous caller's convenant
    if "access_token" in request.query_params:
        raise NietGeauthenticeerd("een token in de querystring wordt geweigerd; gebruik de Authorization-header")
    if not authorization:
        raise NietGeauthenticeerd("Authorization: Bearer-token ontbreekt")
    schema, _, token = authorization.partition(" ")
    if schema.lower() != "bearer" or not token.strip():
        raise NietGeauthenticeerd("Authorization moet 'Bearer <token>' zijn")
    claims = await afh(request).tokens.verifieer(token.strip())
    exp = claims.get("exp")
    request.state.token_verloopt = float(exp) if isinstance(exp, (int, float)) else None  # SSE ends then
    if x_gebruiker is not None:
        try:  # HTTP libraries decode headers as Latin-1; partners send UTF-8 (josé.müller)
            x_gebruiker = x_gebruiker.encode("latin-1").decode("utf-8")
        except UnicodeError:
            raise OngeldigeInvoer([("X-Gebruiker", "geen geldige UTF-8")]) from None
        if not (0 < len(x_gebruiker) <= 100) or not x_gebruiker.isprintable():
            raise OngeldigeInvoer([("X-Gebruiker", "1 tot 100 afdrukbare tekens")])
        if bevat_bsn(x_gebruiker):
            raise OngeldigeInvoer([("X-Gebruiker", "bevat een BSN")])
    scope = claims.get("scope") or ""
    scopes = frozenset(scope.split() if isinstance(scope, str) else scope)
    partner = claims.get("partner") or None
    # House roles carry no partner identity; a partner token carries no house role (issue 11).
    if (partner is None) == (Scope.PARTNER.value in scopes) or (partner is not None and rol_voor_scopes(scopes)):
        raise NietGeauthenticeerd("token: een partner-token noemt een partner, een rol van het huis geen partner")
    v = Verzoeker(
        huis=str(claims["huis"]),
        partner=str(partner) if partner is not None else None,
        client_id=str(claims.get("azp") or claims.get("client_id") or claims.get("sub") or "onbekend"),
        scopes=scopes,
        gebruiker=x_gebruiker,
        trace_id=_trace_id(),
    )
    try:  # lets the body name an unknown thema together with its other invalid fields
        zet_convenant(afh(request).casussen.omg.convenant(v))
    except GeenToegang:
        pass
    return v


Aanroeper = Annotated[Verzoeker, Depends(verzoeker)]
Afh = Annotated[Afhankelijkheden, Depends(afh)]
