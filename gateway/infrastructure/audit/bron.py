"""What every audit-log reader shares: the error, the progress callback, what one read item is."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any, NamedTuple

Voortgang = Callable[[int, int | None], None]
# (huis, event, keten_hash of its data or None: not computed). From a helper process a plain audit event
# comes as its AuditKern instead: (id, volgnummer, vorigeHash, hash) - see KetenVerificatie.voeg_toe_audit.
AuditKern = tuple[str, Any, Any, Any]
Gelezen = tuple[str, "dict[str, Any] | AuditKern", str | None]
PARALLEL_VANAF = 50_000  # events: below this, helper processes cost more than they save


class Reeks(NamedTuple):
    """Consecutive plain audit events that a helper found intact among themselves, compactly: the
    arguments of KetenVerificatie.voeg_toe_reeks (volgnummers from ``volgnummer``, the first one's
    vorigeHash, the id digests, the 32-byte hashes one after another)."""

    volgnummer: int
    vorige_hash: str
    id_digests: array
    hashes: bytes


class AuditBronFout(Exception):
    """The audit log could not be read (broker unreachable, topic or database missing, ...)."""




class Kolomafwijking(NamedTuple):
    """A ledger row whose indexed columns differ from its hashed event (for KetenVerificatie.meld_kolom)."""

    volgnummer: int
    kolommen: tuple[str, ...]
