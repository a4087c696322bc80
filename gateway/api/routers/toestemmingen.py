from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from ..deps import Aanroeper, Afh
from ..lijsten import ToestemmingenPagina
from ..paging import Paginering, links, snijd
from ..schemas import ToestemmingUit, ToestemmingVastleggen

router = APIRouter(prefix="/v1/casussen/{casus_id}/toestemmingen", tags=["toestemmingen"])


@router.post("", status_code=201, response_model=ToestemmingUit, summary="Toestemming vastleggen")
async def vastleggen(casus_id: UUID, body: ToestemmingVastleggen, v: Aanroeper, d: Afh) -> ToestemmingUit:
    t = await d.toestemmingen.vastleggen(v, casus_id, categorie=body.categorie, gegeven_door=body.gegeven_door,
                                         geldig_tot=body.geldig_tot, bewijs=body.bewijs, ontvangers=body.ontvangers,
                                         doel=body.doel)
    return ToestemmingUit.van(t)


@router.delete("/{toestemming_id}", response_model=ToestemmingUit,
               summary="Toestemming intrekken (de bronpartner, de vastlegger of de procesregie)")
async def intrekken(casus_id: UUID, toestemming_id: UUID, v: Aanroeper, d: Afh) -> ToestemmingUit:
    return ToestemmingUit.van(await d.toestemmingen.intrekken(v, casus_id, toestemming_id))


@router.get("", response_model=ToestemmingenPagina, summary="Toestemmingen van een casus")
async def lijst(casus_id: UUID, request: Request, response: Response, v: Aanroeper, d: Afh,
                p: Paginering) -> ToestemmingenPagina:
    alle = await d.toestemmingen.lijst(v, casus_id)
    return ToestemmingenPagina(toestemmingen=[ToestemmingUit.van(t) for t in snijd(alle, p)], pagina=p.pagina,
                               pagina_grootte=p.grootte, totaal=len(alle),
                               links=links(request, response, p, len(alle)))
