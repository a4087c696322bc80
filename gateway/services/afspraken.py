"""Afspraken: who does what by when, and whether it was done (the weak spot houses want to see)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from gateway.domain.audit import Handeling
from gateway.domain.bsn import bevat_bsn
from gateway.domain.errors import Conflict, NietGevonden, OngeldigeInvoer
from gateway.domain.events import DomeinGebeurtenis, GebeurtenisType
from gateway.domain.model import Afspraak, AfspraakStatus, CasusStatus, Verzoeker
from gateway.domain.toegang import ROL, Toegang, afspraak_wijzigen, casus_toegang, zichtbare_themas

from .common import Omgeving, audit, weiger, zichtbare_casus

MAX_ACTIE = 500
MAX_TOELICHTING = 1000


def _gebeurtenis(type_: GebeurtenisType, a: Afspraak, thema: str) -> DomeinGebeurtenis:
    # `actie` and `toelichting` are free text that may describe the person: never in events.
    return DomeinGebeurtenis(
        type=type_,
        huis=a.huis,
        sleutel=a.casus_id,
        dataref=f"/v1/afspraken/{a.id}",
        data={
            "afspraakId": str(a.id),
            "casusId": str(a.casus_id),
            "uitvoerder": a.uitvoerder,
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
        return [(veld, "bevat een BSN; noem de betrokkene niet in vrije tekst")]
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
            if overleg_id is not None and await uow.overleggen.ophalen(v.huis, overleg_id) is None:
                raise OngeldigeInvoer([("overlegId", "overleg niet gevonden")])
            if casus.status is CasusStatus.AFGESLOTEN:
                raise Conflict("de casus is afgesloten")
            a = Afspraak(uuid4(), v.huis, casus.id, uitvoerder, actie, deadline, AfspraakStatus.OPEN,
                         v.partner, self.omg.klok.nu(), overleg_id)
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
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            a = await uow.afspraken.ophalen(v.huis, afspraak_id)
            casus = await uow.casussen.ophalen(v.huis, a.casus_id) if a else None
            if a is None or casus is None:
                raise NietGevonden("afspraak")
            t = casus_toegang(c, v, casus.thema)
            if t.toegestaan:
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

    async def voor_casus(self, v: Verzoeker, casus_id: UUID) -> list[Afspraak]:
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.AFSPRAKEN_INZIEN)
            uit = await uow.afspraken.voor_casus(casus.id)
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
            filters = dict(themas=themas, status=status, uitvoerder=uitvoerder,
                           verlopen_op=self.omg.vandaag() if verlopen else None)
            rijen = await uow.afspraken.lijst(v.huis, **filters, offset=offset, limit=limit)
            totaal = await uow.afspraken.aantal(v.huis, **filters)
            regel = "T-PROCESREGIE" if themas is None else "T-DEELNAME"
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
