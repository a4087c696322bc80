"""`ketenpoort audit verify|replay|inzage` against a real Kafka-protocol broker and the database ledger.

Chains are built with `schakel` + `cloudevent`, signed checkpoints every 100 events, then tampered
with - one house per kind of tampering, so one run of the CLI checks them all - and put on Kafka
(key = huis) and into `audit_ledger`/`audit_checkpoints` (SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import copy
import csv
import io
import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, insert, select, update
from typer.testing import CliRunner

from gateway.cli_audit import audit_app
from gateway.domain.audit import AUDIT_TYPE, CHECKPOINT_TYPE, NUL_HASH, AuditRecord, cloudevent, schakel, tijd
from gateway.infrastructure.audit import maak_sleutelpaar, onderteken_checkpoint
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.engine import maak_engine
from gateway.infrastructure.identity import AesGcmKluis
from tests.support.fixtures import BSN_A, BSN_B, IDENTITY_KEY

runner = CliRunner()
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
PARTNERS = ["politie", "om", "rvdk", "reclassering"]
HANDELINGEN = ["verwijzing_opvragen", "casus_inzien", "agenda_inzien", "afspraak_vastleggen"]
BASIS_ENV = {"KETENPOORT_SIGNING_KEY": None, "KETENPOORT_IDENTITY_KEY": IDENTITY_KEY,
             "KETENPOORT_DATABASE_URL": None, "KETENPOORT_AUDIT_TOPIC": None}


# --------------------------------------------------------------------------- building logs


def audit_data(huis: str, i: int, betrokkene: uuid.UUID | None) -> dict[str, Any]:
    partner = PARTNERS[i % len(PARTNERS)]
    geweigerd = i % 7 == 0
    return {
        "huis": huis, "tijdstip": tijd(T0 + timedelta(minutes=i)), "handeling": HANDELINGEN[i % len(HANDELINGEN)],
        "besluit": "geweigerd" if geweigerd else "toegestaan",
        "reden": "geen verstrekking in het convenant" if geweigerd else None,
        "verzoeker": {"partner": partner, "clientId": f"{huis}-{partner}", "gebruiker": f"medewerker{i % 3}"},
        "bron": "politie" if i % 2 else "om", "betrokkene": str(betrokkene) if betrokkene else None,
        "casusId": str(uuid.UUID(int=i)), "overlegId": str(uuid.UUID(int=10_000 + i % 5)), "overlegtype": "jco",
        "categorie": "politiegegevens", "grondslag": "Wpg art. 20", "regel": "R-GEEN-VERSTREKKING" if geweigerd
        else "V-POL-JCO", "convenant": {"id": f"zvh-{huis}", "versie": "2026.1", "hash": "ab" * 32},
        "traceId": uuid.uuid4().hex,
    }


def maak_log(huis: str, n: int, sleutel, *, elke: int = 100, slot: bool = True,  # noqa: ANN001
             betrokkene: Callable[[int], uuid.UUID | None] = lambda i: uuid.UUID(int=i % 3 + 1)) -> list[dict]:
    """n audit events for one house and a signed checkpoint after every `elke`-th, in writing order; with
    `slot` also the periodic one after the last event (as the gateway writes it within 60 s)."""
    uit, vorige = [], NUL_HASH
    for i in range(1, n + 1):
        data = schakel(audit_data(huis, i, betrokkene(i)), i, vorige)
        uit.append(cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis=huis, time=T0 + timedelta(minutes=i), data=data))
        vorige = data["hash"]
        if i % elke == 0 or (slot and i == n):
            uit.append(cloudevent(id=uuid.uuid4(), type=CHECKPOINT_TYPE, huis=huis, time=T0 + timedelta(minutes=i),
                                  data=onderteken_checkpoint(sleutel, huis, i, vorige)))
    return uit


def pos(log: list[dict], vn: int) -> int:
    return next(i for i, e in enumerate(log) if e["type"] == AUDIT_TYPE and e["data"]["volgnummer"] == vn)


def herhash_vanaf(log: list[dict], vn: int) -> None:
    vorige = log[pos(log, vn - 1)]["data"]["hash"]
    for e in log:
        if e["type"] == AUDIT_TYPE and e["data"]["volgnummer"] >= vn:
            e["data"].update(schakel(e["data"], e["data"]["volgnummer"], vorige))
            vorige = e["data"]["hash"]


def vervals(log: list[dict], vn: int, andere_sleutel) -> None:  # noqa: ANN001
    cp = next(e for e in log if e["type"] == CHECKPOINT_TYPE and e["data"]["volgnummer"] == vn)
    cp["data"]["handtekening"] = onderteken_checkpoint(andere_sleutel, cp["data"]["huis"], vn,
                                                       cp["data"]["hash"])["handtekening"]


def vals_record(log: list[dict], vn: int) -> dict:
    """A forged record that links perfectly onto vn-1."""
    data = copy.deepcopy(log[pos(log, vn)]["data"])
    data["besluit"], data["verzoeker"]["gebruiker"] = "toegestaan", "indringer"
    data = schakel(data, vn, log[pos(log, vn - 1)]["data"]["hash"])
    return cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis=data["huis"], time=T0, data=data)


def _keer_om(data: dict) -> None:
    data["besluit"] = "geweigerd" if data["besluit"] == "toegestaan" else "toegestaan"


def _wijzig(log: list[dict]) -> None:
    _keer_om(log[pos(log, 57)]["data"])


def _verwissel(a: int, b: int) -> Callable[[list[dict]], None]:
    def knoei(log: list[dict]) -> None:
        i, j = pos(log, a), pos(log, b)
        log[i], log[j] = log[j], log[i]
    return knoei


def _herschrijf(log: list[dict]) -> None:
    log[pos(log, 150)]["data"]["reden"] = "achteraf verzonnen"
    herhash_vanaf(log, 150)


# house -> (tampering on the list, expected (volgnummer, kind) or None when intact)
GEMEEN: dict[str, tuple[Callable[[list[dict]], None] | None, tuple[int, str] | None]] = {
    "intact": (None, None),
    "gewijzigd": (_wijzig, (57, "gewijzigd")),
    "herschreven": (_herschrijf, (200, "gewijzigd")),
    "ontbreekt": (lambda log: log.pop(pos(log, 57)), (57, "ontbreekt")),
    "verwisseld": (_verwissel(57, 58), (57, "verwisseld")),
    "verwisseld-ver": (_verwissel(57, 190), (57, "verwisseld")),
    "ingevoegd": (lambda log: log.insert(pos(log, 57), vals_record(log, 57)), (57, "ingevoegd")),
    "afgekapt": (lambda log: log.__delitem__(slice(pos(log, 241), pos(log, 300) + 1)), (241, "afgekapt")),
}


def regels_per_huis(uitvoer: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"^huis (\S+): (.*)$", uitvoer, re.M)}


def breuk_in(regel: str) -> tuple[int, str] | None:
    m = re.match(r"GEBROKEN bij volgnummer (\d+): (\w+) \(", regel)
    return (int(m.group(1)), m.group(2)) if m else None


async def cli(args: list[str], **env: str | None) -> Any:
    """Run the CLI in a thread (it runs its own event loop), as a user would."""
    return await asyncio.to_thread(runner.invoke, audit_app, args, env={**BASIS_ENV, **env}, catch_exceptions=False)


@pytest.fixture
def sleutels(tmp_path: Path):  # noqa: ANN201
    prive = maak_sleutelpaar(tmp_path / "signing.key")
    ander = maak_sleutelpaar(tmp_path / "ander" / "signing.key")
    return prive, ander, tmp_path / "signing.pub"


# --------------------------------------------------------------------------- Kafka


async def produceer(bootstrap: str, topic: str, records: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, waarde, key=sleutel.encode()) for sleutel, waarde in records]
        await producer.flush()
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def als_records(log: list[dict]) -> list[tuple[str, bytes]]:
    return [(e["data"]["huis"], json.dumps(e, ensure_ascii=False).encode()) for e in log]


@pytest.mark.kafka
async def test_verify_on_kafka_finds_every_kind_of_tampering(kafka_bootstrap: str, sleutels) -> None:  # noqa: ANN001
    prive, ander, pub = sleutels
    topic = f"audit-verify-{uuid.uuid4().hex[:8]}"
    records: list[tuple[str, bytes]] = []
    verwacht: dict[str, tuple[int, str] | None] = {}
    for naam, (knoei, uitkomst) in GEMEEN.items():
        log = maak_log(naam, 300, prive)
        if knoei:
            knoei(log)
        records += als_records(log)
        verwacht[naam] = uitkomst
    # Kafka-only cases: a forged checkpoint, redeliveries, garbage on the topic, a head lost to retention.
    log = maak_log("vervalst", 300, prive)
    vervals(log, 200, ander)
    records += als_records(log)
    verwacht["vervalst"] = (200, "checkpoint_vervalst")
    log = als_records(maak_log("dubbel", 300, prive))
    herhaald = log[40:80] + log[250:]
    records += log[:90] + log[40:80] + log[90:] + log[250:]  # resent ranges, as the relay does after a failure
    verwacht["dubbel"] = None
    log = als_records(maak_log("kapot", 300, prive))
    records += log[:56] + [("kapot", b"\x00geen json")] + log[56:]
    verwacht["kapot"] = (57, "ingevoegd")
    log = maak_log("retentie", 300, prive)
    records += als_records(log[pos(log, 131):])
    verwacht["retentie"] = None
    await produceer(kafka_bootstrap, topic, records)

    r = await cli(["verify", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic, "--public-key", str(pub)])
    assert r.exit_code == 1, r.output
    regels = regels_per_huis(r.stdout)
    assert set(regels) == set(verwacht), r.output
    for huis, uitkomst in verwacht.items():
        assert breuk_in(regels[huis]) == uitkomst, (huis, regels[huis])
    assert "intact - 300 events, volgnummer 1 t/m 300, 3 checkpoints gecontroleerd" in regels["intact"]
    assert "intact - 300 events" in regels["dubbel"]
    assert "vanaf volgnummer 131 t/m 300" in regels["retentie"] and "checkpoint 200" in regels["retentie"]
    assert "ontbreekt (missing)" in regels["ontbreekt"] and "verwisseld (reordered)" in regels["verwisseld"]

    # One house at a time: exit 0 when that house is intact; json output for machines.
    r = await cli(["verify", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic, "--public-key", str(pub),
                   "--huis", "dubbel", "--format", "json"])
    assert r.exit_code == 0, r.output
    rapport = json.loads(r.stdout)
    assert rapport["intact"] is True and [h["huis"] for h in rapport["huizen"]] == ["dubbel"]
    assert rapport["huizen"][0]["dubbel"] == len(herhaald) and rapport["huizen"][0]["aantal"] == 300


@pytest.mark.kafka
async def test_verify_on_kafka_without_key_and_unknown_topic(kafka_bootstrap: str, sleutels, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path / "ander")  # no .ketenpoort/signing.pub here
    prive, _, pub = sleutels
    topic = f"audit-nokey-{uuid.uuid4().hex[:8]}"
    await produceer(kafka_bootstrap, topic, als_records(maak_log("demo", 120, prive)))
    r = await cli(["verify", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic])
    # Without a key the chain closes, but intact cannot be said: its own exit code.
    assert r.exit_code == 4, r.output
    assert "NIET VAST TE STELLEN" in r.stdout and "intact" not in r.stdout
    # The key found through KETENPOORT_SIGNING_KEY's .pub.
    r = await cli(["verify", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic],
                  KETENPOORT_SIGNING_KEY=str(tmp_path / "signing.key"))
    assert r.exit_code == 0 and "2 checkpoints gecontroleerd" in r.stdout, r.output
    r = await cli(["verify", "--kafka-bootstrap", kafka_bootstrap, "--topic", f"bestaat-niet-{uuid.uuid4().hex[:6]}"])
    assert r.exit_code == 1 and "bestaat niet" in r.stderr


@pytest.mark.kafka
async def test_verify_on_kafka_requires_checkpoints_and_reports_an_old_tail(kafka_bootstrap: str, sleutels) -> None:  # noqa: ANN001
    prive, _, pub = sleutels
    topic = f"audit-staart-{uuid.uuid4().hex[:8]}"
    zonder_100 = [e for e in maak_log("kwijt", 150, prive)
                  if not (e["type"] == CHECKPOINT_TYPE and e["data"]["volgnummer"] == 100)]
    await produceer(kafka_bootstrap, topic, als_records(maak_log("demo", 120, prive, slot=False))
                    + als_records(zonder_100))
    r = await cli(["verify", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic, "--public-key", str(pub),
                   "--huis", "demo"])
    # 101..120 were never anchored and are weeks old: intact, but checkpointing stopped (exit 3)
    assert r.exit_code == 3, r.output
    assert "20 events na het laatste checkpoint (vanaf volgnummer 101" in r.stdout
    r = await cli(["verify", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic, "--public-key", str(pub)])
    assert r.exit_code == 1 and breuk_in(regels_per_huis(r.stdout)["kwijt"]) == (100, "checkpoint_ontbreekt"), r.output


@pytest.mark.kafka
async def test_replay_and_inzage_from_kafka(kafka_bootstrap: str, database_url: str, sleutels) -> None:  # noqa: ANN001
    prive, _, _ = sleutels
    a_demo, a_noord, b_demo = await maak_identiteiten(database_url)
    log = maak_log("demo", 120, prive, betrokkene=lambda i: a_demo if i % 4 == 0 else b_demo)
    noord = maak_log("noord", 30, prive, betrokkene=lambda i: a_noord)
    topic = f"audit-replay-{uuid.uuid4().hex[:8]}"
    records = als_records(log)
    await produceer(kafka_bootstrap, topic, records[:50] + records[30:] + als_records(noord))

    # Without a database to record the read in, nothing is read.
    r = await cli(["replay", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic, "--huis", "demo"])
    assert r.exit_code == 2 and "vastgelegd" in r.output
    r = await cli(["replay", "--kafka-bootstrap", kafka_bootstrap, "--topic", topic, "--huis", "demo",
                   "--partner", "om", "--format", "json", "--database-url", database_url, "--gebruiker", "f.g.b."])
    assert r.exit_code == 0, r.output
    rijen = json.loads(r.stdout)
    assert [d["volgnummer"] for d in rijen] == [i for i in range(1, 121) if PARTNERS[i % 4] == "om"]
    # The read itself is in the database's chain, with its filter and who read.
    gelezen = await _cli_lezingen(database_url)
    assert [(d["huis"], d["handeling"], d["filter"], d["verzoeker"]["gebruiker"]) for d in gelezen] == [
        ("demo", "audit_inzien", {"partner": "om"}, "f.g.b.")]

    r = await cli(["inzage", "--bsn", BSN_A, "--huis", "demo", "--kafka-bootstrap", kafka_bootstrap,
                   "--topic", topic, "--database-url", database_url])
    assert r.exit_code == 0, r.output
    rapport = json.loads(r.stdout)
    assert rapport["betrokkene"]["id"] == str(a_demo)
    assert [d["volgnummer"] for d in rapport["uitwisselingen"]] == list(range(4, 121, 4))
    assert {d["betrokkene"] for d in rapport["uitwisselingen"]} == {str(a_demo)}
    assert BSN_A not in r.output


async def _cli_lezingen(url: str) -> list[dict]:
    """The audit records of reads made on the command line, in chain order."""
    engine = maak_engine(url)
    try:
        async with engine.connect() as conn:
            rijen = await conn.execute(select(t.audit_ledger.c.event).order_by(t.audit_ledger.c.huis,
                                                                               t.audit_ledger.c.volgnummer))
            return [r.event["data"] for r in rijen if r.event["data"]["verzoeker"]["clientId"] == "ketenpoort-cli"]
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- database


async def schrijf_ledger(url: str, logs: dict[str, list[dict]]) -> None:
    """Insert the logs as the gateway would have: ledger rows, checkpoint rows and the house counters."""
    engine = maak_engine(url)
    try:
        async with engine.begin() as conn:
            for huis, log in logs.items():
                rijen, cps = [], []
                for e in log:
                    d = e["data"]
                    if e["type"] == AUDIT_TYPE:
                        rijen.append({"huis": huis, "volgnummer": d["volgnummer"], "event_id": uuid.UUID(e["id"]),
                                      "hash": d["hash"], "handeling": d["handeling"], "besluit": d["besluit"],
                                      "tijdstip": datetime.fromisoformat(d["tijdstip"].replace("Z", "+00:00")),
                                      "partner": d["verzoeker"]["partner"], "event": e,
                                      "betrokkene": uuid.UUID(d["betrokkene"]) if d["betrokkene"] else None})
                    else:
                        cps.append({"huis": huis, "volgnummer": d["volgnummer"], "event_id": uuid.UUID(e["id"]),
                                    "hash": d["hash"], "handtekening": d["handtekening"],
                                    "sleutel_id": d["sleutelId"], "event": e})
                await conn.execute(insert(t.audit_ledger), rijen)
                if cps:
                    await conn.execute(insert(t.audit_checkpoints), cps)
                laatste = rijen[-1]
                await conn.execute(insert(t.huis_tellers).values(huis=huis, volgnummer=laatste["volgnummer"],
                                                                 laatste_hash=laatste["hash"], gebeurtenis_positie=0))
    finally:
        await engine.dispose()


async def _sql_knoeien(url: str, prive, ander) -> None:  # noqa: ANN001
    """Tampering as someone with database access would do it."""
    L, C = t.audit_ledger, t.audit_checkpoints
    engine = maak_engine(url)

    async def event(conn, huis: str, vn: int) -> dict:  # noqa: ANN001
        return (await conn.execute(select(L.c.event).where(L.c.huis == huis, L.c.volgnummer == vn))).scalar_one()

    async def zet(conn, huis: str, vn: int, ev: dict) -> None:  # noqa: ANN001
        await conn.execute(update(L).where(L.c.huis == huis, L.c.volgnummer == vn).values(event=ev))

    try:
        async with engine.begin() as conn:
            ev = await event(conn, "gewijzigd", 57)
            _keer_om(ev["data"])
            await zet(conn, "gewijzigd", 57, ev)

            nieuw = ""
            for vn in range(150, 301):  # content changed and every later hash recomputed
                ev = await event(conn, "herschreven", vn)
                if vn == 150:
                    ev["data"]["reden"] = "achteraf verzonnen"
                vorige = ev["data"]["vorigeHash"] if vn == 150 else nieuw
                ev["data"] = schakel(ev["data"], vn, vorige)
                nieuw = ev["data"]["hash"]
                await zet(conn, "herschreven", vn, ev)

            await conn.execute(delete(L).where(L.c.huis == "ontbreekt", L.c.volgnummer == 57))

            for huis, a, b in (("verwisseld", 57, 58), ("verwisseld-ver", 57, 190)):
                ea, eb = await event(conn, huis, a), await event(conn, huis, b)
                await zet(conn, huis, a, eb)
                await zet(conn, huis, b, ea)

            for vn in range(300, 56, -1):  # make room at 57, then slip a forged record in
                await conn.execute(update(L).where(L.c.huis == "ingevoegd", L.c.volgnummer == vn)
                                   .values(volgnummer=vn + 1))
            vorige = (await event(conn, "ingevoegd", 56))["data"]["hash"]
            nep = copy.deepcopy(await event(conn, "ingevoegd", 58))
            nep["id"] = str(uuid.uuid4())
            nep["data"]["verzoeker"]["gebruiker"] = "indringer"
            nep["data"] = schakel(nep["data"], 57, vorige)
            await conn.execute(insert(L).values(huis="ingevoegd", volgnummer=57, event_id=uuid.UUID(nep["id"]),
                                                hash=nep["data"]["hash"], tijdstip=T0, handeling="casus_inzien",
                                                besluit="toegestaan", partner="om", betrokkene=None, event=nep))

            await conn.execute(delete(L).where(L.c.huis == "afgekapt", L.c.volgnummer > 240))
            # The tail and its checkpoint removed: only the ledger's own counter still knows.
            await conn.execute(delete(L).where(L.c.huis == "teller", L.c.volgnummer > 240))
            await conn.execute(delete(C).where(C.c.huis == "teller", C.c.volgnummer > 200))

            waar = (C.c.huis == "vervalst", C.c.volgnummer == 200)
            cp = (await conn.execute(select(C.c.event).where(*waar))).scalar_one()
            vals = onderteken_checkpoint(ander, "vervalst", 200, cp["data"]["hash"])
            cp["data"]["handtekening"] = vals["handtekening"]
            await conn.execute(update(C).where(*waar).values(event=cp))
    finally:
        await engine.dispose()


async def test_verify_on_the_database_finds_every_kind_of_tampering(
        database_url: str, sleutels) -> None:  # noqa: ANN001
    prive, ander, pub = sleutels
    huizen = [*GEMEEN, "teller", "vervalst"]
    await schrijf_ledger(database_url, {h: maak_log(h, 300, prive) for h in huizen})
    r = await cli(["verify", "--database-url", database_url, "--public-key", str(pub)])
    assert r.exit_code == 0, r.output
    assert all("intact - 300 events, volgnummer 1 t/m 300, 3 checkpoints gecontroleerd" in regel
               for regel in regels_per_huis(r.stdout).values()), r.stdout

    await _sql_knoeien(database_url, prive, ander)
    r = await cli(["verify", "--database-url", database_url, "--public-key", str(pub)])
    assert r.exit_code == 1, r.output
    regels = regels_per_huis(r.stdout)
    verwacht = {h: uitkomst for h, (_, uitkomst) in GEMEEN.items()}
    verwacht.update(teller=(241, "afgekapt"), vervalst=(200, "checkpoint_vervalst"),
                    # in the database the rewrite's first row gives itself away: its hash column is stale
                    herschreven=(150, "kolom_gewijzigd"))
    assert {h: breuk_in(regel) for h, regel in regels.items()} == verwacht, r.stdout

    r = await cli(["verify", "--database-url", database_url, "--public-key", str(pub), "--huis", "intact"])
    assert r.exit_code == 0 and list(regels_per_huis(r.stdout)) == ["intact"], r.output
    r = await cli(["verify", "--database-url", database_url, "--public-key", str(pub), "--huis", "onbekend"])
    assert r.exit_code == 1 and "geen audit-events" in r.stdout


async def test_verify_database_missing_head_is_ontbreekt(database_url: str, sleutels) -> None:  # noqa: ANN001
    prive, _, pub = sleutels
    await schrijf_ledger(database_url, {"demo": maak_log("demo", 150, prive)})
    engine = maak_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(delete(t.audit_ledger).where(t.audit_ledger.c.volgnummer <= 2))
    finally:
        await engine.dispose()
    r = await cli(["verify", "--database-url", database_url, "--public-key", str(pub)])
    assert r.exit_code == 1 and breuk_in(regels_per_huis(r.stdout)["demo"]) == (1, "ontbreekt"), r.output


def test_usage_errors_are_exit_2(tmp_path: Path) -> None:
    r = runner.invoke(audit_app, ["verify"], env=BASIS_ENV)
    assert r.exit_code == 2 and "--kafka-bootstrap" in r.stderr
    r = runner.invoke(audit_app, ["verify", "--kafka-bootstrap", "h:1", "--database-url", "sqlite+aiosqlite:///x"],
                      env=BASIS_ENV)
    assert r.exit_code == 2
    r = runner.invoke(audit_app, ["verify", "--database-url", f"sqlite+aiosqlite:///{tmp_path}/x.db",
                                  "--public-key", str(tmp_path / "nergens.pub")], env=BASIS_ENV)
    assert r.exit_code == 2 and "bestaat niet" in r.stderr
    r = runner.invoke(audit_app, ["replay", "--database-url", "sqlite+aiosqlite:///x.db", "--since", "gisteren"],
                      env=BASIS_ENV)
    assert r.exit_code == 2
    r = runner.invoke(audit_app, ["verify", "--database-url", f"sqlite+aiosqlite:///{tmp_path}/bestaat-niet.db"],
                      env=BASIS_ENV)
    assert r.exit_code == 1 and "bestaat niet" in r.stderr and not (tmp_path / "bestaat-niet.db").exists()


# --------------------------------------------------------------------------- replay and inzage (database)


async def maak_identiteiten(url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """Person A in houses demo and noord (unrelated ids), person B in demo; as the vault stores them."""
    kluis = AesGcmKluis(IDENTITY_KEY)
    ids = (uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    engine = maak_engine(url)
    try:
        async with engine.begin() as conn:
            for (huis, bsn), b in zip((("demo", BSN_A), ("noord", BSN_A), ("demo", BSN_B)), ids):
                await conn.execute(insert(t.betrokkenen).values(id=b, huis=huis, aangemaakt_op=T0))
                await conn.execute(insert(t.identiteiten).values(
                    betrokkene_id=b, huis=huis, pseudoniem=kluis.pseudoniem(huis, bsn),
                    bsn_versleuteld=kluis.versleutel(huis, bsn)))
    finally:
        await engine.dispose()
    return ids


@pytest.fixture
async def gevuld(database_url: str, sleutels):  # noqa: ANN001, ANN201
    prive, _, _ = sleutels
    a_demo, a_noord, b_demo = await maak_identiteiten(database_url)
    demo = maak_log("demo", 60, prive, elke=25,
                    betrokkene=lambda i: a_demo if i % 5 == 0 else (b_demo if i % 5 == 1 else None))
    noord = maak_log("noord", 20, prive, betrokkene=lambda i: a_noord)
    await schrijf_ledger(database_url, {"demo": demo, "noord": noord})
    return database_url, a_demo, a_noord, b_demo


async def test_replay_filters_and_formats(gevuld) -> None:  # noqa: ANN001
    url, a_demo, a_noord, _ = gevuld
    r = await cli(["replay", "--database-url", url, "--format", "json"])
    assert r.exit_code == 0, r.output
    alles = json.loads(r.stdout)
    # The CLI's own reads are recorded first (one per house), so they are in what is read.
    eigen = [d for d in alles if d["verzoeker"]["clientId"] == "ketenpoort-cli"]
    assert [(d["huis"], d["handeling"], d["volgnummer"], d["filter"]) for d in eigen] == [
        ("demo", "audit_inzien", 61, {}), ("noord", "audit_inzien", 21, {})]
    alles = [d for d in alles if d not in eigen]
    assert len(alles) == 80 and all(d.get("handtekening") is None for d in alles)  # checkpoints are not replayed
    assert [d["volgnummer"] for d in alles if d["huis"] == "demo"] == list(range(1, 61))

    r = await cli(["replay", "--database-url", url, "--huis", "demo", "--partner", "rvdk",
                   "--since", "2026-11-02T08:10:00Z", "--until", "2026-11-02T08:40:00+00:00", "--format", "json"])
    rijen = json.loads(r.stdout)
    assert [d["volgnummer"] for d in rijen] == [i for i in range(10, 40) if PARTNERS[i % 4] == "rvdk"]

    r = await cli(["replay", "--database-url", url, "--bsn", BSN_A, "--format", "csv"])
    assert r.exit_code == 0, r.output
    rijen = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {(x["huis"], x["betrokkene"]) for x in rijen} == {("demo", str(a_demo)), ("noord", str(a_noord))}
    assert len(rijen) == 12 + 20 + 2 and BSN_A not in r.output  # + this read, recorded about the person per house
    assert [x["clientId"] for x in rijen].count("ketenpoort-cli") == 2
    assert rijen[0].keys() >= {"volgnummer", "tijdstip", "handeling", "besluit", "partner", "gebruiker", "regel",
                               "convenantId", "convenantVersie"}

    r = await cli(["replay", "--database-url", url, "--huis", "noord", "--besluit", "geweigerd"], COLUMNS="300")
    assert r.exit_code == 0 and "R-GEEN-VERSTREKKING" in r.stdout and "noord" in r.stdout, r.output

    r = await cli(["replay", "--database-url", url, "--huis", "demo", "--handeling", "inzage", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == []


async def test_inzage_reports_only_this_person_and_never_the_bsn(gevuld) -> None:  # noqa: ANN001
    url, a_demo, _, _ = gevuld
    r = await cli(["inzage", "--bsn", BSN_A, "--huis", "demo", "--database-url", url])
    assert r.exit_code == 0, r.output
    rapport = json.loads(r.stdout)
    assert rapport["huis"] == "demo" and rapport["betrokkene"] == {"id": str(a_demo)}
    uit = rapport["uitwisselingen"]
    # the exchanges about the person, and this inzage itself (recorded before it was read)
    assert [d["volgnummer"] for d in uit] == [*range(5, 61, 5), 61] and rapport["aantal"] == 13
    assert uit[-1]["handeling"] == "inzage" and uit[-1]["verzoeker"]["clientId"] == "ketenpoort-cli"
    assert {d["betrokkene"] for d in uit} == {str(a_demo)} and {d["huis"] for d in uit} == {"demo"}
    eerste = uit[0]
    assert eerste["verzoeker"] == {"partner": "om", "clientId": "demo-om", "gebruiker": "medewerker2"}
    assert eerste["overlegtype"] == "jco" and eerste["grondslag"] and eerste["regel"]
    assert eerste["convenant"]["id"] == "zvh-demo" and eerste["convenant"]["versie"] == "2026.1"
    assert BSN_A not in r.output

    r = await asyncio.to_thread(runner.invoke, audit_app, ["inzage", "--bsn", "-", "--huis", "demo",
                                                           "--database-url", url, "--format", "table"],
                                input=BSN_A + "\n", env={**BASIS_ENV, "COLUMNS": "300"})  # BSN from stdin
    assert r.exit_code == 0, r.output
    assert "AVG art. 15" in r.stdout and str(a_demo) in r.stdout and "Wpg art. 20" in r.stdout
    assert BSN_A not in r.output


async def test_inzage_refusals_never_echo_the_bsn(gevuld) -> None:  # noqa: ANN001
    url, *_ = gevuld
    ongeldig = "123456789"
    r = await cli(["inzage", "--bsn", ongeldig, "--huis", "demo", "--database-url", url])
    assert r.exit_code == 2 and ongeldig not in r.output and "elfproef" in r.output
    onbekend = "111222333"  # passes the elfproef, nobody in the vault
    r = await cli(["inzage", "--bsn", onbekend, "--huis", "demo", "--database-url", url])
    assert r.exit_code == 1 and onbekend not in r.output and "geen betrokkene" in r.output
    r = await cli(["inzage", "--bsn", BSN_A, "--huis", "zuid", "--database-url", url])
    assert r.exit_code == 1 and BSN_A not in r.output
    r = await cli(["inzage", "--bsn", BSN_A, "--huis", "demo", "--database-url", url],
                  KETENPOORT_IDENTITY_KEY=None)
    assert r.exit_code == 2 and "KETENPOORT_IDENTITY_KEY" in r.output and BSN_A not in r.output
    r = await cli(["replay", "--bsn", ongeldig, "--database-url", url])
    assert r.exit_code == 2 and ongeldig not in r.output


def test_public_surface_and_signature_helpers(tmp_path: Path) -> None:
    import base64

    from gateway.domain.audit import Checkpoint
    from gateway.infrastructure import audit as m
    from gateway.infrastructure.audit.sleutels import Ondertekenaar

    assert all(hasattr(m, naam) for naam in m.__all__)
    prive = m.maak_sleutelpaar(tmp_path / "k" / "signing.key")
    pub = m.laad_publieke_sleutel(tmp_path / "k" / "signing.pub")
    controleer = m.handtekening_controle(pub)
    data = m.onderteken_checkpoint(prive, "demo", 7, "ab" * 32)
    assert controleer(data) and len(data["sleutelId"]) == 16
    assert len(base64.b64decode(data["handtekening"], validate=True)) == 64
    # The writer's signatures verify with the reader's check (one convention for .pub and sleutelId).
    schrijver = Ondertekenaar(prive)
    assert controleer({**data, "handtekening": schrijver.onderteken(Checkpoint("demo", 7, "ab" * 32)).handtekening})
    for vals in ({"volgnummer": 8}, {"hash": "cd" * 32}, {"huis": "noord"}, {"handtekening": "!!"},
                 {"sleutelId": "0" * 16}, {"volgnummer": "7"}):
        assert not controleer({**data, **vals}), vals
    with pytest.raises(ValueError):
        m.laad_publieke_sleutel(tmp_path / "k" / "signing.key")


def test_mounted_as_ketenpoort_audit_with_the_contract_flags() -> None:
    import typer

    app = typer.Typer()
    app.add_typer(audit_app, name="audit")  # as gateway/cli.py mounts it
    hulp = {c: runner.invoke(app, ["audit", c, "--help"], env={"COLUMNS": "200"}).stdout
            for c in ("verify", "replay", "inzage")}
    for vlag in ("--kafka-bootstrap", "--topic", "--database-url", "--huis", "--public-key"):
        assert vlag in hulp["verify"], vlag
    for vlag in ("--kafka-bootstrap", "--database-url", "--huis", "--bsn", "--partner", "--since", "--until",
                 "--format"):
        assert vlag in hulp["replay"], vlag
    for vlag in ("--bsn", "--huis", "--kafka-bootstrap", "--database-url", "--format"):
        assert vlag in hulp["inzage"], vlag


async def test_what_the_gateway_writes_verifies(database_url: str, tmp_path: Path) -> None:
    """The writer side (ledger, checkpoints every 100 and on the clock) and this verifier agree."""
    from gateway.infrastructure.db.uow import SqlAuditLedger, checkpoint_indien_nodig
    from gateway.infrastructure.audit.sleutels import Ondertekenaar

    ondertekenaar = Ondertekenaar(maak_sleutelpaar(tmp_path / "signing.key"))
    engine = maak_engine(database_url)
    try:
        for blok in range(5):
            async with engine.begin() as conn:
                ledger = SqlAuditLedger(conn, ondertekenaar)
                for i in range(blok * 46 + 1, blok * 46 + 47):
                    await ledger.vastleggen(AuditRecord.uit_data(audit_data("demo", i, uuid.UUID(int=i % 3 + 1))))
        async with engine.begin() as conn:
            assert await checkpoint_indien_nodig(conn, "demo", ondertekenaar, 0.0)
    finally:
        await engine.dispose()
    r = await cli(["verify", "--database-url", database_url, "--public-key", str(tmp_path / "signing.pub")])
    assert r.exit_code == 0, r.output
    assert "huis demo: intact - 230 events, volgnummer 1 t/m 230, 3 checkpoints gecontroleerd" in r.stdout
