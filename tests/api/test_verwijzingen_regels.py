"""Convenant refusals through the API, with a test convenant: consent per age band and retention."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from tests.support.fixtures import DEMO

from .helpers import plan_overleg

VIR_10 = ("999990019", "2016-06-08")   # VIR knows them; age 10 on 2026-11-23
VIR_13 = ("999990214", "2013-01-22")   # age 13
VIR_16 = ("999990512", "2009-12-19")   # age 16
VIR_ONBEKEND = ("999990615", None)     # VIR knows them; no birth date given: counts as an adult


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    doel = tmp_path / "config"
    shutil.copytree(DEMO, doel)
    pad = doel / "convenant-demo.yaml"
    doc = yaml.safe_load(pad.read_text(encoding="utf-8"))
    doc["convenant"]["bewaartermijnMaanden"] = 1
    for v in doc["verstrekkingen"]:
        if v["id"] == "V-VIR-ZORG":
            v["toestemmingVereist"] = True
    pad.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return doel


async def _vir(o, persoon, toestemming: str | None) -> dict:  # noqa: ANN001
    bsn, geboren = persoon
    overleg = await plan_overleg(o, "zorg_huiselijk_geweld")
    body = {"bsn": bsn, "thema": "huiselijk_geweld", "gemeente": "gemeente-a"}
    if geboren:
        body["geboortedatum"] = geboren
    casus = (await o.client.post("/v1/casussen", json=body, headers=await o.als("demo-veilig-thuis"))).json()
    h = await o.als("demo-procesregisseur")
    await o.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]}, headers=h)
    if toestemming:
        r = await o.client.post(f"/v1/casussen/{casus['id']}/toestemmingen",
                                # issue 11: recorded by the procesregie, with evidence and recipients
                                json={"categorie": "verwijsindexsignaal", "gegevenDoor": toestemming,
                                      "bewijs": "TF-2026-0007", "ontvangers": ["veilig-thuis"]},
                                headers=h)
        assert r.status_code == 201, r.text
    r = await o.client.post(f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen", json={"overlegId": overleg["id"]},
                            headers=await o.als("demo-veilig-thuis"))
    assert r.status_code == 200, r.text
    return {x["bron"]: x for x in r.json()["resultaten"]}["vir"]


@pytest.mark.parametrize(
    ("persoon", "toestemming", "status"),
    [
        (VIR_10, None, "niet_toegestaan"),
        (VIR_10, "betrokkene", "niet_toegestaan"),
        (VIR_10, "wettelijk_vertegenwoordiger", "bekend"),
        (VIR_13, "betrokkene", "bekend"),
        (VIR_13, "wettelijk_vertegenwoordiger", "bekend"),
        (VIR_16, "wettelijk_vertegenwoordiger", "niet_toegestaan"),
        (VIR_16, "betrokkene", "bekend"),
        (VIR_ONBEKEND, "wettelijk_vertegenwoordiger", "niet_toegestaan"),
        (VIR_ONBEKEND, "betrokkene", "bekend"),
    ],
    ids=["10-geen", "10-zelf", "10-ouder", "13-zelf", "13-ouder", "16-ouder", "16-zelf", "onbekend-ouder",
         "onbekend-zelf"],
)
async def test_toestemming_per_leeftijd(omgeving, persoon, toestemming, status):
    vir = await _vir(omgeving, persoon, toestemming)
    assert vir["status"] == status
    if status == "niet_toegestaan":
        assert vir["regel"] == "R-TOESTEMMING" and "toestemming" in vir["reden"]
    else:
        assert vir["regel"] == "V-VIR-ZORG" and vir["verwijzing"]["bronsysteem"] == "VIR"


async def test_bewaartermijn_na_afsluiten(omgeving):
    overleg = await plan_overleg(omgeving, "jco")
    casus = (await omgeving.client.post("/v1/casussen", json={"bsn": "999990512", "thema": "jeugd", "gemeente": "gemeente-a"},
                                        headers=await omgeving.als("demo-politie"))).json()
    h = await omgeving.als("demo-procesregisseur")
    await omgeving.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]}, headers=h)
    await omgeving.client.patch(f"/v1/casussen/{casus['id']}", json={"status": "afgesloten"}, headers=h)
    url = f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen"

    async def politie() -> dict:
        r = await omgeving.client.post(url, json={"overlegId": overleg["id"]}, headers=await omgeving.als("demo-om"))
        return {x["bron"]: x for x in r.json()["resultaten"]}["politie"]

    assert (await politie())["status"] == "bekend"  # closed, but within one month
    omgeving.klok.tijd += timedelta(days=32)
    p = await politie()
    assert p["status"] == "niet_toegestaan" and p["regel"] == "R-BEWAARTERMIJN"


async def test_ingetrokken_toestemming_opent_niets_meer(omgeving):
    """Issue 11: consent withdrawn (audited) refuses later lookups with the consent rule; consent for named
    recipients opens nothing for others."""
    bsn, geboren = VIR_16
    overleg = await plan_overleg(omgeving, "zorg_huiselijk_geweld")
    casus = (await omgeving.client.post("/v1/casussen", json={"bsn": bsn, "thema": "huiselijk_geweld",
                                                              "gemeente": "gemeente-a", "geboortedatum": geboren},
                                        headers=await omgeving.als("demo-veilig-thuis"))).json()
    h = await omgeving.als("demo-procesregisseur")
    await omgeving.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]}, headers=h)
    url = f"/v1/casussen/{casus['id']}/toestemmingen"
    r = await omgeving.client.post(url, headers=h, json={"categorie": "verwijsindexsignaal", "gegevenDoor": "betrokkene",
                                                         "bewijs": "TF-9", "ontvangers": ["veilig-thuis"]})
    toestemming = r.json()

    async def vir(client: str) -> dict:
        r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen",
                                       json={"overlegId": overleg["id"]}, headers=await omgeving.als(client))
        return {x["bron"]: x for x in r.json()["resultaten"]}["vir"]

    assert (await vir("demo-veilig-thuis"))["status"] == "bekend"
    assert (await vir("demo-ggz"))["regel"] == "R-TOESTEMMING"  # not a recipient the consent names
    r = await omgeving.client.delete(f"{url}/{toestemming['id']}", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "ingetrokken"
    na = await vir("demo-veilig-thuis")
    assert (na["status"], na["regel"]) == ("niet_toegestaan", "R-TOESTEMMING")
    r = await omgeving.client.get("/v1/audit/gebeurtenissen", params={"handeling": "toestemming_intrekken"},
                                  headers=await omgeving.als("demo-privacy"))
    assert [e["besluit"] for e in r.json()["gebeurtenissen"]] == ["toegestaan"]
