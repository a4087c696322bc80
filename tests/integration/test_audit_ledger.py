"""The audit ledger: one record per exchange, permitted or refused; a valid chain; atomic with the change."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from gateway.domain.audit import verifieer
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.uow import SqlAuditLedger
from tests.api.helpers import is_probleem, meld_aan, plan_overleg
from tests.support.fixtures import BSN_A, BSN_B

AUDIT_VELDEN = {"huis", "volgnummer", "vorigeHash", "hash", "tijdstip", "handeling", "besluit", "reden",
                "verzoeker", "bron", "betrokkene", "casusId", "overlegId", "overlegtype", "categorie",
                "grondslag", "regel", "convenant", "traceId"}


async def _ledger(o, huis: str = "demo") -> list[dict]:  # noqa: ANN001
    async with o.container.engine.connect() as conn:
        rijen = await conn.execute(select(t.audit_ledger.c.event).where(t.audit_ledger.c.huis == huis)
                                   .order_by(t.audit_ledger.c.volgnummer))
        return [r.event for r in rijen]


async def _scenario(o) -> dict:  # noqa: ANN001
    casus = await meld_aan(o)
    overleg = await plan_overleg(o)
    h = await o.als("demo-procesregisseur")
    await o.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]}, headers=h)
    await o.client.get(f"/v1/overleggen/{overleg['id']}/agendapunten", headers=await o.als("demo-rvdk"))
    await o.client.get(f"/v1/casussen/{casus['id']}", headers=await o.als("demo-ggz"))  # refused
    await o.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=await o.als("demo-om"))
    await o.client.post(f"/v1/casussen/{casus['id']}/afspraken",
                        # issue 11: the OM records for another partner as chair of the meeting named
                        json={"uitvoerder": "rvdk", "actie": "Huisbezoek", "deadline": "2026-12-15",
                              "overlegId": overleg["id"]},
                        headers=await o.als("demo-om"))
    await o.client.patch(f"/v1/casussen/{casus['id']}", json={"status": "in_behandeling"}, headers=h)
    return casus


async def test_elk_verzoek_met_persoonsgegevens_staat_in_een_geldige_keten(omgeving):
    casus = await _scenario(omgeving)
    events = await _ledger(omgeving)
    datas = [e["data"] for e in events]
    v = verifieer(datas, begin_verplicht=True)
    assert v.intact and v.laatste == len(datas)
    assert datas[0]["vorigeHash"] == "0" * 64 and [d["volgnummer"] for d in datas] == list(range(1, len(datas) + 1))
    handelingen = [(d["handeling"], d["besluit"]) for d in datas]
    for verwacht in [("casus_aanmelden", "toegestaan"), ("agendapunt_toevoegen", "toegestaan"),
                     ("agenda_inzien", "toegestaan"), ("casus_inzien", "geweigerd"), ("casus_zoeken", "toegestaan"),
                     ("afspraak_vastleggen", "toegestaan"), ("casus_wijzigen", "toegestaan")]:
        assert verwacht in handelingen
    for e in events:
        assert set(e["data"]) == AUDIT_VELDEN
        assert e["specversion"] == "1.0" and e["type"] == "nl.ketenpoort.audit.uitwisseling"
        assert e["source"] == "urn:nld:ketenpoort:huis:demo" and e["datacontenttype"] == "application/json"
        assert e["data"]["convenant"]["id"] == "zvh-demo" and len(e["data"]["convenant"]["hash"]) == 64
        assert e["data"]["regel"], e["data"]  # every decision names its rule
    geweigerd = next(d for d in datas if d["besluit"] == "geweigerd")
    assert geweigerd["verzoeker"]["partner"] == "ggz" and geweigerd["reden"] and geweigerd["casusId"] == casus["id"]
    assert geweigerd["betrokkene"] == casus["betrokkene"]["id"]


async def test_outbox_bevat_elk_auditrecord_in_ketenvolgorde(omgeving):
    await _scenario(omgeving)
    async with omgeving.container.engine.connect() as conn:
        rijen = (await conn.execute(select(t.outbox).where(t.outbox.c.topic == "audit").order_by(t.outbox.c.id))).all()
    assert [r.event["data"]["volgnummer"] for r in rijen] == list(range(1, len(rijen) + 1))
    assert {r.sleutel for r in rijen} == {"demo"} and all(r.verzonden_op is None for r in rijen)
    assert len(rijen) == len(await _ledger(omgeving))


async def test_huizen_hebben_elk_een_eigen_keten(omgeving):
    await meld_aan(omgeving)
    await meld_aan(omgeving, client_id="noord-politie")
    noord = [e["data"] for e in await _ledger(omgeving, "noord")]
    assert [d["volgnummer"] for d in noord] == [1] and noord[0]["huis"] == "noord"
    assert verifieer(noord, begin_verplicht=True).intact


async def test_mislukte_auditschrijving_verandert_niets(omgeving, monkeypatch):
    async def kapot(self, gegevens):  # noqa: ANN001
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(SqlAuditLedger, "vastleggen", kapot)
    with pytest.raises(RuntimeError):
        await omgeving.client.post("/v1/casussen", json={"bsn": BSN_A, "thema": "jeugd", "gemeente": "gemeente-a"},
                                   headers=await omgeving.als("demo-politie"))
    monkeypatch.undo()
    async with omgeving.container.engine.connect() as conn:
        for tabel in (t.casussen, t.betrokkenen, t.identiteiten, t.audit_ledger, t.outbox, t.gebeurtenissen):
            assert (await conn.execute(select(func.count()).select_from(tabel))).scalar_one() == 0, tabel.name


async def test_mislukte_commit_geeft_503_en_niets_uitgewisseld(omgeving, monkeypatch):
    casus = await meld_aan(omgeving)
    from sqlalchemy.ext.asyncio import AsyncConnection

    async def commit_faalt(self):  # noqa: ANN001 - like a connection lost at commit time
        raise OSError("verbinding verbroken")

    monkeypatch.setattr(AsyncConnection, "commit", commit_faalt)
    r = await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=await omgeving.als("demo-rvdk"))
    body = is_probleem(r, 503)
    assert casus["id"] not in r.text and "gemeente" not in body
    monkeypatch.undo()
    inzien = [d for d in (e["data"] for e in await _ledger(omgeving)) if d["handeling"] == "casus_inzien"]
    assert inzien == []


async def test_gelijktijdige_verzoeken_geven_een_gapless_keten(omgeving):
    h_pol = await omgeving.als("demo-politie")
    h_rvdk = await omgeving.als("demo-politie")  # issue 11: the registrant reads it (rvdk would need an agenda)
    from gateway.domain.bsn import is_geldig_bsn

    bsns = [b for b in (f"99999{n:04d}" for n in range(2000)) if is_geldig_bsn(b)][:24]

    async def aanmelden(bsn: str) -> None:
        r = await omgeving.client.post("/v1/casussen", json={"bsn": bsn, "thema": "jeugd", "gemeente": "gemeente-a"},
                                       headers=h_pol)
        assert r.status_code == 201, r.text
        r = await omgeving.client.get(f"/v1/casussen/{r.json()['id']}", headers=h_rvdk)
        assert r.status_code == 200

    # Same person twice at once: exactly one casus, one 409, both audited.
    dubbel = [omgeving.client.post("/v1/casussen", json={"bsn": BSN_B, "thema": "veelplegers", "gemeente": "gemeente-a"},
                                   headers=h_pol) for _ in range(2)]
    resultaten = await asyncio.gather(*(aanmelden(b) for b in bsns), *dubbel)
    statussen = sorted(r.status_code for r in resultaten[len(bsns):])
    assert statussen == [201, 409]
    datas = [e["data"] for e in await _ledger(omgeving)]
    assert len(datas) == 2 * len(bsns) + 2
    assert verifieer(datas, begin_verplicht=True).intact
