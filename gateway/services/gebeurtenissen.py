"""Domain events for meeting front-ends, filtered to what the caller may see."""

from __future__ import annotations

from collections.abc import Callable

from gateway.domain.errors import GeenToegang
from gateway.domain.model import Scope, Verzoeker
from gateway.domain.ports import GebeurtenisLezer, OpgeslagenGebeurtenis

from .common import Omgeving


class GebeurtenisDienst:
    def __init__(self, omg: Omgeving, lezer: GebeurtenisLezer):
        self.omg = omg
        self.lezer = lezer

    def zichtbaar_voor(self, v: Verzoeker) -> Callable[[OpgeslagenGebeurtenis], bool]:
        c = self.omg.convenant(v)
        if v.is_procesregisseur:
            return lambda g: True
        if not v.heeft(Scope.PARTNER) or not v.partner:
            raise GeenToegang(f"client {v.client_id} mag geen gebeurtenissen volgen", "T-ROL")
        partner = v.partner
        themas = c.themas_voor_partner(partner)

        def mag(g: OpgeslagenGebeurtenis) -> bool:
            if g.overlegtype is not None:  # an overleg's events: its participants only
                return c.is_deelnemer(partner, g.overlegtype)
            return g.thema is not None and g.thema in themas

        return mag

    async def na(self, v: Verzoeker, positie: int, limiet: int = 500) -> tuple[list[OpgeslagenGebeurtenis], int]:
        """Visible events after `positie`, and the position read up to (past invisible ones too)."""
        mag = self.zichtbaar_voor(v)
        rijen = await self.lezer.na(v.huis, positie, limiet)
        tot = rijen[-1].positie if rijen else positie
        return [g for g in rijen if mag(g)], tot

    async def laatste(self, v: Verzoeker) -> int:
        self.zichtbaar_voor(v)
        return await self.lezer.laatste(v.huis)
