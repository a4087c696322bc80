"""Times at the boundary: every source time becomes an aware UTC datetime, written RFC 3339 with `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def als_utc(moment: datetime) -> datetime:
    """Aware UTC with the standard tzinfo; a source that omits the offset is taken to mean UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return als_utc(moment).isoformat().replace("+00:00", "Z")
