"""BPS person record -> DatInformatie. Mutaties, offences and descriptions stop here.

The models below declare only the dat fields and ignore the rest, so content is never copied
into anything that outlives this function.
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


class _Persoon(DatModel):
    registratienummer: str = Field(min_length=1)
    eersteRegistratie: date
    behandelendTeam: ContactModel | None = None


class _Zoekresultaat(DatModel):
    peilmoment: datetime
    personen: list[_Persoon]


def naar_dat_informatie(native: dict[str, Any]) -> DatInformatie:
    resultaat = _lees(native)
    if not resultaat.personen:
        return DatInformatie(BRONSYSTEEM, bekend=False, bron_peildatum=als_utc(resultaat.peilmoment))
    # One BSN is one person; should BPS hold duplicates, the oldest registration is the one to call about.
    persoon = min(resultaat.personen, key=lambda p: p.eersteRegistratie)
    team = persoon.behandelendTeam
    return DatInformatie(
        bronsysteem=BRONSYSTEEM,
        bekend=True,
        bekend_sinds=persoon.eersteRegistratie,
        contactpunt=team.als_contactpunt() if team else None,
        referentie=persoon.registratienummer,
        bron_peildatum=als_utc(resultaat.peilmoment),
    )


def _lees(native: dict[str, Any]) -> _Zoekresultaat:
    try:
        return _Zoekresultaat.model_validate(native)
    except ValidationError as fout:
        # The validation text quotes input values (a BSN, content): log only where it failed, and
        # raise outside this block so the ValidationError is not chained to ours.
        velden = sorted({".".join(map(str, e["loc"])) for e in fout.errors()})
    log.warning(f"adapter.{SLUG}.onleesbaar", bron=BRONSYSTEEM, velden=velden)
    raise BronNietBeschikbaar(BRONSYSTEEM, "onleesbaar antwoord")
