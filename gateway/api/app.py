"""The FastAPI application: routers, problem+json handlers, middleware. Built by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.domain.errors import KetenpoortFout

from .deps import API_VERSIE, Afhankelijkheden
from .cors import Cors
from .documentatie import voeg_documentatie_toe
from .middleware import GatewayMiddleware
from .openapi_doc import verrijk
from .problems import database_fout, domein_fout, http_fout, onverwachte_fout, validatie_fout
from .routering import RouteringMiddleware
from .stroomtickets import StroomTickets
from .routers import afspraken, audit, bewijzen, casussen, gebeurtenissen, operations, overleggen, toestemmingen, verwijzingen

BESCHRIJVING = """
Ketenpoort houdt alleen casusregistraties, agenda's, afspraken en verwijzingen (*dat* een
partner een persoon kent, nooit *wat*). Elke uitwisseling wordt getoetst aan het convenant
en vastgelegd in een hash-geketend auditlog. Fouten zijn `application/problem+json`.
"""


def create_app(
    afh: Afhankelijkheden,
    *,
    extra_routers: Sequence[APIRouter] = (),
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    app = FastAPI(
        title="Ketenpoort",
        version=API_VERSIE,
        description=BESCHRIJVING,
        openapi_url="/v1/openapi.json",
        docs_url=None,  # served offline by voeg_documentatie_toe
        redoc_url=None,
        redirect_slashes=False,  # NL API Design Rules: no trailing slashes, no redirects
        lifespan=lifespan,
    )
    app.state.afhankelijkheden = afh
    app.state.stroomtickets = StroomTickets(afh.stream_ticket_seconds)
    app.add_exception_handler(RequestValidationError, validatie_fout)
    app.add_exception_handler(KetenpoortFout, domein_fout)
    app.add_exception_handler(StarletteHTTPException, http_fout)
    app.add_exception_handler(Exception, onverwachte_fout)
    for soort in afh.databasefouten:  # a lost or slow database is a 503 with Retry-After, never a 500
        app.add_exception_handler(soort, database_fout)
    for r in (operations.router, casussen.router, overleggen.router, afspraken.router, toestemmingen.router,
              verwijzingen.router, audit.router, bewijzen.router, gebeurtenissen.router, *extra_routers):
        app.include_router(r)
    voeg_documentatie_toe(app)
    _documenteer(app)
    # Outermost last: limits and headers, then CORS, then method/query/media-type rules, then the routes.
    app.add_middleware(RouteringMiddleware, routes=app.router.routes)
    app.add_middleware(Cors, origins=afh.cors_origins)
    app.add_middleware(GatewayMiddleware, api_versie=API_VERSIE, max_body=afh.max_body_bytes,
                       metrieken=afh.metrieken, max_headers=afh.max_header_bytes, keepalive=afh.keepalive)
    return app




CONTACT = {"name": "Ketenpoort, beheer van het Zorg- en Veiligheidshuis", "url": "https://ketenpoort.example/contact",
           "email": "beheer@ketenpoort.example"}


def _documenteer(app: FastAPI) -> None:
    bouw = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = verrijk(bouw(), contact=CONTACT)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
