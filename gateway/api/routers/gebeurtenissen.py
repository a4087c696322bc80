"""`GET /v1/gebeurtenissen`: Server-Sent Events of domain events, resumable with Last-Event-ID.

A browser's EventSource cannot send a bearer token: it trades the token for a single-use stream ticket
(`POST /v1/gebeurtenissen/_ticket`) and passes that. Every stream ends when the caller's token expires.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import Field

from gateway.domain.errors import NietGeauthenticeerd, OngeldigeInvoer
from gateway.domain.model import Verzoeker
from gateway.services.gebeurtenissen import GebeurtenisDienst

from ..deps import Afh, verzoeker
from ..schemas import Antwoord
from ..stroomtickets import StroomTickets

router = APIRouter(tags=["gebeurtenissen"])

POLL_S = 0.25
KEEPALIVE_S = 15.0
MAX_POSITIE = 2**63 - 1  # a BIGINT: larger would overflow in PostgreSQL


class StroomTicketUit(Antwoord):
    ticket: str = Field(description="Eenmalig streamticket; geef het mee als `?ticket=` aan GET /v1/gebeurtenissen")
    verloopt_op: str = Field(description="Tijdstip waarop het ticket verloopt (RFC 3339, UTC)")


def _tickets(request: Request) -> StroomTickets:
    return request.app.state.stroomtickets


async def _stroom(request: Request, dienst: GebeurtenisDienst, v: Verzoeker, positie: int,
                  verloopt: float | None) -> AsyncIterator[bytes]:
    yield b"retry: 2000\n\n"
    stil_sinds = time.monotonic()
    while not await request.is_disconnected():
        if verloopt is not None and time.time() >= verloopt:
            # The token expired: say so and end; the browser gets a new ticket with a fresh token.
            yield b"event: token-verlopen\ndata: {}\n\n"
            return
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


@router.post("/v1/gebeurtenissen/_ticket", response_model=StroomTicketUit, status_code=201,
             summary="Eenmalig streamticket voor een EventSource in de browser")
async def ticket(request: Request, d: Afh) -> StroomTicketUit:
    from datetime import datetime, timezone

    v = await verzoeker(request, None, request.headers.get("authorization"), request.headers.get("x-gebruiker"))
    d.gebeurtenissen.zichtbaar_voor(v)  # refuse now, not when the stream opens
    t, tot = _tickets(request).uitgeven(v, getattr(request.state, "token_verloopt", None))
    tijd = datetime.fromtimestamp(tot, timezone.utc).isoformat().replace("+00:00", "Z")
    return StroomTicketUit(ticket=t, verloopt_op=tijd)


@router.get("/v1/gebeurtenissen", summary="Domeingebeurtenissen als Server-Sent Events",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                             "description": "Stroom van CloudEvents (zie schemas/asyncapi.yaml)"}})
async def gebeurtenissen(
    request: Request,
    d: Afh,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    vanaf: Annotated[int | None, Query(ge=0, le=MAX_POSITIE,
                                       description="positie om na te beginnen; 0 = vanaf het begin")] = None,
    ticket: Annotated[str | None, Query(max_length=100, description="Eenmalig streamticket (browser-EventSource)")] = None,
) -> StreamingResponse:
    if ticket is not None:
        t = _tickets(request).inwisselen(ticket)
        if t is None:
            raise NietGeauthenticeerd("streamticket onbekend, al gebruikt of verlopen")
        v, verloopt = t.verzoeker, t.token_verloopt
    else:
        v = await verzoeker(request, None, request.headers.get("authorization"), request.headers.get("x-gebruiker"))
        verloopt = getattr(request.state, "token_verloopt", None)
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
    return StreamingResponse(_stroom(request, dienst, v, positie, verloopt), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
