"""The privacy officer's use cases, for the API and the CLI alike: subject access (AVG art. 15) and reading
the audit log.

Reading the audit log is itself an exchange of personal data, so it is recorded in the chain first, with the
filter used (never a BSN: the person is the betrokkene); only then is anything read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from uuid import UUID

from gateway.domain.audit import AuditFilter, Handeling
from gateway.domain.model import Scope, Verzoeker
from gateway.domain.ports import AuditLezer
from gateway.domain.toegang import ROL, Toegang

from .common import Omgeving, audit, betrokkene_van, controleer_bsn, weiger

PRIVACY = "T-PRIVACY"


def _toegang(v: Verzoeker) -> Toegang:
    if v.heeft(Scope.PRIVACY):
        return Toegang(True, PRIVACY)
    return Toegang(False, ROL, f"client {v.client_id} heeft geen scope privacy")


class AuditDienst:
    def __init__(self, omg: Omgeving, lezer: AuditLezer):
        self.omg = omg
        self.lezer = lezer

    async def inzage(self, v: Verzoeker, bsn: str) -> tuple[UUID | None, list[dict[str, Any]]]:
        controleer_bsn(bsn)
        t = _toegang(v)
        async with self.omg.uow() as uow:
            b = await betrokkene_van(uow, self.omg, v.huis, bsn)
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.INZAGE, t, betrokkene=b.id if b else None)
            await audit(uow, self.omg, v, Handeling.INZAGE, t, betrokkene=b.id if b else None)
            await uow.commit()
        if b is None:
            return None, []
        return b.id, [d async for d in self.lezer.gebeurtenissen(v.huis, AuditFilter(betrokkene=b.id))]

    async def lees(self, v: Verzoeker, filter: AuditFilter, *, bsn: str | None = None,
                   limiet: int | None = None) -> AsyncIterator[dict[str, Any]] | None:
        """Record the read (audit_inzien, with the filter), then the selected audit data objects in log order.

        ``bsn``: only this person's exchanges (looked up in the vault; None is returned when the house does
        not know the person - the read is recorded all the same).
        """
        if bsn is not None:
            controleer_bsn(bsn)
        t = _toegang(v)
        async with self.omg.uow() as uow:
            b = await betrokkene_van(uow, self.omg, v.huis, bsn) if bsn is not None else None
            betrokkene = b.id if b is not None else filter.betrokkene
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AUDIT_INZIEN, t, betrokkene=betrokkene, filter=filter)
            await audit(uow, self.omg, v, Handeling.AUDIT_INZIEN, t, betrokkene=betrokkene, filter=filter)
            await uow.commit()
        if bsn is not None and b is None:
            return None
        if b is not None:
            filter = replace(filter, betrokkene=b.id)
        return self.lezer.gebeurtenissen(v.huis, filter, limiet)

    async def gebeurtenissen(self, v: Verzoeker, filter: AuditFilter, limiet: int) -> list[dict[str, Any]]:
        stroom = await self.lees(v, filter, limiet=limiet)
        return [d async for d in stroom] if stroom is not None else []
