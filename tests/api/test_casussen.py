"""Casussen: register, search, read, list, steer — with every error code and house sealing."""

from __future__ import annotations

import pytest

from tests.support.fixtures import BSN_A, BSN_B

from .helpers import agendeer, is_probleem, meld_aan, ongeldige_velden


async def test_aanmelden_geeft_casus_zonder_bsn(omgeving):
    casus = await meld_aan(omgeving, geboortedatum="2010-05-01")
    assert casus["status"] == "aangemeld" and casus["thema"] == "jeugd" and casus["huis"] == "demo"
    assert casus["aangemeldDoor"] == "politie" and casus["aangemeldOp"].endswith("Z")
    assert set(casus["betrokkene"]) == {"id"}
    assert BSN_A not in str(casus)


async def test_dubbele_open_casus_is_409_met_bestaande_casus(omgeving):
    eerste = await meld_aan(omgeving)
    r = await omgeving.client.post("/v1/casussen", json={"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a"},
                                   headers=await omgeving.als("demo-om"))
    body = is_probleem(r, 409)
    assert body["bestaandeCasus"] == eerste["id"] and eerste["id"] in body["detail"]
    # Same person, another thema: a separate casus is fine.
    await meld_aan(omgeving, client_id="demo-politie", thema="veelplegers")


async def test_zelfde_persoon_krijgt_dezelfde_betrokkene(omgeving):
    a = await meld_aan(omgeving, thema="jeugd")
    b = await meld_aan(omgeving, thema="veelplegers")
    c = await meld_aan(omgeving, bsn=BSN_B)
    assert a["betrokkene"] == b["betrokkene"] != c["betrokkene"]


@pytest.mark.parametrize(
    ("body", "velden"),
    [
        ({"bsn": "123456789", "thema": "jeugd", "gemeente": "gemeente-a"}, {"bsn"}),
        ({"bsn": BSN_A, "thema": "onbekend", "gemeente": "gemeente-a"}, {"thema"}),
        ({"bsn": "12345", "thema": "onbekend", "gemeente": "gemeente-a"}, {"bsn", "thema"}),
        ({"bsn": BSN_A, "thema": "jeugd"}, {"gemeente"}),
        ({"bsn": 999990019, "thema": "jeugd", "gemeente": "gemeente-a"}, {"bsn"}),
        ({"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a", "naam": "Jan"}, {"naam"}),
        ({"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a", "geboortedatum": "gisteren"}, {"geboortedatum"}),
        ({"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a", "geboortedatum": "2030-01-01"}, {"geboortedatum"}),
        ({}, {"bsn", "thema", "gemeente"}),
    ],
    ids=["elfproef", "thema", "beide", "ontbrekend", "type", "onbekend-veld", "datum", "toekomst", "leeg"],
)
async def test_ongeldige_aanmelding_noemt_elk_veld_en_schrijft_niets(omgeving, body, velden):
    r = await omgeving.client.post("/v1/casussen", json=body, headers=await omgeving.als("demo-politie"))
    assert ongeldige_velden(r) == velden
    assert BSN_A not in r.text and "999990019" not in r.text
    r = await omgeving.client.get("/v1/casussen", headers=await omgeving.als("demo-procesregisseur"))
    assert r.json()["totaal"] == 0


async def test_geen_json_is_400(omgeving):
    h = {**await omgeving.als("demo-politie"), "content-type": "application/json"}
    r = await omgeving.client.post("/v1/casussen", content=b"{niet json", headers=h)
    is_probleem(r, 400)


async def test_aanmelden_door_partner_zonder_deelname_is_403(omgeving):
    # ggz takes part in no overlegtype of thema jeugd.
    r = await omgeving.client.post("/v1/casussen", json={"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a"},
                                   headers=await omgeving.als("demo-ggz"))
    is_probleem(r, 403)


async def test_procesregisseur_mag_aanmelden_privacy_niet(omgeving):
    await meld_aan(omgeving, client_id="demo-procesregisseur")
    r = await omgeving.client.post("/v1/casussen", json={"bsn": BSN_B, "thema": "jeugd", "gemeente": "gemeente-a"},
                                   headers=await omgeving.als("demo-privacy"))
    is_probleem(r, 403)


async def test_inzien_door_deelnemer_niet_door_anderen(omgeving):
    casus = await meld_aan(omgeving)
    await agendeer(omgeving, casus)  # issue 11: need-to-know opens it to the JCO's participants
    for client, status in [("demo-rvdk", 200), ("demo-gemeente-b", 200), ("demo-procesregisseur", 200),
                           ("demo-ggz", 403), ("demo-privacy", 403), ("demo-beheer", 403)]:
        r = await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=await omgeving.als(client))
        assert r.status_code == status, (client, r.text)
    r = await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=await omgeving.als("demo-rvdk"))
    assert r.json() == casus
    # a schilpartner sees that the casus exists, no details
    r = await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=await omgeving.als("demo-gemeente-b"))
    assert r.json()["id"] == casus["id"] and (r.json()["gemeente"], r.json()["aangemeldDoor"]) == (None, None)


async def test_ander_huis_krijgt_404_ook_voor_wijzigen(omgeving):
    casus = await meld_aan(omgeving)
    for client in ("noord-politie", "noord-procesregisseur"):
        r = await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=await omgeving.als(client))
        is_probleem(r, 404)
    r = await omgeving.client.patch(f"/v1/casussen/{casus['id']}", json={"status": "in_behandeling"},
                                    headers=await omgeving.als("noord-procesregisseur"))
    is_probleem(r, 404)
    r = await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A},
                                   headers=await omgeving.als("noord-politie"))
    assert r.status_code == 200 and r.json() == {"casussen": []}


async def test_onbekend_en_ongeldig_id(omgeving):
    h = await omgeving.als("demo-politie")
    is_probleem(await omgeving.client.get("/v1/casussen/7a0c3f55-3c1f-4c8e-9b6e-2d0f0d3b5a11", headers=h), 404)
    assert ongeldige_velden(await omgeving.client.get("/v1/casussen/geen-uuid", headers=h)) == {"casus_id"}


async def test_zoeken_op_bsn_alleen_zichtbare_casussen(omgeving):
    jeugd = await meld_aan(omgeving, thema="jeugd")
    await agendeer(omgeving, jeugd)
    await agendeer(omgeving, await meld_aan(omgeving, thema="veelplegers"), "veelplegers")
    r = await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=await omgeving.als("demo-rvdk"))
    assert [c["id"] for c in r.json()["casussen"]] == [jeugd["id"]]  # rvdk is not in veelplegers
    r = await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A},
                                   headers=await omgeving.als("demo-procesregisseur"))
    assert len(r.json()["casussen"]) == 2
    r = await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": BSN_B}, headers=await omgeving.als("demo-rvdk"))
    assert r.json() == {"casussen": []}
    assert ongeldige_velden(await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": "1"},
                                                       headers=await omgeving.als("demo-rvdk"))) == {"bsn"}


async def test_lijst_filtert_en_pagineert(omgeving):
    for i, bsn in enumerate(["999990007", "999990019", "999990020", "999990032"]):
        casus = await meld_aan(omgeving, bsn=bsn, thema="jeugd" if i % 2 == 0 else "veelplegers")
        await agendeer(omgeving, casus, "jco" if i % 2 == 0 else "veelplegers")
    h = await omgeving.als("demo-procesregisseur")
    r = await omgeving.client.get("/v1/casussen", params={"paginaGrootte": 3}, headers=h)
    body = r.json()
    assert (body["totaal"], len(body["casussen"]), body["pagina"], body["paginaGrootte"]) == (4, 3, 1, 3)
    r = await omgeving.client.get("/v1/casussen", params={"paginaGrootte": 3, "pagina": 2}, headers=h)
    assert len(r.json()["casussen"]) == 1
    r = await omgeving.client.get("/v1/casussen", params={"thema": "jeugd"}, headers=h)
    assert r.json()["totaal"] == 2
    r = await omgeving.client.get("/v1/casussen", headers=await omgeving.als("demo-rvdk"))
    assert {c["thema"] for c in r.json()["casussen"]} == {"jeugd"}
    r = await omgeving.client.get("/v1/casussen", params={"status": "afgesloten"}, headers=h)
    assert r.json()["totaal"] == 0
    bad = await omgeving.client.get("/v1/casussen", params={"paginaGrootte": 0, "status": "x", "thema": "zz"},
                                    headers=h)
    assert ongeldige_velden(bad) == {"paginaGrootte", "status"}
    bad = await omgeving.client.get("/v1/casussen", params={"thema": "zz"}, headers=h)
    assert ongeldige_velden(bad) == {"thema"}


async def test_statusstroom_en_casusregie(omgeving):
    casus = await meld_aan(omgeving)
    url, h = f"/v1/casussen/{casus['id']}", await omgeving.als("demo-procesregisseur")
    is_probleem(await omgeving.client.patch(url, json={"status": "in_behandeling"},
                                            headers=await omgeving.als("demo-politie")), 403)
    r = await omgeving.client.patch(url, json={"status": "in_behandeling", "casusregisseur": "rvdk"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "in_behandeling" and r.json()["casusregisseur"] == "rvdk"
    is_probleem(await omgeving.client.patch(url, json={"status": "aangemeld"}, headers=h), 409)
    r = await omgeving.client.patch(url, json={"status": "afgesloten", "afsluitReden": "zes maanden rustig"},
                                    headers=h)
    assert r.json()["status"] == "afgesloten" and r.json()["afgeslotenOp"]
    is_probleem(await omgeving.client.patch(url, json={"status": "in_behandeling"}, headers=h), 409)
    # A closed casus no longer blocks a new registration for the same person and thema.
    await meld_aan(omgeving)


async def test_aangemeld_direct_afsluiten_mag(omgeving):
    casus = await meld_aan(omgeving)
    r = await omgeving.client.patch(f"/v1/casussen/{casus['id']}", json={"status": "afgesloten"},
                                    headers=await omgeving.als("demo-procesregisseur"))
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("body", "velden"),
    [
        ({}, {"body"}),
        ({"casusregisseur": "onbekend"}, {"casusregisseur"}),
        ({"afsluitReden": "klaar"}, {"afsluitReden"}),
        ({"status": "weg"}, {"status"}),
        ({"status": "afgesloten", "extra": 1}, {"extra"}),
    ],
)
async def test_ongeldige_wijziging(omgeving, body, velden):
    casus = await meld_aan(omgeving)
    r = await omgeving.client.patch(f"/v1/casussen/{casus['id']}", json=body,
                                    headers=await omgeving.als("demo-procesregisseur"))
    assert ongeldige_velden(r) == velden
