from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gateway.domain.audit import Handeling

from ..bsn_vrij import GeenBsn
from ..deps import Aanroeper, Afh, afh
from ..schemas import AuditGebeurtenissenUit, InzageUit, InzageVerzoek, Ref

router = APIRouter(tags=["audit"])


@router.post("/v1/audit/_inzage", response_model=InzageUit, summary="Inzage (AVG art. 15), scope privacy")
async def inzage(body: InzageVerzoek, v: Aanroeper, d: Afh) -> InzageUit:
    betrokkene, uitwisselingen = await d.audit.inzage(v, body.bsn)
    return InzageUit(betrokkene=Ref(id=betrokkene) if betrokkene else None, uitwisselingen=uitwisselingen)


@router.get("/v1/audit/gebeurtenissen", response_model=AuditGebeurtenissenUit,
            summary="Auditgebeurtenissen van het eigen huis, scope privacy")
async def gebeurtenissen(
    v: Aanroeper,
    d: Afh,
    vanaf: datetime | None = None,
    tot: datetime | None = None,
    partner: Annotated[str | None, Query(max_length=64), GeenBsn] = None,
    handeling: Handeling | None = None,
    besluit: Literal["toegestaan", "geweigerd"] | None = None,
    limiet: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> AuditGebeurtenissenUit:
    data = await d.audit.gebeurtenissen(v, vanaf=vanaf, tot=tot, partner=partner,
                                        handeling=handeling.value if handeling else None, besluit=besluit,
                                        limiet=limiet)
    return AuditGebeurtenissenUit(gebeurtenissen=data)


@router.get("/audit/publieke-sleutel", summary="Publieke Ed25519-sleutel waarmee checkpoints zijn ondertekend")
async def publieke_sleutel(request: Request) -> Response:
    pem = afh(request).publieke_sleutel
    if pem is None:
        return Response(status_code=404)
    return Response(pem, media_type="application/x-pem-file")
