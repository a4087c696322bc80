"""Issue 10 item 5: every list pages (pagina/paginaGrootte, max 100, HAL _links), unknown filters 400,
and GET /v1/overleggen lists meetings with filters."""

from __future__ import annotations

from .helpers import meld_aan, ongeldige_velden, plan_overleg


async def test_afspraken_page_in_the_database_with_links_and_headers(omgeving):
    casus = await meld_aan(omgeving)
    h = await omgeving.als("demo-procesregisseur")
    for i in range(5):
        r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/afspraken", headers=h,
                                       json={"uitvoerder": "politie", "actie": f"actie {i}", "deadline": f"2026-12-1{i}"})
        assert r.status_code == 201, r.text
    r = await omgeving.client.get("/v1/afspraken?uitvoerder=politie&pagina=2&paginaGrootte=2", headers=h)
    body = r.json()
    assert r.status_code == 200 and [a["actie"] for a in body["afspraken"]] == ["actie 2", "actie 3"]
    assert body["pagina"] == 2 and body["paginaGrootte"] == 2 and body["totaal"] == 5
    links = body["_links"]
    assert links["next"]["href"] == "/v1/afspraken?uitvoerder=politie&pagina=3&paginaGrootte=2"
    assert links["prev"]["href"].endswith("pagina=1&paginaGrootte=2") and links["last"]["href"].endswith("pagina=3&paginaGrootte=2")
    assert r.headers["X-Total-Count"] == "5" and r.headers["X-Pagination-Page"] == "2"
    laatste = (await omgeving.client.get(links["last"]["href"], headers=h)).json()
    assert [a["actie"] for a in laatste["afspraken"]] == ["actie 4"] and laatste["_links"]["next"] is None
    r = await omgeving.client.get(f"/v1/casussen/{casus['id']}/afspraken?paginaGrootte=3", headers=h)
    assert len(r.json()["afspraken"]) == 3 and r.json()["totaal"] == 5


async def test_page_size_is_limited_and_unknown_filters_refused(omgeving):
    h = await omgeving.als("demo-procesregisseur")
    for pad in ["/v1/casussen", "/v1/afspraken", "/v1/overleggen"]:
        assert ongeldige_velden(await omgeving.client.get(f"{pad}?paginaGrootte=101", headers=h)) == {"paginaGrootte"}
        assert ongeldige_velden(await omgeving.client.get(f"{pad}?pagina=0", headers=h)) == {"pagina"}
        assert ongeldige_velden(await omgeving.client.get(f"{pad}?gemeente=x", headers=h)) == {"gemeente"}


async def test_overleggen_list_with_filters_and_participation(omgeving):
    jco = await plan_overleg(omgeving, "jco")
    r = await omgeving.client.post("/v1/overleggen", json={"overlegtype": "jco", "datum": "2027-01-10"},
                                   headers=await omgeving.als("demo-procesregisseur"))
    assert r.status_code == 201
    h = await omgeving.als("demo-procesregisseur")
    alle = (await omgeving.client.get("/v1/overleggen", headers=h)).json()
    assert alle["totaal"] == 2 and alle["overleggen"][0]["id"] == jco["id"]
    r = await omgeving.client.get("/v1/overleggen?vanaf=2027-01-01&overlegtype=jco", headers=h)
    assert [o["datum"] for o in r.json()["overleggen"]] == ["2027-01-10"]
    assert ongeldige_velden(await omgeving.client.get("/v1/overleggen?overlegtype=bestaat-niet", headers=h)) == {"overlegtype"}
    # A participant of jco sees both; a partner of other overlegtypen none of them; another house nothing.
    assert (await omgeving.client.get("/v1/overleggen", headers=await omgeving.als("demo-politie"))).json()["totaal"] == 2
    assert (await omgeving.client.get("/v1/overleggen", headers=await omgeving.als("demo-ggz"))).json()["totaal"] == 0
    assert (await omgeving.client.get("/v1/overleggen", headers=await omgeving.als("noord-procesregisseur"))).json()["totaal"] == 0
