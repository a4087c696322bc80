"""Toestemmingen: consent records where the convenant requires consent (health, youth care)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from gateway.domain.audit import Handeling
from gateway.domain.errors import OngeldigeInvoer
from gateway.domain.model import GegevenDoor, Toestemming, Verzoeker

from .common import Omgeving, audit, zichtbare_casus


class ToestemmingDienst:
    def __init__(self, omg: Omgeving):
        self.omg = omg

    async def vastleggen(
        self, v: Verzoeker, casus_id: UUID, *, categorie: str, gegeven_door: GegevenDoor, geldig_tot: date | None
    ) -> Toestemming:
        c = self.omg.convenant(v)
        fouten = []
        if categorie not in c.categorieen():
            fouten.append(("categorie", f"onbekende categorie; kies uit {', '.join(sorted(c.categorieen()))}"))
        if geldig_tot is not None and geldig_tot < self.omg.vandaag():
            fouten.append(("geldigTot", "ligt in het verleden"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.TOESTEMMING_VASTLEGGEN)
            x = Toestemming(uuid4(), v.huis, casus.id, categorie, gegeven_door, v.partner, self.omg.klok.nu(), geldig_tot)
            await uow.toestemmingen.toevoegen(x)
            await audit(uow, self.omg, v, Handeling.TOESTEMMING_VASTLEGGEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id, categorie=categorie)
            await uow.commit()
        return x

    async def lijst(self, v: Verzoeker, casus_id: UUID) -> list[Toestemming]:
        async with self.omg.uow() as uow:
            casus, t = await zichtbare_casus(uow, self.omg, v, casus_id, Handeling.TOESTEMMINGEN_INZIEN)
            uit = await uow.toestemmingen.voor_casus(casus.id)
            await audit(uow, self.omg, v, Handeling.TOESTEMMINGEN_INZIEN, t, betrokkene=casus.betrokkene_id,
                        casus_id=casus.id)
            await uow.commit()
        return uit
