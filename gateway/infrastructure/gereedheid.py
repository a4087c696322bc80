"""Readiness (/ready): a small list of named checks, each answering None (ok) or why the gateway is not ready.

/health stays liveness (the process answers); /ready says whether this replica should get traffic. Built in
(docs/storingen.md): the database is readable (`database`) and writable (`schrijven`: a committed one-row
update, and no failed write within a window: a full disk does not stop reads), the configuration is loaded
(`convenanten`), and with Kafka configured some relay holds the lease (`relay_leider`) and the oldest
unsent outbox row is young enough (`outbox_leeftijd`). Other parts add checks with `voeg_toe`.
Every check runs with a time limit: a hanging database makes /ready fail, not hang.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import tables as t
from .db.engine import is_sqlite
from .db.fouten import veilige_oorzaak
from .relay_leiderschap import lease_stand

Controlefunctie = Callable[[], Awaitable[str | None]]


@dataclass(frozen=True)
class Controle:
    naam: str
    controle: Controlefunctie


class Schrijffouten:
    """When a transaction with audit records last failed to commit (reported by the unit of work)."""

    def __init__(self) -> None:
        self.laatste: float | None = None  # monotonic
        self.oorzaak: dict[str, Any] = {}

    def meld(self, e: BaseException) -> None:
        self.laatste = time.monotonic()
        self.oorzaak = veilige_oorzaak(e)


class Gereedheid:
    def __init__(self, controles: list[Controle] | None = None, *, timeout_s: float = 2.0):
        self.controles: list[Controle] = list(controles or [])
        self.timeout_s = timeout_s

    def voeg_toe(self, naam: str, controle: Controlefunctie) -> None:
        self.controles.append(Controle(naam, controle))

    async def _een(self, c: Controle) -> str | None:
        try:
            return await asyncio.wait_for(c.controle(), timeout=self.timeout_s)
        except asyncio.TimeoutError:
            return f"geen antwoord binnen {self.timeout_s:g} s"
        except Exception as e:  # noqa: BLE001 - readiness reports, never raises
            o = veilige_oorzaak(e)
            return " ".join(str(o[k]) for k in ("fout", "oorzaak", "bericht") if k in o)

    async def rapport(self) -> tuple[bool, dict[str, str]]:
        uitkomsten = await asyncio.gather(*(self._een(c) for c in self.controles))
        per_naam = {c.naam: (u or "ok") for c, u in zip(self.controles, uitkomsten, strict=True)}
        return all(u is None for u in uitkomsten), per_naam


def standaard_controles(engine: AsyncEngine, *, schrijffouten: Schrijffouten, schrijffout_venster_s: float,
                        met_relay: bool, geen_leider_s: float, outbox_leeftijd_s: float) -> list[Controle]:
    sqlite = is_sqlite(str(engine.url))

    async def database() -> str | None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1 FROM huis_tellers LIMIT 1"))
        return None

    async def schrijven() -> str | None:
        if schrijffouten.laatste is not None and time.monotonic() - schrijffouten.laatste < schrijffout_venster_s:
            o = schrijffouten.oorzaak
            return "een schrijfactie mislukte zojuist: " + " ".join(
                str(o[k]) for k in ("fout", "oorzaak", "bericht") if k in o)
        async with engine.begin() as conn:
            await conn.execute(update(t.schrijfproef).where(t.schrijfproef.c.naam == "gereed")
                               .values(tijdstip=datetime.now(timezone.utc)))
        return None

    controles = [Controle("database", database), Controle("schrijven", schrijven)]
    if not met_relay:
        return controles

    async def relay_leider() -> str | None:
        async with engine.connect() as conn:
            stand = await lease_stand(conn, sqlite)
        if stand is None:
            return "geen leiderschapsrij (database niet gemigreerd?)"
        verloopt, nu = stand
        if nu - verloopt > geen_leider_s * 1000:
            return f"geen relay-leider sinds {(nu - verloopt) / 1000:.0f} s" if verloopt else "nog nooit een relay-leider"
        return None

    async def outbox_leeftijd() -> str | None:
        async with engine.connect() as conn:
            oudste = (await conn.execute(select(t.outbox.c.aangemaakt_op).where(t.outbox.c.verzonden_op.is_(None))
                                         .order_by(t.outbox.c.id).limit(1))).scalar()
        if oudste is None:
            return None
        leeftijd = (datetime.now(timezone.utc) - oudste).total_seconds()
        if leeftijd > outbox_leeftijd_s:
            return f"oudste onverzonden outbox-rij is {leeftijd:.0f} s oud (grens {outbox_leeftijd_s:g} s)"
        return None

    return [*controles, Controle("relay_leider", relay_leider), Controle("outbox_leeftijd", outbox_leeftijd)]
