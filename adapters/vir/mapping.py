"""VIR signals/match -> DatInformatie: one contact point, since when, and the match or signal id.

The list of signalling organisations stops here: a signal from an addiction clinic is not
dat-information. The contact is the central contact point (regievoerder) when one is marked.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import structlog
from pydantic import Field, ValidationError

from adapters._gedeeld import ContactModel, DatModel, als_utc
from gateway.domain.errors import BronNietBeschikbaar
from gateway.domain.model import DatInformatie

from .client import BRONSYSTEEM, SLUG

log = structlog.get_logger()


class _Signaal(DatModel):
    signaalId: str = Field(min_length=1)
    afgegevenOp: date
    status: str = "actief"
    centraalContactpunt: bool = False
    contactpersoon: ContactModel | None = None


class _Match(DatModel):
    matchId: str = Field(min_length=1)


class _Zoekresultaat(DatModel):
    peildatum: datetime
    match: _Match | None = None
    signalen: list[_Signaal]


def naar_dat_informatie(native: dict[str, Any]) -> DatInformatie:
    resultaat = _lees(native)
    if not resultaat.signalen:
        return DatInformatie(BRONSYSTEEM, bekend=False, bron_peildatum=als_utc(resultaat.peildatum))
    signaal = _aanspreekpunt(resultaat.signalen)
    persoon = signaal.contactpersoon
    return DatInformatie(
        bronsysteem=BRONSYSTEEM,
        bekend=True,
        bekend_sinds=min(s.afgegevenOp for s in resultaat.signalen),
        contactpunt=persoon.als_contactpunt() if persoon else None,
        referentie=resultaat.match.matchId if resultaat.match else signaal.signaalId,
        bron_peildatum=als_utc(resultaat.peildatum),
    )


def _aanspreekpunt(signalen: list[_Signaal]) -> _Signaal:
    """The marked central contact; else the oldest active signal; else the oldest signal."""
    for signaal in signalen:
        if signaal.centraalContactpunt:
            return signaal
    actief = [s for s in signalen if s.status == "actief"]
    return min(actief or signalen, key=lambda s: s.afgegevenOp)


def _lees(native: dict[str, Any]) -> _Zoekresultaat:
    try:
        return _Zoekresultaat.model_validate(native)
    except ValidationError as fout:
        # The validation text quotes input values (a BSN, content): log only where it failed, and
        # raise outside this block so the ValidationError is not chained to ours.
        velden = sorted({".".join(map(str, e["loc"])) for e in fout.errors()})
    log.warning(f"adapter.{SLUG}.onleesbaar", bron=BRONSYSTEEM, velden=velden)
    raise BronNietBeschikbaar(BRONSYSTEEM, "onleesbaar antwoord")
