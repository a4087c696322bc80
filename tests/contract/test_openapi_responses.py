"""Issue 10 item 1: every real response of a tour (errors included) is what the OpenAPI document says:
a documented status, the documented media type, a body valid against the documented schema, API-Version."""

from __future__ import annotations

import re

import httpx
import jsonschema

from tests.support.fixtures import BSN_A
from tests.support.scenario import draai_scenario


def _operatie(doc: dict, methode: str, pad: str) -> tuple[str, dict] | None:
    relatief = pad[3:] if pad.startswith("/v1/") else pad
    passend = [(sjabloon.count("{"), sjabloon, item[methode]) for sjabloon, item in doc["paths"].items()
               if methode in item and re.match("^" + re.sub(r"\{[^}]+\}", "[^/]+", sjabloon) + "$", relatief)]
    # The most literal template wins (/casussen/_zoek over /casussen/{casus_id}), as the router does.
    return min(passend, key=lambda p: p[0])[1:] if passend else None


def _controleer(doc: dict, r: httpx.Response) -> list[str]:
    methode, pad = r.request.method.lower(), r.request.url.path
    if not pad.startswith("/v1/") or pad == "/v1/openapi.json":
        return []
    gevonden = _operatie(doc, methode, pad)
    if gevonden is None:
        return [f"{methode} {pad}: niet in het document"]
    sjabloon, op = gevonden
    antwoord = op["responses"].get(str(r.status_code))
    if antwoord is None:
        return [f"{methode} {sjabloon}: status {r.status_code} niet gedocumenteerd"]
    fouten = []
    if "api-version" not in r.headers:
        fouten.append(f"{methode} {sjabloon}: geen API-Version")
    if r.status_code == 204:
        return fouten
    media = r.headers.get("content-type", "").split(";")[0]
    if media not in antwoord.get("content", {}):
        return [*fouten, f"{methode} {sjabloon} {r.status_code}: {media} niet gedocumenteerd"]
    schema = antwoord["content"][media].get("schema")
    if schema and media.endswith("json"):
        v = jsonschema.Draft202012Validator({**schema, "components": doc["components"]},
                                            format_checker=jsonschema.FormatChecker())
        fouten += [f"{methode} {sjabloon} {r.status_code}: {e.message}" for e in v.iter_errors(r.json())]
    return fouten


async def test_every_response_of_the_tour_matches_the_document(omgeving):
    doc = (await omgeving.client.get("/v1/openapi.json")).json()
    antwoorden: list[httpx.Response] = []

    async def bewaar(r: httpx.Response) -> None:
        await r.aread()
        antwoorden.append(r)

    omgeving.client.event_hooks["response"].append(bewaar)
    await draai_scenario(omgeving)
    # The errors a partner meets, too.
    h = await omgeving.als("demo-politie")
    await omgeving.client.post("/v1/casussen", json={"bsn": "12345", "thema": "x", "extra": 1}, headers=h)
    await omgeving.client.post("/v1/casussen", json={"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a"}, headers=h)
    await omgeving.client.post("/v1/casussen", json={"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a"}, headers=h)
    await omgeving.client.get("/v1/casussen")
    await omgeving.client.get("/v1/casussen/3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10", headers=h)
    await omgeving.client.post("/v1/overleggen", json={"overlegtype": "jco", "datum": "2026-12-01"}, headers=h)
    await omgeving.client.post("/v1/casussen", content=b"x", headers={**h, "Content-Type": "text/plain"})
    await omgeving.client.get("/v1/audit/gebeurtenissen", headers=await omgeving.als("demo-privacy"))
    await omgeving.client.get("/v1/overleggen", headers=h)
    statussen = {r.status_code for r in antwoorden}
    assert {200, 201, 400, 401, 403, 404, 409, 415} <= statussen
    fouten = [f for r in antwoorden for f in _controleer(doc, r)]
    assert fouten == [], "\n".join(fouten[:30])
