"""Privacy officer over HTTP: subject access and the audit log, both recorded in the chain themselves."""

from __future__ import annotations

from tests.support.scenario import PERSONEN, draai_scenario

from .helpers import is_probleem, ongeldige_velden


async def test_inzage_lists_every_exchange_about_the_person_and_nothing_else(omgeving):
    s = await draai_scenario(omgeving)
    h = await omgeving.als("demo-privacy")
    r = await omgeving.client.post("/v1/audit/_inzage", json={"bsn": PERSONEN[0]}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    betrokkene = s["casussen"][0]["betrokkene"]["id"]
    assert body["betrokkene"] == {"id": betrokkene}
    rijen = body["uitwisselingen"]
    assert rijen and all(x["betrokkene"] == betrokkene for x in rijen)
    assert [x["volgnummer"] for x in rijen] == sorted(x["volgnummer"] for x in rijen)  # oldest first
    handelingen = {x["handeling"] for x in rijen}
    assert {"casus_aanmelden", "agendapunt_toevoegen", "verwijzing_opvragen", "verwijzingen_inzien",
            "afspraak_vastleggen", "casus_inzien", "inzage"} <= handelingen
    opvragen = [x for x in rijen if x["handeling"] == "verwijzing_opvragen"]
    assert {x["bron"] for x in opvragen} == {"politie", "om", "dji", "vir"}
    for x in opvragen:
        assert x["verzoeker"]["partner"] == "om" and x["overlegtype"] == "jco" and x["regel"]
        assert x["convenant"]["versie"] == "2026.1"
    assert PERSONEN[0] not in r.text
    # The same person's registration in another house is sealed away.
    assert all(x["huis"] == "demo" for x in rijen)


async def test_inzage_for_an_unknown_person_is_empty_but_recorded(omgeving):
    h = await omgeving.als("demo-privacy")
    r = await omgeving.client.post("/v1/audit/_inzage", json={"bsn": "999990007"}, headers=h)
    assert r.json() == {"betrokkene": None, "uitwisselingen": []}
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"handeling": "inzage"}, headers=h)
    assert [x["handeling"] for x in r.json()["gebeurtenissen"]] == ["inzage"]


async def test_only_the_privacy_scope_and_refusals_are_recorded(omgeving):
    await draai_scenario(omgeving)
    for client in ("demo-procesregisseur", "demo-politie", "demo-beheer"):
        is_probleem(await omgeving.client.post("/v1/audit/_inzage", json={"bsn": PERSONEN[0]},
                                               headers=await omgeving.als(client)), 403)
        is_probleem(await omgeving.client.get("/v1/audit/gebeurtenissen", headers=await omgeving.als(client)), 403)
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"besluit": "geweigerd", "handeling": "inzage"},
                                  headers=await omgeving.als("demo-privacy"))
    assert {x["verzoeker"]["clientId"] for x in r.json()["gebeurtenissen"]} == {
        "demo-procesregisseur", "demo-politie", "demo-beheer"}


async def test_audit_log_filters(omgeving):
    await draai_scenario(omgeving)
    h = await omgeving.als("demo-privacy")
    alles = (await omgeving.client.get("/v1/audit/gebeurtenissen", headers=h)).json()["gebeurtenissen"]
    assert [x["volgnummer"] for x in alles] == list(range(1, len(alles) + 1)) and alles[-1]["handeling"] == "audit_inzien"
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"partner": "ggz"}, headers=h)
    assert {(x["verzoeker"]["partner"], x["besluit"]) for x in r.json()["gebeurtenissen"]} == {("ggz", "geweigerd")}
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"vanaf": "2030-01-01T00:00:00Z"}, headers=h)
    assert r.json()["gebeurtenissen"] == []
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"limiet": 3}, headers=h)
    assert len(r.json()["gebeurtenissen"]) == 3
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", headers=await omgeving.als("noord-privacy"))
    assert {x["huis"] for x in r.json()["gebeurtenissen"]} == {"noord"}
    bad = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"handeling": "x", "limiet": 0, "vanaf": "gisteren"},
                                    headers=h)
    assert ongeldige_velden(bad) == {"handeling", "limiet", "vanaf"}
    assert ongeldige_velden(await omgeving.client.post("/v1/audit/_inzage", json={"bsn": "123"}, headers=h)) == {"bsn"}
