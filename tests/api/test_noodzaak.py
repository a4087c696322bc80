"""Issue 11: each leak a curious partner found, closed; written from the caller's side, every refusal audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from joserfc import jwt

from gateway.domain.model import Verzoeker

from .helpers import agendeer, is_probleem, meld_aan, ongeldige_velden, plan_overleg

BSN_41 = "999990032"


async def geweigerd(o, handeling: str, regel: str) -> dict:  # noqa: ANN001
    """The refusal is in the audit log, with its rule."""
    r = await o.client.get("/v1/audit/gebeurtenissen", params={"handeling": handeling, "besluit": "geweigerd"},
                           headers=await o.als("demo-privacy"))
    assert r.status_code == 200, r.text
    treffers = [e for e in r.json()["gebeurtenissen"] if e["regel"] == regel]
    assert treffers, (handeling, regel, r.json())
    return treffers[-1]


async def _afspraak(o, casus, overleg, client="demo-om", **extra):  # noqa: ANN001, ANN202
    body = {"uitvoerder": "om", "actie": "OM seponeert", "deadline": "2026-12-15", "overlegId": overleg["id"], **extra}
    return await o.client.post(f"/v1/casussen/{casus['id']}/afspraken", json=body, headers=await o.als(client))


# --- 1. house roles are not partners -------------------------------------------------------------

@pytest.mark.parametrize(("client", "rol"), [("demo-procesregisseur", "procesregie"), ("demo-privacy", "privacy"),
                                             ("demo-beheer", "beheer")])
async def test_huisrollen_dragen_geen_partner(omgeving, client, rol):
    claims = jwt.decode(await omgeving.token(client), omgeving.container.uitgever.sleutelset()).claims
    assert "partner" in claims and claims["partner"] is None and claims["rol"] == rol
    partner = jwt.decode(await omgeving.token("demo-gemeente-a"), omgeving.container.uitgever.sleutelset()).claims
    assert partner["partner"] == "gemeente-a" and "rol" not in partner


async def test_om_gegevens_voor_procesregie_niet_voor_gemeente_of_om(omgeving):
    casus = await meld_aan(omgeving)
    overleg = await agendeer(omgeving, casus)
    url = f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen"
    r = await omgeving.client.post(url, json={"overlegId": overleg["id"]}, headers=await omgeving.als("demo-procesregisseur"))
    om = {x["bron"]: x for x in r.json()["resultaten"]}["om"]
    # the procesregie is a recipient in its own right: which partners know the person, no details
    assert om["regel"] == "V-OM-JCO" and om["status"] in ("bekend", "niet_bekend") and "verwijzing" not in om
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"handeling": "verwijzing_opvragen"},
                                  headers=await omgeving.als("demo-privacy"))
    assert {e["verzoeker"]["partner"] for e in r.json()["gebeurtenissen"]} == {None}
    assert {e["verzoeker"]["rol"] for e in r.json()["gebeurtenissen"]} == {"procesregie"}
    for client in ("demo-gemeente-a", "demo-om"):  # fetched for the procesregie: shown to nobody else
        r = await omgeving.client.get(f"/v1/casussen/{casus['id']}/verwijzingen", headers=await omgeving.als(client))
        assert "om" not in {x["bron"] for x in r.json()["resultaten"]}, client


async def test_huisrol_met_partnerclaim_wordt_geweigerd(omgeving):
    import time

    from tests.api.test_conventions import _jwt

    u = omgeving.container.uitgever
    nu = int(time.time())
    token = _jwt({"iss": u.issuer, "aud": u.audience, "azp": "x", "iat": nu, "exp": nu + 60, "huis": "demo",
                  "partner": "gemeente-a", "scope": "procesregisseur"}, u.sleutel)
    is_probleem(await omgeving.client.get("/v1/casussen", headers={"Authorization": f"Bearer {token}"}), 401)


# --- 2. need-to-know per meeting and role ---------------------------------------------------------

async def test_casus_alleen_voor_wie_hem_nodig_heeft(omgeving):
    casus = await meld_aan(omgeving)  # registered by politie, on no agenda yet
    url = f"/v1/casussen/{casus['id']}"
    is_probleem(await omgeving.client.get(url, headers=await omgeving.als("demo-rvdk")), 403)
    await geweigerd(omgeving, "casus_inzien", "T-NOODZAAK")
    r = await omgeving.client.get("/v1/casussen", headers=await omgeving.als("demo-rvdk"))
    assert r.json()["casussen"] == [] and r.json()["totaal"] == 0
    assert (await omgeving.client.get(url, headers=await omgeving.als("demo-politie"))).status_code == 200  # registrant
    await agendeer(omgeving, casus)
    assert (await omgeving.client.get(url, headers=await omgeving.als("demo-rvdk"))).status_code == 200


async def test_schilpartner_ziet_geen_afspraakteksten_en_legt_er_geen_vast(omgeving):
    casus = await meld_aan(omgeving)
    overleg = await agendeer(omgeving, casus)
    assert (await _afspraak(omgeving, casus, overleg)).status_code == 201
    url = f"/v1/casussen/{casus['id']}/afspraken"
    r = await omgeving.client.get(url, headers=await omgeving.als("demo-gemeente-a"))  # schil in the JCO
    assert "OM seponeert" not in r.text
    is_probleem(r, 403)
    await geweigerd(omgeving, "afspraken_inzien", "T-SCHILNIVEAU")
    r = await omgeving.client.get("/v1/afspraken", headers=await omgeving.als("demo-gemeente-a"))
    assert r.json()["afspraken"] == []
    r = await omgeving.client.get(url, headers=await omgeving.als("demo-rvdk"))  # kern in the JCO
    assert [a["actie"] for a in r.json()["afspraken"]] == ["OM seponeert"]
    # a schilpartner records nothing, certainly not naming the OM as uitvoerder
    is_probleem(await _afspraak(omgeving, casus, overleg, client="demo-gemeente-a"), 403)
    await geweigerd(omgeving, "afspraak_vastleggen", "T-SCHILNIVEAU")
    # a kernpartner records its own actions, not the OM's
    is_probleem(await _afspraak(omgeving, casus, overleg, client="demo-politie"), 403)
    await geweigerd(omgeving, "afspraak_vastleggen", "T-UITVOERDER")


async def test_afspraak_uit_ander_overleg_niet_zichtbaar(omgeving):
    casus = await meld_aan(omgeving, thema="veelplegers")
    vp = await agendeer(omgeving, casus, "veelplegers")
    r = await _afspraak(omgeving, casus, vp, uitvoerder="reclassering", actie="gesprek over verslaving en schulden")
    assert r.status_code == 201, r.text
    # ggz is schilpartner of the veelplegersoverleg: no afspraak texts
    r = await omgeving.client.get(f"/v1/casussen/{casus['id']}/afspraken", headers=await omgeving.als("demo-ggz"))
    assert "verslaving" not in r.text and r.status_code == 403


async def test_gebeurtenissen_noemen_geen_uitvoerder_of_aanmelder(omgeving):
    casus = await meld_aan(omgeving)
    overleg = await agendeer(omgeving, casus)
    await _afspraak(omgeving, casus, overleg, uitvoerder="rvdk", actie="Gesprek plannen")
    dienst = omgeving.container.afhankelijkheden.gebeurtenissen
    v = Verzoeker(huis="demo", partner=None, client_id="t", scopes=frozenset({"procesregisseur"}))
    gebeurtenissen, _ = await dienst.na(v, 0)
    data = [g.event["data"] for g in gebeurtenissen]
    assert data and all(not ({"uitvoerder", "aangemeldDoor", "opgehaaldDoor"} & set(d)) for d in data)


# --- 3. consent as a record with a source --------------------------------------------------------

async def test_toestemming_alleen_door_bronpartner_of_procesregie(omgeving):
    casus = await meld_aan(omgeving, thema="veelplegers")
    await agendeer(omgeving, casus, "veelplegers")
    url = f"/v1/casussen/{casus['id']}/toestemmingen"
    body = {"categorie": "gezondheidsgegevens", "gegevenDoor": "betrokkene", "bewijs": "TF-1", "ontvangers": ["politie"]}
    for client in ("demo-politie", "demo-reclassering"):  # would unlock GGZ data for themselves
        is_probleem(await omgeving.client.post(url, json=body, headers=await omgeving.als(client)), 403)
    await geweigerd(omgeving, "toestemming_vastleggen", "T-TOESTEMMING-BRON")
    assert ongeldige_velden(await omgeving.client.post(url, json={"categorie": "gezondheidsgegevens",
                                                                  "gegevenDoor": "betrokkene"},
                                                       headers=await omgeving.als("demo-ggz"))) == {"bewijs"}
    r = await omgeving.client.post(url, json={**body, "bewijs": ""}, headers=await omgeving.als("demo-procesregisseur"))
    assert "bewijs" in ongeldige_velden(r)
    r = await omgeving.client.post(url, json=body, headers=await omgeving.als("demo-procesregisseur"))
    assert r.status_code == 201 and r.json()["bewijs"] == "TF-1" and r.json()["status"] == "actief"
    t = r.json()
    # kernpartners who are not its source or recipient do not see the record
    r = await omgeving.client.get(url, headers=await omgeving.als("demo-reclassering"))
    assert r.json()["toestemmingen"] == []
    # withdrawal: by the source partner (or procesregie), audited; not by others
    is_probleem(await omgeving.client.delete(f"{url}/{t['id']}", headers=await omgeving.als("demo-reclassering")), 403)
    await geweigerd(omgeving, "toestemming_intrekken", "T-TOESTEMMING-BRON")
    r = await omgeving.client.delete(f"{url}/{t['id']}", headers=await omgeving.als("demo-ggz"))
    assert r.status_code == 200 and r.json()["status"] == "ingetrokken" and r.json()["ingetrokkenOp"]
    is_probleem(await omgeving.client.delete(f"{url}/{t['id']}", headers=await omgeving.als("demo-ggz")), 409)


async def test_geboortedatum_alleen_als_gecorrigeerde_procesregie(omgeving):
    casus = await meld_aan(omgeving, geboortedatum="2012-01-01")
    url = f"/v1/casussen/{casus['id']}/geboortedatum"
    body = {"geboortedatum": "2009-01-01", "reden": "uittreksel BRP nr. 77"}
    is_probleem(await omgeving.client.put(url, json=body, headers=await omgeving.als("demo-politie")), 403)
    await geweigerd(omgeving, "geboortedatum_corrigeren", "T-GEBOORTEDATUM")
    r = await omgeving.client.put(url, json=body, headers=await omgeving.als("demo-procesregisseur"))
    assert r.status_code == 204
    # registration never changes it: a second casus with another date leaves the identity alone
    await meld_aan(omgeving, client_id="demo-politie", thema="veelplegers", geboortedatum="1990-01-01")
    b = await omgeving.container.afhankelijkheden.casussen.omg.uow().__aenter__()
    try:
        persoon = await b.betrokkenen.ophalen("demo", __import__("uuid").UUID(casus["betrokkene"]["id"]))
    finally:
        await b.__aexit__(None, None, None)
    assert persoon.geboortedatum.isoformat() == "2009-01-01"


# --- 5. nazorg for the municipality of return only -------------------------------------------------

async def test_gemeente_is_partner_id_en_nazorg_alleen_eigen_gemeente(omgeving):
    r = await omgeving.client.post("/v1/casussen", json={"bsn": "999990019", "thema": "nazorg", "gemeente": "Gemeente B"},
                                   headers=await omgeving.als("demo-dji"))
    assert ongeldige_velden(r) == {"gemeente"}
    casus = await meld_aan(omgeving, client_id="demo-dji", thema="nazorg", gemeente="gemeente-b")
    overleg_a = await plan_overleg(omgeving, "nazorg")
    assert overleg_a["gemeente"] == "gemeente-a"
    r = await omgeving.client.post(f"/v1/overleggen/{overleg_a['id']}/agendapunten", json={"casusId": casus["id"]},
                                   headers=await omgeving.als("demo-procesregisseur"))
    assert ongeldige_velden(r) == {"casusId"}
    await geweigerd(omgeving, "agendapunt_toevoegen", "R-GEMEENTE")
    overleg_b = await agendeer(omgeving, casus, "nazorg_gemeente_b")
    r = await omgeving.client.post(f"/v1/overleggen/{overleg_b['id']}/verwijzingen/_ophalen",
                                   headers=await omgeving.als("demo-gemeente-b"))
    assert r.status_code == 200
    # gemeente A takes no part and sees nothing of it
    is_probleem(await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=await omgeving.als("demo-gemeente-a")), 403)
    r = await omgeving.client.post("/v1/overleggen", json={"overlegtype": "nazorg", "datum": "2026-12-01",
                                                           "gemeente": "gemeente-b"},
                                   headers=await omgeving.als("demo-procesregisseur"))
    assert ongeldige_velden(r) == {"gemeente"}


# --- 7. time, age and legal basis ----------------------------------------------------------------

async def test_opvragen_alleen_rond_de_overlegdatum(omgeving):
    casus = await meld_aan(omgeving)
    r = await omgeving.client.post("/v1/overleggen", json={"overlegtype": "jco", "datum": "2026-01-05"},
                                   headers=await omgeving.als("demo-procesregisseur"))
    oud = r.json()
    await omgeving.client.post(f"/v1/overleggen/{oud['id']}/agendapunten", json={"casusId": casus["id"]},
                               headers=await omgeving.als("demo-procesregisseur"))
    r = await omgeving.client.post(f"/v1/overleggen/{oud['id']}/verwijzingen/_ophalen", headers=await omgeving.als("demo-om"))
    regels = {x["regel"] for p in r.json()["agendapunten"] for x in p["resultaten"]}
    assert regels == {"R-TIJDVENSTER"}
    await geweigerd(omgeving, "verwijzing_opvragen", "R-TIJDVENSTER")


async def test_leeftijdsgrenzen_van_het_overlegtype(omgeving):
    casus = await meld_aan(omgeving, bsn=BSN_41, geboortedatum="1985-06-01")  # 41
    overleg = await plan_overleg(omgeving, "jco")
    r = await omgeving.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]},
                                   headers=await omgeving.als("demo-procesregisseur"))
    assert ongeldige_velden(r) == {"casusId"} and "41" in r.text
    await geweigerd(omgeving, "agendapunt_toevoegen", "R-LEEFTIJD")


async def test_buiten_de_geldigheid_van_het_convenant(omgeving):
    casus = await meld_aan(omgeving)
    overleg = await agendeer(omgeving, casus)
    omgeving.klok.tijd += timedelta(days=800)  # past geldigTot 2028-12-31
    r = await omgeving.client.post("/v1/casussen", json={"bsn": "999990020", "thema": "jeugd", "gemeente": "gemeente-a"},
                                   headers=await omgeving.als("demo-politie"))
    is_probleem(r, 403)
    await geweigerd(omgeving, "casus_aanmelden", "R-GELDIGHEID")
    is_probleem(await _afspraak(omgeving, casus, overleg), 403)
    await geweigerd(omgeving, "afspraak_vastleggen", "R-GELDIGHEID")
    tweede = await plan_overleg(omgeving, "jco")
    r = await omgeving.client.post(f"/v1/overleggen/{tweede['id']}/agendapunten", json={"casusId": casus["id"]},
                                   headers=await omgeving.als("demo-procesregisseur"))
    is_probleem(r, 403)
    await geweigerd(omgeving, "agendapunt_toevoegen", "R-GELDIGHEID")


async def test_bsn_alleen_voor_gerechtigde_partners(omgeving):
    # ggz takes part in veelplegers, but the convenant does not name it as entitled to use the BSN
    r = await omgeving.client.post("/v1/casussen", json={"bsn": "999990019", "thema": "veelplegers",
                                                         "gemeente": "gemeente-a"}, headers=await omgeving.als("demo-ggz"))
    is_probleem(r, 403)
    await geweigerd(omgeving, "casus_aanmelden", "T-BSN-GEBRUIK")
    r = await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": "999990019"}, headers=await omgeving.als("demo-leerplicht"))
    is_probleem(r, 403)
    await geweigerd(omgeving, "casus_zoeken", "T-BSN-GEBRUIK")
