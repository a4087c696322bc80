"""The ledger's indexed columns and what they must hold: the values the writer takes from the hashed event.

The filters (inzage, replay, GET /v1/audit/gebeurtenissen) select on these columns, so `audit verify`
compares each one with the hashed JSON of its row; the writer fills them from the same function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LEDGER_KOLOMMEN = ("huis", "volgnummer", "event_id", "hash", "tijdstip", "handeling", "besluit", "partner",
                   "betrokkene")


def ledger_waarden(ev_id: str, data: Mapping[str, Any]) -> tuple[Any, ...]:
    """Per LEDGER_KOLOMMEN what the row of this event must hold (as JSON text values; None: NULL)."""
    verzoeker = data.get("verzoeker")
    partner = verzoeker.get("partner") if isinstance(verzoeker, Mapping) else None
    return (data.get("huis"), data.get("volgnummer"), ev_id, data.get("hash"), data.get("tijdstip"),
            data.get("handeling"), data.get("besluit"), partner, data.get("betrokkene"))


def afwijkende_kolommen(ev_id: str, data: Mapping[str, Any], kolommen: tuple[Any, ...]) -> tuple[str, ...]:
    """The names of the columns whose stored value (already as text, see the reader) is not the event's."""
    verwacht = ledger_waarden(ev_id, data)
    if verwacht == kolommen:
        return ()
    return tuple(naam for naam, v, k in zip(LEDGER_KOLOMMEN, verwacht, kolommen, strict=True) if v != k)
