"""Casussen: register, find, read, list and steer a case."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from gateway.domain.audit import Handeling
from gateway.domain.errors import Conflict, NietGevonden, OngeldigeInvoer
from gateway.domain.events import DomeinGebeurtenis, GebeurtenisType
from gateway.domain.model import Betrokkene, Casus, CasusStatus, Verzoeker
from gateway.domain.toegang import ROL, Toegang, casus_toegang, procesregie, zichtbare_themas

from .common import Omgeving, audit, betrokkene_van, bsn_fouten, controleer_bsn, weiger, weiger_apart, zichtbare_casus


def _gebeurtenis(type_: GebeurtenisType, casus: Casus, **data: object) -> DomeinGebeurtenis:
    return DomeinGebeurtenis(
        type=type_,
        huis=casus.huis,
        sleutel=casus.id,
        dataref=f"/v1/casussen/{casus.id}",
        data={"casusId": str(casus.id), "thema": casus.thema, "status": casus.status.value, **data},
        thema=casus.thema,
    )


@dataclass(frozen=True)
class CasusWijziging:
    status: CasusStatus | None = None
    casusregisseur: str | None = None
    afsluit_reden: str | None = None


class CasusDienst:
    def __init__(self, omg: Omgeving):
        self.omg = omg

    async def aanmelden(
        self, v: Verzoeker, *, bsn: str, thema: str, gemeente: str, geboortedatum: date | None
    ) -> Casus:
        c = self.omg.convenant(v)
        fouten = bsn_fouten(bsn)
        if thema not in c.themas:
            fouten.append(("thema", f"onbekend thema; kies uit {', '.join(c.themas)}"))
        if geboortedatum is not None and geboortedatum > self.omg.vandaag():
            fouten.append(("geboortedatum", "ligt in de toekomst"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        t = casus_toegang(c, v, thema)
        if not t.toegestaan:
            raise await weiger_apart(self.omg, v, Handeling.CASUS_AANMELDEN, t)
        nu = self.omg.klok.nu()
        kluis = self.omg.kluis
        async with self.omg.uow() as uow:
            huidig, *eerdere = kluis.pseudoniemen(v.huis, bsn)
            b = await uow.betrokkenen.vind_of_voeg_toe(
                Betrokkene(uuid4(), v.huis, geboortedatum), huidig, kluis.versleutel(v.huis, bsn),
                sleutelversie=kluis.versie, eerdere=eerdere,  # a row not yet re-keyed is the same person
            )
            casus = Casus(
                id=uuid4(),
                huis=v.huis,
                thema=thema,
                status=CasusStatus.AANGEMELD,
                gemeente=gemeente,
                betrokkene_id=b.id,
                aangemeld_door=v.partner,
                aangemeld_op=nu,
            )
            try:
                bestaand = await uow.casussen.open_voor(v.huis, b.id, thema)
                if bestaand is not None:
                    raise Conflict("er is al een open casus voor deze betrokkene en dit thema")
                await uow.casussen.toevoegen(casus)
            except Conflict as conflict:
                bestaand = bestaand or await uow.casussen.open_voor(v.huis, b.id, thema)
                # Saying a casus exists discloses something about the person: audit it as refused.
                geweigerd = Toegang(False, t.regel, "er is al een open casus voor deze betrokkene en dit thema", t.overlegtype)
                await audit(uow, self.omg, v, Handeling.CASUS_AANMELDEN, geweigerd, betrokkene=b.id,
                            casus_id=bestaand.id if bestaand else None)
                await uow.commit()
                if bestaand is None:
                    raise Conflict(conflict.detail) from None
                raise Conflict(f"er is al een open casus ({bestaand.id}) voor deze betrokkene en dit thema",
                               {"bestaandeCasus": str(bestaand.id)}) from None
            await audit(uow, self.omg, v, Handeling.CASUS_AANMELDEN, t, betrokkene=b.id, casus_id=casus.id)
            await uow.gebeurtenissen.toevoegen(
                _gebeurtenis(GebeurtenisType.CASUS_AANGEMELD, casus, aangemeldDoor=v.partner)
            )
            await uow.commit()
        return casus

    async def zoeken(self, v: Verzoeker, *, bsn: str) -> list[Casus]:
        c = self.omg.convenant(v)
        controleer_bsn(bsn)
        themas = zichtbare_themas(c, v)
        async with self.omg.uow() as uow:
            if themas == set():
                raise await weiger(uow, self.omg, v, Handeling.CASUS_ZOEKEN,
                                   Toegang(False, ROL, f"client {v.client_id} mag geen casussen zoeken"))
            b = await betrokkene_van(uow, self.omg, v.huis, bsn)
            gevonden = await uow.casussen.van_betrokkene(v.huis, b.id) if b else []
            zichtbaar = [k for k in gevonden if themas is None or k.thema in themas]
            regel = "T-PROCESREGIE" if themas is None else "T-DEELNAME"
            await audit(uow, self.omg, v, Handeling.CASUS_ZOEKEN, Toegang(True, regel),
                        betrokkene=b.id if b else None)
            await uow.commit()
        return zichtbaar

    async def inzien(self, v: Verzoeker, casus_id: UUID) -> Casus:
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.CASUS_INZIEN)
            await audit(uow, self.omg, v, Handeling.CASUS_INZIEN, t, betrokkene=casus.betrokkene_id, casus_id=casus.id)
            await uow.commit()
        return casus

    async def lijst(
        self, v: Verzoeker, *, thema: str | None, status: CasusStatus | None, pagina: int, pagina_grootte: int
    ) -> tuple[list[Casus], int]:
        c = self.omg.convenant(v)
        if thema is not None and thema not in c.themas:
            raise OngeldigeInvoer([("thema", f"onbekend thema; kies uit {', '.join(c.themas)}")])
        themas = zichtbare_themas(c, v)
        async with self.omg.uow() as uow:
            if themas == set():
                raise await weiger(uow, self.omg, v, Handeling.CASUS_INZIEN,
                                   Toegang(False, ROL, f"client {v.client_id} mag geen casussen inzien"))
            casussen, totaal = await uow.casussen.lijst(
                v.huis, themas=themas, thema=thema, status=status,
                offset=(pagina - 1) * pagina_grootte, limit=pagina_grootte,
            )
            for k in casussen:  # every person shown is an exchange about that person
                await audit(uow, self.omg, v, Handeling.CASUS_INZIEN, casus_toegang(c, v, k.thema),
                            betrokkene=k.betrokkene_id, casus_id=k.id)
            await uow.commit()
        return casussen, totaal

    async def wijzigen(self, v: Verzoeker, casus_id: UUID, w: CasusWijziging) -> Casus:
        c = self.omg.convenant(v)
        fouten = []
        if w.casusregisseur is not None and w.casusregisseur not in c.partners:
            fouten.append(("casusregisseur", "geen partner van dit convenant"))
        if w.afsluit_reden is not None and w.status is not CasusStatus.AFGESLOTEN:
            fouten.append(("afsluitReden", "alleen bij status afgesloten"))
        if w == CasusWijziging():
            fouten.append(("body", "geef ten minste status, casusregisseur of afsluitReden"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        async with self.omg.uow() as uow:
            casus = await uow.casussen.ophalen(v.huis, casus_id)
            if casus is None:
                raise NietGevonden("casus")
            t = procesregie(v, "casussen wijzigen")
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.CASUS_WIJZIGEN, t,
                                   betrokkene=casus.betrokkene_id, casus_id=casus.id)
            nieuw = casus
            if w.status is not None:
                nieuw = nieuw.met_status(w.status, self.omg.klok.nu(), w.afsluit_reden)
            if w.casusregisseur is not None:
                nieuw = replace(nieuw, casusregisseur=w.casusregisseur)
            await uow.casussen.bijwerken(nieuw)
            await audit(uow, self.omg, v, Handeling.CASUS_WIJZIGEN, t, betrokkene=casus.betrokkene_id, casus_id=casus.id)
            if nieuw.status != casus.status:
                await uow.gebeurtenissen.toevoegen(
                    _gebeurtenis(GebeurtenisType.CASUS_STATUS_GEWIJZIGD, nieuw, vorigeStatus=casus.status.value)
                )
            await uow.commit()
        return nieuw


__all__ = ["CasusDienst", "CasusWijziging"]
