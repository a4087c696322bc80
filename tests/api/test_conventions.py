"""NL API Design Rules and authentication: problem+json, API-Version, 400/401/404/413, tokens."""

from __future__ import annotations

import base64
import json
import time

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.fixtures import BSN_A

from .helpers import PROBLEM, is_probleem, meld_aan


async def test_openapi_is_public_and_versioned(omgeving):
    r = await omgeving.client.get("/v1/openapi.json")
    assert r.status_code == 200 and r.headers["API-Version"] == "1.0.0"
    doc = r.json()
    # The major version lives in `servers` (ADR /core/uri-version); paths are relative to it.
    assert doc["servers"][0]["url"] == "/v1"
    paden = doc["paths"]
    assert "/casussen" in paden and "/casussen/_zoek" in paden
    assert not any(p.endswith("/") for p in paden)


async def test_every_response_carries_api_version(omgeving):
    for r in [await omgeving.client.get("/health"), await omgeving.client.get("/v1/casussen"),
              await omgeving.client.get("/v1/bestaat-niet")]:
        assert r.headers["API-Version"] == "1.0.0"


async def test_trailing_slash_is_404_not_redirect(omgeving):
    r = await omgeving.client.get("/v1/casussen/", headers=await omgeving.als("demo-politie"))
    is_probleem(r, 404)
    assert "location" not in r.headers


async def test_operations_endpoints(omgeving):
    assert (await omgeving.client.get("/health")).json() == {"status": "ok"}
    r = await omgeving.client.get("/ready")
    assert r.status_code == 200 and r.json()["database"] == "ok" and r.json()["convenanten"] == ["demo", "noord"]
    await omgeving.client.get("/v1/casussen")
    m = await omgeving.client.get("/metrics")
    assert m.status_code == 200 and "ketenpoort_http_requests_total" in m.text


async def test_no_token_malformed_wrong_scheme_are_401(omgeving):
    for h in [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic YTpi"}, {"Authorization": "Bearer a.b.c"},
              {"Authorization": "Bearer " + "x" * 9000}, {"Authorization": "Bearer nietEensPunten"}]:
        r = await omgeving.client.get("/v1/casussen", headers=h)
        body = is_probleem(r, 401)
        assert "Bearer" in r.headers["WWW-Authenticate"] and body["detail"]


async def test_token_in_query_string_is_refused(omgeving):
    token = await omgeving.token("demo-politie")
    r = await omgeving.client.get("/v1/casussen", params={"access_token": token})
    is_probleem(r, 401)
    r = await omgeving.client.get("/v1/casussen", params={"access_token": token},
                                  headers={"Authorization": f"Bearer {token}"})
    is_probleem(r, 401)


def _jwt(claims: dict, key: RSAKey | None = None) -> str:
    key = key or RSAKey.generate_key(2048, parameters={"kid": "vreemd"})
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


async def test_forged_expired_and_foreign_tokens_are_401(omgeving):
    uitgever = omgeving.container.uitgever
    nu = int(time.time())
    basis = {"iss": uitgever.issuer, "aud": uitgever.audience, "azp": "demo-politie", "iat": nu, "exp": nu + 60,
             "huis": "demo", "partner": "politie", "scope": "procesregisseur"}
    gevallen = {
        "vreemde sleutel": _jwt(basis),
        "verlopen": _jwt({**basis, "exp": nu - 3600}, uitgever.sleutel),
        "andere audience": _jwt({**basis, "aud": "iets-anders"}, uitgever.sleutel),
        "andere issuer": _jwt({**basis, "iss": "https://elders.example"}, uitgever.sleutel),
        "zonder huis": _jwt({k: v for k, v in basis.items() if k != "huis"}, uitgever.sleutel),
    }
    for naam, token in gevallen.items():
        r = await omgeving.client.get("/v1/casussen", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, naam
    # alg=none: header and payload without a signature.
    kop = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
    lijf = base64.urlsafe_b64encode(json.dumps(basis).encode()).rstrip(b"=").decode()
    r = await omgeving.client.get("/v1/casussen", headers={"Authorization": f"Bearer {kop}.{lijf}."})
    assert r.status_code == 401


async def test_valid_token_of_unserved_house_is_403(omgeving):
    u = omgeving.container.uitgever
    nu = int(time.time())
    token = _jwt({"iss": u.issuer, "aud": u.audience, "azp": "x", "iat": nu, "exp": nu + 60, "huis": "zuid",
                  "partner": None, "rol": "procesregie", "scope": "procesregisseur"}, u.sleutel)
    r = await omgeving.client.get("/v1/casussen", headers={"Authorization": f"Bearer {token}"})
    is_probleem(r, 403)


async def test_token_endpoint(omgeving):
    c = omgeving.client
    r = await c.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-politie",
                                           "client_secret": "demo-politie-geheim"})
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert r.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], omgeving.container.uitgever.sleutelset()).claims
    assert {k: claims[k] for k in ("huis", "partner", "azp", "scope")} == {
        "huis": "demo", "partner": "politie", "azp": "demo-politie", "scope": "partner"}
    assert {"iss", "aud", "exp", "iat", "jti"} <= set(claims)
    basic = base64.b64encode(b"demo-om:demo-om-geheim").decode()
    r = await c.post("/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200
    r = await c.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-politie",
                                           "client_secret": "fout"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await c.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "niemand",
                                           "client_secret": "x"})
    assert r.status_code == 401
    r = await c.post("/oauth/token", data={"grant_type": "password", "client_id": "demo-politie",
                                           "client_secret": "demo-politie-geheim"})
    assert r.json()["error"] == "unsupported_grant_type"
    r = await c.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-politie",
                                           "client_secret": "demo-politie-geheim", "scope": "privacy"})
    assert r.json()["error"] == "invalid_scope"
    jwks = (await c.get("/oauth/jwks.json")).json()
    assert jwks["keys"] and "d" not in jwks["keys"][0]


async def test_body_too_large_is_413_and_nothing_written(omgeving):
    h = await omgeving.als("demo-politie")
    groot = {"bsn": BSN_A, "thema": "jeugd", "gemeente": "x" * (70 * 1024)}
    r = await omgeving.client.post("/v1/casussen", json=groot, headers=h)
    is_probleem(r, 413)

    async def stukken():  # chunked: no Content-Length to go by
        yield b'{"bsn": "999990019", "thema": "jeugd", "gemeente": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    r = await omgeving.client.post("/v1/casussen", content=stukken(), headers={**h, "content-type": "application/json"})
    is_probleem(r, 413)
    r = await omgeving.client.get("/v1/casussen", headers=await omgeving.als("demo-procesregisseur"))
    assert r.json()["totaal"] == 0


async def test_x_gebruiker_is_validated_and_recorded(omgeving):
    token = await omgeving.token("demo-politie")
    for waarde, status in [("a" * 101, 400), ("Bel 999990019", 400)]:
        r = await omgeving.client.get("/v1/casussen", headers={"Authorization": f"Bearer {token}", "X-Gebruiker": waarde})
        assert r.status_code == status
        assert "999990019" not in r.text
    await meld_aan(omgeving)
    from gateway.infrastructure.db.tables import audit_ledger
    from sqlalchemy import select

    async with omgeving.container.engine.connect() as conn:
        events = [r.event for r in await conn.execute(select(audit_ledger))]
    assert events[-1]["data"]["verzoeker"] == {"partner": "politie", "clientId": "demo-politie",
                                               "gebruiker": "t.tester"}


async def test_method_not_allowed_is_problem(omgeving):
    r = await omgeving.client.put("/v1/casussen", headers=await omgeving.als("demo-politie"))
    assert r.status_code == 405 and r.headers["content-type"].startswith(PROBLEM)


async def test_logs_are_json_with_request_ids(omgeving):
    from tests.support.fixtures import log_regels

    r = await omgeving.client.get("/health", headers={"X-Request-ID": "verzoek-123"})
    assert r.headers["x-request-id"] == "verzoek-123"
    regels = [x for x in log_regels(omgeving.log) if x.get("event") == "http.verzoek"]
    assert regels and regels[-1]["request_id"] == "verzoek-123" and regels[-1]["status"] == 200
    assert {"timestamp", "level", "route", "duur_ms"} <= set(regels[-1])


async def test_ready_reports_sources_without_requiring_them(omgeving):
    r = await omgeving.client.get("/ready")
    assert set(r.json()["bronnen"]) == {"BPS", "JCO-support", "Depan", "VIR"}


async def test_unexpected_error_is_a_problem_without_details(omgeving, monkeypatch):
    import httpx

    async def stuk(*a, **k):  # noqa: ANN002, ANN003
        raise RuntimeError("geheim 999990019")

    monkeypatch.setattr(omgeving.container.afhankelijkheden.casussen, "lijst", stuk)
    transport = httpx.ASGITransport(app=omgeving.container.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as c:
        r = await c.get("/v1/casussen", headers=await omgeving.als("demo-procesregisseur"))
    body = is_probleem(r, 500)
    assert "999990019" not in r.text and "geheim" not in body["detail"]
    assert "999990019" not in omgeving.log.getvalue()


async def test_openapi_documents_bearer_security(omgeving):
    spec = (await omgeving.client.get("/v1/openapi.json")).json()
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())
