from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from ..deps import Aanroeper, Afh
from ..lijsten import AgendaPagina, OverleggenPagina
from ..paging import Paginering, links, snijd
from ..tekst import Datum, Regel
from ..schemas import AgendapuntToevoegen, AgendapuntUit, OverlegPlannen, OverlegUit

router = APIRouter(prefix="/v1/overleggen", tags=["overleggen"])


@router.post("", status_code=201, response_model=OverlegUit, summary="Overleg plannen (procesregisseur)")
async def plannen(body: OverlegPlannen, v: Aanroeper, d: Afh) -> OverlegUit:
    return OverlegUit.van(*await d.overleggen.plannen(v, overlegtype=body.overlegtype, datum=body.datum,
                                                      gemeente=body.gemeente))


@router.get("", response_model=OverleggenPagina, summary="Overleggen (deelnemers zien die van hun overlegtypen)")
async def lijst(
    request: Request,
    response: Response,
    v: Aanroeper,
    d: Afh,
    p: Paginering,
    overlegtype: Annotated[Regel | None, Query(max_length=64, description="Alleen dit overlegtype")] = None,
    vanaf: Annotated[Datum | None, Query(description="Alleen overleggen op of na deze datum")] = None,
    tot: Annotated[Datum | None, Query(description="Alleen overleggen op of voor deze datum")] = None,
) -> OverleggenPagina:
    rijen, totaal = await d.overleggen.lijst(v, overlegtype=overlegtype, vanaf=vanaf, tot=tot, offset=p.offset,
                                             limit=p.grootte)
    return OverleggenPagina(overleggen=[OverlegUit.van(o, ot) for o, ot in rijen], pagina=p.pagina,
                            pagina_grootte=p.grootte, totaal=totaal, links=links(request, response, p, totaal))


@router.get("/{overleg_id}", response_model=OverlegUit, summary="Overleg inzien (deelnemers, procesregisseur)")
async def inzien(overleg_id: UUID, v: Aanroeper, d: Afh) -> OverlegUit:
    return OverlegUit.van(*await d.overleggen.inzien(v, overleg_id))


@router.post("/{overleg_id}/agendapunten", status_code=201, response_model=AgendapuntUit,
             summary="Casus agenderen (procesregisseur)")
async def agenderen(overleg_id: UUID, body: AgendapuntToevoegen, v: Aanroeper, d: Afh) -> AgendapuntUit:
    return AgendapuntUit.van(await d.overleggen.agendapunt_toevoegen(v, overleg_id, body.casus_id))


@router.get("/{overleg_id}/agendapunten", response_model=AgendaPagina, summary="Agenda (deelnemers, procesregisseur)")
async def agenda(overleg_id: UUID, request: Request, response: Response, v: Aanroeper, d: Afh,
                 p: Paginering) -> AgendaPagina:
    alle = await d.overleggen.agenda(v, overleg_id)
    return AgendaPagina(agendapunten=[AgendapuntUit.van(a) for a in snijd(alle, p)], pagina=p.pagina,
                        pagina_grootte=p.grootte, totaal=len(alle), links=links(request, response, p, len(alle)))


@router.delete("/{overleg_id}/agendapunten/{agendapunt_id}", status_code=204, response_class=Response,
               summary="Agendapunt verwijderen (procesregisseur)")
async def verwijderen(overleg_id: UUID, agendapunt_id: UUID, v: Aanroeper, d: Afh) -> Response:
    await d.overleggen.agendapunt_verwijderen(v, overleg_id, agendapunt_id)
    return Response(status_code=204)
