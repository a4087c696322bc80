"""The audit chain: RFC 8785 canonical JSON, SHA-256 links, CloudEvents envelopes.

Per house: `volgnummer` starts at 1 without gaps; the first `vorigeHash` is 64 zeros;
hash = sha256(JCS(data without "hash")). Checkpoints: see checkpoint.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any
from uuid import UUID

NUL_HASH = "0" * 64
AUDIT_TYPE = "nl.ketenpoort.audit.uitwisseling"
CHECKPOINT_TYPE = "nl.ketenpoort.audit.checkpoint"


class Handeling(StrEnum):
    CASUS_AANMELDEN = "casus_aanmelden"
    CASUS_INZIEN = "casus_inzien"
    CASUS_ZOEKEN = "casus_zoeken"
    CASUS_WIJZIGEN = "casus_wijzigen"
    AGENDA_INZIEN = "agenda_inzien"
    AGENDAPUNT_TOEVOEGEN = "agendapunt_toevoegen"
    AGENDAPUNT_VERWIJDEREN = "agendapunt_verwijderen"
    VERWIJZING_OPVRAGEN = "verwijzing_opvragen"
    VERWIJZINGEN_INZIEN = "verwijzingen_inzien"
    AFSPRAAK_VASTLEGGEN = "afspraak_vastleggen"
    AFSPRAAK_WIJZIGEN = "afspraak_wijzigen"
    AFSPRAKEN_INZIEN = "afspraken_inzien"
    TOESTEMMING_VASTLEGGEN = "toestemming_vastleggen"
    TOESTEMMINGEN_INZIEN = "toestemmingen_inzien"
    TOESTEMMING_INTREKKEN = "toestemming_intrekken"
    GEBOORTEDATUM_CORRIGEREN = "geboortedatum_corrigeren"
    AUDIT_INZIEN = "audit_inzien"
    INZAGE = "inzage"


class BesluitWaarde(StrEnum):
    TOEGESTAAN = "toegestaan"
    GEWEIGERD = "geweigerd"


def _jcs_sleutel(k: str) -> bytes:
    return k.encode("utf-16-be")  # RFC 8785 sorts member names by UTF-16 code units


def _jcs(waarde: Any, uit: list[str]) -> None:
    if isinstance(waarde, Mapping):
        uit.append("{")
        for i, k in enumerate(sorted(waarde, key=_jcs_sleutel)):
            if not isinstance(k, str):
                raise TypeError("JSON member names must be strings")
            if i:
                uit.append(",")
            uit.append(json.dumps(k, ensure_ascii=False))
            uit.append(":")
            _jcs(waarde[k], uit)
        uit.append("}")
    elif isinstance(waarde, (list, tuple)):
        uit.append("[")
        for i, v in enumerate(waarde):
            if i:
                uit.append(",")
            _jcs(v, uit)
        uit.append("]")
    elif isinstance(waarde, float):
        # Audit data holds no fractions; refusing them keeps this exactly RFC 8785.
        raise TypeError("floats are not allowed in audit data")
    elif waarde is None or isinstance(waarde, (bool, int, str)):
        uit.append(json.dumps(waarde, ensure_ascii=False))
    else:
        raise TypeError(f"not JSON: {type(waarde).__name__}")


def canonieke_json(waarde: Any) -> bytes:
    """RFC 8785 (JCS) serialisation for JSON without floats.

    Ordinary audit data takes the C encoder (about four times faster, see is_eenvoudige_json); anything
    else the exact walk above.
    """
    if is_eenvoudige_json(waarde):
        return json.dumps(waarde, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    uit: list[str] = []
    _jcs(waarde, uit)
    return "".join(uit).encode("utf-8")


_SCALAIR = frozenset((str, int, bool, type(None)))  # exact types: subclasses take the exact walk


def is_eenvoudige_json(w: Any) -> bool:
    """JSON for which json.dumps(sort_keys=True) is byte-for-byte RFC 8785: no floats, plain types (dict,
    list, tuple, str, int, bool, None - no subclasses), member names below U+D800 (where code-point order
    and UTF-16 order agree).

    A faster serialiser that writes the same bytes as that json.dumps call for such values (orjson does,
    see gateway.infrastructure.audit.snel_json.snelle_keten_hash) may stand in for it.
    """
    t = type(w)
    if t is dict:
        for k, v in w.items():
            if type(k) is not str or not (k.isascii() or max(k, default="") < "\ud800"):
                return False
            if type(v) not in _SCALAIR and not is_eenvoudige_json(v):
                return False
        return True
    if t is list or t is tuple:
        for v in w:
            if type(v) not in _SCALAIR and not is_eenvoudige_json(v):
                return False
        return True
    return t in _SCALAIR


def keten_hash(data: Mapping[str, Any]) -> str:
    zonder = {k: v for k, v in data.items() if k != "hash"}
    if is_eenvoudige_json(zonder):  # about four times faster, and exactly the same bytes
        tekst = json.dumps(zonder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(tekst.encode("utf-8")).hexdigest()
    return hashlib.sha256(canonieke_json(zonder)).hexdigest()


def schakel(gegevens: Mapping[str, Any], volgnummer: int, vorige_hash: str) -> dict[str, Any]:
    """Link one audit record into the chain: set volgnummer, vorigeHash and hash."""
    data = dict(gegevens)
    data["volgnummer"] = volgnummer
    data["vorigeHash"] = vorige_hash
    data.pop("hash", None)
    data["hash"] = keten_hash(data)
    return data


def tijd(dt: datetime) -> str:
    """RFC 3339 in UTC with a Z, to the millisecond (stable across databases)."""
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def huis_bron(huis: str) -> str:
    return f"urn:nld:ketenpoort:huis:{huis}"


SCHEMA_VERSIE = "1"
VOLGORDE_CIJFERS = 20  # a BIGINT has at most 19 digits: every sequence has the same length


def dataschema(type: str) -> str:
    """The schema of an event type's data (NL GOV CloudEvents profile); named in schemas/asyncapi.yaml."""
    return f"urn:nld:ketenpoort:schema:{type}:{SCHEMA_VERSIE}"


def volgorde(n: int) -> str:
    """A sequence that sorts as a string the way it does as a number ("9" < "10")."""
    return str(n).zfill(VOLGORDE_CIJFERS)


def cloudevent(
    *, id: UUID | str, type: str, huis: str, time: datetime, data: Mapping[str, Any], sequence: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A CloudEvents 1.0 envelope in structured JSON mode, with the NL GOV profile's dataschema/sequencetype."""
    ev: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(id),
        "source": huis_bron(huis),
        "type": type,
        "time": tijd(time),
        "datacontenttype": "application/json",
        "dataschema": dataschema(type),
    }
    if sequence is not None:
        ev.update(sequence=volgorde(sequence), sequencetype="Integer")
    ev.update({k: v for k, v in extra.items() if v is not None})
    ev["data"] = dict(data)
    return ev
