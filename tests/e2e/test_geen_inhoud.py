"""Invariant 1, proven: content a source holds never crosses the gateway.

Every content field of every person in every mock is seeded with a distinctive marker; the whole
scenario runs; no marker appears in any response, table, log line, audit record or event.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select

from gateway.infrastructure.db.tables import metadata
from tests.support.fixtures import DEMO

DAT = {"bekendSinds", "contactpunt", "peildatum"}
SYSTEMEN = ("BPS", "JCO-support", "Depan", "VIR")
_teller = itertools.count()


def _merk(waarde):  # noqa: ANN001, ANN202
    if isinstance(waarde, dict):
        return {k: _merk(v) for k, v in waarde.items()}
    if isinstance(waarde, list):
        return [_merk(v) for v in waarde]
    if isinstance(waarde, str) and not isinstance(waarde, (date, datetime)):
        return f"LEKTEST{next(_teller):05d}"
    return waarde


@pytest.fixture
def brondata_pad(tmp_path: Path) -> Path:
    doc = yaml.safe_load((DEMO / "brondata.yaml").read_text(encoding="utf-8"))
    for persoon in doc["personen"]:
        for systeem in SYSTEMEN:
            entry = persoon.get(systeem)
            if isinstance(entry, dict):
                for k in list(entry):
                    if k not in DAT:
                        entry[k] = _merk(entry[k])
                entry["extraInhoud"] = f"LEKTEST{next(_teller):05d}"
    pad = tmp_path / "brondata.yaml"
    pad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return pad


async def test_no_content_marker_anywhere(omgeving, brondata_pad):
    o = omgeving
    personen = yaml.safe_load(brondata_pad.read_text())["personen"]
    bekend = [p for p in personen if any(s in p for s in SYSTEMEN)][:12]
    antwoorden: list[str] = []

    async def roep(methode: str, url: str, client: str, **kw) -> httpx.Response:  # noqa: ANN003
        r = await o.client.request(methode, url, headers=await o.als(client), **kw)
        antwoorden.append(r.text)
        return r

    pr = "demo-procesregisseur"
    overleggen = {}
    for ot in ("jco", "veelplegers", "nazorg", "zorg_huiselijk_geweld"):
        overleggen[ot] = (await roep("POST", "/v1/overleggen", pr, json={"overlegtype": ot, "datum": "2026-12-01"})).json()
    thema = {"jco": "jeugd", "veelplegers": "veelplegers", "nazorg": "nazorg", "zorg_huiselijk_geweld": "huiselijk_geweld"}
    casussen = []
    for i, p in enumerate(bekend):
        ot = list(overleggen)[i % 4]
        body = {"bsn": p["bsn"], "thema": thema[ot], "gemeente": "gemeente-a"}
        if p.get("geboortedatum"):
            body["geboortedatum"] = str(p["geboortedatum"])
        c = (await roep("POST", "/v1/casussen", pr, json=body)).json()
        casussen.append(c)
        await roep("POST", f"/v1/overleggen/{overleggen[ot]['id']}/agendapunten", pr, json={"casusId": c["id"]})
    lezers = {"jco": "demo-om", "veelplegers": "demo-reclassering", "nazorg": "demo-gemeente-a",
              "zorg_huiselijk_geweld": "demo-veilig-thuis"}
    for ot, o_ in overleggen.items():
        r = await roep("POST", f"/v1/overleggen/{o_['id']}/verwijzingen/_ophalen", lezers[ot])
        assert r.status_code == 200, r.text
    statussen = {x["status"] for r in antwoorden[-4:] for a in httpx.Response(200, text=r).json()["agendapunten"]
                 for x in a["resultaten"]}
    assert "bekend" in statussen  # the scenario really reached the sources
    for c in casussen:
        await roep("GET", f"/v1/casussen/{c['id']}/verwijzingen", "demo-procesregisseur")
        await roep("GET", f"/v1/casussen/{c['id']}/verwijzingen", "demo-politie")
    await roep("GET", "/v1/audit/gebeurtenissen", "demo-privacy")

    # Sanity: the mock does serve the markers natively, so a leaking adapter would be caught.
    bps = next(p for p in bekend if "BPS" in p)
    kaal = await o.mocks["BPS"].post("/api/v2/personen/_zoek", json={"bsn": bps["bsn"]},
                                     headers={"X-BPS-ApiKey": "demo-bps-sleutel"})
    assert kaal.status_code == 200 and "LEKTEST" in kaal.text

    def geen_merk(tekst: str, waar: str) -> None:
        assert "LEKTEST" not in tekst, f"content marker leaked into {waar}"

    for a in antwoorden:
        geen_merk(a, "a response")
    async with o.container.engine.connect() as conn:
        for tabel in metadata.sorted_tables:
            for rij in await conn.execute(select(tabel)):
                geen_merk(" ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in rij),
                          f"table {tabel.name}")
    geen_merk(o.log.getvalue(), "the logs")
