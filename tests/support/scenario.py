"""A realistic end-to-end scenario through the API, producing every kind of audit and domain event."""

from __future__ import annotations

from tests.support.fixtures import Omgeving

PERSONEN = ["999990512", "999991103", "999990342"]


async def draai_scenario(o: Omgeving) -> dict:
    pr = await o.als("demo-procesregisseur")
    jco = (await o.client.post("/v1/overleggen", json={"overlegtype": "jco", "datum": "2026-12-01"}, headers=pr)).json()
    vp = (await o.client.post("/v1/overleggen", json={"overlegtype": "veelplegers", "datum": "2026-12-02"},
                              headers=pr)).json()
    casussen = []
    for bsn, thema, overleg in [(PERSONEN[0], "jeugd", jco), (PERSONEN[1], "veelplegers", vp),
                                (PERSONEN[2], "jeugd", jco)]:
        r = await o.client.post("/v1/casussen", json={"bsn": bsn, "thema": thema, "gemeente": "gemeente-a"},
                                headers=await o.als("demo-politie"))
        assert r.status_code == 201, r.text
        casus = r.json()
        casussen.append(casus)
        r = await o.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]},
                                headers=pr)
        assert r.status_code == 201, r.text
    await o.client.post(f"/v1/overleggen/{jco['id']}/verwijzingen/_ophalen", headers=await o.als("demo-om"))
    await o.client.post(f"/v1/overleggen/{vp['id']}/verwijzingen/_ophalen", headers=await o.als("demo-reclassering"))
    await o.client.get(f"/v1/casussen/{casussen[0]['id']}/verwijzingen", headers=await o.als("demo-politie"))
    r = await o.client.post(f"/v1/casussen/{casussen[0]['id']}/afspraken",
                            json={"uitvoerder": "rvdk", "actie": "Huisbezoek plannen", "deadline": "2026-11-20",
                                  "overlegId": jco["id"]}, headers=await o.als("demo-om"))
    afspraak = r.json()
    await o.client.post(f"/v1/casussen/{casussen[1]['id']}/afspraken",
                        json={"uitvoerder": "reclassering", "actie": "Intake", "deadline": "2026-12-20"},
                        headers=await o.als("demo-om"))
    await o.client.patch(f"/v1/casussen/{casussen[1]['id']}", json={"status": "in_behandeling"}, headers=pr)
    await o.client.get(f"/v1/casussen/{casussen[0]['id']}", headers=await o.als("demo-ggz"))  # refused
    punten = (await o.client.get(f"/v1/overleggen/{jco['id']}/agendapunten", headers=pr)).json()["agendapunten"]
    await o.client.delete(f"/v1/overleggen/{jco['id']}/agendapunten/{punten[-1]['id']}", headers=pr)
    await o.container.afhankelijkheden.afspraken.meld_verlopen("demo")
    await o.client.patch(f"/v1/afspraken/{afspraak['id']}", json={"status": "uitgevoerd"},
                         headers=await o.als("demo-rvdk"))
    await o.client.post("/v1/casussen", json={"bsn": PERSONEN[0], "thema": "jeugd", "gemeente": "gemeente-c"},
                        headers=await o.als("noord-politie"))
    return {"jco": jco, "veelplegers": vp, "casussen": casussen, "afspraak": afspraak}
