"""Overleggen and their agenda: planned by the procesregisseur, seen by the overlegtype's participants."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from gateway.domain.audit import Handeling
from gateway.domain.convenant import Overlegtype
from gateway.domain.errors import Conflict, GeenToegang, NietGevonden, OngeldigeInvoer
from gateway.domain.events import DomeinGebeurtenis, GebeurtenisType
from gateway.domain.model import Agendapunt, CasusStatus, Overleg, Verzoeker
from gateway.domain.convenant import Weigering, leeftijd_op
from gateway.domain.ports import UnitOfWork
from gateway.domain.toegang import Toegang, overleg_toegang, procesregie

from .common import Omgeving, audit, geldigheid, weiger, weiger_invoer


def _gebeurtenis(type_: GebeurtenisType, o: Overleg, **data: object) -> DomeinGebeurtenis:
    return DomeinGebeurtenis(
        type=type_,
        huis=o.huis,
        sleutel=o.id,
        dataref=f"/v1/overleggen/{o.id}",
        data={"overlegId": str(o.id), "overlegtype": o.overlegtype, "datum": o.datum.isoformat(), **data},
        overlegtype=o.overlegtype,
    )


def deelnemers(o: Overlegtype) -> list[str]:
    uit = [o.voorzitter] if o.voorzitter else []
    return uit + [p for p in (*o.kernpartners, *o.schilpartners) if p not in uit]


class OverlegDienst:
    def __init__(self, omg: Omgeving):
        self.omg = omg

    async def plannen(self, v: Verzoeker, *, overlegtype: str, datum: date,
                      gemeente: str | None = None) -> tuple[Overleg, Overlegtype]:
        c = self.omg.convenant(v)
        if overlegtype not in c.overlegtypen:
            raise OngeldigeInvoer([("overlegtype", f"onbekend; kies uit {', '.join(c.overlegtypen)}")])
        ot = c.overlegtypen[overlegtype]
        # A nazorg meeting is for one municipality of return: fixed by its type, or named when it is planned.
        if gemeente is not None and gemeente not in c.gemeenten():
            raise OngeldigeInvoer([("gemeente", "geen gemeente van dit convenant")])
        if gemeente is not None and ot.gemeente is not None and gemeente != ot.gemeente:
            raise OngeldigeInvoer([("gemeente", f"overlegtype {overlegtype} is voor {ot.gemeente}")])
        if ot.is_nazorg and (gemeente or ot.gemeente) is None:
            raise OngeldigeInvoer([("gemeente", "verplicht voor een nazorgoverleg (de gemeente van terugkeer)")])
        t = procesregie(v, "overleggen plannen")
        if not t.toegestaan:
            raise GeenToegang(t.reden or "", t.regel)
        overleg = Overleg(uuid4(), v.huis, overlegtype, datum, v.ontvanger, self.omg.klok.nu(), gemeente or ot.gemeente)
        async with self.omg.uow() as uow:
            await uow.overleggen.toevoegen(overleg)
            await uow.gebeurtenissen.toevoegen(_gebeurtenis(GebeurtenisType.OVERLEG_GEPLAND, overleg))
            await uow.commit()
        return overleg, c.overlegtypen[overlegtype]

    async def lijst(self, v: Verzoeker, *, overlegtype: str | None, vanaf: date | None, tot: date | None,
                    offset: int, limit: int) -> tuple[list[tuple[Overleg, Overlegtype]], int]:
        """The procesregisseur sees every overleg of the house; a partner those of its overlegtypen."""
        c = self.omg.convenant(v)
        if overlegtype is not None and overlegtype not in c.overlegtypen:
            raise OngeldigeInvoer([("overlegtype", f"onbekend; kies uit {', '.join(c.overlegtypen)}")])
        if procesregie(v, "overleggen inzien").toegestaan:
            typen = None
        else:
            typen = {naam for naam in c.overlegtypen if overleg_toegang(c, v, naam).toegestaan}
            if not typen:
                raise GeenToegang(f"client {v.client_id} neemt aan geen overlegtype deel", "T-DEELNAME")
        async with self.omg.uow() as uow:
            rijen, totaal = await uow.overleggen.lijst(v.huis, overlegtypen=typen, overlegtype=overlegtype,
                                                       vanaf=vanaf, tot=tot, offset=offset, limit=limit)
        return [(o, c.overlegtypen[o.overlegtype]) for o in rijen if o.overlegtype in c.overlegtypen], totaal

    async def _overleg(self, uow: UnitOfWork, v: Verzoeker, overleg_id: UUID) -> Overleg:
        o = await uow.overleggen.ophalen(v.huis, overleg_id)
        if o is None:
            raise NietGevonden("overleg")
        return o

    async def inzien(self, v: Verzoeker, overleg_id: UUID) -> tuple[Overleg, Overlegtype]:
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            o = await self._overleg(uow, v, overleg_id)
        t = overleg_toegang(c, v, o.overlegtype)
        if not t.toegestaan:  # no personal data in an overleg itself: refused, not audited
            raise GeenToegang(t.reden or "", t.regel)
        return o, c.overlegtypen[o.overlegtype]

    async def agendapunt_toevoegen(self, v: Verzoeker, overleg_id: UUID, casus_id: UUID) -> Agendapunt:
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            o = await self._overleg(uow, v, overleg_id)
            casus = await uow.casussen.ophalen(v.huis, casus_id)
            if casus is None:  # same answer for missing and another house's casus
                raise OngeldigeInvoer([("casusId", "casus niet gevonden")])
            t = procesregie(v, "agendapunten toevoegen")
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AGENDAPUNT_TOEVOEGEN, t, betrokkene=casus.betrokkene_id,
                                   casus_id=casus.id, overleg_id=o.id, overlegtype=o.overlegtype)
            ot = c.overlegtypen[o.overlegtype]
            if casus.thema not in ot.themas:
                raise OngeldigeInvoer([("casusId", f"thema {casus.thema} hoort niet bij overlegtype {o.overlegtype}")])
            if casus.status is CasusStatus.AFGESLOTEN:
                raise Conflict("een afgesloten casus kan niet op de agenda")
            ctx = dict(betrokkene=casus.betrokkene_id, casus_id=casus.id, overleg_id=o.id, overlegtype=o.overlegtype)
            g = geldigheid(c, self.omg.vandaag())
            if not g.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AGENDAPUNT_TOEVOEGEN, g, **ctx)
            gemeente = o.gemeente or ot.gemeente
            if (ot.is_nazorg or gemeente is not None) and casus.gemeente != gemeente:
                raise await weiger_invoer(uow, self.omg, v, Handeling.AGENDAPUNT_TOEVOEGEN, Toegang(
                    False, Weigering.GEMEENTE.value, f"dit overleg is voor {gemeente or 'geen gemeente'}; de casus"
                    " noemt een andere gemeente van terugkeer"), "casusId", **ctx)
            if ot.leeftijd_min is not None or ot.leeftijd_max is not None:
                b = await uow.betrokkenen.ophalen(v.huis, casus.betrokkene_id)
                leeftijd = leeftijd_op(b.geboortedatum if b else None, o.datum)
                # unknown age is not refused here: the procesregie checks it (docs/noodzaak.md)
                if leeftijd is not None and not ((ot.leeftijd_min or 0) <= leeftijd <= (ot.leeftijd_max or 200)):
                    raise await weiger_invoer(uow, self.omg, v, Handeling.AGENDAPUNT_TOEVOEGEN, Toegang(
                        False, Weigering.LEEFTIJD.value, f"leeftijd {leeftijd} valt buiten {ot.leeftijd_min}-"
                        f"{ot.leeftijd_max} van overlegtype {o.overlegtype}"), "casusId", **ctx)
            punt = Agendapunt(uuid4(), o.id, casus.id, await uow.overleggen.volgende_volgorde(o.id))
            await uow.overleggen.agendapunt_toevoegen(punt)
            await audit(uow, self.omg, v, Handeling.AGENDAPUNT_TOEVOEGEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id, overleg_id=o.id, overlegtype=o.overlegtype)
            await uow.gebeurtenissen.toevoegen(
                _gebeurtenis(GebeurtenisType.AGENDAPUNT_TOEGEVOEGD, o, agendapuntId=str(punt.id),
                             casusId=str(casus.id), volgorde=punt.volgorde)
            )
            await uow.commit()
        return punt

    async def agenda(self, v: Verzoeker, overleg_id: UUID) -> list[Agendapunt]:
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            o = await self._overleg(uow, v, overleg_id)
            t = overleg_toegang(c, v, o.overlegtype)
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AGENDA_INZIEN, t, overleg_id=o.id)
            punten = await uow.overleggen.agendapunten(o.id)
            for p in punten:  # the agenda names people: one audit record per person shown
                casus = await uow.casussen.ophalen(v.huis, p.casus_id)
                await audit(uow, self.omg, v, Handeling.AGENDA_INZIEN, t,
                            betrokkene=casus.betrokkene_id if casus else None, casus_id=p.casus_id, overleg_id=o.id)
            await uow.commit()
        return punten

    async def agendapunt_verwijderen(self, v: Verzoeker, overleg_id: UUID, agendapunt_id: UUID) -> None:
        async with self.omg.uow() as uow:
            o = await self._overleg(uow, v, overleg_id)
            t = procesregie(v, "agendapunten verwijderen")
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AGENDAPUNT_VERWIJDEREN, t,
                                   overleg_id=o.id, overlegtype=o.overlegtype)
            punt = await uow.overleggen.agendapunt_verwijderen(o.id, agendapunt_id)
            if punt is None:
                raise NietGevonden("agendapunt")
            casus = await uow.casussen.ophalen(v.huis, punt.casus_id)
            await audit(uow, self.omg, v, Handeling.AGENDAPUNT_VERWIJDEREN, t,
                        betrokkene=casus.betrokkene_id if casus else None, casus_id=punt.casus_id,
                        overleg_id=o.id, overlegtype=o.overlegtype)
            await uow.gebeurtenissen.toevoegen(
                _gebeurtenis(GebeurtenisType.AGENDAPUNT_VERWIJDERD, o, agendapuntId=str(punt.id),
                             casusId=str(punt.casus_id))
            )
            await uow.commit()
