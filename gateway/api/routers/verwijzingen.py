from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from gateway.services.verwijzingen import VerwijzingDienst

from ..deps import Aanroeper, afh
from ..lijsten import VerwijzingenPagina
from ..paging import Paginering, links, snijd
from ..schemas import AgendapuntResultatenUit, OverlegResultatenUit, ResultaatUit, ResultatenUit, VerwijzingenOphalen

router = APIRouter(tags=["verwijzingen"])


def _dienst(request: Request) -> VerwijzingDienst:
    return afh(request).verwijzingen


@router.post("/v1/casussen/{casus_id}/verwijzingen/_ophalen", response_model=ResultatenUit,
             response_model_exclude_none=True, summary="Dat-informatie van elke bron over deze casus, voor een overleg")
async def voor_casus(casus_id: UUID, body: VerwijzingenOphalen, v: Aanroeper, request: Request) -> ResultatenUit:
    resultaten = await _dienst(request).voor_casus(v, casus_id, body.overleg_id)
    return ResultatenUit(resultaten=[ResultaatUit.van(r) for r in resultaten])


@router.post("/v1/overleggen/{overleg_id}/verwijzingen/_ophalen", response_model=OverlegResultatenUit,
             response_model_exclude_none=True, summary="Dat-informatie voor elk agendapunt van een overleg")
async def voor_overleg(overleg_id: UUID, v: Aanroeper, request: Request) -> OverlegResultatenUit:
    uitkomst = await _dienst(request).voor_overleg(v, overleg_id)
    return OverlegResultatenUit(agendapunten=[
        AgendapuntResultatenUit(casus_id=casus_id, resultaten=[ResultaatUit.van(r) for r in rs])
        for casus_id, rs in uitkomst
    ])


@router.get("/v1/casussen/{casus_id}/verwijzingen", response_model=VerwijzingenPagina,
            response_model_exclude_none=True, summary="Opgeslagen verwijzingen, zover de aanroeper ze nu mag zien")
async def inzien(casus_id: UUID, v: Aanroeper, request: Request, response: Response,
                 p: Paginering) -> VerwijzingenPagina:
    alle = await _dienst(request).inzien(v, casus_id)
    return VerwijzingenPagina(resultaten=[ResultaatUit.van(r) for r in snijd(alle, p)], pagina=p.pagina,
                              pagina_grootte=p.grootte, totaal=len(alle), links=links(request, response, p, len(alle)))
