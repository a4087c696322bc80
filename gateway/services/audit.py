"""The privacy officer's use cases over HTTP: subject access (AVG art. 15) and reading the audit log.

Reading the audit log is itself an exchange of personal data, so it is recorded in the chain first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from gateway.domain.audit import Handeling
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
        return b.id, list(await self.lezer.gebeurtenissen(v.huis, betrokkene=b.id))

    async def gebeurtenissen(
        self, v: Verzoeker, *, vanaf: datetime | None, tot: datetime | None, partner: str | None,
        handeling: str | None, besluit: str | None, limiet: int,
    ) -> list[dict[str, Any]]:
        t = _toegang(v)
        async with self.omg.uow() as uow:
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AUDIT_INZIEN, t)
            await audit(uow, self.omg, v, Handeling.AUDIT_INZIEN, t)
            await uow.commit()
        filters = {"vanaf": vanaf, "tot": tot, "partner": partner, "handeling": handeling, "besluit": besluit}
        return list(await self.lezer.gebeurtenissen(v.huis, filters=filters, limiet=limiet))
