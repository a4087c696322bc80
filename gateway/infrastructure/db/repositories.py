"""Repositories over SQLAlchemy Core: rows in, frozen domain objects out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.errors import Conflict
from gateway.domain.model import (
    Afspraak,
    AfspraakStatus,
    Agendapunt,
    Betrokkene,
    Casus,
    CasusStatus,
    Contactpunt,
    GegevenDoor,
    Overleg,
    Toestemming,
    Verwijzing,
)

from gateway.domain.toegang import Betrokkenheid

from . import tables as t


def _rij(obj: Any, **omzetten: Any) -> dict[str, Any]:
    d = {k: getattr(obj, k) for k in obj.__dataclass_fields__}
    d.update(omzetten)
    return d


# The statements of every lookup, built once: building a statement and its cache key costs about as much
# CPU as running it (~100 us of ~220 us on PostgreSQL).
_CASUS = select(t.casussen).where(t.casussen.c.huis == bindparam("huis"), t.casussen.c.id == bindparam("id"))
_CASUSSEN = select(t.casussen).where(t.casussen.c.huis == bindparam("huis"),
                                     t.casussen.c.id.in_(bindparam("ids", expanding=True)))
_OVERLEG = select(t.overleggen).where(t.overleggen.c.huis == bindparam("huis"), t.overleggen.c.id == bindparam("id"))
_AGENDAPUNTEN = (select(t.agendapunten).where(t.agendapunten.c.overleg_id == bindparam("overleg_id"))
                 .order_by(t.agendapunten.c.volgorde))
_BETROKKENEN_MET_BSN = (
    select(t.betrokkenen.c.id, t.identiteiten.c.geboortedatum, t.identiteiten.c.bsn_versleuteld)
    .select_from(t.betrokkenen.outerjoin(t.identiteiten))
    .where(t.betrokkenen.c.huis == bindparam("huis"), t.betrokkenen.c.id.in_(bindparam("ids", expanding=True)))
)
_TOESTEMMINGEN = (select(t.toestemmingen).where(t.toestemmingen.c.casus_id.in_(bindparam("ids", expanding=True)))
                  .order_by(t.toestemmingen.c.vastgelegd_op))


class _Repo:
    def __init__(self, conn: AsyncConnection):
        self._c = conn

    async def _een(self, q, **params: Any) -> dict[str, Any] | None:  # noqa: ANN001
        r = (await self._c.execute(q, params or None)).mappings().first()
        return dict(r) if r else None

    async def _alle(self, q, **params: Any) -> list[dict[str, Any]]:  # noqa: ANN001
        return [dict(r) for r in (await self._c.execute(q, params or None)).mappings()]


class SqlBetrokkenen(_Repo):
    async def vind(self, huis: str, *pseudoniemen: str) -> Betrokkene | None:
        i = t.identiteiten.c
        if len(pseudoniemen) == 1:
            r = await self._een(select(i.betrokkene_id, i.geboortedatum)
                                .where(i.huis == huis, i.pseudoniem == pseudoniemen[0]))
            return Betrokkene(r["betrokkene_id"], huis, r["geboortedatum"]) if r else None
        # Mid-rotation: one query over the person's pseudonym under every key; the earliest key given wins.
        rijen = {r["pseudoniem"]: r for r in await self._alle(
            select(i.betrokkene_id, i.geboortedatum, i.pseudoniem)
            .where(i.huis == huis, i.pseudoniem.in_(pseudoniemen)))}
        for p in pseudoniemen:
            if p in rijen:
                return Betrokkene(rijen[p]["betrokkene_id"], huis, rijen[p]["geboortedatum"])
        return None

    async def ophalen(self, huis: str, id: UUID) -> Betrokkene | None:
        q = (
            select(t.betrokkenen.c.id, t.identiteiten.c.geboortedatum)
            .select_from(t.betrokkenen.outerjoin(t.identiteiten))
            .where(t.betrokkenen.c.huis == huis, t.betrokkenen.c.id == id)
        )
        r = await self._een(q)
        return Betrokkene(r["id"], huis, r["geboortedatum"]) if r else None

    async def vind_of_voeg_toe(self, b: Betrokkene, pseudoniem: str, versleuteld: bytes, *,
                               sleutelversie: int, eerdere: Sequence[str] = ()) -> Betrokkene:
        bestaand = await self.vind(b.huis, pseudoniem, *eerdere)
        if bestaand is not None:
            return bestaand
        try:
            async with self._c.begin_nested():
                await self._c.execute(
                    insert(t.betrokkenen).values(id=b.id, huis=b.huis, aangemaakt_op=datetime.now(timezone.utc))
                )
                await self._c.execute(
                    insert(t.identiteiten).values(
                        betrokkene_id=b.id,
                        huis=b.huis,
                        pseudoniem=pseudoniem,
                        bsn_versleuteld=versleuteld,
                        geboortedatum=b.geboortedatum,
                        sleutelversie=sleutelversie,
                    )
                )
        except IntegrityError:  # registered concurrently by another request
            bestaand = await self.vind(b.huis, pseudoniem, *eerdere)
            assert bestaand is not None
            return bestaand
        return b

    async def geboortedatum_corrigeren(self, huis: str, id: UUID, geboortedatum: date | None) -> None:
        await self._c.execute(update(t.identiteiten).where(t.identiteiten.c.huis == huis,
                                                           t.identiteiten.c.betrokkene_id == id)
                              .values(geboortedatum=geboortedatum))

    async def ophalen_alle(self, huis: str, ids: Sequence[UUID]) -> dict[UUID, Betrokkene]:
        if not ids:
            return {}
        q = (
            select(t.betrokkenen.c.id, t.identiteiten.c.geboortedatum)
            .select_from(t.betrokkenen.outerjoin(t.identiteiten))
            .where(t.betrokkenen.c.huis == huis, t.betrokkenen.c.id.in_(set(ids)))
        )
        return {r["id"]: Betrokkene(r["id"], huis, r["geboortedatum"]) for r in await self._alle(q)}

    async def ophalen_alle_met_bsn(self, huis: str, ids: Sequence[UUID]) -> dict[UUID, tuple[Betrokkene, bytes | None]]:
        """The betrokkenen and their encrypted BSN (None once the identity is gone), in one query."""
        if not ids:
            return {}
        return {r["id"]: (Betrokkene(r["id"], huis, r["geboortedatum"]), r["bsn_versleuteld"])
                for r in await self._alle(_BETROKKENEN_MET_BSN, huis=huis, ids=list(set(ids)))}


def _casus(r: dict[str, Any]) -> Casus:
    return Casus(**{**r, "status": CasusStatus(r["status"])})


class SqlCasussen(_Repo):
    async def toevoegen(self, casus: Casus) -> None:
        try:
            async with self._c.begin_nested():
                await self._c.execute(insert(t.casussen).values(_rij(casus, status=casus.status.value)))
        except IntegrityError:
            # The partial unique index caught a concurrent duplicate open casus.
            raise Conflict("er is al een open casus voor deze betrokkene en dit thema") from None

    async def ophalen(self, huis: str, id: UUID) -> Casus | None:
        r = await self._een(_CASUS, huis=huis, id=id)
        return _casus(r) if r else None

    async def ophalen_alle(self, huis: str, ids: Sequence[UUID]) -> dict[UUID, Casus]:
        if not ids:
            return {}
        return {r["id"]: _casus(r) for r in await self._alle(_CASUSSEN, huis=huis, ids=list(set(ids)))}

    async def bijwerken(self, casus: Casus) -> None:
        waarden = _rij(casus, status=casus.status.value)
        await self._c.execute(update(t.casussen).where(t.casussen.c.id == casus.id).values(waarden))

    async def open_voor(self, huis: str, betrokkene_id: UUID, thema: str) -> Casus | None:
        q = select(t.casussen).where(
            t.casussen.c.huis == huis,
            t.casussen.c.betrokkene_id == betrokkene_id,
            t.casussen.c.thema == thema,
            t.casussen.c.status != CasusStatus.AFGESLOTEN.value,
        )
        r = await self._een(q)
        return _casus(r) if r else None

    async def van_betrokkene(self, huis: str, betrokkene_id: UUID) -> list[Casus]:
        q = (
            select(t.casussen)
            .where(t.casussen.c.huis == huis, t.casussen.c.betrokkene_id == betrokkene_id)
            .order_by(t.casussen.c.aangemeld_op)
        )
        return [_casus(r) for r in await self._alle(q)]

    async def lijst(
        self,
        huis: str,
        *,
        themas: set[str] | None,
        thema: str | None,
        status: CasusStatus | None,
        offset: int,
        limit: int,
        betrokken: tuple[str, frozenset[str]] | None = None,
    ) -> tuple[list[Casus], int]:
        voorwaarden = [t.casussen.c.huis == huis]
        if themas is not None:
            voorwaarden.append(t.casussen.c.thema.in_(sorted(themas)))
        if betrokken is not None:  # need-to-know (gateway.domain.toegang.casus_zicht), in SQL for paging
            p, typen = betrokken
            agenda = (select(t.agendapunten.c.casus_id)
                      .select_from(t.agendapunten.join(t.overleggen, t.overleggen.c.id == t.agendapunten.c.overleg_id))
                      .where(t.overleggen.c.overlegtype.in_(sorted(typen) or [""])))
            uitvoerder = select(t.afspraken.c.casus_id).where(t.afspraken.c.uitvoerder == p)
            voorwaarden.append(or_(t.casussen.c.aangemeld_door == p, t.casussen.c.casusregisseur == p,
                                   t.casussen.c.id.in_(agenda), t.casussen.c.id.in_(uitvoerder)))
        if thema is not None:
            voorwaarden.append(t.casussen.c.thema == thema)
        if status is not None:
            voorwaarden.append(t.casussen.c.status == status.value)
        totaal = (await self._c.execute(select(func.count()).select_from(t.casussen).where(*voorwaarden))).scalar_one()
        q = (
            select(t.casussen)
            .where(*voorwaarden)
            .order_by(t.casussen.c.aangemeld_op, t.casussen.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [_casus(r) for r in await self._alle(q)], int(totaal)


    async def betrokkenheid(self, casus: Casus) -> Betrokkenheid:
        typen = (select(t.overleggen.c.overlegtype).distinct()
                 .select_from(t.agendapunten.join(t.overleggen, t.overleggen.c.id == t.agendapunten.c.overleg_id))
                 .where(t.agendapunten.c.casus_id == casus.id))
        uitvoerders = select(t.afspraken.c.uitvoerder).distinct().where(t.afspraken.c.casus_id == casus.id)
        return Betrokkenheid(
            aangemeld_door=casus.aangemeld_door, casusregisseur=casus.casusregisseur,
            uitvoerders=frozenset((await self._c.execute(uitvoerders)).scalars()),
            overlegtypen=frozenset((await self._c.execute(typen)).scalars()),
        )


class SqlOverleggen(_Repo):
    async def toevoegen(self, overleg: Overleg) -> None:
        await self._c.execute(insert(t.overleggen).values(_rij(overleg)))

    async def ophalen(self, huis: str, id: UUID) -> Overleg | None:
        r = await self._een(_OVERLEG, huis=huis, id=id)
        return Overleg(**r) if r else None

    async def lijst(self, huis: str, *, overlegtypen: set[str] | None, overlegtype: str | None,
                    vanaf: date | None, tot: date | None, offset: int, limit: int) -> tuple[list[Overleg], int]:
        c = t.overleggen.c
        v = [c.huis == huis]
        if overlegtypen is not None:
            v.append(c.overlegtype.in_(sorted(overlegtypen)))
        if overlegtype is not None:
            v.append(c.overlegtype == overlegtype)
        if vanaf is not None:
            v.append(c.datum >= vanaf)
        if tot is not None:
            v.append(c.datum <= tot)
        totaal = (await self._c.execute(select(func.count()).select_from(t.overleggen).where(*v))).scalar_one()
        q = select(t.overleggen).where(*v).order_by(c.datum, c.id).offset(offset).limit(limit)
        return [Overleg(**r) for r in await self._alle(q)], int(totaal)

    async def agendapunten(self, overleg_id: UUID) -> list[Agendapunt]:
        return [Agendapunt(**r) for r in await self._alle(_AGENDAPUNTEN, overleg_id=overleg_id)]

    async def agendapunt_toevoegen(self, punt: Agendapunt) -> None:
        try:
            async with self._c.begin_nested():
                await self._c.execute(insert(t.agendapunten).values(_rij(punt)))
        except IntegrityError:
            raise Conflict("deze casus staat al op de agenda van dit overleg") from None

    async def agendapunt_verwijderen(self, overleg_id: UUID, id: UUID) -> Agendapunt | None:
        q = select(t.agendapunten).where(t.agendapunten.c.overleg_id == overleg_id, t.agendapunten.c.id == id)
        r = await self._een(q)
        if r is None:
            return None
        await self._c.execute(delete(t.agendapunten).where(t.agendapunten.c.id == id))
        return Agendapunt(**r)

    async def volgende_volgorde(self, overleg_id: UUID) -> int:
        q = select(func.max(t.agendapunten.c.volgorde)).where(t.agendapunten.c.overleg_id == overleg_id)
        return int((await self._c.execute(q)).scalar() or 0) + 1


def _afspraak(r: dict[str, Any]) -> Afspraak:
    r = {k: v for k, v in r.items() if k != "verloop_gemeld_op"}
    return Afspraak(**{**r, "status": AfspraakStatus(r["status"])})


class SqlAfspraken(_Repo):
    async def toevoegen(self, a: Afspraak) -> None:
        await self._c.execute(insert(t.afspraken).values(_rij(a, status=a.status.value)))

    async def ophalen(self, huis: str, id: UUID) -> Afspraak | None:
        r = await self._een(select(t.afspraken).where(t.afspraken.c.huis == huis, t.afspraken.c.id == id))
        return _afspraak(r) if r else None

    async def bijwerken(self, a: Afspraak) -> None:
        await self._c.execute(
            update(t.afspraken).where(t.afspraken.c.id == a.id).values(_rij(a, status=a.status.value))
        )

    async def voor_casus(self, casus_id: UUID) -> list[Afspraak]:
        q = select(t.afspraken).where(t.afspraken.c.casus_id == casus_id).order_by(t.afspraken.c.vastgelegd_op)
        return [_afspraak(r) for r in await self._alle(q)]

    async def lijst(
        self,
        huis: str,
        *,
        themas: set[str] | None,
        status: AfspraakStatus | None,
        uitvoerder: str | None,
        verlopen_op: date | None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[tuple[Afspraak, UUID]]:
        v = self._filter(huis, themas=themas, status=status, uitvoerder=uitvoerder, verlopen_op=verlopen_op)
        q = (
            select(t.afspraken, t.casussen.c.betrokkene_id.label("_betrokkene"))
            .select_from(t.afspraken.join(t.casussen, t.casussen.c.id == t.afspraken.c.casus_id))
            .where(*v)
            .order_by(t.afspraken.c.deadline, t.afspraken.c.id)
            .offset(offset)
            .limit(limit)
        )
        uit = []
        for r in await self._alle(q):
            b = r.pop("_betrokkene")
            uit.append((_afspraak(r), b))
        return uit

    async def aantal(self, huis: str, *, themas: set[str] | None, status: AfspraakStatus | None,
                     uitvoerder: str | None, verlopen_op: date | None) -> int:
        v = self._filter(huis, themas=themas, status=status, uitvoerder=uitvoerder, verlopen_op=verlopen_op)
        q = (select(func.count()).select_from(t.afspraken.join(t.casussen, t.casussen.c.id == t.afspraken.c.casus_id))
             .where(*v))
        return int((await self._c.execute(q)).scalar_one())

    @staticmethod
    def _filter(huis: str, *, themas: set[str] | None, status: AfspraakStatus | None, uitvoerder: str | None,
                verlopen_op: date | None) -> list[Any]:
        v = [t.afspraken.c.huis == huis]
        if themas is not None:
            v.append(t.casussen.c.thema.in_(sorted(themas)))
        if status is not None:
            v.append(t.afspraken.c.status == status.value)
        if uitvoerder is not None:
            v.append(t.afspraken.c.uitvoerder == uitvoerder)
        if verlopen_op is not None:
            v += [t.afspraken.c.status == AfspraakStatus.OPEN.value, t.afspraken.c.deadline < verlopen_op]
        return v

    async def verlopen_zonder_melding(self, huis: str, vandaag: date) -> list[Afspraak]:
        q = select(t.afspraken).where(
            t.afspraken.c.huis == huis,
            t.afspraken.c.status == AfspraakStatus.OPEN.value,
            t.afspraken.c.deadline < vandaag,
            t.afspraken.c.verloop_gemeld_op.is_(None),
        )
        return [_afspraak(r) for r in await self._alle(q)]

    async def verloop_gemeld(self, id: UUID) -> None:
        await self._c.execute(
            update(t.afspraken).where(t.afspraken.c.id == id).values(verloop_gemeld_op=datetime.now(timezone.utc))
        )


def _toestemming(r: dict[str, Any]) -> Toestemming:
    return Toestemming(**{**r, "gegeven_door": GegevenDoor(r["gegeven_door"]), "ontvangers": tuple(r["ontvangers"] or ())})


class SqlToestemmingen(_Repo):
    async def toevoegen(self, x: Toestemming) -> None:
        await self._c.execute(insert(t.toestemmingen).values(
            _rij(x, gegeven_door=x.gegeven_door.value, ontvangers=list(x.ontvangers))))

    async def ophalen(self, casus_id: UUID, id: UUID) -> Toestemming | None:
        q = select(t.toestemmingen).where(t.toestemmingen.c.casus_id == casus_id, t.toestemmingen.c.id == id)
        r = await self._een(q)
        return _toestemming(r) if r else None

    async def intrekken(self, x: Toestemming) -> None:
        await self._c.execute(update(t.toestemmingen).where(t.toestemmingen.c.id == x.id).values(
            ingetrokken_op=x.ingetrokken_op, ingetrokken_door=x.ingetrokken_door))

    async def voor_casus(self, casus_id: UUID) -> list[Toestemming]:
        q = select(t.toestemmingen).where(t.toestemmingen.c.casus_id == casus_id).order_by(t.toestemmingen.c.vastgelegd_op)
        return [_toestemming(r) for r in await self._alle(q)]

    async def voor_casussen(self, casus_ids: Sequence[UUID]) -> dict[UUID, list[Toestemming]]:
        uit: dict[UUID, list[Toestemming]] = {i: [] for i in casus_ids}
        if not casus_ids:
            return uit
        for r in await self._alle(_TOESTEMMINGEN, ids=list(set(casus_ids))):
            uit[r["casus_id"]].append(_toestemming(r))
        return uit


def _verwijzing_rij(v: Verwijzing) -> dict[str, Any]:
    cp = v.contactpunt
    return _rij(v, contactpunt={"naam": cp.naam, "telefoon": cp.telefoon, "email": cp.email} if cp else None)


class SqlVerwijzingen(_Repo):
    async def opslaan_alle(self, verwijzingen: Sequence[Verwijzing]) -> None:
        """All at once: one statement (a multi-row insert) instead of one round trip each."""
        rijen = [_verwijzing_rij(v) for v in verwijzingen]
        if len(rijen) == 1:
            await self._c.execute(insert(t.verwijzingen).values(rijen[0]))
        elif rijen:
            await self._c.execute(insert(t.verwijzingen), rijen)

    async def voor_casus(self, casus_id: UUID) -> list[Verwijzing]:
        q = select(t.verwijzingen).where(t.verwijzingen.c.casus_id == casus_id).order_by(t.verwijzingen.c.opgehaald_op)
        uit = []
        for r in await self._alle(q):
            cp = r["contactpunt"]
            uit.append(Verwijzing(**{**r, "contactpunt": Contactpunt(**cp) if cp else None}))
        return uit
