"""Paging of every list (NL API Design Rules pagination extension): `pagina` and `paginaGrootte` in the query,
HAL `_links` (self, first, prev, next, last) in the body and `X-Total-Count`/`X-Pagination-*` headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field

MAX_PAGINA_GROOTTE = 100


@dataclass(frozen=True)
class Pagina:
    pagina: int
    grootte: int

    @property
    def offset(self) -> int:
        return (self.pagina - 1) * self.grootte


def _pagina(
    pagina: Annotated[int, Query(ge=1, le=100000, description="Paginanummer, vanaf 1")] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=MAX_PAGINA_GROOTTE,
                                         description=f"Aantal per pagina, ten hoogste {MAX_PAGINA_GROOTTE}")] = 20,
) -> Pagina:
    return Pagina(pagina, pagina_grootte)


Paginering = Annotated[Pagina, Depends(_pagina)]


class Link(BaseModel):
    href: str = Field(description="Relatieve URL", examples=["/v1/casussen?pagina=2&paginaGrootte=20"])


class PaginaLinks(BaseModel):
    self: Link
    first: Link
    prev: Link | None = None
    next: Link | None = None
    last: Link | None = None


def links(request: Request, response: Response, p: Pagina, totaal: int | None, *, meer: bool | None = None) -> PaginaLinks:
    """Links and headers for page `p`; `totaal` unknown (None) then `meer` says whether a next page exists."""
    rest = [(k, v) for k, v in request.query_params.multi_items() if k not in ("pagina", "paginaGrootte")]

    def href(n: int) -> Link:
        return Link(href=f"{request.url.path}?{urlencode([*rest, ('pagina', n), ('paginaGrootte', p.grootte)])}")

    laatste = max(1, -(-totaal // p.grootte)) if totaal is not None else None
    heeft_volgende = (p.pagina < laatste) if laatste is not None else bool(meer)
    response.headers["X-Pagination-Page"] = str(p.pagina)
    response.headers["X-Pagination-Limit"] = str(p.grootte)
    if totaal is not None:
        response.headers["X-Total-Count"] = str(totaal)
    return PaginaLinks(self=href(p.pagina), first=href(1), prev=href(p.pagina - 1) if p.pagina > 1 else None,
                       next=href(p.pagina + 1) if heeft_volgende else None,
                       last=href(laatste) if laatste is not None else None)


def snijd(rijen: list, p: Pagina) -> list:
    return rijen[p.offset:p.offset + p.grootte]
