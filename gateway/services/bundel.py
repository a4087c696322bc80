"""Group commit: the audit records, domain events and verwijzingen of concurrent requests in one transaction.

Every lookup writes only new rows (audit records before the sources are asked, verwijzingen and an event
after). Written one transaction per request, each takes the house's chain lock for itself and pays its own
BEGIN, counter UPDATE, INSERTs and COMMIT, and under load the requests queue on that lock. Here the
writes that arrive while a transaction is in flight wait and then go together in the next one: one lock,
one commit, multi-row INSERTs. Each caller returns only once its writes are committed, so "audited before
any source is asked" (invariant 3) still holds per request. When a shared transaction fails, every
request's writes are retried in a transaction of its own, so one bad request cannot fail the others.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.domain.errors import AuditNietVastgelegd
from gateway.domain.events import DomeinGebeurtenis
from gateway.domain.model import Verwijzing
from gateway.domain.ontvangstbewijs import registreer, verzamel
from gateway.domain.ports import UnitOfWorkFactory
from gateway.domain.audit import AuditRecord


@dataclass
class _Werk:
    audit: Sequence[AuditRecord]
    gebeurtenissen: Sequence[DomeinGebeurtenis]
    verwijzingen: Sequence[Verwijzing]
    klaar: asyncio.Future[None] = field(repr=False)
    gekoppeld: list[Mapping[str, Any]] = field(default_factory=list)  # the chain records, linked at commit


class Bundelaar:
    def __init__(self, uow: UnitOfWorkFactory, *, max_per_transactie: int = 64):
        self._uow = uow
        self._max = max_per_transactie
        self._wachtrij: list[_Werk] = []
        self._pomp: asyncio.Task[None] | None = None

    async def vastleggen(self, *, audit: Sequence[AuditRecord] = (),
                         gebeurtenissen: Sequence[DomeinGebeurtenis] = (),
                         verwijzingen: Sequence[Verwijzing] = ()) -> None:
        """Return when these writes are committed; raise AuditNietVastgelegd when they cannot be."""
        if not (audit or gebeurtenissen or verwijzingen):
            return
        werk = _Werk(audit, gebeurtenissen, verwijzingen, asyncio.get_running_loop().create_future())
        # A caller that went away leaves its outcome unread; read it here so asyncio does not warn about it.
        werk.klaar.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._wachtrij.append(werk)
        if self._pomp is None or self._pomp.done():
            # Its own empty context: the pump serves many requests, it must not carry the first one's request id.
            self._pomp = asyncio.create_task(self._pompen(), context=contextvars.Context())
        # Shielded: a caller that goes away must not cancel the transaction the others are waiting on.
        await asyncio.shield(werk.klaar)
        registreer(werk.gekoppeld)  # back in the caller's context: its receipt

    async def _pompen(self) -> None:
        ronde: list[_Werk] = []
        try:
            while self._wachtrij:
                ronde, self._wachtrij = self._wachtrij[: self._max], self._wachtrij[self._max:]
                try:
                    await self._schrijf(ronde)
                except Exception as e:  # noqa: BLE001 - retried one by one, each caller gets its own outcome
                    if len(ronde) == 1:
                        self._uitkomst(ronde[0], e)
                        continue
                    for werk in ronde:
                        if werk.klaar.done():  # committed before the failure (closing the connection, say)
                            continue
                        try:
                            await self._schrijf([werk])
                        except Exception as e1:  # noqa: BLE001
                            self._uitkomst(werk, e1)
        except BaseException:  # cancelled (shutdown): nobody may wait for ever, nothing is reported as written
            for werk in [*ronde, *self._wachtrij]:
                self._uitkomst(werk, AuditNietVastgelegd("gateway stopt"))
            self._wachtrij = []
            raise

    async def _schrijf(self, ronde: list[_Werk]) -> None:
        async with self._uow() as uow:
            for werk in ronde:  # the chain gets the records in the order the requests made them
                werk.gekoppeld = []  # a retried round links anew
                with verzamel(werk.gekoppeld):  # linked at commit: the caller's receipt
                    for record in werk.audit:
                        await uow.audit.vastleggen(record)
                for g in werk.gebeurtenissen:
                    await uow.gebeurtenissen.toevoegen(g)
            verwijzingen = [w for werk in ronde for w in werk.verwijzingen]
            if verwijzingen:
                await uow.verwijzingen.opslaan_alle(verwijzingen)
            await uow.commit()
            # Reported at once: what fails after the commit must not write these again, nor fail their callers.
            for werk in ronde:
                self._uitkomst(werk, None)

    @staticmethod
    def _uitkomst(werk: _Werk, fout: BaseException | None) -> None:
        if werk.klaar.done():
            return
        if fout is None:
            werk.klaar.set_result(None)
        else:
            if not isinstance(fout, AuditNietVastgelegd):
                gewikkeld = AuditNietVastgelegd(f"transaction with audit event failed: {type(fout).__name__}")
                gewikkeld.__cause__ = fout  # logged by the API (type and a safe message only)
                fout = gewikkeld
            werk.klaar.set_exception(fout)
