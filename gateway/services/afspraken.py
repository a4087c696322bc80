"""Afspraken: who does what by when, and whether it was done (the weak spot houses want to see)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from gateway.domain.audit import Handeling
from gateway.domain.bsn import BSN_IN_TEKST, bevat_bsn
from gateway.domain.errors import Conflict, NietGevonden, OngeldigeInvoer
from gateway.domain.events import DomeinGebeurtenis, GebeurtenisType
from gateway.domain.model import Afspraak, AfspraakStatus, CasusStatus, Verzoeker
from gateway.domain.ports import UnitOfWork
from gateway.domain.toegang import (
    ROL,
    Toegang,
    afspraak_tekst,
    afspraak_vastleggen,
    afspraak_wijzigen,
    alleen_volledig,
    zichtbare_themas,
)

from .common import Omgeving, audit, geldigheid, weiger, zichtbare_casus

MAX_ACTIE = 500
MAX_TOELICHTING = 1000


def _gebeurtenis(type_: GebeurtenisType, a: Afspraak, thema: str) -> DomeinGebeurtenis:
    # `actie` and `toelichting` are free text that may describe the person: never in events. Nor the
    # uitvoerder: "ggz is uitvoerder" tells every reader that care is involved.
    return DomeinGebeurtenis(
        type=type_,
        huis=a.huis,
        sleutel=a.casus_id,
        dataref=f"/v1/afspraken/{a.id}",
        data={
            "afspraakId": str(a.id),
            "casusId": str(a.casus_id),
            "deadline": a.deadline.isoformat(),
            "status": a.status.value,
        },
        thema=thema,
    )


def _controleer_tekst(veld: str, tekst: str | None, maximum: int) -> list[tuple[str, str]]:
    if tekst is None:
        return []
    if len(tekst) > maximum:
        return [(veld, f"ten hoogste {maximum} tekens")]
    if not tekst.strip():
        return [(veld, "mag niet leeg zijn")]
    if bevat_bsn(tekst):
        return [(veld, BSN_IN_TEKST)]
    return []


class AfspraakDienst:
    def __init__(self, omg: Omgeving):
        self.omg = omg

    async def vastleggen(
        self, v: Verzoeker, casus_id: UUID, *, uitvoerder: str, actie: str, deadline: date, overleg_id: UUID | None
    ) -> Afspraak:
        c = self.omg.convenant(v)
        fouten = _controleer_tekst("actie", actie, MAX_ACTIE)
        if uitvoerder not in c.partners:
            fouten.append(("uitvoerder", "geen partner van dit convenant"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.AFSPRAAK_VASTLEGGEN)
            overleg = await uow.overleggen.ophalen(v.huis, overleg_id) if overleg_id is not None else None
            if overleg_id is not None and overleg is None:
                raise OngeldigeInvoer([("overlegId", "overleg niet gevonden")])
            if overleg is not None and casus.id not in {p.casus_id for p in await uow.overleggen.agendapunten(overleg.id)}:
                raise OngeldigeInvoer([("overlegId", "de casus staat niet op de agenda van dit overleg")])
            ctx = dict(betrokkene=casus.betrokkene_id, casus_id=casus.id, overleg_id=overleg_id,
                       overlegtype=overleg.overlegtype if overleg else None)
            for check in (geldigheid(c, self.omg.vandaag()),
                          afspraak_vastleggen(c, v, t, uitvoerder, overleg.overlegtype if overleg else None)):
                if not check.toegestaan:
                    raise await weiger(uow, self.omg, v, Handeling.AFSPRAAK_VASTLEGGEN, check, **ctx)
            t = check
            if casus.status is CasusStatus.AFGESLOTEN:
                raise Conflict("de casus is afgesloten")
            a = Afspraak(uuid4(), v.huis, casus.id, uitvoerder, actie, deadline, AfspraakStatus.OPEN,
                         v.ontvanger, self.omg.klok.nu(), overleg_id)
            await uow.afspraken.toevoegen(a)
            await audit(uow, self.omg, v, Handeling.AFSPRAAK_VASTLEGGEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id, overleg_id=overleg_id)
            await uow.gebeurtenissen.toevoegen(_gebeurtenis(GebeurtenisType.AFSPRAAK_VASTGELEGD, a, casus.thema))
            await uow.commit()
        return a

    async def wijzigen(
        self, v: Verzoeker, afspraak_id: UUID, *, status: AfspraakStatus, toelichting: str | None
    ) -> Afspraak:
        fouten = _controleer_tekst("toelichting", toelichting, MAX_TOELICHTING)
        if status is AfspraakStatus.OPEN:
            fouten.append(("status", "kies uitgevoerd, niet_nagekomen of vervallen"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        async with self.omg.uow() as uow:
            a = await uow.afspraken.ophalen(v.huis, afspraak_id)
            casus = await uow.casussen.ophalen(v.huis, a.casus_id) if a else None
            if a is None or casus is None:
                raise NietGevonden("afspraak")
            t = afspraak_wijzigen(v, a.uitvoerder, a.vastgelegd_door)
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AFSPRAAK_WIJZIGEN, t,
                                   betrokkene=casus.betrokkene_id, casus_id=casus.id)
            nieuw = a.met_status(status, self.omg.klok.nu(), toelichting)
            await uow.afspraken.bijwerken(nieuw)
            await audit(uow, self.omg, v, Handeling.AFSPRAAK_WIJZIGEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id, overleg_id=a.overleg_id)
            await uow.gebeurtenissen.toevoegen(
                _gebeurtenis(GebeurtenisType.AFSPRAAK_STATUS_GEWIJZIGD, nieuw, casus.thema)
            )
            await uow.commit()
        return nieuw

    async def _tekst_zichtbaar(self, uow: UnitOfWork, v: Verzoeker, afspraken: list[Afspraak]) -> list[Afspraak]:
        """Afspraak texts: kernpartners of the meeting it was made in, its uitvoerder, its recorder, the procesregie."""
        c = self.omg.convenant(v)
        typen: dict[UUID, str] = {}
        for oid in {a.overleg_id for a in afspraken if a.overleg_id}:
            o = await uow.overleggen.ophalen(v.huis, oid)
            if o is not None:
                typen[oid] = o.overlegtype
        return [a for a in afspraken if afspraak_tekst(c, v, a.uitvoerder, a.vastgelegd_door,
                                                       typen.get(a.overleg_id) if a.overleg_id else None).toegestaan]

    async def voor_casus(self, v: Verzoeker, casus_id: UUID) -> list[Afspraak]:
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.AFSPRAKEN_INZIEN)
            t = alleen_volledig(t, "afspraken")
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.AFSPRAKEN_INZIEN, t, betrokkene=casus.betrokkene_id,
                                   casus_id=casus.id)
            uit = await self._tekst_zichtbaar(uow, v, await uow.afspraken.voor_casus(casus.id))
            await audit(uow, self.omg, v, Handeling.AFSPRAKEN_INZIEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id)
            await uow.commit()
        return uit

    async def lijst(
        self, v: Verzoeker, *, status: AfspraakStatus | None, uitvoerder: str | None, verlopen: bool,
        offset: int = 0, limit: int | None = None,
    ) -> list[Afspraak]:
        return (await self.pagina(v, status=status, uitvoerder=uitvoerder, verlopen=verlopen, offset=offset,
                                  limit=limit))[0]

    async def pagina(
        self, v: Verzoeker, *, status: AfspraakStatus | None, uitvoerder: str | None, verlopen: bool,
        offset: int = 0, limit: int | None = None,
    ) -> tuple[list[Afspraak], int]:
        """One page, and the total: only the afspraken shown are audited."""
        c = self.omg.convenant(v)
        themas = zichtbare_themas(c, v)
        async with self.omg.uow() as uow:
            if themas == set():
                raise await weiger(uow, self.omg, v, Handeling.AFSPRAKEN_INZIEN,
                                   Toegang(False, ROL, f"client {v.client_id} mag geen afspraken inzien"))
            filters: dict[str, Any] = dict(themas=themas, status=status, uitvoerder=uitvoerder,
                           verlopen_op=self.omg.vandaag() if verlopen else None)
            if themas is None:  # the procesregie sees every afspraak's text: paged in the database
                rijen = await uow.afspraken.lijst(v.huis, **filters, offset=offset, limit=limit)
                totaal = await uow.afspraken.aantal(v.huis, **filters)
                regel = "T-PROCESREGIE"
            else:  # a partner sees only the texts need-to-know allows: filtered, then paged
                alle = await uow.afspraken.lijst(v.huis, **filters)
                zichtbaar = {a.id for a in await self._tekst_zichtbaar(uow, v, [a for a, _ in alle])}
                alle = [(a, b) for a, b in alle if a.id in zichtbaar]
                totaal = len(alle)
                rijen = alle[offset:None if limit is None else offset + limit]
                regel = "T-AFSPRAAKTEKST"
            for casus_id, betrokkene in sorted({(a.casus_id, b) for a, b in rijen}, key=str):
                await audit(uow, self.omg, v, Handeling.AFSPRAKEN_INZIEN, Toegang(True, regel),
                            betrokkene=betrokkene, casus_id=casus_id)
            await uow.commit()
        return [a for a, _ in rijen], totaal

    async def meld_verlopen(self, huis: str) -> int:
        """Emit `afspraken.verlopen` once for each open afspraak past its deadline."""
        async with self.omg.uow() as uow:
            verlopen = await uow.afspraken.verlopen_zonder_melding(huis, self.omg.vandaag())
            for a in verlopen:
                casus = await uow.casussen.ophalen(huis, a.casus_id)
                await uow.gebeurtenissen.toevoegen(
                    _gebeurtenis(GebeurtenisType.AFSPRAAK_VERLOPEN, a, casus.thema if casus else "")
                )
                await uow.afspraken.verloop_gemeld(a.id)
            await uow.commit()
        return len(verlopen)
