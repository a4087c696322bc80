"""Invariant 5: no BSN in any table, response, log line or audit record of a full scenario."""

from __future__ import annotations

from sqlalchemy import select

from gateway.infrastructure.db.tables import metadata
from tests.api.helpers import plan_overleg
from tests.support.fixtures import BSN_A, BSN_B, log_regels

BSNS = [BSN_A, BSN_B, "999990032"]


async def test_geen_bsn_waar_dan_ook(omgeving):
    o = omgeving
    antwoorden: list[str] = []

    async def roep(methode: str, url: str, client: str, **kw) -> dict:  # noqa: ANN003
        r = await o.client.request(methode, url, headers=await o.als(client), **kw)
        antwoorden.append(r.text + str(dict(r.headers)))
        return r.json() if r.content else {}

    overleg = await plan_overleg(o)
    casussen = []
    for bsn in BSNS:
        c = await roep("POST", "/v1/casussen", "demo-politie",
                       json={"bsn": bsn, "thema": "jeugd", "gemeente": "gemeente-a", "geboortedatum": "2010-05-01"})
        casussen.append(c)
        await roep("POST", f"/v1/overleggen/{overleg['id']}/agendapunten", "demo-procesregisseur",
                   json={"casusId": c["id"]})
        await roep("POST", "/v1/casussen/_zoek", "demo-rvdk", json={"bsn": bsn})
        await roep("POST", "/v1/casussen", "demo-om", json={"bsn": bsn, "thema": "jeugd", "gemeente": "gemeente-a"})  # 409
        await roep("POST", "/v1/casussen", "demo-ggz", json={"bsn": bsn, "thema": "jeugd", "gemeente": "gemeente-a"})  # 403
        await roep("POST", "/v1/casussen", "demo-politie", json={"bsn": bsn, "thema": "zz", "gemeente": "gemeente-a"})  # 400
        await roep("POST", f"/v1/casussen/{c['id']}/afspraken", "demo-om",
                   json={"uitvoerder": "rvdk", "actie": f"bel {bsn}", "deadline": "2026-12-15"})  # 400
        await roep("POST", f"/v1/casussen/{c['id']}/afspraken", "demo-om",
                   json={"uitvoerder": "rvdk", "actie": "Gesprek plannen", "deadline": "2026-12-15"})
    await roep("GET", f"/v1/overleggen/{overleg['id']}/agendapunten", "demo-leerplicht")
    await roep("GET", "/v1/casussen", "demo-procesregisseur")
    await roep("GET", "/v1/afspraken", "demo-procesregisseur")
    await roep("POST", "/v1/casussen/_zoek", "demo-politie", json={"bsn": "999990019x"})
    await roep("GET", "/v1/casussen", "demo-politie", params={"thema": BSN_A})

    # Every column of every table, as text and as bytes.
    async with o.container.engine.connect() as conn:
        for tabel in metadata.sorted_tables:
            for rij in await conn.execute(select(tabel)):
                for waarde in rij:
                    tekst = waarde.decode("latin-1") if isinstance(waarde, bytes) else str(waarde)
                    for bsn in BSNS:
                        assert bsn not in tekst, f"BSN in tabel {tabel.name}"
    logs = o.log.getvalue()
    assert log_regels(o.log), "the scenario should have logged"
    for bsn in BSNS:
        assert bsn not in logs
        for a in antwoorden:
            assert bsn not in a
