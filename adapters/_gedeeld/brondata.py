"""The synthetic people the mocks serve (CONTRACT.md §7), loaded and checked once.

A system key under a person means that system knows them. `bekendSinds`, `contactpunt` and
`peildatum` are dat-information; every other key is content that only the mock ever serves.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from gateway.domain.bsn import is_geldig_bsn

from .tijd import als_utc, rfc3339

SYSTEMEN = ("BPS", "JCO-support", "Depan", "VIR")
DAT_SLEUTELS = frozenset({"bekendSinds", "contactpunt", "peildatum"})
_CONTACT_SLEUTELS = ("naam", "telefoon", "email")


@dataclass(frozen=True)
class Registratie:
    """What one system holds about one person: dat-information plus native content."""

    systeem: str
    bsn: str
    geboortedatum: date | None
    volgnummer: int
    bekend_sinds: date
    contactpunt: dict[str, str]
    peildatum: datetime | None
    inhoud: dict[str, Any] = field(default_factory=dict)

    def referentie(self, prefix: str, lengte: int = 12) -> str:
        """A stable, hash-like registration id; derived from file position, never from the BSN."""
        zaad = f"{self.systeem}|{self.volgnummer}|{self.bekend_sinds.isoformat()}"
        return f"{prefix}{hashlib.sha256(zaad.encode()).hexdigest()[:lengte].upper()}"


@dataclass(frozen=True)
class Persoon:
    bsn: str
    geboortedatum: date | None
    registraties: dict[str, Registratie]


@dataclass(frozen=True)
class Brondata:
    personen: tuple[Persoon, ...]

    def voor(self, systeem: str) -> dict[str, Registratie]:
        """The people `systeem` knows, by BSN."""
        return {p.bsn: p.registraties[systeem] for p in self.personen if systeem in p.registraties}

    @classmethod
    def uit(cls, document: Mapping[str, Any]) -> Brondata:
        problemen: list[str] = []
        personen: list[Persoon] = []
        gezien: set[str] = set()
        for i, ruw in enumerate(document.get("personen") or []):
            pad = f"personen[{i}]"
            if not isinstance(ruw, Mapping):
                problemen.append(f"{pad}: geen mapping")
                continue
            bsn = str(ruw.get("bsn", ""))
            # Messages name the position, never the BSN itself.
            if not is_geldig_bsn(bsn):
                problemen.append(f"{pad}.bsn: geen geldig BSN (9 cijfers, elfproef)")
            elif bsn in gezien:
                problemen.append(f"{pad}.bsn: dubbel")
            gezien.add(bsn)
            geboortedatum = _datum(ruw.get("geboortedatum"), f"{pad}.geboortedatum", problemen)
            registraties: dict[str, Registratie] = {}
            for sleutel, waarde in ruw.items():
                if sleutel in ("bsn", "geboortedatum"):
                    continue
                if sleutel not in SYSTEMEN:
                    problemen.append(f"{pad}.{sleutel}: onbekend bronsysteem (verwacht een van {', '.join(SYSTEMEN)})")
                    continue
                reg = _registratie(sleutel, waarde or {}, bsn, geboortedatum, i, f"{pad}.{sleutel}", problemen)
                if reg is not None:
                    registraties[sleutel] = reg
            personen.append(Persoon(bsn, geboortedatum, registraties))
        if problemen:
            raise ValueError("ongeldige brondata:\n" + "\n".join(problemen))
        return cls(tuple(personen))


def laad_brondata(pad: str | os.PathLike[str]) -> Brondata:
    with Path(pad).open(encoding="utf-8") as bestand:
        return Brondata.uit(yaml.safe_load(bestand) or {})


def _registratie(
    systeem: str, ruw: Any, bsn: str, geboortedatum: date | None, volgnummer: int, pad: str, problemen: list[str]
) -> Registratie | None:
    if not isinstance(ruw, Mapping):
        problemen.append(f"{pad}: geen mapping")
        return None
    bekend_sinds = _datum(ruw.get("bekendSinds"), f"{pad}.bekendSinds", problemen)
    if bekend_sinds is None:
        problemen.append(f"{pad}.bekendSinds: verplicht")
        return None
    contact = ruw.get("contactpunt") or {}
    if not isinstance(contact, Mapping) or not contact.get("naam"):
        problemen.append(f"{pad}.contactpunt.naam: verplicht")
        return None
    peildatum = _tijdstip(ruw.get("peildatum"), f"{pad}.peildatum", problemen)
    return Registratie(
        systeem=systeem,
        bsn=bsn,
        geboortedatum=geboortedatum,
        volgnummer=volgnummer,
        bekend_sinds=bekend_sinds,
        contactpunt={k: str(contact[k]) for k in _CONTACT_SLEUTELS if contact.get(k)},
        peildatum=peildatum,
        inhoud={k: v for k, v in ruw.items() if k not in DAT_SLEUTELS},
    )


def _tijdstip(waarde: Any, pad: str, problemen: list[str]) -> datetime | None:
    if waarde is None:
        return None
    if isinstance(waarde, date) and not isinstance(waarde, datetime):
        return datetime.combine(waarde, time(), UTC)
    if isinstance(waarde, str):
        with contextlib.suppress(ValueError):  # left a string: reported just below
            waarde = datetime.fromisoformat(waarde)
    if not isinstance(waarde, datetime):
        problemen.append(f"{pad}: geen tijdstip (RFC 3339)")
        return None
    return als_utc(waarde)


def _datum(waarde: Any, pad: str, problemen: list[str]) -> date | None:
    if waarde is None or (isinstance(waarde, date) and not isinstance(waarde, datetime)):
        return waarde
    try:
        return date.fromisoformat(str(waarde))
    except ValueError:
        problemen.append(f"{pad}: geen datum (JJJJ-MM-DD)")
        return None


def als_json(waarde: Any) -> Any:
    """YAML content (dates, nested maps) as JSON-ready values, for the mocks' native replies."""
    if isinstance(waarde, datetime):
        return rfc3339(waarde)
    if isinstance(waarde, date):
        return waarde.isoformat()
    if isinstance(waarde, Mapping):
        return {str(k): als_json(v) for k, v in waarde.items()}
    if isinstance(waarde, list | tuple):
        return [als_json(v) for v in waarde]
    return waarde
