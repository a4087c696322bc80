"""Token verification against an external issuer's JWKS (JWKS_URL), fetched over HTTP."""

from __future__ import annotations

import time

import httpx
import pytest
import respx
from joserfc import jwt
from joserfc.jwk import RSAKey

from gateway.domain.errors import NietGeauthenticeerd
from gateway.infrastructure.tokens import JwksBron, JwtControle

JWKS = "https://idp.example.test/jwks"


def _token(key: RSAKey, **claims) -> str:  # noqa: ANN003
    nu = int(time.time())
    basis = {"iss": "https://idp.example.test", "aud": "ketenpoort", "exp": nu + 60, "iat": nu, "azp": "x",
             "huis": "demo", "partner": "politie", "scope": "partner"}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {**basis, **claims}, key)


@respx.mock
async def test_external_issuer_keys_are_fetched_cached_and_rotated():
    oud = RSAKey.generate_key(2048, parameters={"kid": "oud"})
    nieuw = RSAKey.generate_key(2048, parameters={"kid": "nieuw"})
    route = respx.get(JWKS).mock(return_value=httpx.Response(200, json={"keys": [oud.as_dict(private=False)]}))
    controle = JwtControle(issuer="https://idp.example.test", audience="ketenpoort", sleutels=JwksBron(JWKS))
    assert (await controle.verifieer(_token(oud)))["partner"] == "politie"
    await controle.verifieer(_token(oud))
    assert route.call_count == 1  # cached
    route.mock(return_value=httpx.Response(200, json={"keys": [nieuw.as_dict(private=False)]}))
    assert (await controle.verifieer(_token(nieuw)))["huis"] == "demo"  # unknown kid: refetch
    assert route.call_count == 2
    with pytest.raises(NietGeauthenticeerd):
        await controle.verifieer(_token(nieuw, aud="iemand-anders"))


@respx.mock
async def test_unreachable_jwks_refuses_tokens():
    respx.get(JWKS).mock(side_effect=httpx.ConnectError("weg"))
    controle = JwtControle(issuer="https://idp.example.test", audience="ketenpoort", sleutels=JwksBron(JWKS))
    with pytest.raises(NietGeauthenticeerd):
        await controle.verifieer(_token(RSAKey.generate_key(2048, parameters={"kid": "k"})))
