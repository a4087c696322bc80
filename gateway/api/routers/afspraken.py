from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from gateway.domain.model import AfspraakStatus

from ..bsn_vrij import GeenBsn
from ..deps import Aanroeper, Afh
from ..lijsten import AfsprakenPagina
from ..paging import Paginering, links, snijd
from ..tekst import Regel
from ..schemas import AfspraakUit, AfspraakVastleggen, AfspraakWijzigen

router = APIRouter(tags=["afspraken"])


@router.post("/v1/casussen/{casus_id}/afspraken", status_code=201, response_model=AfspraakUit,
             summary="Afspraak vastleggen")
async def vastleggen(casus_id: UUID, body: AfspraakVastleggen, v: Aanroeper, d: Afh) -> AfspraakUit:
    a = await d.afspraken.vastleggen(v, casus_id, uitvoerder=body.uitvoerder, actie=body.actie,
                                     deadline=body.deadline, overleg_id=body.overleg_id)
    return AfspraakUit.van(a, d.afspraken.omg.vandaag())


@router.get("/v1/casussen/{casus_id}/afspraken", response_model=AfsprakenPagina, summary="Afspraken van een casus")
async def van_casus(casus_id: UUID, request: Request, response: Response, v: Aanroeper, d: Afh,
                    p: Paginering) -> AfsprakenPagina:
    vandaag = d.afspraken.omg.vandaag()
    alle = await d.afspraken.voor_casus(v, casus_id)  # one casus: few, one audit record
    return AfsprakenPagina(afspraken=[AfspraakUit.van(a, vandaag) for a in snijd(alle, p)], pagina=p.pagina,
                           pagina_grootte=p.grootte, totaal=len(alle), links=links(request, response, p, len(alle)))


@router.patch("/v1/afspraken/{afspraak_id}", response_model=AfspraakUit, summary="Uitkomst van een afspraak")
async def wijzigen(afspraak_id: UUID, body: AfspraakWijzigen, v: Aanroeper, d: Afh) -> AfspraakUit:
    a = await d.afspraken.wijzigen(v, afspraak_id, status=AfspraakStatus(body.status), toelichting=body.toelichting)
    return AfspraakUit.van(a, d.afspraken.omg.vandaag())


@router.get("/v1/afspraken", response_model=AfsprakenPagina, summary="Afspraken die de aanroeper mag zien")
async def lijst(
    request: Request,
    response: Response,
    v: Aanroeper,
    d: Afh,
    p: Paginering,
    status: AfspraakStatus | None = None,
    uitvoerder: Annotated[Regel | None, Query(max_length=64), GeenBsn] = None,
    verlopen: bool = Query(default=False, description="alleen open afspraken voorbij hun deadline"),
) -> AfsprakenPagina:
    vandaag = d.afspraken.omg.vandaag()
    rijen, totaal = await d.afspraken.pagina(v, status=status, uitvoerder=uitvoerder, verlopen=verlopen,
                                             offset=p.offset, limit=p.grootte)
    return AfsprakenPagina(afspraken=[AfspraakUit.van(a, vandaag) for a in rijen], pagina=p.pagina,
                           pagina_grootte=p.grootte, totaal=totaal, links=links(request, response, p, totaal))
