"""The audit record from the service to the ledger, and the one filter over the audit log.

``AuditRecord`` is the audit data object of CONTRACT.md §6 less volgnummer/vorigeHash/hash (the ledger links
it into the chain); typed and frozen, so nothing on the way to the ledger can change or drop a field.
``AuditFilter`` is what the API, the CLI and the Kafka reader select on; ``past`` evaluates it on the hashed
event itself (the database reader selects on the indexed columns, which `audit verify` holds against it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from .keten import BesluitWaarde, Handeling, tijd


def _id(w: UUID | None) -> str | None:
    return str(w) if w is not None else None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    huis: str
    tijdstip: datetime
    handeling: Handeling
    besluit: BesluitWaarde
    partner: str | None  # None for the house's own roles (procesregie, privacy, beheer): then `rol`
    client_id: str
    gebruiker: str | None
    convenant: tuple[tuple[str, str], ...]  # (id, versie, hash) as name/value pairs
    reden: str | None = None
    bron: str | None = None
    betrokkene: UUID | None = None
    casus_id: UUID | None = None
    overleg_id: UUID | None = None
    overlegtype: str | None = None
    categorie: str | None = None
    grondslag: str | None = None
    regel: str | None = None
    trace_id: str | None = None
    # The selection a read of the audit log used (audit_inzien, inzage): recorded with it.
    filter: tuple[tuple[str, str], ...] | None = None
    rol: str | None = None  # the house role acting, when no partner does

    def als_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "huis": self.huis,
            "tijdstip": tijd(self.tijdstip),
            "handeling": self.handeling.value,
            "besluit": self.besluit.value,
            "reden": self.reden,
            "verzoeker": {"partner": self.partner, "clientId": self.client_id, "gebruiker": self.gebruiker,
                          **({"rol": self.rol} if self.partner is None and self.rol else {})},
            "bron": self.bron,
            "betrokkene": _id(self.betrokkene),
            "casusId": _id(self.casus_id),
            "overlegId": _id(self.overleg_id),
            "overlegtype": self.overlegtype,
            "categorie": self.categorie,
            "grondslag": self.grondslag,
            "regel": self.regel,
            "convenant": dict(self.convenant),
            "traceId": self.trace_id,
        }
        if self.filter is not None:
            data["filter"] = dict(self.filter)
        return data

    @classmethod
    def uit_data(cls, data: Mapping[str, Any]) -> AuditRecord:
        """The record of an audit data object (tools and tests that write a ledger directly)."""
        v = data.get("verzoeker") or {}
        t = datetime.fromisoformat(str(data["tijdstip"]).replace("Z", "+00:00"))

        def uuid_of(k: str) -> UUID | None:
            return UUID(str(data[k])) if data.get(k) else None

        return cls(
            huis=str(data["huis"]), tijdstip=t if t.tzinfo else t.replace(tzinfo=timezone.utc),
            handeling=Handeling(data["handeling"]), besluit=BesluitWaarde(data["besluit"]),
            partner=str(v["partner"]) if v.get("partner") is not None else None, client_id=str(v.get("clientId")),
            gebruiker=v.get("gebruiker"), rol=v.get("rol"),
            convenant=tuple((str(k), str(w)) for k, w in (data.get("convenant") or {}).items()),
            reden=data.get("reden"), bron=data.get("bron"), betrokkene=uuid_of("betrokkene"),
            casus_id=uuid_of("casusId"), overleg_id=uuid_of("overlegId"), overlegtype=data.get("overlegtype"),
            categorie=data.get("categorie"), grondslag=data.get("grondslag"), regel=data.get("regel"),
            trace_id=data.get("traceId"),
            filter=tuple(sorted((str(k), str(w)) for k, w in data["filter"].items())) if data.get("filter") else None,
        )


def _tijdstip(data: Mapping[str, Any]) -> datetime | None:
    w = data.get("tijdstip")
    if not isinstance(w, str):
        return None
    try:
        t = datetime.fromisoformat(w.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """A selection of one house's audit log; every field None selects everything."""

    betrokkene: UUID | None = None
    partner: str | None = None  # the requesting partner
    bron: str | None = None  # the source partner
    handeling: str | None = None
    besluit: str | None = None
    vanaf: datetime | None = None  # inclusive
    tot: datetime | None = None  # exclusive

    def __post_init__(self) -> None:
        for naam in ("vanaf", "tot"):  # a time without a zone is UTC, as everywhere in the audit log
            w = getattr(self, naam)
            if w is not None and w.tzinfo is None:
                object.__setattr__(self, naam, w.replace(tzinfo=timezone.utc))

    def past(self, data: Mapping[str, Any]) -> bool:
        """Whether an audit data object is selected, judged on the hashed event itself."""
        if self.betrokkene is not None and data.get("betrokkene") != str(self.betrokkene):
            return False
        verzoeker = data.get("verzoeker")
        if self.partner is not None and (not isinstance(verzoeker, Mapping) or verzoeker.get("partner") != self.partner):
            return False
        for veld, waarde in (("bron", self.bron), ("handeling", self.handeling), ("besluit", self.besluit)):
            if waarde is not None and data.get(veld) != waarde:
                return False
        if self.vanaf is not None or self.tot is not None:
            t = _tijdstip(data)
            if t is None or (self.vanaf is not None and t < self.vanaf) or (self.tot is not None and t >= self.tot):
                return False
        return True

    def als_vastlegging(self) -> tuple[tuple[str, str], ...]:
        """The filter as it is recorded in the audit event of the read (no BSN: the person is the betrokkene)."""
        uit = []
        for f in fields(self):
            w = getattr(self, f.name)
            if w is None or f.name == "betrokkene":
                continue
            uit.append((f.name, tijd(w) if isinstance(w, datetime) else str(w)))
        return tuple(uit)
