"""Issue 11, item 4: one BSN guard for every caller string, through the API, against the table of disguises."""

from __future__ import annotations

import pytest

from tests.unit.test_bsn import VERMOMMINGEN

from .helpers import agendeer, meld_aan, ongeldige_velden

ASCII = [v for v in VERMOMMINGEN if v.isascii()]
DIGITS = "999990378"


def _geen_spoor(r, vermomming: str) -> None:  # noqa: ANN001
    assert DIGITS not in r.text and vermomming not in r.text


@pytest.mark.parametrize("vermomming", VERMOMMINGEN)
async def test_vrije_tekst_van_afspraak_en_casus(omgeving, vermomming):
    casus = await meld_aan(omgeving)
    overleg = await agendeer(omgeving, casus)
    h = await omgeving.als("demo-om")
    r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/afspraken", headers=h, json={
        "uitvoerder": "om", "actie": f"bel over {vermomming}", "deadline": "2026-12-15", "overlegId": overleg["id"]})
    assert ongeldige_velden(r) == {"actie"}
    _geen_spoor(r, vermomming)
    r = await omgeving.client.post("/v1/casussen", headers=await omgeving.als("demo-politie"),
                                   json={"bsn": "999990020", "thema": "jeugd", "gemeente": vermomming})
    assert ongeldige_velden(r) == {"gemeente"}
    _geen_spoor(r, vermomming)
    r = await omgeving.client.patch(f"/v1/casussen/{casus['id']}", headers=await omgeving.als("demo-procesregisseur"),
                                    json={"status": "afgesloten", "afsluitReden": f"verhuisd; {vermomming}"})
    assert ongeldige_velden(r) == {"afsluitReden"}
    _geen_spoor(r, vermomming)


@pytest.mark.parametrize("vermomming", ["999 990 378", "9999.90.378", "\uff19\uff19\uff19\uff19\uff19\uff10\uff13\uff17\uff18"])
async def test_elk_tekstveld(omgeving, vermomming):
    casus = await meld_aan(omgeving, thema="veelplegers")
    overleg = await agendeer(omgeving, casus, "veelplegers")
    pr = await omgeving.als("demo-procesregisseur")
    base = f"/v1/casussen/{casus['id']}"
    gevallen = [
        ("POST", f"{base}/toestemmingen", pr, {"categorie": "gezondheidsgegevens", "gegevenDoor": "betrokkene",
                                                "bewijs": vermomming, "doel": f"zorg {vermomming}"}, {"bewijs", "doel"}),
        ("POST", f"{base}/toestemmingen", pr, {"categorie": "gezondheidsgegevens", "gegevenDoor": "betrokkene",
                                                "bewijs": "TF-1", "ontvangers": [vermomming]}, {"ontvangers"}),
        ("PUT", f"{base}/geboortedatum", pr, {"geboortedatum": None, "reden": vermomming}, {"reden"}),
        ("POST", "/v1/overleggen", pr, {"overlegtype": "nazorg", "datum": "2026-12-01", "gemeente": vermomming},
         {"gemeente"}),
        ("POST", "/v1/casussen", await omgeving.als("demo-politie"),
         {"bsn": "999990020", "thema": vermomming, "gemeente": "gemeente-a"}, {"thema"}),
    ]
    for methode, url, h, body, velden in gevallen:
        r = await omgeving.client.request(methode, url, json=body, headers=h)
        assert ongeldige_velden(r) == velden, (url, r.text)
        _geen_spoor(r, vermomming)
    r = await omgeving.client.post(f"{base}/afspraken", headers=await omgeving.als("demo-reclassering"), json={
        "uitvoerder": "reclassering", "actie": "Intake", "deadline": "2026-12-15", "overlegId": overleg["id"]})
    a = r.json()
    r = await omgeving.client.patch(f"/v1/afspraken/{a['id']}", headers=await omgeving.als("demo-reclassering"),
                                    json={"status": "uitgevoerd", "toelichting": f"zie {vermomming}"})
    assert ongeldige_velden(r) == {"toelichting"}
    _geen_spoor(r, vermomming)


@pytest.mark.parametrize("vermomming", ASCII)
async def test_x_gebruiker(omgeving, vermomming):
    h = await omgeving.als("demo-politie", gebruiker=f"j.jansen {vermomming}")
    r = await omgeving.client.get("/v1/casussen", headers=h)
    assert ongeldige_velden(r) == {"X-Gebruiker"}
    _geen_spoor(r, vermomming)


async def test_niets_bereikt_de_auditketen(omgeving):
    casus = await meld_aan(omgeving)
    for v in VERMOMMINGEN:
        await omgeving.client.patch(f"/v1/casussen/{casus['id']}", headers=await omgeving.als("demo-procesregisseur"),
                                    json={"status": "afgesloten", "afsluitReden": v})
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", headers=await omgeving.als("demo-privacy"))
    assert DIGITS not in r.text and all(v not in r.text for v in VERMOMMINGEN)


async def test_zoekparameters(omgeving):
    for url, param, client in [("/v1/casussen", "thema", "demo-politie"), ("/v1/afspraken", "uitvoerder", "demo-politie"),
                               ("/v1/audit/gebeurtenissen", "partner", "demo-privacy")]:
        r = await omgeving.client.get(url, params={param: "999 990 378"}, headers=await omgeving.als(client))
        assert ongeldige_velden(r) == {param}, r.text
        _geen_spoor(r, "999 990 378")
