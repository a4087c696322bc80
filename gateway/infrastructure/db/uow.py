"""The SQL unit of work: one connection, one transaction; audit and outbox ride in it (invariant 3)."""

from __future__ import annotations

from datetime import datetime, timezone
from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.audit import AUDIT_TYPE, CHECKPOINT_TYPE, NUL_HASH, cloudevent, schakel
from gateway.domain.errors import AuditNietVastgelegd
from gateway.domain.events import DomeinGebeurtenis

from ..ondertekening import Ondertekenaar
from . import tables as t
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
    volgnummer=bindparam("n"), laatste_hash=bindparam("lh"), gebeurtenis_positie=bindparam("gp"))


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


CHECKPOINT_ELKE = 100


def _checkpoint_rijen(huis: str, volgnummer: int, hash_: str,
                      ondertekenaar: Ondertekenaar) -> tuple[dict[str, Any], dict[str, Any]]:
    data = {"huis": huis, "volgnummer": volgnummer, "hash": hash_,
            "handtekening": ondertekenaar.onderteken(huis, volgnummer, hash_), "sleutelId": ondertekenaar.sleutel_id}
    event_id = uuid4()
    ev = cloudevent(id=event_id, type=CHECKPOINT_TYPE, huis=huis, time=_nu(), data=data)
    return ({"huis": huis, "volgnummer": volgnummer, "event_id": event_id, "hash": hash_,
             "handtekening": data["handtekening"], "sleutel_id": ondertekenaar.sleutel_id, "event": ev},
            {"huis": huis, "topic": "audit", "sleutel": huis, "event": ev, "aangemaakt_op": _nu()})


async def schrijf_checkpoint(conn: AsyncConnection, huis: str, volgnummer: int, hash_: str,
                             ondertekenaar: Ondertekenaar) -> None:
    """A signed checkpoint after chain record `volgnummer`, in the caller's transaction (under the house lock)."""
    checkpoint, outbox = _checkpoint_rijen(huis, volgnummer, hash_, ondertekenaar)
    await conn.execute(insert(t.audit_checkpoints).values(checkpoint))
    await conn.execute(insert(t.outbox).values(outbox))


async def checkpoint_indien_nodig(conn: AsyncConnection, huis: str, ondertekenaar: Ondertekenaar,
                                  max_leeftijd_s: float) -> bool:
    """The periodic half of "every 100 events and at least every 60 s with new events"."""
    teller = await _vergrendel_teller(conn, huis)
    if teller["volgnummer"] == 0:
        return False
    laatste = (await conn.execute(
        select(t.audit_checkpoints.c.volgnummer, t.audit_checkpoints.c.event)
        .where(t.audit_checkpoints.c.huis == huis)
        .order_by(t.audit_checkpoints.c.volgnummer.desc()).limit(1))).first()
    if laatste is not None and laatste.volgnummer >= teller["volgnummer"]:
        return False
    if laatste is not None:
        gemaakt = datetime.fromisoformat(laatste.event["time"].replace("Z", "+00:00"))
        if (_nu() - gemaakt).total_seconds() < max_leeftijd_s:
            return False
    await schrijf_checkpoint(conn, huis, teller["volgnummer"], teller["laatste_hash"], ondertekenaar)
    return True


class _Schrijfbuffer:
    """The chain and outbox writes of one transaction, linked and written together just before it commits.

    Records are queued in the order they are made. At commit the house's counter row is locked (as before,
    the lock serialises the house's chain and is held to the end of the transaction), the queued records are
    linked into the chain under it, and they reach the database in a few statements: one UPDATE of the
    counter and one multi-row INSERT per table, instead of four round trips per record with the lock held
    all the while. The lock is now held for those few statements only, which is what lets concurrent
    requests of one house share the chain. Outbox rows keep the order in which the records were made, so
    the relay publishes them in chain order. Nothing is written when the transaction is not committed.

    The dict `audit()` returns is the record itself: its volgnummer, vorigeHash and hash are filled in when
    the transaction commits.
    """

    def __init__(self, conn: AsyncConnection, ondertekenaar: Ondertekenaar | None = None):
        self._conn = conn
        self._ondertekenaar = ondertekenaar
        self._wachtrij: list[tuple[str, Any]] = []  # ("audit", data) | ("gebeurtenis", DomeinGebeurtenis)

    def audit(self, gegevens: Mapping[str, Any]) -> dict[str, Any]:
        data = dict(gegevens)
        self._wachtrij.append(("audit", data))
        return data

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
        ledger: list[dict[str, Any]] = []
        checkpoints: list[dict[str, Any]] = []
        gebeurtenissen: list[dict[str, Any]] = []
        outbox: list[dict[str, Any]] = []
        for soort, w in wachtrij:
            if soort == "audit":
                self._link(w, tellers[w["huis"]], ledger, checkpoints, outbox)
            else:
                self._gebeurtenis(w, tellers[w.huis], gebeurtenissen, outbox)
        for huis, teller in tellers.items():
            await c.execute(_TELLER_BIJWERKEN, {"h": huis, "n": teller["volgnummer"], "lh": teller["laatste_hash"],
                                                "gp": teller["gebeurtenis_positie"]})
        for tabel, rijen in ((t.audit_ledger, ledger), (t.audit_checkpoints, checkpoints),
                             (t.gebeurtenissen, gebeurtenissen), (t.outbox, outbox)):
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
        tijdstip = datetime.fromisoformat(data["tijdstip"].replace("Z", "+00:00"))
        event_id = uuid4()
        ev = cloudevent(id=event_id, type=AUDIT_TYPE, huis=huis, time=tijdstip, data=data)
        betrokkene = data.get("betrokkene")
        ledger.append({
            "huis": huis, "volgnummer": volgnummer, "event_id": event_id, "hash": data["hash"], "tijdstip": tijdstip,
            "handeling": data["handeling"], "besluit": data["besluit"],
            "partner": (data.get("verzoeker") or {}).get("partner"),
            "betrokkene": UUID(betrokkene) if betrokkene else None, "event": ev,
        })
        outbox.append({"huis": huis, "topic": "audit", "sleutel": huis, "event": ev, "aangemaakt_op": _nu()})
        if self._ondertekenaar is not None and volgnummer % CHECKPOINT_ELKE == 0:
            checkpoint, rij = _checkpoint_rijen(huis, volgnummer, data["hash"], self._ondertekenaar)
            checkpoints.append(checkpoint)
            outbox.append(rij)

    @staticmethod
    def _gebeurtenis(g: DomeinGebeurtenis, teller: dict[str, Any], gebeurtenissen: list[dict[str, Any]],
                     outbox: list[dict[str, Any]]) -> None:
        positie = teller["gebeurtenis_positie"] + 1
        teller["gebeurtenis_positie"] = positie
        event_id = uuid4()
        ev = cloudevent(id=event_id, type=g.type.value, huis=g.huis, time=_nu(), data=g.data,
                        subject=str(g.sleutel), dataref=g.dataref, sequence=str(positie))
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

    async def vastleggen(self, gegevens: Mapping[str, Any]) -> dict[str, Any]:
        if self._buffer is not None:
            return self._buffer.audit(gegevens)
        los = _Schrijfbuffer(self._conn, self._ondertekenaar)
        data = los.audit(gegevens)
        await los.schrijf()
        return data


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


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, ondertekenaar: Ondertekenaar | None = None, schrijffouten: Any = None):
        self._engine = engine
        self._ondertekenaar = ondertekenaar
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


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, ondertekenaar: Ondertekenaar | None = None, schrijffouten: Any = None):
        self.engine = engine
        self.ondertekenaar = ondertekenaar
        self.schrijffouten = schrijffouten

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.ondertekenaar, self.schrijffouten)
