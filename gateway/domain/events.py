"""Domain events for meeting front-ends: small, past tense, ids and non-personal attributes only."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID


class GebeurtenisType(StrEnum):
    CASUS_AANGEMELD = "nl.ketenpoort.casussen.aangemeld"
    CASUS_STATUS_GEWIJZIGD = "nl.ketenpoort.casussen.status-gewijzigd"
    OVERLEG_GEPLAND = "nl.ketenpoort.overleggen.gepland"
    AGENDAPUNT_TOEGEVOEGD = "nl.ketenpoort.overleggen.agendapunt-toegevoegd"
    AGENDAPUNT_VERWIJDERD = "nl.ketenpoort.overleggen.agendapunt-verwijderd"
    AFSPRAAK_VASTGELEGD = "nl.ketenpoort.afspraken.vastgelegd"
    AFSPRAAK_STATUS_GEWIJZIGD = "nl.ketenpoort.afspraken.status-gewijzigd"
    AFSPRAAK_VERLOPEN = "nl.ketenpoort.afspraken.verlopen"
    VERWIJZINGEN_OPGEHAALD = "nl.ketenpoort.verwijzingen.opgehaald"


@dataclass(frozen=True)
class DomeinGebeurtenis:
    """`sleutel` is the casus or overleg id (the Kafka key); `thema`/`overlegtype` drive visibility."""

    type: GebeurtenisType
    huis: str
    sleutel: UUID
    dataref: str
    data: dict[str, Any] = field(default_factory=dict)
    thema: str | None = None
    overlegtype: str | None = None
