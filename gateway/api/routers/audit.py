from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gateway.domain.audit import AuditFilter, Handeling

from ..bsn_vrij import GeenBsn
from ..deps import Aanroeper, Afh, afh
from ..tekst import Regel, UtcTijd
from ..schemas import AuditGebeurtenissenUit, InzageUit, InzageVerzoek, Ref

router = APIRouter(tags=["audit"])


@router.post("/v1/audit/_inzage", response_model=InzageUit, response_model_exclude_unset=True,
             summary="Inzage (AVG art. 15), scope privacy")
async def inzage(body: InzageVerzoek, v: Aanroeper, d: Afh) -> InzageUit:
    betrokkene, uitwisselingen = await d.audit.inzage(v, body.bsn)
    return InzageUit(betrokkene=Ref(id=betrokkene) if betrokkene else None, uitwisselingen=uitwisselingen)


@router.get("/v1/audit/gebeurtenissen", response_model=AuditGebeurtenissenUit, response_model_exclude_unset=True,
            summary="Auditgebeurtenissen van het eigen huis, scope privacy")
async def gebeurtenissen(
    v: Aanroeper,
    d: Afh,
    vanaf: UtcTijd | None = None,
    tot: UtcTijd | None = None,
    partner: Annotated[Regel | None, Query(max_length=64), GeenBsn] = None,
    handeling: Handeling | None = None,
    besluit: Literal["toegestaan", "geweigerd"] | None = None,
    limiet: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> AuditGebeurtenissenUit:
    filter = AuditFilter(vanaf=vanaf, tot=tot, partner=partner, handeling=handeling.value if handeling else None,
                         besluit=besluit)
    data = await d.audit.gebeurtenissen(v, filter, limiet)
    return AuditGebeurtenissenUit(gebeurtenissen=data)


@router.get("/audit/publieke-sleutel", summary="De sleutelring: elke publieke Ed25519-sleutel waarmee checkpoints "
                                               "zijn ondertekend, met sleutelId en geldigheid")
async def publieke_sleutel(request: Request) -> Response:
    d = afh(request)
    if d.sleutelring is None or d.publieke_sleutel is None:
        return Response(status_code=404)
    if "application/x-pem-file" in request.headers.get("accept", ""):
        return Response(d.publieke_sleutel, media_type="application/x-pem-file")  # the current key alone
    return Response(d.sleutelring, media_type="application/json")
