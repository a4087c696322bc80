"""Identity keys rotate without giving a person a second betrokkene (issue 9, item 7), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone

import httpx
import pytest
import structlog
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from gateway.bootstrap import bouw, identiteit_rotatie
from gateway.cli import app
from gateway.domain.bsn import is_geldig_bsn
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.engine import maak_engine
from gateway.infrastructure.identity import AesGcmKluis
from gateway.infrastructure.settings import Instellingen
from tests.support.fixtures import BSN_A, BSN_B, DEMO, IDENTITY_KEY, VasteKlok

NIEUWE_SLEUTEL = "nieuwe-identiteitssleutel-" + "y" * 32


@asynccontextmanager
async def gateway(database_url: str, **instellingen: object) -> AsyncIterator[httpx.AsyncClient]:
    """One gateway on the shared database, with its own identity-key configuration."""
    inst = Instellingen(database_url=database_url, config_dir=DEMO, **{"identity_key": IDENTITY_KEY, **instellingen})
    container = bouw(inst, klok=VasteKlok(), bronnen={})
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=container.app),
                                     base_url="http://gateway.test") as client:
            yield client
    finally:
        await container.sluit()


async def als(client: httpx.AsyncClient, client_id: str) -> dict[str, str]:
    r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                "client_secret": f"{client_id}-geheim"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}", "X-Gebruiker": "t.tester"}


GEMEENTE = {"demo": "gemeente-a", "noord": "gemeente-c"}  # a municipality of each house (issue 11)


async def meld_aan(client: httpx.AsyncClient, bsn: str, thema: str = "jeugd") -> httpx.Response:
    return await client.post("/v1/casussen", json={"bsn": bsn, "thema": thema, "gemeente": "gemeente-a"},
                             headers=await als(client, "demo-politie"))


async def inzage(client: httpx.AsyncClient, bsn: str) -> dict:
    r = await client.post("/v1/audit/_inzage", json={"bsn": bsn}, headers=await als(client, "demo-privacy"))
    assert r.status_code == 200, r.text
    assert bsn not in r.text
    return r.json()


GEROTEERD = {"identity_key": NIEUWE_SLEUTEL, "identity_key_version": 2, "identity_keys_previous": {1: IDENTITY_KEY}}


async def test_a_new_key_with_the_old_one_as_previous_keeps_the_betrokkene(database_url: str) -> None:
    # The finding: a new KETENPOORT_IDENTITY_KEY made the same BSN a new betrokkene. With the old key
    # named as previous, the person is found before a single row is re-keyed.
    async with gateway(database_url) as oud:
        r = await meld_aan(oud, BSN_A)
        assert r.status_code == 201, r.text
        casus = r.json()
        voor = await inzage(oud, BSN_A)
    async with gateway(database_url, **GEROTEERD) as nieuw:
        r = await meld_aan(nieuw, BSN_A)
        assert r.status_code == 409, r.text
        assert r.json()["bestaandeCasus"] == casus["id"]
        r = await nieuw.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=await als(nieuw, "demo-politie"))
        assert [c["id"] for c in r.json()["casussen"]] == [casus["id"]]
        na = await inzage(nieuw, BSN_A)
    assert na["betrokkene"] == {"id": casus["betrokkene"]["id"]}
    # The whole history: everything inzage showed before, plus the refused registration, the search and the inzage.
    volgnummers = [x["volgnummer"] for x in na["uitwisselingen"]]
    assert {x["volgnummer"] for x in voor["uitwisselingen"]} < set(volgnummers)
    assert [x["handeling"] for x in na["uitwisselingen"]][0] == "casus_aanmelden"
    assert {x["handeling"] for x in na["uitwisselingen"]} >= {"casus_aanmelden", "casus_zoeken", "inzage"}


async def test_a_person_first_registered_under_the_new_key_is_new(database_url: str) -> None:
    async with gateway(database_url) as oud:
        a = (await meld_aan(oud, BSN_A)).json()
    async with gateway(database_url, **GEROTEERD) as nieuw:
        r = await meld_aan(nieuw, BSN_B)
        assert r.status_code == 201, r.text
        assert r.json()["betrokkene"]["id"] != a["betrokkene"]["id"]
        assert (await meld_aan(nieuw, BSN_B)).status_code == 409


# --- the rotation command -------------------------------------------------------------------------


runner = CliRunner()
ALLEEN_NIEUW = {"identity_key": NIEUWE_SLEUTEL, "identity_key_version": 2}


def bsns(n: int) -> list[str]:
    """n synthetic elfproef-valid BSNs in the 99999xxxx test range."""
    uit, k = [], 999990000
    while len(uit) < n:
        k += 1
        if is_geldig_bsn(str(k)):
            uit.append(str(k))
    return uit


def env(database_url: str, **extra: str) -> dict[str, str]:
    return {"KETENPOORT_DATABASE_URL": database_url, "KETENPOORT_IDENTITY_KEY": NIEUWE_SLEUTEL,
            "KETENPOORT_IDENTITY_KEY_VERSION": "2",
            "KETENPOORT_IDENTITY_KEYS_PREVIOUS": json.dumps({"1": IDENTITY_KEY}), **extra}


async def sleutels(database_url: str, *args: str, omgeving: dict[str, str] | None = None):  # noqa: ANN201
    r = await asyncio.to_thread(runner.invoke, app, ["sleutels", "identiteit", *args],
                                env=omgeving or env(database_url), catch_exceptions=False)
    return r


async def rijen(database_url: str) -> list:
    engine = maak_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(select(t.identiteiten).order_by(t.identiteiten.c.betrokkene_id)))
    finally:
        await engine.dispose()


def geen_bsn(tekst: str, nummers: list[str]) -> None:
    assert not any(b in tekst for b in nummers)


async def registreer(database_url: str, nummers: list[str]) -> dict[tuple[str, str], dict]:
    """Each BSN registered under the old key in house demo, the first half also in noord."""
    uit = {}
    async with gateway(database_url) as oud:
        for i, bsn in enumerate(nummers):
            for huis in ("demo", "noord") if i < len(nummers) // 2 else ("demo",):
                r = await oud.post("/v1/casussen", json={"bsn": bsn, "thema": "jeugd", "gemeente": GEMEENTE[huis]},
                                   headers=await als(oud, f"{huis}-politie"))
                assert r.status_code == 201, r.text
                uit[(huis, bsn)] = r.json()
    return uit


@pytest.fixture
def logboek() -> io.StringIO:
    from gateway.infrastructure.observability import configureer_logging

    log = io.StringIO()
    configureer_logging("INFO", json=True)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(log))
    return log


async def test_rotation_rekeys_every_row_and_every_bsn_keeps_its_betrokkene(database_url: str,
                                                                           logboek: io.StringIO) -> None:
    nummers = bsns(14)
    casussen = await registreer(database_url, nummers)
    async with gateway(database_url) as oud:
        voor = await inzage(oud, nummers[0])
    oude_rijen = {r.betrokkene_id: r for r in await rijen(database_url)}
    assert len(oude_rijen) == 21 and {r.sleutelversie for r in oude_rijen.values()} == {1}

    r = await sleutels(database_url, "status")
    assert r.exit_code == 1 and "versie 1: 21" in r.output, r.output
    r = await sleutels(database_url, "rotate", "--batch-size", "4")
    assert r.exit_code == 0, r.output
    assert "21 identiteiten hersleuteld naar versie 2 in 6 partijen" in r.output
    geen_bsn(r.output + logboek.getvalue(), nummers)

    nieuwe_rijen = await rijen(database_url)
    assert {x.betrokkene_id for x in nieuwe_rijen} == set(oude_rijen)  # no row added, none lost
    for x in nieuwe_rijen:
        oud = oude_rijen[x.betrokkene_id]
        assert x.sleutelversie == 2 and AesGcmKluis.sleutelversie(x.bsn_versleuteld) == 2
        assert x.pseudoniem != oud.pseudoniem and x.bsn_versleuteld != oud.bsn_versleuteld
        assert x.geboortedatum == oud.geboortedatum and x.huis == oud.huis
        geen_bsn(x.pseudoniem + x.bsn_versleuteld.hex(), nummers)

    # Only the new key is configured now: every row must really be re-keyed to be found.
    async with gateway(database_url, **ALLEEN_NIEUW) as nieuw:
        for (huis, bsn), casus in casussen.items():
            h = await als(nieuw, f"{huis}-politie")
            r = await nieuw.post("/v1/casussen/_zoek", json={"bsn": bsn}, headers=h)
            assert [c["betrokkene"]["id"] for c in r.json()["casussen"]] == [casus["betrokkene"]["id"]]
            r = await nieuw.post("/v1/casussen", json={"bsn": bsn, "thema": "jeugd", "gemeente": GEMEENTE[huis]},
                                 headers=h)
            assert r.status_code == 409 and r.json()["bestaandeCasus"] == casus["id"], r.text
        na = await inzage(nieuw, nummers[0])
    assert na["betrokkene"] == {"id": casussen[("demo", nummers[0])]["betrokkene"]["id"]}
    assert {x["volgnummer"] for x in voor["uitwisselingen"]} < {x["volgnummer"] for x in na["uitwisselingen"]}

    # Idempotent: a second run has nothing to do; status says done.
    r = await sleutels(database_url, "rotate")
    assert r.exit_code == 0 and "0 identiteiten hersleuteld" in r.output, r.output
    r = await sleutels(database_url, "status")
    assert r.exit_code == 0 and "versie 2: 21 (huidig)" in r.output, r.output


async def test_rotation_resumes_after_an_interruption_and_after_a_crash(database_url: str, logboek: io.StringIO,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    nummers = bsns(12)
    casussen = await registreer(database_url, nummers[:12])  # 18 rows: 12 demo, 6 noord

    r = await sleutels(database_url, "rotate", "--batch-size", "3", "--max-batches", "2")
    assert r.exit_code == 3 and "nog 12 te doen" in r.output, r.output
    assert sorted(x.sleutelversie for x in await rijen(database_url)) == [1] * 12 + [2] * 6

    # Mid-rotation the gateway finds everyone, whichever key their row is on.
    async with gateway(database_url, **GEROTEERD) as midden:
        for (huis, bsn), casus in casussen.items():
            r = await midden.post("/v1/casussen", json={"bsn": bsn, "thema": "jeugd", "gemeente": GEMEENTE[huis]},
                                  headers=await als(midden, f"{huis}-politie"))
            assert r.status_code == 409 and r.json()["bestaandeCasus"] == casus["id"], r.text

    # A crash in the third batch, after its rows were written but before the commit, loses that whole batch.
    from gateway.infrastructure.db import sleutelrotatie as adapter

    echt, aanroepen = adapter._schrijf_partij, []

    async def crasht(conn, partij):  # noqa: ANN001, ANN202
        aanroepen.append(partij)
        geschreven = await echt(conn, partij)
        if len(aanroepen) == 3:
            assert geschreven == 3
            raise RuntimeError(f"stroom weg bij persoon {nummers[0]}")  # the CLI must not echo this text
        return geschreven

    monkeypatch.setattr(adapter, "_schrijf_partij", crasht)
    r = await sleutels(database_url, "rotate", "--batch-size", "3")
    assert r.exit_code == 1 and "RuntimeError" in r.output and "gestopt door een fout" in r.output, r.output
    geen_bsn(r.output + logboek.getvalue(), nummers)
    assert sorted(x.sleutelversie for x in await rijen(database_url)) == [1] * 6 + [2] * 12  # 2 batches, not 2⅓

    monkeypatch.setattr(adapter, "_schrijf_partij", echt)
    r = await sleutels(database_url, "rotate", "--batch-size", "3")
    assert r.exit_code == 0 and "6 identiteiten hersleuteld naar versie 2 in 2 partijen" in r.output, r.output
    assert {x.sleutelversie for x in await rijen(database_url)} == {2}
    async with gateway(database_url, **ALLEEN_NIEUW) as nieuw:
        for (huis, bsn), casus in casussen.items():
            r = await nieuw.post("/v1/casussen/_zoek", json={"bsn": bsn}, headers=await als(nieuw, f"{huis}-politie"))
            assert [c["id"] for c in r.json()["casussen"]] == [casus["id"]]


async def test_the_gateway_registers_people_while_the_rotation_runs(database_url: str) -> None:
    nummers = bsns(30)
    bestaand = await registreer(database_url, nummers[:16])  # 24 rows on version 1
    inst = Instellingen(database_url=database_url, config_dir=DEMO, **GEROTEERD)

    gedaan: list[int] = []  # rows re-keyed so far, as each batch commits

    async def roteer():  # noqa: ANN202
        async with identiteit_rotatie(inst) as rotatie:
            return await rotatie.roteer(partijgrootte=2, pauze=0.005,
                                        bij_partij=lambda n: gedaan.append((gedaan or [0])[-1] + n))

    async def registraties() -> list[tuple[str, int, dict]]:
        uit = []
        async with gateway(database_url, **GEROTEERD) as gw:
            h = await als(gw, "demo-politie")
            # Existing people (again: must stay 409) interleaved with new ones, while rows are re-keyed.
            for oud_bsn, nieuw_bsn in zip(nummers[:14], nummers[16:30]):
                for bsn in (oud_bsn, nieuw_bsn):
                    r = await gw.post("/v1/casussen", json={"bsn": bsn, "thema": "jeugd", "gemeente": "gemeente-a"},
                                      headers=h)
                    uit.append((bsn, r.status_code, r.json()))
                    midden.append(0 < (gedaan or [0])[-1] < 24)
        return uit

    midden: list[bool] = []

    verslag, uitkomsten = await asyncio.gather(roteer(), registraties())
    assert verslag.herschreven == 24 and not verslag.dubbel and not verslag.onleesbaar
    assert sum(midden) >= 3, midden  # requests really were served while some rows were re-keyed and some not
    for bsn, status, body in uitkomsten:
        if ("demo", bsn) in bestaand:
            assert status == 409 and body["bestaandeCasus"] == bestaand[("demo", bsn)]["id"], body
        else:
            assert status == 201, body
    alle = await rijen(database_url)
    assert len(alle) == 24 + 14 and {x.sleutelversie for x in alle} == {2}
    engine = maak_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(t.betrokkenen))).scalar() == 38
    finally:
        await engine.dispose()


async def test_rows_of_an_unconfigured_key_version_stop_everything_before_a_change(database_url: str) -> None:
    nummers = bsns(3)
    await registreer(database_url, nummers)
    voor = await rijen(database_url)
    zonder_v1 = env(database_url, KETENPOORT_IDENTITY_KEY_VERSION="3",
                    KETENPOORT_IDENTITY_KEYS_PREVIOUS=json.dumps({"2": "een-andere-oude-sleutel-" + "z" * 32}))
    r = await sleutels(database_url, "status", omgeving=zonder_v1)
    assert r.exit_code == 2 and "versie 1: 4 (sleutel niet geconfigureerd)" in r.output, r.output
    r = await sleutels(database_url, "rotate", omgeving=zonder_v1)
    assert r.exit_code == 2 and "versie 1: 4 rijen" in r.output and "niets gewijzigd" in r.output, r.output
    assert await rijen(database_url) == voor


@pytest.mark.parametrize("fout, melding", [
    ({"KETENPOORT_IDENTITY_KEYS_PREVIOUS": json.dumps({"1": "kort"})}, "versie 1 moet ten minste 32 tekens"),
    ({"KETENPOORT_IDENTITY_KEYS_PREVIOUS": json.dumps({"1": NIEUWE_SLEUTEL})}, "dezelfde sleutel onder twee versies"),
    ({"KETENPOORT_IDENTITY_KEYS_PREVIOUS": json.dumps({"2": IDENTITY_KEY})}, "gelijk aan de huidige"),
    ({"KETENPOORT_IDENTITY_KEY": "kort"}, "KETENPOORT_IDENTITY_KEY moet ten minste 32 tekens"),
    ({"KETENPOORT_IDENTITY_KEYS_PREVIOUS": "geen json"}, "identity_keys_previous"),
    ({"KETENPOORT_IDENTITY_KEY_VERSION": "0"}, "identity_key_version"),
])
async def test_a_bad_key_configuration_is_refused_naming_the_setting_not_the_key(database_url: str, fout: dict,
                                                                                 melding: str) -> None:
    r = await sleutels(database_url, "rotate", omgeving=env(database_url, **fout))
    assert r.exit_code == 2 and melding in r.output, r.output
    assert "Traceback" not in r.output and IDENTITY_KEY not in r.output and NIEUWE_SLEUTEL not in r.output


async def test_two_betrokkenen_for_one_person_are_reported_and_the_rest_rotates(database_url: str) -> None:
    nummers = bsns(5)
    casussen = await registreer(database_url, nummers)  # 7 rows
    # A second row for nummers[1] already under the new key (as a naive key change before versioning made).
    nieuw, tweede = AesGcmKluis(NIEUWE_SLEUTEL, versie=2), uuid.uuid4()
    engine = maak_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(t.betrokkenen).values(id=tweede, huis="demo",
                                                            aangemaakt_op=datetime.now(timezone.utc)))
            await conn.execute(insert(t.identiteiten).values(
                betrokkene_id=tweede, huis="demo", pseudoniem=nieuw.pseudoniem("demo", nummers[1]),
                bsn_versleuteld=nieuw.versleutel("demo", nummers[1]), sleutelversie=2))
    finally:
        await engine.dispose()
    r = await sleutels(database_url, "rotate", "--batch-size", "10")
    oud_id = casussen[("demo", nummers[1])]["betrokkene"]["id"]
    assert r.exit_code == 1, r.output
    assert "6 identiteiten hersleuteld" in r.output and "1 overgeslagen" in r.output
    assert f"betrokkene {oud_id}: onder de nieuwe sleutel dezelfde persoon als betrokkene {tweede}" in r.output
    geen_bsn(r.output, nummers)
    versies = {str(x.betrokkene_id): x.sleutelversie for x in await rijen(database_url)}
    assert versies.pop(oud_id) == 1 and set(versies.values()) == {2}


async def test_a_row_the_old_key_cannot_decrypt_is_reported_by_betrokkene_only(database_url: str) -> None:
    # The naive change of the finding: a second key used as if it were the first, no versions.
    await registreer(database_url, bsns(2))
    async with gateway(database_url, identity_key="naief-vervangen-sleutel-" + "q" * 32) as naief:
        r = await meld_aan(naief, BSN_A)
        assert r.status_code == 201
        naief_id = r.json()["betrokkene"]["id"]
    r = await sleutels(database_url, "rotate")
    assert r.exit_code == 1, r.output
    assert f"betrokkene {naief_id}:" in r.output and "niet te ontsleutelen" in r.output and "3 identiteiten" in r.output
    geen_bsn(r.output, [BSN_A, *bsns(2)])


async def test_replicas_mid_rollout_share_people_when_the_new_key_is_announced_first(database_url: str) -> None:
    # Several replicas: first every replica learns the new key (still writing with the old one), then the
    # new key becomes current. During the second restart old and new replicas serve side by side.
    aangekondigd = {"identity_key": IDENTITY_KEY, "identity_key_version": 1,
                    "identity_keys_previous": {2: NIEUWE_SLEUTEL}}
    async with gateway(database_url, **aangekondigd) as oud, gateway(database_url, **GEROTEERD) as nieuw:
        a = await meld_aan(nieuw, BSN_A)  # a version-2 row
        b = await meld_aan(oud, BSN_B)  # a version-1 row
        assert a.status_code == b.status_code == 201
        for gw in (oud, nieuw):
            for bsn, eerder in ((BSN_A, a.json()), (BSN_B, b.json())):
                r = await meld_aan(gw, bsn)
                assert r.status_code == 409 and r.json()["bestaandeCasus"] == eerder["id"], r.text
    assert sorted(x.sleutelversie for x in await rijen(database_url)) == [1, 2]


async def test_a_replica_missing_a_key_version_in_use_is_not_ready(database_url: str) -> None:
    async with gateway(database_url, **GEROTEERD) as nieuw:
        assert (await meld_aan(nieuw, BSN_A)).status_code == 201  # a version-2 row
        r = await nieuw.get("/ready")
        assert r.status_code == 200 and r.json()["controles"]["identiteiten"] == "ok", r.text
    async with gateway(database_url) as oud:  # knows only version 1: it would not find that person
        r = await oud.get("/ready")
        assert r.status_code == 503 and r.json()["status"] == "niet_gereed", r.text
        assert "sleutelversie" in r.json()["controles"]["identiteiten"]
    gaten = {"identity_key": "derde-sleutel-" + "d" * 32, "identity_key_version": 3,
             "identity_keys_previous": {1: IDENTITY_KEY}}  # version 2 in the gap between 1 and 3
    async with gateway(database_url, **gaten) as derde:
        assert (await derde.get("/ready")).status_code == 503


async def test_a_row_that_changed_after_it_was_read_is_left_to_whoever_changed_it(database_url: str) -> None:
    from sqlalchemy import delete

    from gateway.domain.sleutelrotatie import Hersleuteld
    from gateway.infrastructure.db.sleutelrotatie import SqlIdentiteitRijen

    await registreer(database_url, bsns(3))  # 4 rows
    engine = maak_engine(database_url)
    try:
        rijen_ = SqlIdentiteitRijen(engine)
        gelezen = await rijen_.partij(1, None, 10)
        assert len(gelezen) == 4 and await rijen_.onbekende_versie(frozenset({1})) is False
        kluis = AesGcmKluis(NIEUWE_SLEUTEL, versie=2, vorige={1: IDENTITY_KEY})
        nieuw = [Hersleuteld(r, kluis.pseudoniem(r.huis, b := kluis.ontsleutel(r.huis, r.bsn_versleuteld)),
                             kluis.versleutel(r.huis, b), 2) for r in gelezen]
        # Meanwhile: one row re-keyed by a concurrent run, one deleted at the end of its retention term.
        assert (await rijen_.herschrijf(nieuw[:1])).herschreven == 1
        async with engine.begin() as conn:
            await conn.execute(delete(t.identiteiten).where(t.identiteiten.c.betrokkene_id == gelezen[1].betrokkene_id))
        uitkomst = await rijen_.herschrijf(nieuw)
        assert (uitkomst.herschreven, uitkomst.veranderd, uitkomst.dubbel) == (2, 2, ())
        assert await rijen_.per_versie() == {2: 3}
        assert await rijen_.onbekende_versie(frozenset({1})) is True
        assert await rijen_.onbekende_versie(frozenset({2})) is False
    finally:
        await engine.dispose()
