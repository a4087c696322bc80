"""Issue 10 item 6: a browser EventSource authenticates with a single-use stream ticket (no token in a URL),
and every SSE stream ends when the caller's token expires."""

from __future__ import annotations

import time

from joserfc import jwt

from .helpers import is_probleem, meld_aan


def _kort_token(omgeving, seconden: float) -> str:
    u = omgeving.container.uitgever
    nu = int(time.time())
    claims = {"iss": u.issuer, "aud": u.audience, "azp": "demo-procesregisseur", "iat": nu, "exp": nu + seconden,
              "jti": f"kort-{nu}", "huis": "demo", "partner": None, "rol": "procesregie",
              "scope": "procesregisseur"}  # a house role: no partner (issue 11)
    return jwt.encode({"alg": "RS256", "kid": u.sleutel.kid}, claims, u.sleutel)


async def test_ticket_is_single_use_and_opens_a_stream_that_ends_with_the_token(omgeving):
    await meld_aan(omgeving)
    token = _kort_token(omgeving, 2)
    r = await omgeving.client.post("/v1/gebeurtenissen/_ticket", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    assert r.json()["verlooptOp"].endswith("Z") and token not in ticket
    start = time.monotonic()
    s = await omgeving.client.get("/v1/gebeurtenissen", params={"ticket": ticket, "vanaf": 0}, timeout=15)
    assert s.status_code == 200 and s.headers["content-type"].startswith("text/event-stream")
    assert "nl.ketenpoort.casussen.aangemeld" in s.text
    assert s.text.rstrip().endswith("event: token-verlopen\ndata: {}")
    assert time.monotonic() - start < 8  # closed at expiry, not left running
    # Single use: the same ticket again is refused.
    is_probleem(await omgeving.client.get("/v1/gebeurtenissen", params={"ticket": ticket}), 401)


async def test_unknown_ticket_and_ticket_without_token_are_401(omgeving):
    is_probleem(await omgeving.client.get("/v1/gebeurtenissen", params={"ticket": "verzonnen"}), 401)
    is_probleem(await omgeving.client.post("/v1/gebeurtenissen/_ticket"), 401)


async def test_bearer_stream_also_ends_when_its_token_expires(omgeving):
    token = _kort_token(omgeving, 2)
    s = await omgeving.client.get("/v1/gebeurtenissen", headers={"Authorization": f"Bearer {token}"}, timeout=15)
    assert s.status_code == 200 and "event: token-verlopen" in s.text
