"""The Merkle tree beside each chain: grown at commit, signed in every checkpoint, proofs for partners.

Run on SQLite and PostgreSQL. Proofs fetched over the API are checked with the RFC 9162 verification
algorithms against the signed checkpoint, as a partner would check them offline.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from gateway.domain import merkle as M
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.uow import checkpoint_indien_nodig
from gateway.infrastructure.audit.sleutels import Ondertekenaar, handtekening_controle, laad_of_maak_sleutel
from tests.support.fixtures import BSN_A

from ..api.helpers import is_probleem, meld_aan, ongeldige_velden


async def _teken(omgeving, tmp_path):  # noqa: ANN001, ANN202
    sleutel = laad_of_maak_sleutel(tmp_path / "signing.key", maak=True)
    omgeving.container.uow.ondertekenaar = Ondertekenaar(sleutel)
    return sleutel


async def _zoek(omgeving, client: str, n: int) -> None:  # noqa: ANN001
    h = await omgeving.als(client)
    for _ in range(n):  # each search is one audited exchange
        r = await omgeving.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=h)
        assert r.status_code == 200, r.text


async def _ledger_boom(omgeving, huis: str = "demo"):  # noqa: ANN001, ANN202
    async with omgeving.container.engine.connect() as conn:
        hashes = [r.hash for r in await conn.execute(
            select(t.audit_ledger.c.hash).where(t.audit_ledger.c.huis == huis).order_by(t.audit_ledger.c.volgnummer))]
        teller = (await conn.execute(select(t.huis_tellers).where(t.huis_tellers.c.huis == huis))).mappings().one()
    return hashes, teller


async def test_the_tree_grows_with_the_chain_and_every_checkpoint_signs_its_root(omgeving, tmp_path):
    sleutel = await _teken(omgeving, tmp_path)
    await _zoek(omgeving, "demo-procesregisseur", 215)
    async with omgeving.container.engine.begin() as conn:
        assert await checkpoint_indien_nodig(conn, "demo", omgeving.container.uow.ondertekenaar, 0.0)
    hashes, teller = await _ledger_boom(omgeving)
    bladen = [M.blad_van_event(h) for h in hashes]
    frontier, n = M.frontier_van(bladen)
    assert n == teller["volgnummer"] == 215
    assert M.frontier_uit_tekst(teller["boom_frontier"]) == frontier  # the kept frontier is the tree's
    async with omgeving.container.engine.connect() as conn:
        cps = [r.event["data"] for r in await conn.execute(
            select(t.audit_checkpoints.c.event).where(t.audit_checkpoints.c.huis == "demo")
            .order_by(t.audit_checkpoints.c.volgnummer))]
        opgeslagen = {(r.niveau, r.positie): r.hash for r in await conn.execute(
            select(t.audit_boomknopen).where(t.audit_boomknopen.c.huis == "demo"))}
    assert [c["volgnummer"] for c in cps] == [100, 200, 215]
    controle = handtekening_controle(sleutel.public_key())
    for c in cps:
        assert c["boomGrootte"] == c["volgnummer"]
        assert c["boomWortel"] == M.wortel(M.frontier_van(bladen[: c["volgnummer"]])[0]).hex()
        assert controle(c)
        assert not controle({**c, "boomWortel": "0" * 64})  # the root is under the signature
    # Subtrees of 16 leaves and more are stored as they complete, and only those: 13 + 6 + 3 + 1 for 215 leaves.
    assert len(opgeslagen) == 13 + 6 + 3 + 1 and min(k[0] for k in opgeslagen) == M.OPSLAG_NIVEAU


async def test_a_chain_from_before_the_tree_is_rebuilt_on_its_next_write(omgeving, tmp_path):
    await _teken(omgeving, tmp_path)
    await _zoek(omgeving, "demo-procesregisseur", 40)
    async with omgeving.container.engine.begin() as conn:  # as after the migration: no frontier, no nodes
        await conn.execute(update(t.huis_tellers).values(boom_frontier=None))
        await conn.execute(delete(t.audit_boomknopen))
    await _zoek(omgeving, "demo-procesregisseur", 70)
    hashes, teller = await _ledger_boom(omgeving)
    assert len(hashes) == 110
    assert M.frontier_uit_tekst(teller["boom_frontier"]) == M.frontier_van(M.blad_van_event(h) for h in hashes)[0]
    h = await omgeving.als("demo-procesregisseur")
    r = await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": 3}, headers=h)
    assert r.status_code == 200, r.text
    b = r.json()
    assert M.controleer_opname(b["blad"], b["boomGrootte"], M.blad_van_event(b["hash"]),
                               [bytes.fromhex(x) for x in b["pad"]], bytes.fromhex(b["boomWortel"]))


async def test_a_partner_gets_inclusion_proofs_of_its_own_exchanges_only(omgeving, tmp_path):
    sleutel = await _teken(omgeving, tmp_path)
    casus = await meld_aan(omgeving, "demo-politie")
    await _zoek(omgeving, "demo-procesregisseur", 120)
    async with omgeving.container.engine.connect() as conn:
        eigen = (await conn.execute(select(t.audit_ledger.c.volgnummer).where(
            t.audit_ledger.c.partner == "politie", t.audit_ledger.c.handeling == "casus_aanmelden"))).scalar_one()
    politie = await omgeving.als("demo-politie")
    r = await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": eigen}, headers=politie)
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["checkpoint"]["volgnummer"] == b["boomGrootte"] == 100
    assert handtekening_controle(sleutel.public_key())(b["checkpoint"])
    assert M.controleer_opname(b["blad"], b["boomGrootte"], M.blad_van_event(b["hash"]),
                               [bytes.fromhex(x) for x in b["pad"]], bytes.fromhex(b["checkpoint"]["boomWortel"]))
    assert casus["betrokkene"]["id"] not in r.text and BSN_A not in r.text  # hashes only
    # Another partner's exchange is not the politie's to prove; the privacy officer may prove any.
    is_probleem(await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": eigen + 1},
                                          headers=politie), 403)
    privacy = await omgeving.als("demo-privacy")
    assert (await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": eigen + 1},
                                      headers=privacy)).status_code == 200
    # Not yet under a checkpoint: 409 (the next one follows within a minute); unknown: 404; another house: 404.
    is_probleem(await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": 110},
                                          headers=privacy), 409)
    is_probleem(await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": 10_000},
                                          headers=privacy), 404)
    is_probleem(await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": eigen},
                                          headers=await omgeving.als("noord-politie")), 404)
    assert ongeldige_velden(await omgeving.client.get("/v1/audit/bewijzen/opname", params={"volgnummer": "x"},
                                                      headers=privacy)) == {"volgnummer"}


async def test_consistency_between_kept_checkpoints_and_the_checkpoint_list(omgeving, tmp_path):
    sleutel = await _teken(omgeving, tmp_path)
    await _zoek(omgeving, "demo-procesregisseur", 230)
    politie = await omgeving.als("demo-politie")
    r = await omgeving.client.get("/v1/audit/checkpoints", headers=politie)
    assert r.status_code == 200, r.text
    cps = r.json()["checkpoints"]
    assert [c["volgnummer"] for c in cps] == [100, 200]
    assert all(handtekening_controle(sleutel.public_key())(c) for c in cps)
    r = await omgeving.client.get("/v1/audit/bewijzen/consistentie", params={"van": 100, "tot": 200}, headers=politie)
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["vanCheckpoint"] == cps[0] and b["totCheckpoint"] == cps[1]
    assert M.controleer_consistentie(100, 200, bytes.fromhex(cps[0]["boomWortel"]), bytes.fromhex(cps[1]["boomWortel"]),
                                     [bytes.fromhex(x) for x in b["pad"]])
    # A root the house never had (a split view) does not fit the proof.
    assert not M.controleer_consistentie(100, 200, b"\x01" * 32, bytes.fromhex(cps[1]["boomWortel"]),
                                         [bytes.fromhex(x) for x in b["pad"]])
    assert ongeldige_velden(await omgeving.client.get(
        "/v1/audit/bewijzen/consistentie", params={"van": 150, "tot": 220}, headers=politie)) == {"tot"}
    assert ongeldige_velden(await omgeving.client.get(
        "/v1/audit/bewijzen/consistentie", params={"van": 150, "tot": 120}, headers=politie)) == {"van"}
    # Other houses' checkpoints stay theirs.
    r = await omgeving.client.get("/v1/audit/checkpoints", headers=await omgeving.als("noord-politie"))
    assert r.json()["checkpoints"] == []
