"""Issue 17: a database that cannot be written, a failure after the audit commit, outbox pruning."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, text

from gateway.bootstrap import achtergrondtaken
from gateway.infrastructure.db import tables as t
from gateway.infrastructure.db.engine import is_sqlite, maak_engine
from gateway.infrastructure.outbox_opruimen import ruim_outbox_op
from tests.api.helpers import is_probleem, meld_aan
from tests.api.test_verwijzingen import BPS_JCO_VIR_16, _agendeer
from tests.plugins.postgres import _connect_admin
from tests.support.fixtures import log_regels


async def test_a_read_only_database_is_a_logged_503_and_not_ready(omgeving, database_url):
    if is_sqlite(database_url):
        pytest.skip("read-only PostgreSQL database; the SQLite full disk is in test_storingen_schijf_vol")
    await meld_aan(omgeving)
    naam = omgeving.container.engine.url.database
    with _connect_admin(database_url) as admin:
        admin.execute(f'ALTER DATABASE "{naam}" SET default_transaction_read_only = on')
    await omgeving.container.engine.dispose()  # new sessions take the setting
    try:
        r = await omgeving.client.post("/v1/casussen", headers=await omgeving.als("demo-politie"),
                                       json={"bsn": "999990378", "thema": "jeugd", "gemeente": "gemeente-a"})
        body = is_probleem(r, 503)
        assert "niets uitgewisseld" in body["detail"] and int(r.headers["retry-after"]) >= 1
        regels = [x for x in log_regels(omgeving.log) if x.get("request_id") == r.headers["x-request-id"]
                  and x["event"] in ("http.audit_niet_vastgelegd", "http.database_fout")]
        assert len(regels) == 1 and regels[0]["sqlstate"] == "25006", regels
        assert "read-only" in regels[0]["bericht"]
        assert "999990378" not in omgeving.log.getvalue()
        ready = await omgeving.client.get("/ready")
        assert ready.status_code == 503, ready.text
        assert ready.json()["controles"]["schrijven"] != "ok" and ready.json()["controles"]["database"] == "ok"
        assert (await omgeving.client.get("/health")).status_code == 200
    finally:
        with _connect_admin(database_url) as admin:
            admin.execute(f'ALTER DATABASE "{naam}" RESET default_transaction_read_only')
        await omgeving.container.engine.dispose()


async def test_a_failure_after_the_audit_commit_says_the_exchange_was_recorded(omgeving, database_url):
    casus, overleg = await _agendeer(omgeving, BPS_JCO_VIR_16)
    async with omgeving.container.engine.begin() as conn:  # storing the answer fails, as a full disk would
        if is_sqlite(database_url):
            await conn.execute(text("CREATE TRIGGER weiger BEFORE INSERT ON verwijzingen "
                                    "BEGIN SELECT RAISE(ABORT, 'opslag mislukt'); END"))
        else:
            await conn.execute(text("CREATE FUNCTION weiger() RETURNS trigger AS $$ BEGIN "
                                    "RAISE EXCEPTION 'opslag mislukt'; END $$ LANGUAGE plpgsql"))
            await conn.execute(text("CREATE TRIGGER weiger BEFORE INSERT ON verwijzingen "
                                    "FOR EACH ROW EXECUTE FUNCTION weiger()"))
    r = await omgeving.client.post(f"/v1/casussen/{casus['id']}/verwijzingen/_ophalen",
                                   json={"overlegId": overleg["id"]}, headers=await omgeving.als("demo-om"))
    body = is_probleem(r, 503)
    assert "vastgelegd in het auditlog" in body["detail"] and "niets uitgewisseld" not in body["detail"]
    assert r.headers["retry-after"]
    async with omgeving.container.engine.connect() as conn:
        opgevraagd = (await conn.execute(select(func.count()).select_from(t.audit_ledger).where(
            t.audit_ledger.c.handeling == "verwijzing_opvragen"))).scalar_one()
    assert opgevraagd > 0  # what the answer says is true: the exchange was recorded
    regels = [x for x in log_regels(omgeving.log) if x.get("request_id") == r.headers["x-request-id"]
              and x["event"] == "http.antwoord_niet_vastgelegd"]
    assert len(regels) == 1 and regels[0]["fout"]


async def test_outbox_is_pruned_and_the_ledger_never(omgeving, database_url):
    await meld_aan(omgeving)  # one audited exchange: a ledger record and its outbox row, both "old" below
    engine = omgeving.container.engine
    oud = datetime.now(timezone.utc) - timedelta(hours=3)
    nieuw = datetime.now(timezone.utc)
    async with engine.begin() as conn:
        await conn.execute(t.outbox.update().values(aangemaakt_op=oud))
        rij = {"huis": "demo", "topic": "audit", "sleutel": "demo", "event": {"id": "x"}}
        await conn.execute(insert(t.outbox), [
            {**rij, "aangemaakt_op": oud, "verzonden_op": oud},     # sent long ago: pruned with Kafka
            {**rij, "aangemaakt_op": oud, "verzonden_op": nieuw},   # sent just now: kept
            {**rij, "aangemaakt_op": nieuw, "verzonden_op": None},  # fresh, unsent: kept
        ])

    async def tel(tabel, *waar) -> int:  # noqa: ANN001
        async with engine.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(tabel).where(*waar))).scalar_one()

    ledger = await tel(t.audit_ledger)
    onverzonden_oud = await tel(t.outbox, t.outbox.c.verzonden_op.is_(None), t.outbox.c.aangemaakt_op < nieuw)
    assert ledger > 0 and onverzonden_oud > 0
    voor = await tel(t.outbox)
    assert await ruim_outbox_op(engine, bewaar_s=3600, met_kafka=True, batch=2) == 1
    assert await tel(t.outbox) == voor - 1
    assert await tel(t.outbox, t.outbox.c.verzonden_op.is_(None), t.outbox.c.aangemaakt_op < nieuw) == onverzonden_oud
    # Without Kafka nothing is ever sent: old rows go as they are (the demo's outbox does not grow for ever).
    assert await ruim_outbox_op(engine, bewaar_s=3600, met_kafka=False, batch=2) == onverzonden_oud + 1
    assert await tel(t.outbox) == 1
    assert await tel(t.audit_ledger) == ledger
    taken = achtergrondtaken(omgeving.container)
    assert "outbox_opruimen" in taken
    for taak in taken.values():
        taak.close()


async def test_every_call_has_a_timeout(database_url):
    engine = maak_engine(database_url, timeout_s=1.5)
    try:
        assert engine.pool.timeout() == 1.5
        if not is_sqlite(database_url):
            async with engine.connect() as conn:
                assert (await conn.execute(text("SHOW statement_timeout"))).scalar_one() == "1500ms"
    finally:
        await engine.dispose()
