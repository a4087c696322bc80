"""OAuth2 client credentials: the built-in issuer, and verification of its tokens or an external issuer's."""

from __future__ import annotations

import base64
import hmac
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from gateway.domain.errors import NietGeauthenticeerd
from gateway.domain.model import Scope, rol_voor_scopes

ALGORITMEN = ["RS256", "ES256", "PS256"]
SCOPES = {s.value for s in Scope}


@dataclass(frozen=True)
class Client:
    client_id: str
    geheim: str
    huis: str
    partner: str | None  # None for the house's own roles (procesregie, privacy, beheer)
    scopes: frozenset[str]


def laad_clients(pad: Path) -> dict[str, Client]:
    doc = yaml.safe_load(pad.read_text(encoding="utf-8")) or {}
    uit: dict[str, Client] = {}
    for i, c in enumerate(doc.get("clients") or []):
        onbekend = set(c.get("scopes") or []) - SCOPES
        if onbekend:
            raise ValueError(f"clients[{i}].scopes: onbekende scope {sorted(onbekend)}")
        scopes = frozenset(c.get("scopes") or [])
        # A house role is no partner: its client names none, and a partner client holds no house role.
        huisrol = rol_voor_scopes(scopes)
        if huisrol and (c.get("partner") or Scope.PARTNER.value in scopes):
            raise ValueError(f"clients[{i}]: een rol van het huis ({huisrol}) draagt geen partner")
        if not huisrol and not c.get("partner"):
            raise ValueError(f"clients[{i}].partner: verplicht voor scope partner")
        uit[c["clientId"]] = Client(c["clientId"], str(c["clientSecret"]), c["huis"], c.get("partner") or None,
                                    scopes)
    return uit


def laad_of_maak_tokensleutel(pad: Path) -> RSAKey:
    """The built-in issuer's RS256 key from a PKCS8 PEM file, made (mode 0600) when it does not exist yet.

    The key id is the key's RFC 7638 thumbprint, so every process that loads the file signs with the same `kid`.
    """
    if not pad.exists():
        pad.parent.mkdir(parents=True, exist_ok=True)
        tijdelijk = pad.with_name(f".{pad.name}.{uuid.uuid4().hex}")
        tijdelijk.touch(mode=0o600)
        tijdelijk.write_bytes(RSAKey.generate_key(2048).as_pem(private=True))
        try:
            os.link(tijdelijk, pad)  # atomic: when workers start together, the first key made wins
        except FileExistsError:
            pass
        finally:
            tijdelijk.unlink()
    pem = pad.read_bytes()
    kid = f"kp-{RSAKey.import_key(pem).thumbprint()[:16]}"
    return RSAKey.import_key(pem, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class OAuthFout(Exception):
    """An RFC 6749 §5.2 error of the token endpoint."""

    def __init__(self, code: str, beschrijving: str, status: int = 400):
        self.code, self.beschrijving, self.status = code, beschrijving, status
        super().__init__(beschrijving)


class TokenUitgever:
    def __init__(self, clients: Mapping[str, Client], *, issuer: str, audience: str, ttl: int,
                 sleutel: RSAKey | None = None):
        self.clients = clients
        self.issuer, self.audience, self.ttl = issuer, audience, ttl
        self.sleutel = sleutel or RSAKey.generate_key(2048, parameters={"kid": f"kp-{uuid.uuid4().hex[:12]}",
                                                                         "use": "sig", "alg": "RS256"})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.sleutel.as_dict(private=False)]}

    def sleutelset(self) -> KeySet:
        return KeySet([self.sleutel])

    def uitgeven(self, client_id: str, geheim: str, scope: str | None) -> dict[str, Any]:
        client = self.clients.get(client_id)
        # Compare even for an unknown client so timing does not reveal which ids exist.
        verwacht = client.geheim if client else "\x00" * 32
        if not hmac.compare_digest(verwacht.encode(), geheim.encode()) or client is None:
            raise OAuthFout("invalid_client", "onbekende client of onjuist geheim", 401)
        gevraagd = set(scope.split()) if scope else set(client.scopes)
        if not gevraagd <= client.scopes:
            raise OAuthFout("invalid_scope", f"toegestane scopes: {' '.join(sorted(client.scopes))}")
        nu = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.audience, "azp": client.client_id, "sub": client.client_id,
            "iat": nu, "nbf": nu, "exp": nu + self.ttl, "jti": uuid.uuid4().hex,
            "huis": client.huis, "partner": client.partner, "scope": " ".join(sorted(gevraagd)),
        }
        if client.partner is None:  # house staff: a role claim, and partner null (CONTRACT.md §3 keeps the claim)
            claims["rol"] = rol_voor_scopes(frozenset(gevraagd))
        token = jwt.encode({"alg": "RS256", "kid": self.sleutel.kid, "typ": "JWT"}, claims, self.sleutel)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.ttl,
                "scope": claims["scope"]}


class JwksBron:
    """Keys of an external OIDC issuer, cached, refreshed when an unknown key id shows up."""

    def __init__(self, url: str, *, ttl: float = 300.0, client: httpx.AsyncClient | None = None):
        self.url, self.ttl = url, ttl
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._set: KeySet | None = None
        self._opgehaald = 0.0

    async def sleutelset(self, kid: str | None) -> KeySet:
        verlopen = time.monotonic() - self._opgehaald > self.ttl
        onbekend = self._set is not None and kid is not None and all(k.kid != kid for k in self._set.keys)
        if self._set is None or verlopen or onbekend:
            try:
                r = await self._client.get(self.url)
                r.raise_for_status()
                self._set = KeySet.import_key_set(r.json())
                self._opgehaald = time.monotonic()
            except (httpx.HTTPError, ValueError, JoseError):
                if self._set is None:
                    raise NietGeauthenticeerd("sleutels van de token-uitgever niet beschikbaar") from None
        return self._set


class JwtControle:
    def __init__(self, *, issuer: str, audience: str, sleutels: KeySet | JwksBron, leeway: int = 30):
        self.issuer, self.audience, self.sleutels, self.leeway = issuer, audience, sleutels, leeway

    async def verifieer(self, token: str) -> Mapping[str, Any]:
        if len(token) > 8192 or token.count(".") != 2:
            raise NietGeauthenticeerd("token is geen JWT")
        try:
            kid = jws.extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError, TypeError, UnicodeError):
            raise NietGeauthenticeerd("token is geen JWT") from None
        sleutels = self.sleutels if isinstance(self.sleutels, KeySet) else await self.sleutels.sleutelset(kid)
        try:
            tok = jwt.decode(token, sleutels, algorithms=ALGORITMEN)
            jwt.JWTClaimsRegistry(
                leeway=self.leeway,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                huis={"essential": True},
            ).validate(tok.claims)
            if "partner" not in tok.claims:  # present always; null only for a house role
                raise ValueError("partner-claim ontbreekt")
        except (JoseError, ValueError, TypeError) as e:
            raise NietGeauthenticeerd(f"token ongeldig: {type(e).__name__}") from None
        return tok.claims


def maak_oauth_router(uitgever: TokenUitgever) -> APIRouter:
    """`POST /oauth/token` (client_credentials; client_secret_post or _basic) and the issuer's JWKS."""
    router = APIRouter(tags=["oauth"])

    def fout(e: OAuthFout) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Basic realm="ketenpoort"'} if e.status == 401 else None
        return JSONResponse({"error": e.code, "error_description": e.beschrijving}, status_code=e.status,
                            headers={**(headers or {}), "Cache-Control": "no-store"})

    @router.post("/oauth/token", summary="Token (OAuth2 client credentials)")
    async def token(
        request: Request,
        grant_type: str = Form(...),
        client_id: str | None = Form(default=None, max_length=200),
        client_secret: str | None = Form(default=None, max_length=500),
        scope: str | None = Form(default=None, max_length=200),
    ) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                cid, _, geheim = base64.b64decode(auth[6:]).decode().partition(":")
                client_id, client_secret = unquote(cid), unquote(geheim)
            except (ValueError, UnicodeError):
                return fout(OAuthFout("invalid_client", "onleesbare Basic-authenticatie", 401))
        if grant_type != "client_credentials":
            return fout(OAuthFout("unsupported_grant_type", "alleen client_credentials"))
        if not client_id or client_secret is None:
            return fout(OAuthFout("invalid_client", "client_id en client_secret zijn verplicht", 401))
        try:
            return JSONResponse(uitgever.uitgeven(client_id, client_secret, scope),
                                headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
        except OAuthFout as e:
            return fout(e)

    @router.get("/oauth/jwks.json", summary="Publieke sleutels van de ingebouwde token-uitgever")
    async def jwks() -> dict[str, Any]:
        return uitgever.jwks()

    return router
