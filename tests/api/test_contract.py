"""Issue 10: what a partner's developer found. Each finding reproduced, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from .helpers import PROBLEM, is_probleem, meld_aan, ongeldige_velden, plan_overleg

NUL_VELDEN = [
    ("post", "/v1/casussen", {"bsn": "999990019", "thema": "jeugd", "gemeente": "Gem\u0000eente"}, "gemeente"),
    ("post", "/v1/casussen", {"bsn": "999990019", "thema": "jeugd", "gemeente": "Gem\u0007eente"}, "gemeente"),
    # A lone surrogate, as a JSON escape (PostgreSQL's driver cannot encode it).
    ("post", "/v1/casussen", '{"bsn": "999990019", "thema": "jeugd", "gemeente": "G\\ud800"}', "gemeente"),
]


@pytest.mark.parametrize("methode,pad,body,veld", NUL_VELDEN)
async def test_nul_and_control_characters_in_a_body_are_400_naming_the_field(omgeving, methode, pad, body, veld):
    h = await omgeving.als("demo-politie")
    if isinstance(body, str):
        r = await omgeving.client.request(methode, pad, content=body.encode(), headers={**h, "Content-Type": "application/json"})
    else:
        r = await omgeving.client.request(methode, pad, json=body, headers=h)
    assert veld in ongeldige_velden(r)


async def test_nul_in_free_text_of_afspraak_and_casus_is_400_on_both_databases(omgeving):
    casus = await meld_aan(omgeving)
    h = await omgeving.als("demo-procesregisseur")
    r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/afspraken", headers=h,
                                   json={"uitvoerder": "politie", "actie": "bel\u0000len", "deadline": "2026-12-15"})
    assert ongeldige_velden(r) == {"actie"}
    r = await omgeving.client.patch(f"/v1/casussen/{casus['id']}", headers=h,
                                    json={"status": "afgesloten", "afsluitReden": "klaar\u0000"})
    assert ongeldige_velden(r) == {"afsluitReden"}
    # Lines stay allowed in free text.
    r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/afspraken", headers=h,
                                   json={"uitvoerder": "politie", "actie": "bellen\nen langsgaan", "deadline": "2026-12-15"})
    assert r.status_code == 201, r.text


async def test_nul_in_query_parameters_is_400(omgeving):
    h = await omgeving.als("demo-politie")
    assert ongeldige_velden(await omgeving.client.get("/v1/afspraken?uitvoerder=a%00b", headers=h)) == {"uitvoerder"}
    assert ongeldige_velden(await omgeving.client.get("/v1/casussen?thema=a%00b", headers=h)) == {"thema"}
    p = await omgeving.als("demo-privacy")
    assert ongeldige_velden(await omgeving.client.get("/v1/audit/gebeurtenissen?partner=a%00b", headers=p)) == {"partner"}


async def test_audit_times_without_timezone_are_400_and_with_one_work(omgeving):
    p = await omgeving.als("demo-privacy")
    r = await omgeving.client.get("/v1/audit/gebeurtenissen?vanaf=2026-01-01T00:00:00", headers=p)
    assert ongeldige_velden(r) == {"vanaf"}
    assert "tijdzone" in r.json()["invalidParams"][0]["reason"]
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"vanaf": "9999-12-31T23:59:59-01:00"}, headers=p)
    assert ongeldige_velden(r) == {"vanaf"}
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"vanaf": "2026-01-01T01:00:00+01:00"}, headers=p)
    assert r.status_code == 200, r.text


async def test_huge_stream_positions_are_400_not_an_overflow(omgeving):
    h = await omgeving.als("demo-procesregisseur")
    r = await omgeving.client.get("/v1/gebeurtenissen", params={"vanaf": str(2**64)}, headers=h)
    assert ongeldige_velden(r) == {"vanaf"}
    r = await omgeving.client.get("/v1/gebeurtenissen", headers={**h, "Last-Event-ID": str(2**64)})
    assert ongeldige_velden(r) == {"Last-Event-ID"}


async def test_x_gebruiker_is_read_as_utf8_into_the_audit_chain(omgeving):
    h = {**await omgeving.als("demo-politie", gebruiker=None), "X-Gebruiker": "josé.müller".encode()}
    casus = await omgeving.client.post("/v1/casussen", headers=h,
                                       json={"bsn": "999990019", "thema": "jeugd", "gemeente": "gemeente-a"})
    assert casus.status_code == 201, casus.text
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", headers=await omgeving.als("demo-privacy"))
    gebruikers = {g["verzoeker"].get("gebruiker") for g in r.json()["gebeurtenissen"]}
    assert "josé.müller" in gebruikers and "josÃ©.mÃ¼ller" not in gebruikers
    r = await omgeving.client.get("/v1/casussen", headers={**h, "X-Gebruiker": b"\xff\xfe"})
    assert ongeldige_velden(r) == {"X-Gebruiker"}


async def test_every_invalid_field_at_once_unknown_ones_included(omgeving):
    r = await omgeving.client.post("/v1/casussen", json={"bsn": "12345", "thema": "geen-thema", "extra": 1},
                                   headers=await omgeving.als("demo-politie"))
    assert ongeldige_velden(r) == {"bsn", "thema", "extra", "gemeente"}
    assert "12345" not in r.text  # a near-BSN is still personal data


async def test_head_works_on_get_routes_and_options_lists_methods(omgeving):
    h = await omgeving.als("demo-politie")
    for pad in ["/health", "/v1/casussen", "/v1/afspraken", "/v1/openapi.json"]:
        get = await omgeving.client.get(pad, headers=h)
        head = await omgeving.client.head(pad, headers=h)
        assert head.status_code == get.status_code == 200 and head.content == b"", pad
        assert head.headers["content-type"] == get.headers["content-type"]
    sse = await omgeving.client.head("/v1/gebeurtenissen", headers=await omgeving.als("demo-procesregisseur"))
    assert sse.status_code == 200 and sse.headers["content-type"].startswith("text/event-stream") and sse.content == b""
    r = await omgeving.client.options("/v1/casussen")
    assert r.status_code == 204 and r.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    r = await omgeving.client.put("/v1/casussen", headers=h, json={})
    is_probleem(r, 405)
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    r = await omgeving.client.delete("/v1/casussen/3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10", headers=h)
    assert is_probleem(r, 405) and r.headers["Allow"] == "GET, HEAD, OPTIONS, PATCH"


async def test_unknown_query_parameters_are_400(omgeving):
    h = await omgeving.als("demo-politie")
    r = await omgeving.client.get("/v1/casussen?gemeente=x&thema=jeugd&foo=1", headers=h)
    assert ongeldige_velden(r) == {"gemeente", "foo"}


async def test_wrong_content_type_is_415(omgeving):
    h = await omgeving.als("demo-politie")
    r = await omgeving.client.post("/v1/casussen", content=b"bsn=999990019", headers={**h, "Content-Type": "text/plain"})
    is_probleem(r, 415)
    r = await omgeving.client.post("/v1/casussen", headers={**h, "Content-Type": "application/merge-patch+json"},
                                   content=b'{"bsn": "999990019", "thema": "jeugd", "gemeente": "gemeente-a"}')
    assert r.status_code == 201, r.text
    r = await omgeving.client.post("/oauth/token", json={"grant_type": "client_credentials"})
    is_probleem(r, 415)


async def test_security_headers_and_no_store_on_personal_data(omgeving):
    h = await omgeving.als("demo-politie")
    casus = await meld_aan(omgeving)
    for r in [await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=h),
              await omgeving.client.get("/v1/bestaat-niet"), await omgeving.client.get("/health")]:
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in r.headers  # only over TLS
    r = await omgeving.client.get("https://gateway.test/health")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_oversized_request_headers_are_431(omgeving):
    r = await omgeving.client.get("/health", headers={"X-Groot": "x" * 50_000})
    assert r.status_code == 431 and r.headers["content-type"].startswith(PROBLEM)
    assert r.headers["API-Version"]


async def test_docs_and_redoc_work_offline(omgeving):
    for pad, asset in [("/docs", "/static/swagger-ui/swagger-ui-bundle.js"), ("/redoc", "/static/redoc/redoc.standalone.js")]:
        html = (await omgeving.client.get(pad)).text
        assert asset in html and "cdn" not in html.lower() and "fonts.googleapis" not in html
        r = await omgeving.client.get(asset)
        assert r.status_code == 200 and len(r.content) > 100_000


async def test_cors_allowlist_from_configuration(omgeving):
    # No origin configured in the tests' settings: a browser preflight gets no permission.
    r = await omgeving.client.options("/v1/casussen", headers={"Origin": "https://elders.example",
                                                               "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers
    r = await omgeving.client.get("/v1/openapi.json", headers={"Origin": "https://elders.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


async def test_openapi_documents_every_error_as_problem_json_and_no_422(omgeving):
    doc = (await omgeving.client.get("/v1/openapi.json")).json()
    assert doc["info"]["contact"]["email"] and doc["servers"] == [{"url": "/v1", "description": doc["servers"][0]["description"]}]
    assert "422" not in str(doc) and "HTTPValidationError" not in str(doc)
    for pad, item in doc["paths"].items():
        for methode, op in item.items():
            if methode not in ("get", "post", "patch", "delete"):
                continue
            for code, antwoord in op["responses"].items():
                assert "API-Version" in antwoord["headers"], (pad, methode, code)
                if pad == "/oauth/token" and code in ("400", "401"):  # RFC 6749 §5.2 error format
                    assert list(antwoord["content"]) == ["application/json"]
                elif code[0] in "45":
                    assert list(antwoord["content"]) == [PROBLEM], (pad, methode, code)
            if "requestBody" in op:
                assert {"400", "413", "415"} <= set(op["responses"]), (pad, methode)
            if pad.startswith("/") and "security" in op:
                assert {"401", "403"} <= set(op["responses"]) and op["security"][0]["oauth2"], (pad, methode)
    casus = doc["components"]["schemas"]["CasusUit"]["properties"]
    assert casus["thema"]["description"] and casus["thema"]["example"] == "jeugd"


async def test_overleg_paths_still_answer_and_agenda_head(omgeving):
    o = await plan_overleg(omgeving)
    r = await omgeving.client.head(f"/v1/overleggen/{o['id']}/agendapunten", headers=await omgeving.als("demo-politie"))
    assert r.status_code == 200 and r.content == b""


async def test_typed_audit_records_are_returned_unchanged_so_their_hash_verifies(omgeving):
    from gateway.domain.audit import keten_hash

    await meld_aan(omgeving)
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", headers=await omgeving.als("demo-privacy"))
    records = r.json()["gebeurtenissen"]
    assert records and all(keten_hash(d) == d["hash"] for d in records)
    doc = (await omgeving.client.get("/v1/openapi.json")).json()
    assert "volgnummer" in doc["components"]["schemas"]["AuditGegevens"]["properties"]
