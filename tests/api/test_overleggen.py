"""Overleggen and agenda: planned by the procesregisseur, visible to the overlegtype's participants."""

from __future__ import annotations

from uuid import uuid4

from .helpers import is_probleem, meld_aan, ongeldige_velden, plan_overleg


async def test_plannen_en_inzien(omgeving):
    o = await plan_overleg(omgeving)
    assert o["overlegtype"] == "jco" and o["datum"] == "2026-12-01"
    assert {"om", "politie", "rvdk", "gemeente-a"} <= set(o["deelnemers"])
    for client, status in [("demo-politie", 200), ("demo-gemeente-a", 200), ("demo-procesregisseur", 200),
                           ("demo-ggz", 403), ("noord-politie", 404), ("noord-procesregisseur", 404)]:
        r = await omgeving.client.get(f"/v1/overleggen/{o['id']}", headers=await omgeving.als(client))
        assert r.status_code == status, (client, r.text)


async def test_plannen_alleen_procesregisseur_en_geldig_type(omgeving):
    body = {"overlegtype": "jco", "datum": "2026-12-01"}
    is_probleem(await omgeving.client.post("/v1/overleggen", json=body, headers=await omgeving.als("demo-om")), 403)
    r = await omgeving.client.post("/v1/overleggen", json={"overlegtype": "bestaat-niet", "datum": "1 dec"},
                                   headers=await omgeving.als("demo-procesregisseur"))
    assert ongeldige_velden(r) == {"datum", "overlegtype"}  # every invalid field at once (ADR)
    r = await omgeving.client.post("/v1/overleggen", json={"overlegtype": "bestaat-niet", "datum": "2026-12-01"},
                                   headers=await omgeving.als("demo-procesregisseur"))
    assert ongeldige_velden(r) == {"overlegtype"}


async def test_agenda_toevoegen_lezen_verwijderen(omgeving):
    o = await plan_overleg(omgeving)
    casus = await meld_aan(omgeving)
    h = await omgeving.als("demo-procesregisseur")
    url = f"/v1/overleggen/{o['id']}/agendapunten"
    r = await omgeving.client.post(url, json={"casusId": casus["id"]}, headers=h)
    assert r.status_code == 201 and r.json()["volgorde"] == 1 and r.json()["casusId"] == casus["id"]
    punt = r.json()
    is_probleem(await omgeving.client.post(url, json={"casusId": casus["id"]}, headers=h), 409)
    for client, status in [("demo-rvdk", 200), ("demo-leerplicht", 200), ("demo-ggz", 403), ("noord-politie", 404)]:
        r = await omgeving.client.get(url, headers=await omgeving.als(client))
        assert r.status_code == status, (client, r.text)
    r = await omgeving.client.get(url, headers=await omgeving.als("demo-rvdk"))
    assert r.json()["agendapunten"] == [punt]
    is_probleem(await omgeving.client.delete(f"{url}/{punt['id']}", headers=await omgeving.als("demo-om")), 403)
    r = await omgeving.client.delete(f"{url}/{punt['id']}", headers=h)
    assert r.status_code == 204 and r.content == b""
    is_probleem(await omgeving.client.delete(f"{url}/{punt['id']}", headers=h), 404)
    assert (await omgeving.client.get(url, headers=h)).json()["agendapunten"] == []


async def test_agenda_weigert_verkeerd_thema_andere_huizen_en_partners(omgeving):
    o = await plan_overleg(omgeving)
    url = f"/v1/overleggen/{o['id']}/agendapunten"
    h = await omgeving.als("demo-procesregisseur")
    veelpleger = await meld_aan(omgeving, thema="veelplegers")
    assert ongeldige_velden(await omgeving.client.post(url, json={"casusId": veelpleger["id"]}, headers=h)) == {"casusId"}
    assert ongeldige_velden(await omgeving.client.post(url, json={"casusId": str(uuid4())}, headers=h)) == {"casusId"}
    assert ongeldige_velden(await omgeving.client.post(url, json={"casus": "x"}, headers=h)) == {"casusId", "casus"}
    jeugd = await meld_aan(omgeving)
    is_probleem(await omgeving.client.post(url, json={"casusId": jeugd["id"]}, headers=await omgeving.als("demo-om")), 403)
    # Another house's procesregisseur cannot reach this overleg, nor put its own casus on it.
    noord = await omgeving.client.post(url, json={"casusId": jeugd["id"]},
                                       headers=await omgeving.als("noord-procesregisseur"))
    is_probleem(noord, 404)


async def test_afgesloten_casus_niet_op_agenda(omgeving):
    o = await plan_overleg(omgeving)
    casus = await meld_aan(omgeving)
    h = await omgeving.als("demo-procesregisseur")
    await omgeving.client.patch(f"/v1/casussen/{casus['id']}", json={"status": "afgesloten"}, headers=h)
    r = await omgeving.client.post(f"/v1/overleggen/{o['id']}/agendapunten", json={"casusId": casus["id"]}, headers=h)
    is_probleem(r, 409)


async def test_volgorde_loopt_op(omgeving):
    o = await plan_overleg(omgeving)
    h = await omgeving.als("demo-procesregisseur")
    volgordes = []
    for bsn in ("999990007", "999990019", "999990020"):
        casus = await meld_aan(omgeving, bsn=bsn)
        r = await omgeving.client.post(f"/v1/overleggen/{o['id']}/agendapunten", json={"casusId": casus["id"]},
                                       headers=h)
        volgordes.append(r.json()["volgorde"])
    assert volgordes == [1, 2, 3]
