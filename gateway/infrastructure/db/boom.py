"""The house's Merkle tree in the database: the frontier beside the counter, stored subtrees, proofs.

The writer grows the tree under the house lock, in the transaction that links the events, so the tree and the
chain never disagree. Proofs read at most two statements: the stored subtrees they need and, for subtrees of
fewer than 16 leaves, the ledger's own hashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain import merkle as M

from . import tables as t

_BATCH = 5000


class Boom:
    """One house's tree while a transaction links events into it (lives in the counter dict as `_boom`)."""

    __slots__ = ("frontier", "grootte", "knopen")

    def __init__(self, frontier: list[bytes], grootte: int):
        self.frontier = frontier
        self.grootte = grootte
        self.knopen: list[dict[str, Any]] = []  # stored subtrees completed in this transaction

    def voeg_toe(self, huis: str, event_hash: str) -> None:
        self.frontier, voltooid = M.toevoegen(self.frontier, self.grootte, M.blad_van_event(event_hash))
        self.grootte += 1
        self.knopen.extend({"huis": huis, "niveau": k.niveau, "positie": k.positie, "hash": k.hash.hex()}
                           for k in voltooid if k.niveau >= M.OPSLAG_NIVEAU)

    def wortel(self) -> str:
        return M.wortel(self.frontier).hex()

    def tekst(self) -> str:
        return M.frontier_naar_tekst(self.frontier)


async def boom_van(conn: AsyncConnection, huis: str, teller: dict[str, Any]) -> Boom:
    """The locked counter's tree; a chain from before the tree existed is rebuilt once from the ledger."""
    boom = teller.get("_boom")
    if boom is not None:
        return boom
    if teller.get("boom_frontier") is not None or teller["volgnummer"] == 0:
        boom = Boom(M.frontier_uit_tekst(teller.get("boom_frontier")), int(teller["volgnummer"]))
    else:
        boom = await herbouw(conn, huis, int(teller["volgnummer"]))
    teller["_boom"] = boom
    return boom


async def herbouw(conn: AsyncConnection, huis: str, tot: int) -> Boom:
    """The tree of events 1..tot from the ledger, its stored subtrees written anew (under the house lock)."""
    await conn.execute(delete(t.audit_boomknopen).where(t.audit_boomknopen.c.huis == huis))
    boom = Boom([], 0)
    c = t.audit_ledger.c
    vanaf = 0
    while vanaf < tot:
        rijen = (await conn.execute(
            select(c.volgnummer, c.hash).where(c.huis == huis, c.volgnummer > vanaf, c.volgnummer <= tot)
            .order_by(c.volgnummer).limit(_BATCH))).all()
        if not rijen:
            break
        for r in rijen:
            if r.volgnummer != boom.grootte + 1:
                raise ValueError(f"ledger van huis {huis} heeft een gat bij volgnummer {boom.grootte + 1}")
            boom.voeg_toe(huis, r.hash)
        vanaf = rijen[-1].volgnummer
        await schrijf_knopen(conn, boom)
    return boom


async def schrijf_knopen(conn: AsyncConnection, boom: Boom) -> None:
    if boom.knopen:
        await conn.execute(insert(t.audit_boomknopen), boom.knopen)
        boom.knopen = []


async def knopen_voor(conn: AsyncConnection, huis: str, nodig: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The perfect subtrees a proof needs: stored ones by key, small ones from the ledger's hashes."""
    groot = sorted(k for k in nodig if k[0] >= M.OPSLAG_NIVEAU)
    klein = sorted(k for k in nodig if k[0] < M.OPSLAG_NIVEAU)
    uit: dict[tuple[int, int], bytes] = {}
    if groot:
        k = t.audit_boomknopen.c
        # An OR of whole primary keys: SQLite then looks each one up (a row-value IN, or huis outside the OR,
        # makes it scan the house's subtrees).
        for r in await conn.execute(select(k.niveau, k.positie, k.hash).where(
                or_(*(and_(k.huis == huis, k.niveau == n, k.positie == p) for n, p in groot)))):
            uit[(r.niveau, r.positie)] = bytes.fromhex(r.hash)
    if klein:
        c = t.audit_ledger.c
        # Exact primary keys (at most two blocks of 16): an index look-up each on both databases.
        volgnummers = sorted({i + 1 for n, p in klein for i in range(p << n, (p + 1) << n)})
        bladen = {r.volgnummer - 1: M.blad_van_event(r.hash) for r in await conn.execute(
            select(c.volgnummer, c.hash).where(c.huis == huis, c.volgnummer.in_(volgnummers)))}
        for n, p in klein:
            uit[(n, p)] = M.knoop_uit_bladen(n, p, bladen)
    return uit


async def bewijs(conn: AsyncConnection, huis: str, bereiken: Sequence[tuple[int, int]]) -> list[str]:
    knopen = await knopen_voor(conn, huis, M.benodigde_knopen(bereiken))
    return [h.hex() for h in M.bewijs_uit_knopen(bereiken, knopen)]


class SqlAuditBewijzen:
    """Checkpoints and proofs for partners and the privacy officer (port AuditBewijzen)."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def checkpoints(self, huis: str, *, vanaf: int, limiet: int) -> list[dict[str, Any]]:
        c = t.audit_checkpoints.c
        async with self.engine.connect() as conn:
            rijen = await conn.execute(select(c.event).where(c.huis == huis, c.volgnummer >= vanaf)
                                       .order_by(c.volgnummer).limit(limiet))
            return [r.event["data"] for r in rijen]

    async def laatste_checkpoint(self, huis: str) -> dict[str, Any] | None:
        c = t.audit_checkpoints.c
        async with self.engine.connect() as conn:
            r = (await conn.execute(select(c.event).where(c.huis == huis).order_by(c.volgnummer.desc())
                                    .limit(1))).first()
        return r.event["data"] if r is not None else None

    async def checkpoint_op(self, huis: str, volgnummer: int) -> dict[str, Any] | None:
        c = t.audit_checkpoints.c
        async with self.engine.connect() as conn:
            r = (await conn.execute(select(c.event).where(c.huis == huis, c.volgnummer == volgnummer))).first()
        return r.event["data"] if r is not None else None

    async def verzoeker_van(self, huis: str, volgnummer: int) -> tuple[str, dict[str, Any]] | None:
        """The event's hash and its requester (partner, clientId): what decides who may have its proof."""
        c = t.audit_ledger.c
        async with self.engine.connect() as conn:
            r = (await conn.execute(select(c.hash, c.event).where(c.huis == huis, c.volgnummer == volgnummer))).first()
        if r is None:
            return None
        return r.hash, dict(r.event["data"].get("verzoeker") or {})

    async def opname(self, huis: str, blad: int, grootte: int) -> list[str]:
        async with self.engine.connect() as conn:
            return await bewijs(conn, huis, M.opname_bereiken(blad, grootte))

    async def consistentie(self, huis: str, van: int, tot: int) -> list[str]:
        async with self.engine.connect() as conn:
            return await bewijs(conn, huis, M.consistentie_bereiken(van, tot))
