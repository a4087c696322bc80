"""Checkpoints and Merkle proofs (RFC 9162): hashes only, for every partner to keep and check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ..deps import Aanroeper, Afh

router = APIRouter(tags=["audit"])

_HEX = r"^[0-9a-f]{64}$"


class Checkpoint(BaseModel):
    """Een ondertekend checkpoint: de kop van de keten en de Merkle-wortel van dezelfde grootte."""

    huis: str
    volgnummer: int = Field(description="laatste volgnummer onder dit checkpoint")
    hash: str = Field(pattern=_HEX, description="hash van auditgebeurtenis `volgnummer`")
    boomGrootte: int | None = Field(None, description="aantal bladen van de Merkle-boom (= volgnummer)")
    boomWortel: str | None = Field(None, pattern=_HEX, description="RFC 9162-wortel van de boom")
    handtekening: str = Field(description="Ed25519-handtekening (base64)")
    sleutelId: str


class CheckpointsUit(BaseModel):
    checkpoints: list[Checkpoint]


class OpnameBewijs(BaseModel):
    """Bewijs dat auditgebeurtenis `volgnummer` in de boom van het laatste checkpoint zit (RFC 9162 2.1.3)."""

    huis: str
    volgnummer: int
    hash: str = Field(pattern=_HEX, description="hash van de gebeurtenis; het blad is SHA-256(0x00 || hash)")
    blad: int = Field(description="index van het blad (volgnummer - 1)")
    boomGrootte: int
    boomWortel: str = Field(pattern=_HEX)
    pad: list[str] = Field(description="de knopen van blad naar wortel (hex)")
    checkpoint: Checkpoint


class ConsistentieBewijs(BaseModel):
    """Bewijs dat de boom van grootte `tot` de boom van grootte `van` ongewijzigd voortzet (RFC 9162 2.1.4)."""

    huis: str
    van: int
    tot: int
    pad: list[str]
    vanCheckpoint: Checkpoint | None = None
    totCheckpoint: Checkpoint | None = None


@router.get("/v1/audit/checkpoints", response_model=CheckpointsUit,
            summary="Ondertekende checkpoints van het eigen huis (elke client; geen persoonsgegevens)")
async def checkpoints(v: Aanroeper, d: Afh, vanaf: Annotated[int, Query(ge=0)] = 0,
                      limiet: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    return {"checkpoints": await d.bewijzen.checkpoints(v, vanaf=vanaf, limiet=limiet)}


@router.get("/v1/audit/bewijzen/opname", response_model=OpnameBewijs,
            summary="Opnamebewijs van een auditgebeurtenis (verzoeker van die uitwisseling of privacy)")
async def opname(v: Aanroeper, d: Afh, volgnummer: Annotated[int, Query(ge=1)]) -> dict[str, Any]:
    return await d.bewijzen.opname(v, volgnummer)


@router.get("/v1/audit/bewijzen/consistentie", response_model=ConsistentieBewijs,
            summary="Consistentiebewijs tussen twee boomgroottes (elke client; geen persoonsgegevens)")
async def consistentie(v: Aanroeper, d: Afh, van: Annotated[int, Query(ge=1)],
                       tot: Annotated[int, Query(ge=1)]) -> dict[str, Any]:
    return await d.bewijzen.consistentie(v, van, tot)
