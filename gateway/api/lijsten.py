"""Paged list responses: every list has `pagina`, `paginaGrootte`, `totaal` and HAL `_links` (docs/api.md)."""

from __future__ import annotations

from pydantic import Field

from .paging import PaginaLinks
from .schemas import (
    AfsprakenUit,
    AgendaUit,
    Antwoord,
    AuditGebeurtenissenUit,
    CasusPagina,
    OverlegUit,
    ResultatenUit,
    ToestemmingenUit,
)


class Gepagineerd(Antwoord):
    pagina: int = Field(description="Paginanummer, vanaf 1", examples=[1])
    pagina_grootte: int = Field(description="Aantal per pagina", examples=[20])
    totaal: int | None = Field(default=None, description="Totaal over alle pagina's (onbekend: afwezig)",
                               examples=[42])
    links: PaginaLinks = Field(alias="_links", description="Links naar deze, de eerste, vorige, volgende en laatste pagina")


class CasussenPagina(CasusPagina, Gepagineerd):
    pass


class AfsprakenPagina(AfsprakenUit, Gepagineerd):
    pass


class AgendaPagina(AgendaUit, Gepagineerd):
    pass


class ToestemmingenPagina(ToestemmingenUit, Gepagineerd):
    pass


class VerwijzingenPagina(ResultatenUit, Gepagineerd):
    pass


class AuditPagina(AuditGebeurtenissenUit, Gepagineerd):
    pass


class OverleggenPagina(Gepagineerd):
    overleggen: list[OverlegUit] = Field(description="De overleggen")
