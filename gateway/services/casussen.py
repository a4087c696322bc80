"""Casussen: register, find, read, list and steer a case."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from gateway.domain.audit import Handeling
from gateway.domain.errors import Conflict, NietGevonden, OngeldigeInvoer
from gateway.domain.events import DomeinGebeurtenis, GebeurtenisType
from gateway.domain.model import Betrokkene, Casus, CasusStatus, Verzoeker
from gateway.domain.bsn import BSN_IN_TEKST, bevat_bsn
from gateway.domain.toegang import (
    GEBOORTEDATUM,
    ROL,
    Toegang,
    Zicht,
    betrokken_partners,
    bsn_gebruik,
    casus_toegang,
    casus_zicht,
    procesregie,
    zichtbare_themas,
)

from .common import (
    Omgeving,
    audit,
    betrokkene_van,
    bsn_fouten,
    controleer_bsn,
    geldigheid,
    weiger,
    weiger_apart,
    zichtbare_casus,
)


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
        if bevat_bsn(gemeente):
            fouten.append(("gemeente", BSN_IN_TEKST))
        elif gemeente not in c.gemeenten():
            # the municipality of return is a partner of the house, so nazorg can reach only that one
            fouten.append(("gemeente", f"geen gemeente van dit convenant; kies uit {', '.join(sorted(c.gemeenten()))}"))
        if geboortedatum is not None and geboortedatum > self.omg.vandaag():
            fouten.append(("geboortedatum", "ligt in de toekomst"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        for t in (geldigheid(c, self.omg.vandaag()), bsn_gebruik(c, v, "aanmelden"), casus_toegang(c, v, thema)):
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
                aangemeld_door=v.ontvanger,
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
                # no aangemeldDoor: who registered reveals that partner's involvement to every reader
                _gebeurtenis(GebeurtenisType.CASUS_AANGEMELD, casus)
            )
            await uow.commit()
        return casus

    async def zoeken(self, v: Verzoeker, *, bsn: str) -> list[tuple[Casus, Zicht]]:
        c = self.omg.convenant(v)
        controleer_bsn(bsn)
        themas = zichtbare_themas(c, v)
        async with self.omg.uow() as uow:
            if themas == set():
                raise await weiger(uow, self.omg, v, Handeling.CASUS_ZOEKEN,
                                   Toegang(False, ROL, f"client {v.client_id} mag geen casussen zoeken"))
            t = bsn_gebruik(c, v, "zoeken")
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.CASUS_ZOEKEN, t)
            b = await betrokkene_van(uow, self.omg, v.huis, bsn)
            gevonden = await uow.casussen.van_betrokkene(v.huis, b.id) if b else []
            zichtbaar = []
            for k in gevonden:  # need-to-know: only the casussen this caller may see
                z = casus_zicht(c, v, await uow.casussen.betrokkenheid(k))
                if z.toegestaan:
                    zichtbaar.append((k, z.zicht or Zicht.VOLLEDIG))
            regel = "T-PROCESREGIE" if themas is None else "T-NOODZAAK"
            await audit(uow, self.omg, v, Handeling.CASUS_ZOEKEN, Toegang(True, regel),
                        betrokkene=b.id if b else None)
            await uow.commit()
        return zichtbaar

    async def inzien(self, v: Verzoeker, casus_id: UUID) -> tuple[Casus, Zicht]:
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.CASUS_INZIEN)
            await audit(uow, self.omg, v, Handeling.CASUS_INZIEN, t, betrokkene=casus.betrokkene_id, casus_id=casus.id)
            await uow.commit()
        return casus, t.zicht or Zicht.VOLLEDIG

    async def lijst(
        self, v: Verzoeker, *, thema: str | None, status: CasusStatus | None, pagina: int, pagina_grootte: int
    ) -> tuple[list[tuple[Casus, Zicht]], int]:
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
                betrokken=betrokken_partners(c, v.partner) if themas is not None and v.partner else None,
            )
            uit = []
            for k in casussen:  # every person shown is an exchange about that person
                z = casus_zicht(c, v, await uow.casussen.betrokkenheid(k))
                await audit(uow, self.omg, v, Handeling.CASUS_INZIEN, z, betrokkene=k.betrokkene_id, casus_id=k.id)
                uit.append((k, z.zicht or Zicht.VOLLEDIG))
            await uow.commit()
        return uit, totaal

    async def wijzigen(self, v: Verzoeker, casus_id: UUID, w: CasusWijziging) -> Casus:
        c = self.omg.convenant(v)
        fouten = []
        if w.casusregisseur is not None and w.casusregisseur not in c.partners:
            fouten.append(("casusregisseur", "geen partner van dit convenant"))
        if w.afsluit_reden is not None and bevat_bsn(w.afsluit_reden):
            fouten.append(("afsluitReden", BSN_IN_TEKST))
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

    async def geboortedatum_corrigeren(self, v: Verzoeker, casus_id: UUID, *, geboortedatum: date | None,
                                       reden: str) -> None:
        """Consent by age relies on the birth date: changing it is an audited correction by the procesregie."""
        fouten = []
        if geboortedatum is not None and geboortedatum > self.omg.vandaag():
            fouten.append(("geboortedatum", "ligt in de toekomst"))
        if not reden.strip():
            fouten.append(("reden", "mag niet leeg zijn"))
        elif bevat_bsn(reden):
            fouten.append(("reden", BSN_IN_TEKST))
        if fouten:
            raise OngeldigeInvoer(fouten)
        async with self.omg.uow() as uow:
            casus = await uow.casussen.ophalen(v.huis, casus_id)
            if casus is None:
                raise NietGevonden("casus")
            t = procesregie(v, "de geboortedatum corrigeren")
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.GEBOORTEDATUM_CORRIGEREN,
                                   Toegang(False, GEBOORTEDATUM, t.reden), betrokkene=casus.betrokkene_id,
                                   casus_id=casus.id)
            await uow.betrokkenen.geboortedatum_corrigeren(v.huis, casus.betrokkene_id, geboortedatum)
            # the reason is free text of the procesregie: kept in the audit record, BSN-checked above
            await audit(uow, self.omg, v, Handeling.GEBOORTEDATUM_CORRIGEREN,
                        Toegang(True, GEBOORTEDATUM, f"correctie: {reden}"), betrokkene=casus.betrokkene_id,
                        casus_id=casus.id)
            await uow.commit()


__all__ = ["CasusDienst", "CasusWijziging"]
