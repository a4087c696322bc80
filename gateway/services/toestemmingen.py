"""Toestemmingen: consent as a record with a source (issue 11, item 3).

Recorded only by the partner whose data it opens, or by the procesregie; it names who gave it, the
categorie, the recipients or purpose, and the evidence (form or document number); it can be withdrawn,
after which lookups are refused with R-TOESTEMMING. Every refusal is audited.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from gateway.domain.audit import Handeling
from gateway.domain.bsn import BSN_IN_TEKST, bevat_bsn
from gateway.domain.errors import NietGevonden, OngeldigeInvoer
from gateway.domain.model import GegevenDoor, Toestemming, Verzoeker
from gateway.domain.toegang import alleen_volledig, toestemming_beheren, zichtbare_toestemmingen

from .common import Omgeving, audit, weiger, zichtbare_casus


class ToestemmingDienst:
    def __init__(self, omg: Omgeving):
        self.omg = omg

    async def vastleggen(
        self, v: Verzoeker, casus_id: UUID, *, categorie: str, gegeven_door: GegevenDoor, geldig_tot: date | None,
        bewijs: str = "", ontvangers: list[str] | None = None, doel: str | None = None,
    ) -> Toestemming:
        c = self.omg.convenant(v)
        fouten = []
        if categorie not in c.categorieen():
            fouten.append(("categorie", f"onbekende categorie; kies uit {', '.join(sorted(c.categorieen()))}"))
        if geldig_tot is not None and geldig_tot < self.omg.vandaag():
            fouten.append(("geldigTot", "ligt in het verleden"))
        if not bewijs.strip():
            fouten.append(("bewijs", "verplicht: het nummer van het formulier of document met de toestemming"))
        for veld, tekst in (("bewijs", bewijs), ("doel", doel)):
            if tekst and bevat_bsn(tekst):
                fouten.append((veld, BSN_IN_TEKST))
        for i, o in enumerate(ontvangers or []):
            if o not in c.partners:
                fouten.append((f"ontvangers[{i}]", "geen partner van dit convenant"))
        if not ontvangers and not doel:
            fouten.append(("ontvangers", "noem de ontvangers of het doel waarvoor de toestemming is gegeven"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.TOESTEMMING_VASTLEGGEN)
            t = toestemming_beheren(c, v, categorie)
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.TOESTEMMING_VASTLEGGEN, t,
                                   betrokkene=casus.betrokkene_id, casus_id=casus.id, categorie=categorie)
            x = Toestemming(uuid4(), v.huis, casus.id, categorie, gegeven_door, v.ontvanger, self.omg.klok.nu(),
                            geldig_tot, ontvangers=tuple(ontvangers or ()), doel=doel, bewijs=bewijs)
            await uow.toestemmingen.toevoegen(x)
            await audit(uow, self.omg, v, Handeling.TOESTEMMING_VASTLEGGEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id, categorie=categorie)
            await uow.commit()
        return x

    async def intrekken(self, v: Verzoeker, casus_id: UUID, toestemming_id: UUID) -> Toestemming:
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            casus, _ = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.TOESTEMMING_INTREKKEN)
            x = await uow.toestemmingen.ophalen(casus.id, toestemming_id)
            if x is None:
                raise NietGevonden("toestemming")
            t = toestemming_beheren(c, v, x.categorie, x.vastgelegd_door)
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.TOESTEMMING_INTREKKEN, t,
                                   betrokkene=casus.betrokkene_id, casus_id=casus.id, categorie=x.categorie)
            nieuw = x.ingetrokken(self.omg.klok.nu(), v.ontvanger)
            await uow.toestemmingen.intrekken(nieuw)
            await audit(uow, self.omg, v, Handeling.TOESTEMMING_INTREKKEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id, categorie=x.categorie)
            await uow.commit()
        return nieuw

    async def lijst(self, v: Verzoeker, casus_id: UUID) -> list[Toestemming]:
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.TOESTEMMINGEN_INZIEN)
            alle = await uow.toestemmingen.voor_casus(casus.id)
            if alleen_volledig(t, "toestemmingen").toegestaan:
                uit = zichtbare_toestemmingen(c, v, alle)
            else:  # schil level: only the records this partner made or whose data they open, never others'
                uit = [x for x in alle if v.partner in (x.vastgelegd_door, *c.bronnen_met_toestemming(x.categorie))]
            await audit(uow, self.omg, v, Handeling.TOESTEMMINGEN_INZIEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id)
            await uow.commit()
        return uit
