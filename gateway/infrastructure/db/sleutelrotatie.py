"""The identity table for the key rotation: keyset-paged reads, and one short transaction per batch of writes."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Integer, LargeBinary, String, Uuid, and_, bindparam, column, func, or_, select, update, values
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.sleutelrotatie import Dubbel, Hersleuteld, IdentiteitRij, PartijUitkomst

from . import tables as t

_I = t.identiteiten.c


class SqlIdentiteitRijen:
    def __init__(self, engine: AsyncEngine):
        self._engine = engine

    async def per_versie(self) -> dict[int, int]:
        async with self._engine.connect() as conn:
            q = select(_I.sleutelversie, func.count()).group_by(_I.sleutelversie)
            return {int(v): int(n) for v, n in await conn.execute(q)}

    async def onbekende_versie(self, bekend: frozenset[int]) -> bool:
        """Whether any row was made with a key version not in `bekend`: index seeks only, cheap enough for /ready."""
        laag, hoog = min(bekend), max(bekend)
        gaten = [v for v in range(laag, hoog) if v not in bekend][:100]
        voorwaarde = or_(_I.sleutelversie < laag, _I.sleutelversie > hoog,
                         *([_I.sleutelversie.in_(gaten)] if gaten else []))
        async with self._engine.connect() as conn:
            return (await conn.execute(select(_I.betrokkene_id).where(voorwaarde).limit(1))).first() is not None

    async def partij(self, versie: int, na: UUID | None, limiet: int) -> list[IdentiteitRij]:
        # (sleutelversie, betrokkene_id) is indexed: each batch is one index range, however far the run is.
        q = (select(_I.betrokkene_id, _I.huis, _I.pseudoniem, _I.bsn_versleuteld, _I.sleutelversie)
             .where(_I.sleutelversie == versie, *([_I.betrokkene_id > na] if na is not None else []))
             .order_by(_I.betrokkene_id).limit(limiet))
        async with self._engine.connect() as conn:
            return [IdentiteitRij(r.betrokkene_id, r.huis, r.pseudoniem, bytes(r.bsn_versleuteld), int(r.sleutelversie))
                    for r in await conn.execute(q)]

    async def herschrijf(self, rijen: Sequence[Hersleuteld]) -> PartijUitkomst:
        if not rijen:
            return PartijUitkomst(0, 0)
        try:
            async with self._engine.begin() as conn:
                herschreven = await _schrijf_partij(conn, rijen)
            return PartijUitkomst(herschreven, len(rijen) - herschreven)
        except IntegrityError:
            pass
        # Rare: a new pseudonym already has a row (two betrokkenen for one person, from a key change made
        # before keys were versioned). Again, row by row, so only those rows stay behind.
        herschreven, dubbel = 0, []
        async with self._engine.begin() as conn:
            for r in rijen:
                try:
                    async with conn.begin_nested():
                        herschreven += await _schrijf(conn, r)
                except IntegrityError:
                    ander = (await conn.execute(select(_I.betrokkene_id).where(
                        _I.huis == r.oud.huis, _I.pseudoniem == r.pseudoniem))).scalar()
                    dubbel.append(Dubbel(r.oud.betrokkene_id, ander))
        return PartijUitkomst(herschreven, len(rijen) - herschreven - len(dubbel), tuple(dubbel))


_PER_RIJ = (update(t.identiteiten)
            .where(_I.betrokkene_id == bindparam("b_id"), _I.sleutelversie == bindparam("oude_versie"),
                   _I.pseudoniem == bindparam("oud_pseudoniem"))
            .values(pseudoniem=bindparam("nieuw_pseudoniem"), bsn_versleuteld=bindparam("bsn"),
                    sleutelversie=bindparam("versie")))


async def _schrijf_partij(conn: AsyncConnection, rijen: Sequence[Hersleuteld]) -> int:
    """The whole batch in one statement: one round trip on PostgreSQL, one executemany in SQLite's process."""
    if conn.dialect.name == "sqlite":  # no column list on a VALUES alias; executemany sums its rowcounts
        res = await conn.execute(_PER_RIJ, [
            {"b_id": r.oud.betrokkene_id, "oude_versie": r.oud.sleutelversie, "oud_pseudoniem": r.oud.pseudoniem,
             "nieuw_pseudoniem": r.pseudoniem, "bsn": r.bsn_versleuteld, "versie": r.sleutelversie} for r in rijen])
        return int(res.rowcount)
    v = values(column("b_id", Uuid), column("oude_versie", Integer), column("oud_pseudoniem", String),
               column("pseudoniem", String), column("bsn", LargeBinary), column("versie", Integer),
               name="nieuw").data([(r.oud.betrokkene_id, r.oud.sleutelversie, r.oud.pseudoniem, r.pseudoniem,
                                    r.bsn_versleuteld, r.sleutelversie) for r in rijen])
    # Same condition as _schrijf: only rows still exactly as they were read.
    q = (update(t.identiteiten)
         .where(_I.betrokkene_id == v.c.b_id, _I.sleutelversie == v.c.oude_versie, _I.pseudoniem == v.c.oud_pseudoniem)
         .values(pseudoniem=v.c.pseudoniem, bsn_versleuteld=v.c.bsn, sleutelversie=v.c.versie)
         .returning(_I.betrokkene_id))
    return len((await conn.execute(q)).all())


async def _schrijf(conn: AsyncConnection, r: Hersleuteld) -> int:
    # Only the row exactly as it was read: a concurrent run, or a deletion at the end of the retention
    # term, wins, and this row is simply not counted.
    res = await conn.execute(
        update(t.identiteiten)
        .where(and_(_I.betrokkene_id == r.oud.betrokkene_id, _I.sleutelversie == r.oud.sleutelversie,
                    _I.pseudoniem == r.oud.pseudoniem))
        .values(pseudoniem=r.pseudoniem, bsn_versleuteld=r.bsn_versleuteld, sleutelversie=r.sleutelversie))
    return 1 if res.rowcount else 0
