"""Signed checkpoints and Merkle proofs for partners (RFC 9162): each can check its own exchanges.

Proofs and checkpoints hold hashes only, so reading them is no exchange of personal data and is not recorded
in the chain. An inclusion proof is given only to the requester named in that event and to the privacy
officer: who asked what, when, is itself something a partner need not learn of another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.domain.errors import Conflict, GeenToegang, NietGevonden, OngeldigeInvoer
from gateway.domain.model import Scope, Verzoeker
from gateway.domain.ports import AuditBewijzen

BEWIJS = "T-BEWIJS"


def _eigen_uitwisseling(v: Verzoeker, verzoeker: Mapping[str, Any]) -> bool:
    if v.heeft(Scope.PRIVACY) or verzoeker.get("clientId") == v.client_id:
        return True
    return v.heeft(Scope.PARTNER) and bool(v.partner) and verzoeker.get("partner") == v.partner


class BewijsDienst:
    def __init__(self, lezer: AuditBewijzen):
        self.lezer = lezer

    async def checkpoints(self, v: Verzoeker, *, vanaf: int, limiet: int) -> list[Mapping[str, Any]]:
        return list(await self.lezer.checkpoints(v.huis, vanaf=vanaf, limiet=limiet))

    async def _laatste_grootte(self, v: Verzoeker) -> tuple[int, Mapping[str, Any] | None]:
        cp = await self.lezer.laatste_checkpoint(v.huis)
        return (int(cp["volgnummer"]), cp) if cp is not None else (0, None)

    async def opname(self, v: Verzoeker, volgnummer: int) -> dict[str, Any]:
        gevonden = await self.lezer.verzoeker_van(v.huis, volgnummer)
        if gevonden is None:
            raise NietGevonden("auditgebeurtenis")
        hash_, verzoeker = gevonden
        if not _eigen_uitwisseling(v, verzoeker):
            raise GeenToegang("een opnamebewijs krijgen alleen de verzoeker van die uitwisseling en de "
                              "privacyfunctionaris", BEWIJS)
        grootte, cp = await self._laatste_grootte(v)
        if cp is None or grootte < volgnummer or "boomWortel" not in cp:
            raise Conflict("deze auditgebeurtenis valt nog niet onder een ondertekend checkpoint met boomwortel; "
                           "het volgende checkpoint volgt binnen 60 seconden")
        return {"huis": v.huis, "volgnummer": volgnummer, "hash": hash_, "blad": volgnummer - 1,
                "boomGrootte": grootte, "boomWortel": cp["boomWortel"],
                "pad": await self.lezer.opname(v.huis, volgnummer - 1, grootte), "checkpoint": dict(cp)}

    async def consistentie(self, v: Verzoeker, van: int, tot: int) -> dict[str, Any]:
        grootte, _ = await self._laatste_grootte(v)
        fouten = []
        if van < 1:
            fouten.append(("van", "minstens 1"))
        if tot > grootte:
            fouten.append(("tot", f"hoogstens de grootte van het laatste checkpoint ({grootte})"))
        if van > tot:
            fouten.append(("van", "niet groter dan tot"))
        if fouten:
            raise OngeldigeInvoer(fouten)
        van_cp = await self.lezer.checkpoint_op(v.huis, van)
        tot_cp = await self.lezer.checkpoint_op(v.huis, tot)
        return {"huis": v.huis, "van": van, "tot": tot, "pad": await self.lezer.consistentie(v.huis, van, tot),
                "vanCheckpoint": dict(van_cp) if van_cp else None, "totCheckpoint": dict(tot_cp) if tot_cp else None}
