"""What every use case needs: the ports, the convenanten, and one way to write an audit record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from gateway.domain.audit import AuditFilter, AuditRecord, BesluitWaarde, Handeling
from gateway.domain.bsn import is_geldig_bsn
from gateway.domain.convenant import Convenant, Convenanten
from gateway.domain.errors import GeenToegang, NietGevonden, OngeldigeInvoer
from gateway.domain.model import Betrokkene, Casus, Verzoeker
from gateway.domain.ports import IdentiteitsKluis, Klok, UnitOfWork, UnitOfWorkFactory
from gateway.domain.toegang import Toegang, casus_zicht


@dataclass
class Omgeving:
    uow: UnitOfWorkFactory
    convenanten: Convenanten
    kluis: IdentiteitsKluis
    klok: Klok

    def convenant(self, v: Verzoeker) -> Convenant:
        if v.huis not in self.convenanten:
            # A token for a house we do not serve; nothing of any house is reachable with it.
            raise GeenToegang(f"huis {v.huis} wordt door deze gateway niet bediend")
        return self.convenanten.van(v.huis)

    def vandaag(self) -> date:
        return self.klok.nu().date()


def audit_gegevens(
    v: Verzoeker,
    c: Convenant,
    handeling: Handeling,
    toegestaan: bool,
    tijdstip: datetime,
    *,
    reden: str | None = None,
    betrokkene: UUID | None = None,
    casus_id: UUID | None = None,
    overleg_id: UUID | None = None,
    overlegtype: str | None = None,
    bron: str | None = None,
    categorie: str | None = None,
    grondslag: str | None = None,
    regel: str | None = None,
    filter: AuditFilter | None = None,
) -> AuditRecord:
    """The audit record of one exchange (CONTRACT.md §6); the ledger links it into the chain."""
    return AuditRecord(
        huis=v.huis, tijdstip=tijdstip, handeling=handeling,
        besluit=BesluitWaarde.TOEGESTAAN if toegestaan else BesluitWaarde.GEWEIGERD,
        partner=v.partner, client_id=v.client_id, gebruiker=v.gebruiker,
        rol=v.rol if v.partner is None else None,
        convenant=tuple(c.referentie.items()), reden=reden, bron=bron, betrokkene=betrokkene, casus_id=casus_id,
        overleg_id=overleg_id, overlegtype=overlegtype, categorie=categorie, grondslag=grondslag, regel=regel,
        trace_id=v.trace_id, filter=filter.als_vastlegging() if filter is not None else None,
    )


async def audit(
    uow: UnitOfWork, omg: Omgeving, v: Verzoeker, handeling: Handeling, t: Toegang, **ctx: Any
) -> None:
    c = omg.convenant(v)
    ctx.setdefault("overlegtype", t.overlegtype)
    await uow.audit.vastleggen(
        audit_gegevens(v, c, handeling, t.toegestaan, omg.klok.nu(), reden=t.reden, regel=t.regel, **ctx)
    )


async def weiger(
    uow: UnitOfWork, omg: Omgeving, v: Verzoeker, handeling: Handeling, t: Toegang, **ctx: Any
) -> GeenToegang:
    """Record a refusal and commit it; the caller then raises what this returns.

    Call it before the unit of work has changed anything: the commit would carry those changes too.
    """
    await audit(uow, omg, v, handeling, t, **ctx)
    await uow.commit()
    return GeenToegang(t.reden or "niet toegestaan", t.regel)


async def weiger_invoer(uow: UnitOfWork, omg: Omgeving, v: Verzoeker, handeling: Handeling, t: Toegang,
                        veld: str, **ctx: Any) -> OngeldigeInvoer:
    """A refusal that is the caller's input (400 naming the field), audited like every refusal."""
    await audit(uow, omg, v, handeling, t, **ctx)
    await uow.commit()
    return OngeldigeInvoer([(veld, t.reden or "niet toegestaan")])


def geldigheid(c: Convenant, dag: date) -> Toegang:
    """Registration, agenda and afspraken only while the convenant is in force."""
    if c.is_geldig_op(dag):
        return Toegang(True, "R-GELDIGHEID")
    return Toegang(False, "R-GELDIGHEID", f"convenant {c.id} {c.versie} is niet geldig op {dag.isoformat()}"
                                          f" (geldig {c.geldig_van.isoformat()} t/m {c.geldig_tot.isoformat()})")


async def weiger_apart(omg: Omgeving, v: Verzoeker, handeling: Handeling, t: Toegang, **ctx: Any) -> GeenToegang:
    async with omg.uow() as uow:
        return await weiger(uow, omg, v, handeling, t, **ctx)


def bsn_fouten(bsn: object, veld: str = "bsn") -> list[tuple[str, str]]:
    # The reason never repeats the value: a near-BSN is still personal data.
    if not isinstance(bsn, str) or not is_geldig_bsn(bsn):
        return [(veld, "geen geldig BSN (9 cijfers, elfproef)")]
    return []


def controleer_bsn(bsn: object, veld: str = "bsn") -> str:
    fouten = bsn_fouten(bsn, veld)
    if fouten:
        raise OngeldigeInvoer(fouten)
    return str(bsn)


async def zichtbare_casus(
    uow: UnitOfWork, omg: Omgeving, v: Verzoeker, casus_id: UUID, handeling: Handeling
) -> tuple[Casus, Toegang]:
    """Load a casus of the caller's house (404 otherwise) and check the caller may see it (403, audited)."""
    c = omg.convenant(v)
    casus = await uow.casussen.ophalen(v.huis, casus_id)
    if casus is None:
        raise NietGevonden("casus")
    t = casus_zicht(c, v, await uow.casussen.betrokkenheid(casus))
    if not t.toegestaan:
        raise await weiger(uow, omg, v, handeling, t, betrokkene=casus.betrokkene_id, casus_id=casus.id)
    return casus, t


async def betrokkene_van(uow: UnitOfWork, omg: Omgeving, huis: str, bsn: str) -> Betrokkene | None:
    return await uow.betrokkenen.vind(huis, *omg.kluis.pseudoniemen(huis, bsn))
