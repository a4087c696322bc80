"""Depan lookup -> DatInformatie. Detention status, release dates and the five life domains stop here.

`bron_peildatum` is Depan's own as-of time (the record's, else the answer's): Depan is fed in
batches and releases are recorded late, so a meeting must see how old "gedetineerd" is.
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


class _Gedetineerde(DatModel):
    detentieId: str = Field(min_length=1)
    registratiedatum: date
    peildatum: datetime | None = None
    contactpunt: ContactModel | None = None


class _Zoekresultaat(DatModel):
    peildatum: datetime
    gedetineerden: list[_Gedetineerde]


def naar_dat_informatie(native: dict[str, Any]) -> DatInformatie:
    resultaat = _lees(native)
    if not resultaat.gedetineerden:
        return DatInformatie(BRONSYSTEEM, bekend=False, bron_peildatum=als_utc(resultaat.peildatum))
    # Several detentions: the latest is the one whose MMD to call.
    record = max(resultaat.gedetineerden, key=lambda g: g.registratiedatum)
    contact = record.contactpunt
    return DatInformatie(
        bronsysteem=BRONSYSTEEM,
        bekend=True,
        bekend_sinds=record.registratiedatum,
        contactpunt=contact.als_contactpunt() if contact else None,
        referentie=record.detentieId,
        bron_peildatum=als_utc(record.peildatum or resultaat.peildatum),
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
