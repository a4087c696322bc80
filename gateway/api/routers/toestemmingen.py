from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ..deps import Aanroeper, Afh
from ..schemas import ToestemmingenUit, ToestemmingUit, ToestemmingVastleggen

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


@router.get("", response_model=ToestemmingenUit, summary="Toestemmingen van een casus")
async def lijst(casus_id: UUID, v: Aanroeper, d: Afh) -> ToestemmingenUit:
    return ToestemmingenUit(toestemmingen=[ToestemmingUit.van(t) for t in await d.toestemmingen.lijst(v, casus_id)])
