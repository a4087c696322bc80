from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from ..deps import Aanroeper, Afh
from ..schemas import AgendaUit, AgendapuntToevoegen, AgendapuntUit, OverlegPlannen, OverlegUit

router = APIRouter(prefix="/v1/overleggen", tags=["overleggen"])


@router.post("", status_code=201, response_model=OverlegUit, summary="Overleg plannen (procesregisseur)")
async def plannen(body: OverlegPlannen, v: Aanroeper, d: Afh) -> OverlegUit:
    return OverlegUit.van(*await d.overleggen.plannen(v, overlegtype=body.overlegtype, datum=body.datum,
                                                      gemeente=body.gemeente))


@router.get("/{overleg_id}", response_model=OverlegUit, summary="Overleg inzien (deelnemers, procesregisseur)")
async def inzien(overleg_id: UUID, v: Aanroeper, d: Afh) -> OverlegUit:
    return OverlegUit.van(*await d.overleggen.inzien(v, overleg_id))


@router.post("/{overleg_id}/agendapunten", status_code=201, response_model=AgendapuntUit,
             summary="Casus agenderen (procesregisseur)")
async def agenderen(overleg_id: UUID, body: AgendapuntToevoegen, v: Aanroeper, d: Afh) -> AgendapuntUit:
    return AgendapuntUit.van(await d.overleggen.agendapunt_toevoegen(v, overleg_id, body.casus_id))


@router.get("/{overleg_id}/agendapunten", response_model=AgendaUit, summary="Agenda (deelnemers, procesregisseur)")
async def agenda(overleg_id: UUID, v: Aanroeper, d: Afh) -> AgendaUit:
    return AgendaUit(agendapunten=[AgendapuntUit.van(p) for p in await d.overleggen.agenda(v, overleg_id)])


@router.delete("/{overleg_id}/agendapunten/{agendapunt_id}", status_code=204, response_class=Response,
               summary="Agendapunt verwijderen (procesregisseur)")
async def verwijderen(overleg_id: UUID, agendapunt_id: UUID, v: Aanroeper, d: Afh) -> Response:
    await d.overleggen.agendapunt_verwijderen(v, overleg_id, agendapunt_id)
    return Response(status_code=204)
