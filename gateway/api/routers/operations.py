"""Operations outside /v1, without a token: liveness, readiness, Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..deps import afh

router = APIRouter(tags=["beheer"])


@router.get("/health", summary="Het proces leeft")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Database bereikbaar en configuratie geladen")
async def ready(request: Request) -> JSONResponse:
    rapport = await afh(request).gereed()
    return JSONResponse(rapport, status_code=200 if rapport.get("status") == "ok" else 503)


@router.get("/metrics", summary="Prometheus-metrieken")
async def metrics(request: Request) -> Response:
    return Response(generate_latest(afh(request).metrieken.registry), media_type=CONTENT_TYPE_LATEST)
