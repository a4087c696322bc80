"""An insider with write access to the database tries to bend the audit log; `audit verify` catches each attempt
with its documented exit code (docs/audit.md), on SQLite and PostgreSQL.

The chain is written by the real gateway (HTTP requests, unit of work, checkpoints every 100 and the periodic
one, the witness directory); the tampering is SQL, as the insider would do it.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from gateway.domain.audit import Checkpoint, schakel
from gateway.infrastructure.audit.sleutels import laad_ondertekenaar, maak_sleutelpaar, roteer, sleutelring_pad
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.uow import checkpoint_indien_nodig
from gateway.infrastructure.settings import Instellingen
from tests.api.helpers import meld_aan
from tests.integration.test_audit_tools import breuk_in, cli, regels_per_huis
from tests.support.fixtures import BSN_A, DEMO, IDENTITY_KEY

L, C, T = t.audit_ledger, t.audit_checkpoints, t.huis_tellers
INTACT, GEBROKEN, OUDE_STAART, GEEN_SLEUTEL = 0, 1, 3, 4
N = 210  # checkpoints at 100 and 200, the periodic one at 210


@pytest.fixture
def instellingen(database_url: str, config_dir: Path, tmp_path: Path) -> Instellingen:
    maak_sleutelpaar(tmp_path / "sleutels" / "signing.key")
    return Instellingen(database_url=database_url, config_dir=config_dir, identity_key=IDENTITY_KEY,
                        verwijzing_deadline_seconds=1.0, signing_key=tmp_path / "sleutels" / "signing.key",
                        checkpoint_dir=tmp_path / "getuige")


async def _periodiek(o, huis: str) -> None:  # noqa: ANN001
    """What the gateway's periodic task does (checkpoint, then the witness after the commit)."""
    async with o.container.engine.begin() as conn:
        ev = await checkpoint_indien_nodig(conn, huis, o.container.uow.ondertekenaar, 0.0)
    if ev is not None:
        await o.container.uow.getuige.schrijf_alle([ev])


async def _schrijf(o, huis: str, client: str, tot: int) -> None:  # noqa: ANN001
    h = await o.als(client)
    while True:
        async with o.container.engine.connect() as conn:
            n = (await conn.execute(select(T.c.volgnummer).where(T.c.huis == huis))).scalar() or 0
        if n >= tot:
            break
        for _ in range(tot - n):
            r = await o.client.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=h)
            assert r.status_code == 200, r.text


@pytest.fixture
async def keten(omgeving, instellingen):  # noqa: ANN001, ANN201
    """demo: N events with betrokkene (a casus for BSN_A, then searches), noord: 30; periodic checkpoints."""
    await meld_aan(omgeving)
    await _schrijf(omgeving, "demo", "demo-procesregisseur", N)
    await _schrijf(omgeving, "noord", "noord-procesregisseur", 30)
    await _periodiek(omgeving, "demo")
    await _periodiek(omgeving, "noord")
    return omgeving


def _ring(instellingen: Instellingen) -> str:
    return str(sleutelring_pad(Path(instellingen.signing_key)))


async def _verify(instellingen: Instellingen, *extra: str) -> tuple[int, dict[str, tuple[int, str] | None], str]:
    r = await cli(["verify", "--database-url", instellingen.database_url, "--keyring", _ring(instellingen), *extra],
                  KETENPOORT_CONFIG_DIR=str(DEMO))
    return r.exit_code, {h: breuk_in(regel) for h, regel in regels_per_huis(r.stdout).items()}, r.output


async def _event(conn, huis: str, vn: int) -> dict:  # noqa: ANN001
    return (await conn.execute(select(L.c.event).where(L.c.huis == huis, L.c.volgnummer == vn))).scalar_one()


async def _herschrijf(conn, huis: str, vanaf: int, tot: int, wijzig: Any = None) -> str:  # noqa: ANN001
    """Re-hash vanaf..tot after an optional change, hash columns and counter too (a careful insider)."""
    vorige = (await _event(conn, huis, vanaf))["data"]["vorigeHash"]
    for vn in range(vanaf, tot + 1):
        ev = await _event(conn, huis, vn)
        if wijzig is not None and vn == vanaf:
            wijzig(ev["data"])
        ev["data"] = schakel(ev["data"], vn, vorige)
        vorige = ev["data"]["hash"]
        await conn.execute(update(L).where(L.c.huis == huis, L.c.volgnummer == vn)
                           .values(event=ev, hash=vorige, besluit=ev["data"]["besluit"]))
    await conn.execute(update(T).where(T.c.huis == huis).values(volgnummer=tot, laatste_hash=vorige))
    return vorige


async def test_the_untouched_log_is_intact_and_witnessed(keten, instellingen) -> None:  # noqa: ANN001
    code, breuken, uit = await _verify(instellingen, "--witness", str(instellingen.checkpoint_dir))
    assert code == INTACT, uit
    assert breuken == {"demo": None, "noord": None}
    assert "3 checkpoints gecontroleerd" in uit
    # one file per checkpoint, written after its commit
    namen = sorted(p.name.split("-")[0] for p in (instellingen.checkpoint_dir / "demo").iterdir())
    assert [int(n) for n in namen] == [100, 200, N]
    # without any key: no "intact", its own exit code
    r = await cli(["verify", "--database-url", instellingen.database_url], KETENPOORT_SIGNING_KEY=None)
    assert r.exit_code == GEEN_SLEUTEL and "NIET VAST TE STELLEN" in r.stdout and "intact" not in r.stdout


@pytest.mark.parametrize("geval", [
    "veld", "kolom_partner", "kolom_betrokkene", "rij_weg", "checkpoints_weg", "verwisseld",
])
async def test_tampering_inside_the_anchored_chain_is_a_break(keten, instellingen, geval: str) -> None:  # noqa: ANN001
    async with keten.container.engine.begin() as conn:
        if geval == "veld":
            ev = await _event(conn, "demo", 57)
            ev["data"]["reden"] = "achteraf verzonnen"
            await conn.execute(update(L).where(L.c.huis == "demo", L.c.volgnummer == 57).values(event=ev))
            verwacht = (57, "gewijzigd")
        elif geval == "kolom_partner":  # the filters select on it: replay --partner would miss this row
            await conn.execute(update(L).where(L.c.huis == "demo", L.c.volgnummer == 57).values(partner="om"))
            verwacht = (57, "kolom_gewijzigd")
        elif geval == "kolom_betrokkene":  # hides the person's exchanges from inzage
            await conn.execute(update(L).where(L.c.huis == "demo", L.c.volgnummer >= 2).values(betrokkene=None))
            verwacht = (2, "kolom_gewijzigd")
        elif geval == "rij_weg":
            await conn.execute(delete(L).where(L.c.huis == "demo", L.c.volgnummer == 57))
            verwacht = (57, "ontbreekt")
        elif geval == "checkpoints_weg":
            await conn.execute(delete(C).where(C.c.huis == "demo"))
            verwacht = (100, "checkpoint_ontbreekt")
        else:  # two rows swap places (their events; the columns follow the events, as a careful insider does)
            a, b = await _event(conn, "demo", 57), await _event(conn, "demo", 58)
            await conn.execute(update(L).where(L.c.huis == "demo", L.c.volgnummer == 57).values(event_id=uuid.uuid4()))
            for vn, ev in ((58, a), (57, b)):
                await conn.execute(update(L).where(L.c.huis == "demo", L.c.volgnummer == vn)
                                   .values(event=ev, hash=ev["data"]["hash"], event_id=uuid.UUID(ev["id"])))
            verwacht = (57, "verwisseld")
    code, breuken, uit = await _verify(instellingen)
    assert code == GEBROKEN, uit
    assert breuken["demo"] == verwacht, uit
    assert breuken["noord"] is None


async def test_deleted_tail_with_its_counter_fixed(keten, instellingen) -> None:  # noqa: ANN001
    async with keten.container.engine.begin() as conn:
        h150 = (await _event(conn, "demo", 150))["data"]["hash"]
        await conn.execute(delete(L).where(L.c.huis == "demo", L.c.volgnummer > 150))
        await conn.execute(delete(C).where(C.c.huis == "demo", C.c.volgnummer > 150))
        await conn.execute(update(T).where(T.c.huis == "demo").values(volgnummer=150, laatste_hash=h150))
    # Database alone: 101..150 are no longer anchored, and older than the checkpoint interval.
    code, breuken, uit = await _verify(instellingen)
    assert code == OUDE_STAART and breuken["demo"] is None, uit
    assert "50 events na het laatste checkpoint (vanaf volgnummer 101" in uit
    # The witness still holds the checkpoints for 200 and 210.
    code, breuken, uit = await _verify(instellingen, "--witness", str(instellingen.checkpoint_dir))
    assert code == GEBROKEN and breuken["demo"] == (151, "afgekapt"), uit


async def test_re_hashed_tail_after_the_last_checkpoint(keten, instellingen) -> None:  # noqa: ANN001
    async with keten.container.engine.begin() as conn:
        await conn.execute(delete(C).where(C.c.huis == "demo", C.c.volgnummer > 200))
        await _herschrijf(conn, "demo", 201, N, lambda d: d.__setitem__("besluit", "geweigerd"))
    code, breuken, uit = await _verify(instellingen)
    assert code == OUDE_STAART and breuken["demo"] is None, uit
    code, breuken, uit = await _verify(instellingen, "--witness", str(instellingen.checkpoint_dir))
    assert code == GEBROKEN and breuken["demo"] is not None and breuken["demo"][0] == N, uit


async def test_appended_forged_row(keten, instellingen) -> None:  # noqa: ANN001
    async with keten.container.engine.begin() as conn:
        laatste = await _event(conn, "demo", N)
        data = schakel({**laatste["data"], "besluit": "toegestaan", "reden": None}, N + 1, laatste["data"]["hash"])
        ev = {**laatste, "id": str(uuid.uuid4()), "data": data}
        await conn.execute(insert(L).values(
            huis="demo", volgnummer=N + 1, event_id=uuid.UUID(ev["id"]), hash=data["hash"],
            tijdstip=(await conn.execute(select(L.c.tijdstip).where(L.c.huis == "demo", L.c.volgnummer == N))).scalar(),
            handeling=data["handeling"], besluit="toegestaan", partner=data["verzoeker"]["partner"],
            betrokkene=(await conn.execute(select(L.c.betrokkene).where(L.c.huis == "demo", L.c.volgnummer == N)))
            .scalar(), event=ev))
        await conn.execute(update(T).where(T.c.huis == "demo").values(volgnummer=N + 1, laatste_hash=data["hash"]))
    # No checkpoint signs it, and it claims to be older than the interval: not intact (exit 3, with the number).
    code, breuken, uit = await _verify(instellingen)
    assert code == OUDE_STAART and breuken["demo"] is None, uit
    assert f"1 event na het laatste checkpoint (vanaf volgnummer {N + 1}" in uit


async def test_a_whole_house_deleted(keten, instellingen) -> None:  # noqa: ANN001
    async with keten.container.engine.begin() as conn:
        for tabel in (L, C, T):
            await conn.execute(delete(tabel).where(tabel.c.huis == "noord"))
    code, breuken, uit = await _verify(instellingen)  # noord is in the configuration
    assert code == GEBROKEN and breuken["noord"] == (1, "ontbreekt") and breuken["demo"] is None, uit
    r = await cli(["verify", "--database-url", instellingen.database_url, "--keyring", _ring(instellingen),
                   "--witness", str(instellingen.checkpoint_dir)], KETENPOORT_CONFIG_DIR=None)
    assert r.exit_code == GEBROKEN and breuk_in(regels_per_huis(r.stdout)["noord"]) == (1, "afgekapt"), r.output


async def test_full_rewrite_re_signed_with_the_real_key_is_a_split_view(keten, instellingen, tmp_path) -> None:  # noqa: ANN001
    # A partner kept the checkpoints it was shown (GET /v1/audit/checkpoints, as JSON lines).
    async with keten.container.engine.connect() as conn:
        bewaard = [r.event["data"] for r in await conn.execute(
            select(C.c.event).where(C.c.huis == "demo").order_by(C.c.volgnummer))]
    partner = tmp_path / "partner-checkpoints.jsonl"
    partner.write_text("".join(json.dumps(d) + "\n" for d in bewaard))
    # The insider holds the real signing key: rewrites from 5 on, and signs new checkpoints for every one.
    await _herschrijf_en_onderteken(keten, instellingen)
    code, breuken, uit = await _verify(instellingen)
    assert code == INTACT, uit  # the database alone cannot tell
    for getuige in (str(instellingen.checkpoint_dir), str(partner)):
        code, breuken, uit = await _verify(instellingen, "--witness", getuige)
        assert code == GEBROKEN and breuken["demo"] is not None and breuken["demo"][0] == 100, (getuige, uit)
        assert breuken["demo"][1] in ("gesplitst", "gewijzigd"), uit


async def _herschrijf_en_onderteken(o, instellingen: Instellingen) -> None:  # noqa: ANN001
    """A rewrite from 5 on, every checkpoint re-signed with the real key."""
    ondertekenaar = laad_ondertekenaar(Path(instellingen.signing_key))
    async with o.container.engine.begin() as conn:
        await _herschrijf(conn, "demo", 5, N, lambda d: d.__setitem__("reden", "herschreven"))
        rijen = (await conn.execute(select(C.c.volgnummer, C.c.event).where(C.c.huis == "demo"))).all()
        for vn, ev in rijen:
            h = (await _event(conn, "demo", vn))["data"]["hash"]
            data = ondertekenaar.onderteken(Checkpoint("demo", vn, h)).als_data()
            await conn.execute(update(C).where(C.c.huis == "demo", C.c.volgnummer == vn)
                               .values(hash=h, handtekening=data["handtekening"], event={**ev, "data": data}))


@pytest.mark.kafka
async def test_full_rewrite_is_caught_by_the_checkpoints_on_kafka(keten, instellingen, kafka_bootstrap) -> None:  # noqa: ANN001
    from gateway.infrastructure.kafka_relay import OutboxRelay

    topic = f"audit-{uuid.uuid4().hex[:8]}"
    relay = OutboxRelay(keten.container.engine, kafka_bootstrap, audit_topic=topic,
                        events_topic=f"events-{uuid.uuid4().hex[:8]}", batch=500)
    try:
        while await relay.ronde():
            pass
    finally:
        await relay.sluit()
    await _herschrijf_en_onderteken(keten, instellingen)
    code, _, uit = await _verify(instellingen)
    assert code == INTACT, uit
    code, breuken, uit = await _verify(instellingen, "--kafka-bootstrap", kafka_bootstrap, "--topic", topic,
                                       "--witness", "kafka")
    assert code == GEBROKEN and breuken["demo"] is not None and breuken["demo"][0] == 100, uit


async def test_signing_key_rotation_keeps_every_old_checkpoint_valid(keten, instellingen) -> None:  # noqa: ANN001
    pad = Path(instellingen.signing_key)
    oude_pub = pad.with_suffix(".pub").read_text()
    nieuw = roteer(pad)
    keten.container.uow.ondertekenaar = nieuw  # as after a restart
    await _schrijf(keten, "demo", "demo-procesregisseur", 420)
    await _periodiek(keten, "demo")
    async with keten.container.engine.connect() as conn:
        sleutels = [r[0] for r in await conn.execute(select(C.c.sleutel_id).where(C.c.huis == "demo")
                                                      .order_by(C.c.volgnummer))]
    assert len(set(sleutels)) == 2 and sleutels[-1] == nieuw.sleutel_id
    code, breuken, uit = await _verify(instellingen, "--witness", str(instellingen.checkpoint_dir))
    assert code == INTACT and breuken["demo"] is None, uit
    # With only the new public key the old checkpoints cannot be checked: that is the break the keyring prevents.
    r = await cli(["verify", "--database-url", instellingen.database_url, "--public-key", str(pad.with_suffix(".pub")),
                   "--huis", "demo"])
    assert r.exit_code == GEBROKEN and "checkpoint_vervalst" in r.stdout
    # Several --public-key files together are a keyring too.
    oud = pad.with_name("oud.pub")
    oud.write_text(oude_pub)
    r = await cli(["verify", "--database-url", instellingen.database_url, "--public-key", str(oud),
                   "--public-key", str(pad.with_suffix(".pub")), "--huis", "demo"])
    assert r.exit_code == INTACT, r.output


async def test_a_signed_root_that_is_not_the_chains_tree_is_a_break(keten, instellingen) -> None:  # noqa: ANN001
    """Every checkpoint signs the Merkle root beside the chain head; verify recomputes the tree from the chain.

    Re-signed with the real key, a checkpoint with the right chain head and another root (what a partner's
    proofs would then be checked against) is still caught.
    """
    ondertekenaar = laad_ondertekenaar(Path(instellingen.signing_key))
    async with keten.container.engine.begin() as conn:
        ev = (await conn.execute(select(C.c.event).where(C.c.huis == "demo", C.c.volgnummer == 100))).scalar_one()
        assert ev["data"]["boomGrootte"] == 100 and len(ev["data"]["boomWortel"]) == 64
        data = ondertekenaar.onderteken(Checkpoint("demo", 100, ev["data"]["hash"], boom_grootte=100,
                                                   boom_wortel="ab" * 32)).als_data()
        await conn.execute(update(C).where(C.c.huis == "demo", C.c.volgnummer == 100)
                           .values(handtekening=data["handtekening"], event={**ev, "data": data}))
    code, breuken, uit = await _verify(instellingen)
    assert code == GEBROKEN, uit
    assert breuken["demo"] == (100, "checkpoint_vervalst"), uit
