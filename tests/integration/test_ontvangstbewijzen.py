"""Receipts for partners and two-sided reconciliation; proofs checked offline with `audit bewijs controleer`.

On SQLite and PostgreSQL, through the API and the real CLI commands.
"""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from gateway.cli import app
from gateway.domain.audit import schakel
from gateway.domain.ontvangstbewijs import HEADER, Ontvangstbewijs
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.audit.sleutels import Ondertekenaar, laad_of_maak_sleutel, publiek_pad
from tests.support.fixtures import BSN_A

from ..api.helpers import meld_aan, plan_overleg

runner = CliRunner()


async def _cli(*args: str) -> tuple[int, str]:
    r = await asyncio.to_thread(runner.invoke, app, list(args), env={"KETENPOORT_SIGNING_KEY": None},
                                catch_exceptions=False)
    return r.exit_code, r.stdout


async def _met_sleutel(omgeving, tmp_path):  # noqa: ANN001, ANN202
    pad = tmp_path / "signing.key"
    omgeving.container.uow.ondertekenaar = Ondertekenaar(laad_of_maak_sleutel(pad, maak=True))
    return publiek_pad(pad)


async def test_every_audited_response_carries_its_receipt(omgeving):
    casus = await meld_aan(omgeving, "demo-om")
    overleg = await plan_overleg(omgeving)
    pr = await omgeving.als("demo-procesregisseur")
    r = await omgeving.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]},
                                   headers=pr)
    assert r.status_code == 201
    om = await omgeving.als("demo-om")
    r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen",
                                   json={"overlegId": overleg["id"]}, headers=om)  # the group-commit path
    assert r.status_code == 200, r.text
    bewijs = Ontvangstbewijs.uit_header(r.headers[HEADER])
    async with omgeving.container.engine.connect() as conn:
        rijen = {x.volgnummer: x for x in await conn.execute(select(t.audit_ledger).where(
            t.audit_ledger.c.huis == "demo", t.audit_ledger.c.volgnummer.in_(bewijs.volgnummers)))}
    assert bewijs.huis == "demo" and len(bewijs.volgnummers) == 4  # one record per source
    assert {rijen[v].handeling for v in bewijs.volgnummers} == {"verwijzing_opvragen"}
    assert rijen[bewijs.volgnummers[-1]].hash == bewijs.hash
    # A refusal is an exchange too; a read writes its record; no audit, no receipt.
    r = await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=await omgeving.als("demo-ggz"))
    assert r.status_code in (403, 404) and (r.status_code == 404 or HEADER in r.headers)
    r = await omgeving.client.get(f"/v1/casussen/{casus['id']}", headers=om)
    assert len(Ontvangstbewijs.uit_header(r.headers[HEADER]).volgnummers) == 1
    assert HEADER not in (await omgeving.client.get("/health")).headers
    assert BSN_A not in r.headers[HEADER]


async def _ontvangstbewijzen(omgeving, n: int) -> list[dict]:  # noqa: ANN001
    h = await omgeving.als("demo-politie")
    uit = []
    for _ in range(n):
        r = await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=h)
        uit.append(Ontvangstbewijs.uit_header(r.headers[HEADER]).als_json())
    return uit


async def test_reconciliation_finds_missing_changed_unanchored_and_unreceipted(omgeving, tmp_path, database_url):
    sleutel = await _met_sleutel(omgeving, tmp_path)
    bewijzen = await _ontvangstbewijzen(omgeving, 105)  # checkpoint at 100: 101..105 are not yet anchored
    bestand = tmp_path / "ontvangstbewijzen.jsonl"
    bestand.write_text("\n".join(json.dumps(b) for b in bewijzen[:100]) + "\n")
    basis = ["audit", "afstemmen", "--ontvangstbewijzen", str(bestand), "--huis", "demo",
             "--database-url", database_url, "--public-key", str(sleutel), "--format", "json"]
    code, uit = await _cli(*basis, "--partner", "politie")
    rapport = json.loads(uit)
    assert code == 1  # the five receipts the partner did not keep: its exchanges without one
    assert {(b["afwijking"], b["volgnummer"]) for b in rapport["bevindingen"]} == {
        ("zonder_ontvangstbewijs", v) for v in range(101, 106)}
    code, uit = await _cli(*basis)
    assert code == 0 and json.loads(uit)["verankerdTot"] == 100

    bestand.write_text("\n".join(json.dumps(b) for b in bewijzen) + "\n")
    code, uit = await _cli(*basis)
    assert code == 1 and {b["afwijking"] for b in json.loads(uit)["bevindingen"]} == {"niet_verankerd"}

    # An insider deletes event 40 and re-hashes 41..100 consistently (and the checkpoint goes too).
    async with omgeving.container.engine.begin() as conn:
        rijen = [r._mapping for r in await conn.execute(select(t.audit_ledger).where(t.audit_ledger.c.huis == "demo")
                                                        .order_by(t.audit_ledger.c.volgnummer))]
        await conn.execute(delete(t.audit_ledger).where(t.audit_ledger.c.volgnummer >= 40))
        await conn.execute(delete(t.audit_checkpoints))
        vorige = rijen[38]["hash"]
        for oud in rijen[40:]:
            data = {k: v for k, v in oud["event"]["data"].items() if k not in ("volgnummer", "vorigeHash", "hash")}
            data.update(schakel(data, oud["volgnummer"] - 1, vorige))
            vorige = data["hash"]
            await conn.execute(t.audit_ledger.insert().values(
                {**oud, "volgnummer": oud["volgnummer"] - 1, "hash": data["hash"],
                 "event": {**oud["event"], "data": data}}))
        await conn.execute(update(t.huis_tellers).values(volgnummer=len(rijen) - 1, laatste_hash=vorige))
    code, uit = await _cli(*basis)
    bevindingen = json.loads(uit)["bevindingen"]
    assert code == 1
    soorten = {b["afwijking"] for b in bevindingen}
    assert {"gewijzigd", "ontbreekt", "niet_verankerd"} <= soorten  # every receipt from 40 on: nothing holds
    # Before the cut only the anchoring is gone (the checkpoints were deleted); from it on nothing holds.
    assert {b["afwijking"] for b in bevindingen if b["volgnummer"] < 40} == {"niet_verankerd"}
    assert {b["volgnummer"] for b in bevindingen if b["afwijking"] in ("gewijzigd", "ontbreekt")} == set(
        range(40, 106))


async def test_proofs_from_the_api_check_offline_and_a_split_view_is_caught(omgeving, tmp_path):
    sleutel = await _met_sleutel(omgeving, tmp_path)
    await _ontvangstbewijzen(omgeving, 201)
    h = await omgeving.als("demo-politie")
    opname = (await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": 7}, headers=h)).json()
    consistentie = (await omgeving.client.get("/v1/audit/bewijzen/consistentie", params={"van": 100, "tot": 200},
                                              headers=h)).json()
    for naam, bewijs in (("opname", opname), ("consistentie", consistentie)):
        (tmp_path / f"{naam}.json").write_text(json.dumps(bewijs))
        code, uit = await _cli("audit", "bewijs", "controleer", str(tmp_path / f"{naam}.json"),
                               "--public-key", str(sleutel))
        assert code == 0, uit
    # Tampered: another path node, another leaf, a root the signature does not cover.
    for kapot in ({**opname, "pad": [opname["pad"][1], *opname["pad"][1:]]}, {**opname, "hash": "0" * 64},
                  {**opname, "boomWortel": "1" * 64, "checkpoint": {**opname["checkpoint"], "boomWortel": "1" * 64}}):
        (tmp_path / "kapot.json").write_text(json.dumps(kapot))
        code, _ = await _cli("audit", "bewijs", "controleer", str(tmp_path / "kapot.json"), "--public-key",
                             str(sleutel))
        assert code == 1
    # A partner kept checkpoint 100 with another root than the house now shows: a split view.
    bewaard = tmp_path / "bewaard.jsonl"
    bewaard.write_text(json.dumps({**consistentie["vanCheckpoint"], "boomWortel": "2" * 64}) + "\n")
    code, uit = await _cli("audit", "bewijs", "controleer", str(tmp_path / "consistentie.json"), "--public-key",
                           str(sleutel), "--bewaard", str(bewaard))
    assert code == 1 and "split view" in uit
    # Without a key nothing is proven.
    code, _ = await _cli("audit", "bewijs", "controleer", str(tmp_path / "opname.json"))
    assert code == 2
