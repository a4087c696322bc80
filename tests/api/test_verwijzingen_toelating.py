"""Admission: at most KETENPOORT_MAX_LOPENDE_OPVRAGINGEN lookups in progress per worker, the rest wait their turn."""

from __future__ import annotations

import asyncio

import pytest

from .test_verwijzingen import BPS_JCO_VIR_16, _agendeer, _ophalen


@pytest.fixture
def instellingen(instellingen):  # noqa: ANN001, ANN201 - the shared settings, with one lookup at a time
    return instellingen.model_copy(update={"max_lopende_opvragingen": 1})


async def test_een_opvraging_tegelijk_de_rest_wacht_en_komt_daarna(omgeving):
    casus, overleg = await _agendeer(omgeving, BPS_JCO_VIR_16)
    dienst = omgeving.container.afhankelijkheden.verwijzingen
    echte = dict(dienst.bronnen)
    bezig = hoogste = 0

    class Traag:
        def __init__(self, bron):  # noqa: ANN001
            self.bron, self.bronsysteem = bron, bron.bronsysteem

        async def zoek(self, bsn, geboortedatum=None):  # noqa: ANN001, ANN201
            nonlocal bezig, hoogste
            bezig += 1
            hoogste = max(hoogste, bezig)
            try:
                await asyncio.sleep(0.05)  # long enough for the other requests to arrive
                return await self.bron.zoek(bsn, geboortedatum)
            finally:
                bezig -= 1

        async def sluit(self) -> None:
            pass

    dienst.bronnen = {s: Traag(b) for s, b in echte.items()}
    try:
        uitkomsten = await asyncio.gather(*(_ophalen(omgeving, casus, overleg, "demo-om") for _ in range(3)))
    finally:
        dienst.bronnen = echte
    assert all(u["politie"]["status"] == "bekend" for u in uitkomsten)  # everyone served, in turn
    # demo-om may ask two sources of this person: one lookup at a time means never more than two calls at once.
    assert hoogste == 2
