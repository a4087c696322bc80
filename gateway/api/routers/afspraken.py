from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from gateway.domain.model import AfspraakStatus

from ..bsn_vrij import GeenBsn
from ..deps import Aanroeper, Afh
from ..schemas import AfspraakUit, AfspraakVastleggen, AfspraakWijzigen, AfsprakenUit

router = APIRouter(tags=["afspraken"])


@router.post("/v1/casussen/{casus_id}/afspraken", status_code=201, response_model=AfspraakUit,
             summary="Afspraak vastleggen")
async def vastleggen(casus_id: UUID, body: AfspraakVastleggen, v: Aanroeper, d: Afh) -> AfspraakUit:
    a = await d.afspraken.vastleggen(v, casus_id, uitvoerder=body.uitvoerder, actie=body.actie,
                                     deadline=body.deadline, overleg_id=body.overleg_id)
    return AfspraakUit.van(a, d.afspraken.omg.vandaag())


@router.get("/v1/casussen/{casus_id}/afspraken", response_model=AfsprakenUit, summary="Afspraken van een casus")
async def van_casus(casus_id: UUID, v: Aanroeper, d: Afh) -> AfsprakenUit:
    vandaag = d.afspraken.omg.vandaag()
    return AfsprakenUit(afspraken=[AfspraakUit.van(a, vandaag) for a in await d.afspraken.voor_casus(v, casus_id)])


@router.patch("/v1/afspraken/{afspraak_id}", response_model=AfspraakUit, summary="Uitkomst van een afspraak")
async def wijzigen(afspraak_id: UUID, body: AfspraakWijzigen, v: Aanroeper, d: Afh) -> AfspraakUit:
    a = await d.afspraken.wijzigen(v, afspraak_id, status=AfspraakStatus(body.status), toelichting=body.toelichting)
    return AfspraakUit.van(a, d.afspraken.omg.vandaag())


@router.get("/v1/afspraken", response_model=AfsprakenUit, summary="Afspraken die de aanroeper mag zien")
async def lijst(
    v: Aanroeper,
    d: Afh,
    status: AfspraakStatus | None = None,
    uitvoerder: Annotated[str | None, Query(max_length=64), GeenBsn] = None,
    verlopen: bool = Query(default=False, description="alleen open afspraken voorbij hun deadline"),
) -> AfsprakenUit:
    vandaag = d.afspraken.omg.vandaag()
    rijen = await d.afspraken.lijst(v, status=status, uitvoerder=uitvoerder, verlopen=verlopen)
    return AfsprakenUit(afspraken=[AfspraakUit.van(a, vandaag) for a in rijen])
