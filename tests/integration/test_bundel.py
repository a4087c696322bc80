"""Group commit of lookups: shared transactions, a gapless chain, and every request still audited before asking."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.audit import AuditRecord, verifieer
from gateway.domain.errors import AuditNietVastgelegd
from gateway.domain.model import Verwijzing
from gateway.infrastructure.db import tables as t
from gateway.services.bundel import Bundelaar
from tests.api.helpers import is_probleem, meld_aan, plan_overleg
from tests.support.fixtures import NU

BSNS = ["999990512", "999991103", "999990342", "999990019"]  # from deploy/demo/brondata.yaml


async def _ledger(o, handeling: str | None = None) -> list[dict]:  # noqa: ANN001
    async with o.container.engine.connect() as conn:
        q = select(t.audit_ledger.c.event).where(t.audit_ledger.c.huis == "demo").order_by(t.audit_ledger.c.volgnummer)
        datas = [r.event["data"] for r in await conn.execute(q)]
    return [d for d in datas if handeling is None or d["handeling"] == handeling]


async def _agenda(o, bsns: list[str]):  # noqa: ANN001, ANN202
    overleg = await plan_overleg(o, "jco")
    casussen = []
    for bsn in bsns:
        casus = await meld_aan(o, bsn=bsn, thema="jeugd", geboortedatum=None)
        r = await o.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]},
                                headers=await o.als("demo-procesregisseur"))
        assert r.status_code == 201, r.text
        casussen.append(casus)
    return overleg, casussen


async def test_gelijktijdige_opvragingen_delen_transacties_en_de_keten_blijft_gapless(omgeving, monkeypatch):
    overleg, casussen = await _agenda(omgeving, BSNS)
    rondes: list[int] = []
    echte = Bundelaar._schrijf

    async def tel(self, ronde):  # noqa: ANN001
        rondes.append(len(ronde))
        await asyncio.sleep(0.02)  # a slow disk: the requests that arrive meanwhile must share the next one
        await echte(self, ronde)

    monkeypatch.setattr(Bundelaar, "_schrijf", tel)
    h = await omgeving.als("demo-om")
    verzoeken = [omgeving.client.post(f"/v1/casussen/{c['id']}/verwijzingen/_ophalen",
                                      json={"overlegId": overleg["id"]}, headers=h) for c in casussen * 3]
    antwoorden = await asyncio.gather(*verzoeken)
    assert all(r.status_code == 200 for r in antwoorden), [r.text for r in antwoorden]

    # 12 requests, each with one write before and one after asking the sources: fewer transactions than that.
    assert sum(rondes) == 24 and len(rondes) < 24 and max(rondes) > 1
    opvragen = await _ledger(omgeving, "verwijzing_opvragen")
    assert len(opvragen) == 12 * 4  # one record per source per request, none lost in a shared transaction
    assert verifieer(await _ledger(omgeving), begin_verplicht=True).intact
    async with omgeving.container.engine.connect() as conn:
        events = (await conn.execute(select(func.count()).select_from(t.gebeurtenissen)
                                     .where(t.gebeurtenissen.c.type == "nl.ketenpoort.verwijzingen.opgehaald"))).scalar_one()
        posities = [r.positie for r in await conn.execute(
            select(t.gebeurtenissen.c.positie).where(t.gebeurtenissen.c.huis == "demo").order_by(t.gebeurtenissen.c.positie))]
    assert events == 12 and posities == list(range(1, len(posities) + 1))


async def test_een_mislukte_schrijving_laat_de_andere_in_dezelfde_transactie_heel(omgeving):
    overleg, [casus] = await _agenda(omgeving, BSNS[:1])
    bundel = Bundelaar(omgeving.container.afhankelijkheden.verwijzingen.omg.uow)
    voor = len(await _ledger(omgeving))

    def verwijzing(id_=None):  # noqa: ANN001, ANN202
        return Verwijzing(id=id_ or uuid4(), huis="demo", casus_id=UUID(casus["id"]),
                          betrokkene_id=UUID(casus["betrokkene"]["id"]), bron="politie",
                          bronsysteem="BPS", bekend_sinds=None, contactpunt=None, referentie=None,
                          bron_peildatum=None, opgehaald_op=NU, opgehaald_voor="om",
                          overleg_id=UUID(overleg["id"]), regel="V-POL-JCO")

    dubbel = verwijzing()
    await bundel.vastleggen(verwijzingen=[dubbel])
    record = AuditRecord.uit_data({"huis": "demo", "tijdstip": "2026-11-23T10:00:00Z",
                                   "handeling": "verwijzing_opvragen", "besluit": "toegestaan",
                                   "verzoeker": {"partner": "om", "clientId": "demo-om"}})
    uitkomsten = await asyncio.gather(
        bundel.vastleggen(audit=[replace(record, bron="a")]),
        bundel.vastleggen(audit=[replace(record, bron="b")], verwijzingen=[verwijzing(dubbel.id)]),  # primary key taken
        bundel.vastleggen(audit=[replace(record, bron="c")]),
        return_exceptions=True,
    )
    assert uitkomsten[0] is None and uitkomsten[2] is None
    assert isinstance(uitkomsten[1], AuditNietVastgelegd)
    nieuw = (await _ledger(omgeving))[voor:]
    assert [d["bron"] for d in nieuw] == ["a", "c"]  # "b" was not written, not even its audit record
    assert verifieer(await _ledger(omgeving), begin_verplicht=True).intact


async def test_audit_niet_vast_te_leggen_dan_503_en_geen_bron_gevraagd(omgeving, monkeypatch):
    overleg, [casus] = await _agenda(omgeving, BSNS[:1])
    dienst = omgeving.container.afhankelijkheden.verwijzingen
    gevraagd: list[str] = []
    echte = dict(dienst.bronnen)

    class Spion:
        def __init__(self, bron):  # noqa: ANN001
            self.bron, self.bronsysteem = bron, bron.bronsysteem

        async def zoek(self, bsn, geboortedatum=None):  # noqa: ANN001, ANN201
            gevraagd.append(self.bronsysteem)
            return await self.bron.zoek(bsn, geboortedatum)

        async def sluit(self) -> None:
            pass

    async def commit_faalt(self):  # noqa: ANN001
        raise OSError("verbinding verbroken")

    dienst.bronnen = {s: Spion(b) for s, b in echte.items()}
    voor = len(await _ledger(omgeving))
    monkeypatch.setattr(AsyncConnection, "commit", commit_faalt)
    try:
        r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen",
                                       json={"overlegId": overleg["id"]}, headers=await omgeving.als("demo-om"))
    finally:
        monkeypatch.undo()
        dienst.bronnen = echte
    is_probleem(r, 503)
    assert gevraagd == []
    assert len(await _ledger(omgeving)) == voor


async def test_een_weggelopen_aanvrager_breekt_de_gedeelde_transactie_niet(omgeving):
    bundel = Bundelaar(omgeving.container.afhankelijkheden.verwijzingen.omg.uow)
    record = AuditRecord.uit_data({"huis": "demo", "tijdstip": "2026-11-23T10:00:00Z",
                                   "handeling": "verwijzing_opvragen", "besluit": "toegestaan",
                                   "verzoeker": {"partner": "om", "clientId": "demo-om"}})
    voor = len(await _ledger(omgeving))
    weg = asyncio.create_task(bundel.vastleggen(audit=[replace(record, bron="weg")]))
    blijft = asyncio.create_task(bundel.vastleggen(audit=[replace(record, bron="blijft")]))
    await asyncio.sleep(0)
    weg.cancel()
    await blijft
    with pytest.raises(asyncio.CancelledError):
        await weg
    # Its record was already on its way: written with the other (a record too many is safe, one too few is not).
    assert sorted(d["bron"] for d in (await _ledger(omgeving))[voor:]) == ["blijft", "weg"]


async def test_een_fout_na_de_commit_schrijft_niet_dubbel_en_laat_de_aanvragers_slagen(omgeving, monkeypatch):
    from gateway.infrastructure.db.uow import SqlUnitOfWork

    bundel = Bundelaar(omgeving.container.afhankelijkheden.verwijzingen.omg.uow)
    record = AuditRecord.uit_data({"huis": "demo", "tijdstip": "2026-11-23T10:00:00Z",
                                   "handeling": "verwijzing_opvragen", "besluit": "toegestaan",
                                   "verzoeker": {"partner": "om", "clientId": "demo-om"}})
    voor = len(await _ledger(omgeving))
    echte_exit = SqlUnitOfWork.__aexit__

    async def sluiten_faalt(self, *args):  # noqa: ANN001 - like a connection lost while it is returned
        await echte_exit(self, *args)
        raise OSError("verbinding verbroken na de commit")

    monkeypatch.setattr(SqlUnitOfWork, "__aexit__", sluiten_faalt)
    uitkomsten = await asyncio.gather(*(bundel.vastleggen(audit=[replace(record, bron=b)]) for b in "abc"),
                                      return_exceptions=True)
    monkeypatch.undo()
    assert uitkomsten == [None, None, None]  # committed, so reported as committed
    assert sorted(d["bron"] for d in (await _ledger(omgeving))[voor:]) == ["a", "b", "c"]  # and written once
