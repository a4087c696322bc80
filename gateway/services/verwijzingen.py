"""Verwijzingen ophalen: ask every source system whether it knows the people on an agenda.

Per (agendapunt x source): decide() over the convenant; one transaction commits an audit record
per decision (invariant 3) before any source is asked; permitted lookups run concurrently under
one deadline; refused sources are never contacted; a second transaction stores the answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID, uuid4

import structlog

from gateway.domain.audit import AuditRecord, Handeling
from gateway.domain.convenant import Besluit, Convenant, Niveau, Partner, Uitwisseling, decide, leeftijd_op
from gateway.domain.errors import AntwoordNietVastgelegd, AuditNietVastgelegd, BronFout, NietGevonden, OngeldigeInvoer
from gateway.domain.events import DomeinGebeurtenis, GebeurtenisType
from gateway.domain.model import (
    Betrokkene,
    Casus,
    DatInformatie,
    Overleg,
    Resultaat,
    ResultaatStatus,
    Verwijzing,
    Verzoeker,
)
from gateway.domain.ports import Bron, UnitOfWork
from gateway.domain.toegang import casus_zicht, overleg_toegang

from .bundel import Bundelaar
from .common import Omgeving, audit_gegevens, weiger

log = structlog.get_logger("ketenpoort.verwijzingen")


@dataclass(frozen=True)
class _Vraag:
    casus: Casus
    betrokkene: Betrokkene
    bron: Partner
    besluit: Besluit


def _verwijzing_zichtbaar(v: Verwijzing, niveau: Niveau | None) -> Verwijzing | None:
    return v if niveau is Niveau.DAT else None


class VerwijzingDienst:
    def __init__(self, omg: Omgeving, bronnen: Mapping[str, Bron], *, deadline: float = 3.0,
                 max_gelijktijdig: int = 64, max_opvragingen: int = 16, venster: tuple[int, int] = (30, 7)):
        self.omg = omg
        self.venster = venster  # lookups from this many days before to after the overleg's date
        self.bronnen = bronnen  # by bronsysteem name, e.g. "BPS"
        self.deadline = deadline
        self._slot = asyncio.Semaphore(max_gelijktijdig)
        # Admission: at most this many lookups in progress per process; the rest wait their turn before they
        # touch the database. Past that point more concurrency only slows every request down: the house's
        # chain is one lock, and its holder waits behind every other request in the event loop.
        self._opvragingen = asyncio.Semaphore(max_opvragingen)
        self._bundel = Bundelaar(omg.uow)

    # --- public use cases -------------------------------------------------------------------

    async def voor_casus(self, v: Verzoeker, casus_id: UUID, overleg_id: UUID) -> list[Resultaat]:
        async with self._opvragingen:
            return await self._voor_casus(v, casus_id, overleg_id)

    async def voor_overleg(self, v: Verzoeker, overleg_id: UUID) -> list[tuple[UUID, list[Resultaat]]]:
        async with self._opvragingen:
            return await self._voor_overleg(v, overleg_id)

    async def _voor_casus(self, v: Verzoeker, casus_id: UUID, overleg_id: UUID) -> list[Resultaat]:
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            casus = await uow.casussen.ophalen(v.huis, casus_id)
            if casus is None:  # the path first: another house's casus is 404 whatever the body says
                raise NietGevonden("casus")
            overleg = await self._overleg(uow, v, overleg_id, veld="overlegId")
            t = casus_zicht(c, v, await uow.casussen.betrokkenheid(casus))
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.VERWIJZING_OPVRAGEN, t, betrokkene=casus.betrokkene_id,
                                   casus_id=casus.id, overleg_id=overleg.id, overlegtype=overleg.overlegtype)
            punten = await uow.overleggen.agendapunten(overleg.id)
            if casus.id not in {p.casus_id for p in punten}:
                raise OngeldigeInvoer([("overlegId", "de casus staat niet op de agenda van dit overleg")])
            vragen, versleuteld, records = await self._beslis(uow, v, c, overleg, [casus])
        await self._bundel.vastleggen(audit=records)  # committed before any source is asked (invariant 3)
        uitkomst = await self._ophalen(v, overleg, [casus], vragen, versleuteld)
        return uitkomst[casus.id]

    async def _voor_overleg(self, v: Verzoeker, overleg_id: UUID) -> list[tuple[UUID, list[Resultaat]]]:
        c = self.omg.convenant(v)
        async with self.omg.uow() as uow:
            overleg = await self._overleg(uow, v, overleg_id)
            t = overleg_toegang(c, v, overleg.overlegtype)
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.VERWIJZING_OPVRAGEN, t, overleg_id=overleg.id,
                                   overlegtype=overleg.overlegtype)
            punten = await uow.overleggen.agendapunten(overleg.id)
            gevonden = await uow.casussen.ophalen_alle(v.huis, [p.casus_id for p in punten])
            casussen = [gevonden[p.casus_id] for p in punten if p.casus_id in gevonden]
            vragen, versleuteld, records = await self._beslis(uow, v, c, overleg, casussen)
        await self._bundel.vastleggen(audit=records)  # committed before any source is asked (invariant 3)
        uitkomst = await self._ophalen(v, overleg, casussen, vragen, versleuteld)
        return [(k.id, uitkomst[k.id]) for k in casussen]

    async def inzien(self, v: Verzoeker, casus_id: UUID) -> list[Resultaat]:
        """The stored verwijzingen of a casus, as far as the convenant lets this caller see them now."""
        c = self.omg.convenant(v)
        vandaag = self.omg.vandaag()
        async with self.omg.uow() as uow:
            casus = await uow.casussen.ophalen(v.huis, casus_id)
            if casus is None:
                raise NietGevonden("casus")
            t = casus_zicht(c, v, await uow.casussen.betrokkenheid(casus))
            if not t.toegestaan:
                raise await weiger(uow, self.omg, v, Handeling.VERWIJZINGEN_INZIEN, t,
                                   betrokkene=casus.betrokkene_id, casus_id=casus.id)
            betrokkene = await uow.betrokkenen.ophalen(v.huis, casus.betrokkene_id)
            toestemmingen = tuple(await uow.toestemmingen.voor_casus(casus.id))
            nieuwste: dict[str, Verwijzing] = {}
            for w in await uow.verwijzingen.voor_casus(casus.id):
                nieuwste[w.bron] = w  # ordered by opgehaald_op: the last one wins
            uit: list[Resultaat] = []
            for w in nieuwste.values():
                overleg = await uow.overleggen.ophalen(v.huis, w.overleg_id) if w.overleg_id else None
                besluit = decide(c, Uitwisseling(
                    bron=w.bron, ontvanger=v.ontvanger, overlegtype=overleg.overlegtype if overleg else "",
                    casus_gemeente=casus.gemeente,
                    peildatum=vandaag, leeftijd=leeftijd_op(betrokkene.geboortedatum if betrokkene else None, vandaag),
                    toestemmingen=toestemmingen, casus_afgesloten_op=casus.afgesloten_op.date() if casus.afgesloten_op else None,
                    opgehaald_voor=w.opgehaald_voor,
                ))
                await uow.audit.vastleggen(audit_gegevens(
                    v, c, Handeling.VERWIJZINGEN_INZIEN, besluit.toegestaan, self.omg.klok.nu(), reden=besluit.reden,
                    betrokkene=casus.betrokkene_id, casus_id=casus.id, overleg_id=w.overleg_id,
                    overlegtype=overleg.overlegtype if overleg else None, bron=w.bron, categorie=besluit.categorie,
                    grondslag=besluit.grondslag, regel=besluit.regel,
                ))
                if besluit.toegestaan:
                    uit.append(Resultaat(w.bron, w.bronsysteem, ResultaatStatus.BEKEND,
                                         _verwijzing_zichtbaar(w, besluit.niveau), besluit.regel))
            await uow.commit()
        return uit

    # --- the fan-out ------------------------------------------------------------------------

    async def _overleg(self, uow: UnitOfWork, v: Verzoeker, overleg_id: UUID, veld: str | None = None) -> Overleg:
        o = await uow.overleggen.ophalen(v.huis, overleg_id)
        if o is None:
            if veld:
                raise OngeldigeInvoer([(veld, "overleg niet gevonden")])
            raise NietGevonden("overleg")
        return o

    async def _beslis(self, uow: UnitOfWork, v: Verzoeker, c: Convenant, overleg: Overleg, casussen: list[Casus]
                      ) -> tuple[list[_Vraag], dict[UUID, bytes | None], list[AuditRecord]]:
        """1. Decide every exchange, and make its audit record (the caller commits them before asking anyone)."""
        vandaag = self.omg.vandaag()
        vragen: list[_Vraag] = []
        records: list[AuditRecord] = []
        # One query per kind for the whole agenda, not three per casus.
        betrokkenen = await uow.betrokkenen.ophalen_alle_met_bsn(v.huis, [k.betrokkene_id for k in casussen])
        alle_toestemmingen = await uow.toestemmingen.voor_casussen([k.id for k in casussen])
        nu = self.omg.klok.nu()
        for casus in casussen:
            gevonden = betrokkenen.get(casus.betrokkene_id)
            if gevonden is None:
                continue
            betrokkene = gevonden[0]
            toestemmingen = tuple(alle_toestemmingen[casus.id])
            for bron in c.bronnen():
                besluit = decide(c, Uitwisseling(
                    bron=bron.id, ontvanger=v.ontvanger, overlegtype=overleg.overlegtype, peildatum=vandaag,
                    casus_gemeente=casus.gemeente, overleg_datum=overleg.datum, venster=self.venster,
                    leeftijd=leeftijd_op(betrokkene.geboortedatum, vandaag), toestemmingen=toestemmingen,
                    casus_afgesloten_op=casus.afgesloten_op.date() if casus.afgesloten_op else None,
                ))
                records.append(audit_gegevens(
                    v, c, Handeling.VERWIJZING_OPVRAGEN, besluit.toegestaan, nu,
                    reden=besluit.reden, betrokkene=casus.betrokkene_id, casus_id=casus.id, overleg_id=overleg.id,
                    overlegtype=overleg.overlegtype, bron=bron.id, categorie=besluit.categorie,
                    grondslag=besluit.grondslag, regel=besluit.regel,
                ))
                vragen.append(_Vraag(casus, betrokkene, bron, besluit))
        bsn_versleuteld: dict[UUID, bytes | None] = {
            k.betrokkene_id: (betrokkenen[k.betrokkene_id][1] if k.betrokkene_id in betrokkenen else None)
            for k in casussen}
        return vragen, bsn_versleuteld, records

    async def _ophalen(self, v: Verzoeker, overleg: Overleg, casussen: list[Casus], vragen: list[_Vraag],
                       bsn_versleuteld: Mapping[UUID, bytes | None]) -> dict[UUID, list[Resultaat]]:
        # 2. Ask the permitted sources, concurrently, under one deadline.
        antwoorden = await self._vraag_bronnen(v.huis, vragen, bsn_versleuteld)

        # 3. Store what is known, and shape each answer to what this caller may see.
        nu = self.omg.klok.nu()
        uit: dict[UUID, list[Resultaat]] = {k.id: [] for k in casussen}
        opgeslagen: list[Verwijzing] = []
        for i, q in enumerate(vragen):
            systeem = q.bron.bronsysteem
            if not q.besluit.toegestaan:
                uit[q.casus.id].append(Resultaat(q.bron.id, systeem, ResultaatStatus.NIET_TOEGESTAAN,
                                                 regel=q.besluit.regel, reden=q.besluit.reden))
                continue
            antwoord = antwoorden.get(i)
            if not isinstance(antwoord, DatInformatie):
                uit[q.casus.id].append(Resultaat(q.bron.id, systeem, ResultaatStatus.NIET_BESCHIKBAAR,
                                                 regel=q.besluit.regel, reden=str(antwoord)))
                continue
            if not antwoord.bekend:
                uit[q.casus.id].append(Resultaat(q.bron.id, systeem, ResultaatStatus.NIET_BEKEND,
                                                 regel=q.besluit.regel))
                continue
            w = Verwijzing(
                id=uuid4(), huis=v.huis, casus_id=q.casus.id, betrokkene_id=q.casus.betrokkene_id, bron=q.bron.id,
                bronsysteem=antwoord.bronsysteem or systeem or "", bekend_sinds=antwoord.bekend_sinds,
                contactpunt=antwoord.contactpunt, referentie=antwoord.referentie,
                bron_peildatum=antwoord.bron_peildatum, opgehaald_op=nu, opgehaald_voor=v.ontvanger,
                overleg_id=overleg.id, regel=q.besluit.regel,
            )
            opgeslagen.append(w)
            uit[q.casus.id].append(Resultaat(q.bron.id, w.bronsysteem, ResultaatStatus.BEKEND,
                                             _verwijzing_zichtbaar(w, q.besluit.niveau), q.besluit.regel))
        aantal_bronnen = len(self.omg.convenant(v).bronnen())
        try:
            await self._vastleggen_na_audit(v, overleg, casussen, opgeslagen, aantal_bronnen)
        except AuditNietVastgelegd as e:
            # The audit records are committed and the sources were asked: say so, not "nothing was exchanged".
            raise AntwoordNietVastgelegd(str(e)) from e
        return uit

    async def _vastleggen_na_audit(self, v: Verzoeker, overleg: Overleg, casussen: list[Casus],
                                   opgeslagen: list[Verwijzing], aantal_bronnen: int) -> None:
        await self._bundel.vastleggen(verwijzingen=opgeslagen, gebeurtenissen=[DomeinGebeurtenis(
            type=GebeurtenisType.VERWIJZINGEN_OPGEHAALD, huis=v.huis, sleutel=casus.id,
            dataref=f"/v1/casussen/{casus.id}/verwijzingen",
            # Which sources know the person is personal data: only ids and counts here.
            # nor who asked: a lookup tells that partner is involved with the person
            data={"casusId": str(casus.id), "overlegId": str(overleg.id), "aantalBronnen": aantal_bronnen},
            thema=casus.thema, overlegtype=overleg.overlegtype,
        ) for casus in casussen])

    async def _vraag_bronnen(self, huis: str, vragen: list[_Vraag],
                             versleuteld: Mapping[UUID, bytes | None]) -> dict[int, DatInformatie | str]:
        """Index of each permitted question -> DatInformatie, or the reason it is niet_beschikbaar."""

        async def een(q: _Vraag) -> DatInformatie | str:
            bron = self.bronnen.get(q.bron.bronsysteem or "")
            if bron is None:
                return f"geen koppeling met {q.bron.bronsysteem} geconfigureerd"
            ct = versleuteld.get(q.casus.betrokkene_id)
            if ct is None:
                return "identiteit niet meer beschikbaar (bewaartermijn)"
            bsn = self.omg.kluis.ontsleutel(huis, ct)  # decrypted only to ask the source
            async with self._slot:
                try:
                    return await bron.zoek(bsn, q.betrokkene.geboortedatum)
                except BronFout as e:
                    log.warning("verwijzing.bron_fout", bron=q.bron.id, bronsysteem=q.bron.bronsysteem,
                                soort=type(e).__name__, reden=e.reden)
                    return f"{q.bron.bronsysteem}: {e.reden}"

        taken = {asyncio.create_task(een(q)): i for i, q in enumerate(vragen) if q.besluit.toegestaan}
        uit: dict[int, DatInformatie | str] = {}
        if not taken:
            return uit
        klaar, open_ = await asyncio.wait(taken, timeout=self.deadline)
        for taak in klaar:
            try:
                uit[taken[taak]] = taak.result()
            except Exception as e:  # noqa: BLE001 - an adapter bug must not hide the other sources
                log.error("verwijzing.adapter_defect", soort=type(e).__name__)
                uit[taken[taak]] = f"onverwachte fout in de koppeling ({type(e).__name__})"
        for taak in open_:
            taak.cancel()
            q = vragen[taken[taak]]
            log.warning("verwijzing.deadline", bron=q.bron.id, deadline_s=self.deadline)
            uit[taken[taak]] = f"{q.bron.bronsysteem}: geen antwoord binnen {self.deadline:g} s"
        if open_:
            await asyncio.gather(*open_, return_exceptions=True)
        return uit
