"""`GET /v1/gebeurtenissen`: Server-Sent Events of domain events, resumable with Last-Event-ID."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from gateway.domain.errors import OngeldigeInvoer
from gateway.domain.model import Verzoeker
from gateway.services.gebeurtenissen import GebeurtenisDienst

from ..deps import Aanroeper, Afh

router = APIRouter(tags=["gebeurtenissen"])

POLL_S = 0.25
KEEPALIVE_S = 15.0
MAX_POSITIE = 2**63 - 1  # a BIGINT: larger would overflow in PostgreSQL


async def _stroom(request: Request, dienst: GebeurtenisDienst, v: Verzoeker, positie: int) -> AsyncIterator[bytes]:
    yield b"retry: 2000\n\n"
    stil_sinds = time.monotonic()
    while not await request.is_disconnected():
        zichtbaar, positie = await dienst.na(v, positie)
        for g in zichtbaar:
            yield (f"id: {g.positie}\nevent: {g.event['type']}\n"
                   f"data: {json.dumps(g.event, ensure_ascii=False, separators=(',', ':'))}\n\n").encode()
        if zichtbaar:
            stil_sinds = time.monotonic()
            continue
        if time.monotonic() - stil_sinds > KEEPALIVE_S:
            yield b": keepalive\n\n"
            stil_sinds = time.monotonic()
        await asyncio.sleep(POLL_S)


@router.get("/v1/gebeurtenissen", summary="Domeingebeurtenissen als Server-Sent Events",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def gebeurtenissen(
    request: Request,
    v: Aanroeper,
    d: Afh,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    vanaf: Annotated[int | None, Query(ge=0, le=MAX_POSITIE,
                                       description="positie om na te beginnen; 0 = vanaf het begin")] = None,
) -> StreamingResponse:
    dienst = d.gebeurtenissen
    if last_event_id is not None:
        if not (last_event_id.isascii() and last_event_id.isdigit()) or int(last_event_id) > MAX_POSITIE:
            raise OngeldigeInvoer([("Last-Event-ID", "moet een positie (geheel getal) zijn")])
        positie = int(last_event_id)
    elif vanaf is not None:
        positie = vanaf
    else:
        positie = await dienst.laatste(v)  # a new subscriber starts at the present
    dienst.zichtbaar_voor(v)  # refuse before the stream starts
    return StreamingResponse(_stroom(request, dienst, v, positie), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
