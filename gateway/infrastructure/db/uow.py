"""The SQL unit of work: one connection, one transaction; audit and outbox ride in it (invariant 3)."""

from __future__ import annotations

from datetime import datetime, timezone
from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import insert, select, update
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


async def _vergrendel_teller(conn: AsyncConnection, huis: str) -> dict[str, Any]:
    """Lock the house's counter row (created on first use) for the rest of the transaction."""
    q = select(t.huis_tellers).where(t.huis_tellers.c.huis == huis).with_for_update()
    rij = (await conn.execute(q)).mappings().first()
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
        rij = (await conn.execute(q)).mappings().one()
    return dict(rij)


CHECKPOINT_ELKE = 100


async def schrijf_checkpoint(conn: AsyncConnection, huis: str, volgnummer: int, hash_: str,
                             ondertekenaar: Ondertekenaar) -> None:
    """A signed checkpoint after chain record `volgnummer`, in the caller's transaction (under the house lock)."""
    data = {"huis": huis, "volgnummer": volgnummer, "hash": hash_,
            "handtekening": ondertekenaar.onderteken(huis, volgnummer, hash_), "sleutelId": ondertekenaar.sleutel_id}
    event_id = uuid4()
    ev = cloudevent(id=event_id, type=CHECKPOINT_TYPE, huis=huis, time=_nu(), data=data)
    await conn.execute(insert(t.audit_checkpoints).values(
        huis=huis, volgnummer=volgnummer, event_id=event_id, hash=hash_, handtekening=data["handtekening"],
        sleutel_id=ondertekenaar.sleutel_id, event=ev))
    await conn.execute(insert(t.outbox).values(huis=huis, topic="audit", sleutel=huis, event=ev, aangemaakt_op=_nu()))


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


class SqlAuditLedger:
    def __init__(self, conn: AsyncConnection, ondertekenaar: Ondertekenaar | None = None):
        self._conn = conn
        self._ondertekenaar = ondertekenaar

    async def vastleggen(self, gegevens: Mapping[str, Any]) -> dict[str, Any]:
        huis = gegevens["huis"]
        teller = await _vergrendel_teller(self._conn, huis)
        volgnummer = teller["volgnummer"] + 1
        data = schakel(gegevens, volgnummer, teller["laatste_hash"])
        tijdstip = datetime.fromisoformat(data["tijdstip"].replace("Z", "+00:00"))
        event_id = uuid4()
        ev = cloudevent(id=event_id, type=AUDIT_TYPE, huis=huis, time=tijdstip, data=data)
        await self._conn.execute(
            update(t.huis_tellers)
            .where(t.huis_tellers.c.huis == huis)
            .values(volgnummer=volgnummer, laatste_hash=data["hash"])
        )
        betrokkene = data.get("betrokkene")
        await self._conn.execute(
            insert(t.audit_ledger).values(
                huis=huis,
                volgnummer=volgnummer,
                event_id=event_id,
                hash=data["hash"],
                tijdstip=tijdstip,
                handeling=data["handeling"],
                besluit=data["besluit"],
                partner=(data.get("verzoeker") or {}).get("partner"),
                betrokkene=UUID(betrokkene) if betrokkene else None,
                event=ev,
            )
        )
        await self._conn.execute(
            insert(t.outbox).values(huis=huis, topic="audit", sleutel=huis, event=ev, aangemaakt_op=_nu())
        )
        if self._ondertekenaar is not None and volgnummer % CHECKPOINT_ELKE == 0:
            await schrijf_checkpoint(self._conn, huis, volgnummer, data["hash"], self._ondertekenaar)
        return data


class SqlGebeurtenisOutbox:
    def __init__(self, conn: AsyncConnection):
        self._conn = conn

    async def toevoegen(self, g: DomeinGebeurtenis) -> None:
        teller = await _vergrendel_teller(self._conn, g.huis)
        positie = teller["gebeurtenis_positie"] + 1
        event_id = uuid4()
        ev = cloudevent(
            id=event_id,
            type=g.type.value,
            huis=g.huis,
            time=_nu(),
            data=g.data,
            subject=str(g.sleutel),
            dataref=g.dataref,
            sequence=str(positie),
        )
        await self._conn.execute(
            update(t.huis_tellers).where(t.huis_tellers.c.huis == g.huis).values(gebeurtenis_positie=positie)
        )
        await self._conn.execute(
            insert(t.gebeurtenissen).values(
                huis=g.huis,
                positie=positie,
                event_id=event_id,
                type=g.type.value,
                sleutel=g.sleutel,
                thema=g.thema,
                overlegtype=g.overlegtype,
                event=ev,
            )
        )
        await self._conn.execute(
            insert(t.outbox).values(
                huis=g.huis, topic="gebeurtenissen", sleutel=str(g.sleutel), event=ev, aangemaakt_op=_nu()
            )
        )


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, ondertekenaar: Ondertekenaar | None = None):
        self._engine = engine
        self._ondertekenaar = ondertekenaar
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
        self.audit = SqlAuditLedger(c, self._ondertekenaar)
        self.gebeurtenissen = SqlGebeurtenisOutbox(c)
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
            await self._conn.commit()
        except Exception as e:  # the audit rides in this commit: if it fails, nothing happened
            raise AuditNietVastgelegd(f"transaction with audit event failed: {type(e).__name__}") from None
        self._committed = True


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, ondertekenaar: Ondertekenaar | None = None):
        self.engine = engine
        self.ondertekenaar = ondertekenaar

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.ondertekenaar)
