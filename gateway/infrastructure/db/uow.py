"""The SQL unit of work: one connection, one transaction; audit and outbox ride in it (invariant 3)."""

from __future__ import annotations

from datetime import datetime, timezone
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.audit import AUDIT_TYPE, AuditRecord, CHECKPOINT_ELKE, CHECKPOINT_TYPE, NUL_HASH, Checkpoint, cloudevent, schakel
from gateway.domain.audit.kolommen import ledger_waarden
from gateway.domain.errors import AuditNietVastgelegd
from gateway.domain.events import DomeinGebeurtenis
from gateway.domain.ontvangstbewijs import registreer

from ..audit.getuigen import CheckpointMap
from ..audit.sleutels import Ondertekenaar
from . import tables as t
from .boom import boom_van, schrijf_knopen
from .repositories import (
    SqlAfspraken,
    SqlBetrokkenen,
    SqlCasussen,
    SqlOverleggen,
    SqlToestemmingen,
    SqlVerwijzingen,
)


def _nu() -> datetime:
    return datetime.now(timezone.utc)


_TELLER = select(t.huis_tellers).where(t.huis_tellers.c.huis == bindparam("huis")).with_for_update()
_TELLER_BIJWERKEN = update(t.huis_tellers).where(t.huis_tellers.c.huis == bindparam("h")).values(
    volgnummer=bindparam("n"), laatste_hash=bindparam("lh"), gebeurtenis_positie=bindparam("gp"),
    boom_frontier=bindparam("bf"))


async def _vergrendel_teller(conn: AsyncConnection, huis: str) -> dict[str, Any]:
    """Lock the house's counter row (created on first use) for the rest of the transaction."""
    rij = (await conn.execute(_TELLER, {"huis": huis})).mappings().first()
    if rij is None:
        try:
            async with conn.begin_nested():
                await conn.execute(
                    insert(t.huis_tellers).values(
                        huis=huis, volgnummer=0, laatste_hash=NUL_HASH, gebeurtenis_positie=0
                    )
                )
        except IntegrityError:
            pass  # a concurrent first transaction created it; lock theirs
        rij = (await conn.execute(_TELLER, {"huis": huis})).mappings().one()
    return dict(rij)


def _checkpoint_rijen(huis: str, volgnummer: int, hash_: str, boom_wortel: str,
                      ondertekenaar: Ondertekenaar) -> tuple[dict[str, Any], dict[str, Any]]:
    # The signature covers the chain head and the Merkle root of the same size (docs/merkle.md).
    data = ondertekenaar.onderteken(Checkpoint(huis, volgnummer, hash_, boom_grootte=volgnummer,
                                               boom_wortel=boom_wortel)).als_data()
    event_id = uuid4()
    ev = cloudevent(id=event_id, type=CHECKPOINT_TYPE, huis=huis, time=_nu(), data=data)
    return ({"huis": huis, "volgnummer": volgnummer, "event_id": event_id, "hash": hash_,
             "handtekening": data["handtekening"], "sleutel_id": ondertekenaar.sleutel_id, "event": ev},
            {"huis": huis, "topic": "audit", "sleutel": huis, "event": ev, "aangemaakt_op": _nu()})


async def schrijf_checkpoint(conn: AsyncConnection, huis: str, volgnummer: int, hash_: str, boom_wortel: str,
                             ondertekenaar: Ondertekenaar) -> dict[str, Any]:
    """A signed checkpoint after chain record `volgnummer`, in the caller's transaction (under the house lock);
    returns its event, for the witnesses once the transaction has committed."""
    checkpoint, outbox = _checkpoint_rijen(huis, volgnummer, hash_, boom_wortel, ondertekenaar)
    await conn.execute(insert(t.audit_checkpoints).values(checkpoint))
    await conn.execute(insert(t.outbox).values(outbox))
    return checkpoint["event"]


async def checkpoint_indien_nodig(conn: AsyncConnection, huis: str, ondertekenaar: Ondertekenaar,
                                  max_leeftijd_s: float) -> dict[str, Any] | None:
    """The periodic half of "every 100 events and at least every 60 s with new events": the checkpoint
    event written (for the witnesses once the caller's transaction commits), or None."""
    teller = await _vergrendel_teller(conn, huis)
    if teller["volgnummer"] == 0:
        return None
    laatste = (await conn.execute(
        select(t.audit_checkpoints.c.volgnummer, t.audit_checkpoints.c.event)
        .where(t.audit_checkpoints.c.huis == huis)
        .order_by(t.audit_checkpoints.c.volgnummer.desc()).limit(1))).first()
    if laatste is not None and laatste.volgnummer >= teller["volgnummer"]:
        return None
    if laatste is not None:
        gemaakt = datetime.fromisoformat(laatste.event["time"].replace("Z", "+00:00"))
        if (_nu() - gemaakt).total_seconds() < max_leeftijd_s:
            return None
    boom = await boom_van(conn, huis, teller)
    if teller.get("boom_frontier") is None:  # rebuilt from the ledger just now: keep it
        await schrijf_knopen(conn, boom)
        await conn.execute(_TELLER_BIJWERKEN, {"h": huis, "n": teller["volgnummer"], "lh": teller["laatste_hash"],
                                               "gp": teller["gebeurtenis_positie"], "bf": boom.tekst()})
    return await schrijf_checkpoint(conn, huis, teller["volgnummer"], teller["laatste_hash"], boom.wortel(),
                                    ondertekenaar)


class _Schrijfbuffer:
    """The chain and outbox writes of one transaction, linked and written together just before it commits.

    Records are queued in the order they are made. At commit the house's counter row is locked (as before,
    the lock serialises the house's chain and is held to the end of the transaction), the queued records are
    linked into the chain under it, and they reach the database in a few statements: one UPDATE of the
    counter and one multi-row INSERT per table, instead of four round trips per record with the lock held
    all the while. The lock is now held for those few statements only, which is what lets concurrent
    requests of one house share the chain. Outbox rows keep the order in which the records were made, so
    the relay publishes them in chain order. Nothing is written when the transaction is not committed.

    ``geschakeld`` lists (huis, volgnummer, hash) of every record linked, for receipts once committed.
    """

    def __init__(self, conn: AsyncConnection, ondertekenaar: Ondertekenaar | None = None):
        self._conn = conn
        self._ondertekenaar = ondertekenaar
        self._wachtrij: list[tuple[str, Any]] = []  # ("audit", data) | ("gebeurtenis", DomeinGebeurtenis)
        self.checkpoints: list[dict[str, Any]] = []  # checkpoint events written, for the witnesses after commit
        self.aantallen: dict[tuple[str, str], int] = {}  # audit records written per (huis, besluit), for metrics
        self.geschakeld: list[tuple[str, int, str]] = []

    def audit(self, record: AuditRecord) -> None:
        data = record.als_data()
        self._wachtrij.append(("audit", data))
        registreer([data])  # the request's receipt: volgnummer and hash are filled in when it is linked

    def gebeurtenis(self, g: DomeinGebeurtenis) -> None:
        self._wachtrij.append(("gebeurtenis", g))

    async def schrijf(self) -> None:
        """Lock, link and write what is queued, in the caller's transaction (the locks last until its end)."""
        if not self._wachtrij:
            return
        wachtrij, self._wachtrij = self._wachtrij, []
        c = self._conn
        # Several houses in one transaction: lock in a fixed order, so two transactions never wait on each other.
        huizen = sorted({w["huis"] if soort == "audit" else w.huis for soort, w in wachtrij})
        tellers = {huis: await _vergrendel_teller(c, huis) for huis in huizen}
        for huis in {w["huis"] for soort, w in wachtrij if soort == "audit"}:
            await boom_van(c, huis, tellers[huis])
        ledger: list[dict[str, Any]] = []
        checkpoints: list[dict[str, Any]] = []
        gebeurtenissen: list[dict[str, Any]] = []
        outbox: list[dict[str, Any]] = []
        for soort, w in wachtrij:
            if soort == "audit":
                self._link(w, tellers[w["huis"]], ledger, checkpoints, outbox)
            else:
                self._gebeurtenis(w, tellers[w.huis], gebeurtenissen, outbox)
        knopen: list[dict[str, Any]] = []
        for huis, teller in tellers.items():
            boom = teller.get("_boom")
            if boom is not None:
                knopen.extend(boom.knopen)
            await c.execute(_TELLER_BIJWERKEN, {"h": huis, "n": teller["volgnummer"], "lh": teller["laatste_hash"],
                                                "gp": teller["gebeurtenis_positie"],
                                                "bf": boom.tekst() if boom is not None else teller["boom_frontier"]})
        for tabel, rijen in ((t.audit_ledger, ledger), (t.audit_checkpoints, checkpoints),
                             (t.gebeurtenissen, gebeurtenissen), (t.outbox, outbox), (t.audit_boomknopen, knopen)):
            if len(rijen) == 1:
                await c.execute(insert(tabel).values(rijen[0]))
            elif rijen:
                await c.execute(insert(tabel), rijen)

    def _link(self, data: dict[str, Any], teller: dict[str, Any], ledger: list[dict[str, Any]],
              checkpoints: list[dict[str, Any]], outbox: list[dict[str, Any]]) -> None:
        huis = data["huis"]
        volgnummer = teller["volgnummer"] + 1
        data.update(schakel(data, volgnummer, teller["laatste_hash"]))
        teller["volgnummer"], teller["laatste_hash"] = volgnummer, data["hash"]
        boom = teller["_boom"]
        boom.voeg_toe(huis, data["hash"])
        tijdstip = datetime.fromisoformat(data["tijdstip"].replace("Z", "+00:00"))
        event_id = uuid4()
        ev = cloudevent(id=event_id, type=AUDIT_TYPE, huis=huis, time=tijdstip, data=data, sequence=volgnummer)
        # The indexed columns from the one definition `audit verify` holds them against.
        *_, handeling, besluit, partner, betrokkene = ledger_waarden(str(event_id), data)
        ledger.append({
            "huis": huis, "volgnummer": volgnummer, "event_id": event_id, "hash": data["hash"], "tijdstip": tijdstip,
            "handeling": handeling, "besluit": besluit, "partner": partner,
            "betrokkene": UUID(betrokkene) if betrokkene else None, "event": ev,
        })
        outbox.append({"huis": huis, "topic": "audit", "sleutel": huis, "event": ev, "aangemaakt_op": _nu()})
        self.geschakeld.append((huis, volgnummer, data["hash"]))
        sleutel = (huis, data["besluit"])
        self.aantallen[sleutel] = self.aantallen.get(sleutel, 0) + 1
        if self._ondertekenaar is not None and volgnummer % CHECKPOINT_ELKE == 0:
            checkpoint, rij = _checkpoint_rijen(huis, volgnummer, data["hash"], boom.wortel(), self._ondertekenaar)
            checkpoints.append(checkpoint)
            self.checkpoints.append(checkpoint["event"])
            outbox.append(rij)

    @staticmethod
    def _gebeurtenis(g: DomeinGebeurtenis, teller: dict[str, Any], gebeurtenissen: list[dict[str, Any]],
                     outbox: list[dict[str, Any]]) -> None:
        positie = teller["gebeurtenis_positie"] + 1
        teller["gebeurtenis_positie"] = positie
        event_id = uuid4()
        ev = cloudevent(id=event_id, type=g.type.value, huis=g.huis, time=_nu(), data=g.data,
                        subject=str(g.sleutel), dataref=g.dataref, sequence=positie)
        gebeurtenissen.append({"huis": g.huis, "positie": positie, "event_id": event_id, "type": g.type.value,
                               "sleutel": g.sleutel, "thema": g.thema, "overlegtype": g.overlegtype, "event": ev})
        outbox.append({"huis": g.huis, "topic": "gebeurtenissen", "sleutel": str(g.sleutel), "event": ev,
                       "aangemaakt_op": _nu()})


class SqlAuditLedger:
    """The chain writer. Inside a unit of work it queues on the transaction's write buffer (linked and written
    at commit); on a bare connection every record is linked and written at once."""

    def __init__(self, conn: AsyncConnection, ondertekenaar: Ondertekenaar | None = None,
                 buffer: _Schrijfbuffer | None = None):
        self._conn = conn
        self._ondertekenaar = ondertekenaar
        self._buffer = buffer

    async def vastleggen(self, record: AuditRecord) -> None:
        if self._buffer is not None:
            self._buffer.audit(record)
            return
        los = _Schrijfbuffer(self._conn, self._ondertekenaar)
        los.audit(record)
        await los.schrijf()


class SqlGebeurtenisOutbox:
    def __init__(self, conn: AsyncConnection, buffer: _Schrijfbuffer | None = None):
        self._conn = conn
        self._buffer = buffer

    async def toevoegen(self, g: DomeinGebeurtenis) -> None:
        if self._buffer is not None:
            self._buffer.gebeurtenis(g)
            return
        los = _Schrijfbuffer(self._conn)
        los.gebeurtenis(g)
        await los.schrijf()


# Called after each commit with the audit records written per (huis, besluit): the audit-events metric.
AuditTeller = Callable[[str, str, int], None]


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, ondertekenaar: Ondertekenaar | None = None, *,
                 getuige: CheckpointMap | None = None, teller: AuditTeller | None = None, schrijffouten: Any = None):
        self._engine = engine
        self._ondertekenaar = ondertekenaar
        self._getuige = getuige
        self._teller = teller
        self._schrijffouten = schrijffouten  # told of every failed commit, for /ready (gereedheid.Schrijffouten)
        self._conn: AsyncConnection | None = None
        self._committed = False

    async def __aenter__(self) -> SqlUnitOfWork:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        c = self._conn
        self.betrokkenen = SqlBetrokkenen(c)
        self.casussen = SqlCasussen(c)
        self.overleggen = SqlOverleggen(c)
        self.afspraken = SqlAfspraken(c)
        self.toestemmingen = SqlToestemmingen(c)
        self.verwijzingen = SqlVerwijzingen(c)
        self._buffer = _Schrijfbuffer(c, self._ondertekenaar)
        self.audit = SqlAuditLedger(c, self._ondertekenaar, self._buffer)
        self.gebeurtenissen = SqlGebeurtenisOutbox(c, self._buffer)
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        assert self._conn is not None
        try:
            if not self._committed:
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        try:
            await self._buffer.schrijf()
            await self._conn.commit()
        except Exception as e:  # the audit rides in this commit: if it fails, nothing happened
            if self._schrijffouten is not None:
                self._schrijffouten.meld(e)
            # The cause stays chained so the API can log it (its type and a safe message only).
            raise AuditNietVastgelegd(f"transaction with audit event failed: {type(e).__name__}") from e
        self._committed = True
        b = self._buffer
        self.vastgelegd = list(b.geschakeld)  # (huis, volgnummer, hash) of this commit's audit records
        if self._teller is not None:
            for (huis, besluit), n in b.aantallen.items():
                self._teller(huis, besluit, n)
        b.aantallen = {}
        if self._getuige is not None and b.checkpoints:
            # Only now: a checkpoint of a transaction that rolled back must never be witnessed.
            await self._getuige.schrijf_alle(b.checkpoints)
        b.checkpoints = []


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, ondertekenaar: Ondertekenaar | None = None, *,
                 getuige: CheckpointMap | None = None, teller: AuditTeller | None = None, schrijffouten: Any = None):
        self.engine = engine
        self.ondertekenaar = ondertekenaar
        self.getuige = getuige
        self.teller = teller
        self.schrijffouten = schrijffouten

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.ondertekenaar, getuige=self.getuige, teller=self.teller,
                             schrijffouten=self.schrijffouten)
