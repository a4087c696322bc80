from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from gateway.domain.model import CasusStatus
from gateway.services.casussen import CasusWijziging

from ..bsn_vrij import GeenBsn
from ..deps import Aanroeper, Afh
from ..lijsten import CasussenPagina
from ..paging import Paginering, links
from ..schemas import CasusAanmelden, CasussenUit, CasusUit, CasusWijzigen, CasusZoeken, GeboortedatumCorrigeren
from ..tekst import Regel

router = APIRouter(prefix="/v1/casussen", tags=["casussen"])


@router.post("", status_code=201, response_model=CasusUit, summary="Casus aanmelden")
async def aanmelden(body: CasusAanmelden, v: Aanroeper, d: Afh) -> CasusUit:
    c = await d.casussen.aanmelden(v, bsn=body.bsn, thema=body.thema, gemeente=body.gemeente,
                                   geboortedatum=body.geboortedatum)
    return CasusUit.van(c)


@router.post("/_zoek", response_model=CasussenUit, summary="Casussen zoeken op BSN (in de body, nooit in de URL)")
async def zoeken(body: CasusZoeken, v: Aanroeper, d: Afh) -> CasussenUit:
    return CasussenUit(casussen=[CasusUit.van(c, z) for c, z in await d.casussen.zoeken(v, bsn=body.bsn)])


@router.get("", response_model=CasussenPagina, summary="Casussen die de aanroeper mag zien")
async def lijst(
    request: Request,
    response: Response,
    v: Aanroeper,
    d: Afh,
    p: Paginering,
    thema: Annotated[Regel | None, Query(max_length=64), GeenBsn] = None,
    status: CasusStatus | None = None,
) -> CasussenPagina:
    casussen, totaal = await d.casussen.lijst(v, thema=thema, status=status, pagina=p.pagina,
                                              pagina_grootte=p.grootte)
    return CasussenPagina(casussen=[CasusUit.van(c, z) for c, z in casussen], pagina=p.pagina,
                          pagina_grootte=p.grootte, totaal=totaal, links=links(request, response, p, totaal))


@router.get("/{casus_id}", response_model=CasusUit, summary="Casus inzien")
async def inzien(casus_id: UUID, v: Aanroeper, d: Afh) -> CasusUit:
    return CasusUit.van(*await d.casussen.inzien(v, casus_id))


@router.patch("/{casus_id}", response_model=CasusUit, summary="Status of casusregie wijzigen (procesregisseur)")
async def wijzigen(casus_id: UUID, body: CasusWijzigen, v: Aanroeper, d: Afh) -> CasusUit:
    w = CasusWijziging(status=body.status, casusregisseur=body.casusregisseur, afsluit_reden=body.afsluit_reden)
    return CasusUit.van(await d.casussen.wijzigen(v, casus_id, w))


@router.put("/{casus_id}/geboortedatum", status_code=204, response_class=Response,
            summary="Geboortedatum corrigeren (procesregie; de leeftijd bepaalt wie toestemming geeft)")
async def geboortedatum(casus_id: UUID, body: GeboortedatumCorrigeren, v: Aanroeper, d: Afh) -> Response:
    await d.casussen.geboortedatum_corrigeren(v, casus_id, geboortedatum=body.geboortedatum, reden=body.reden)
    return Response(status_code=204)
