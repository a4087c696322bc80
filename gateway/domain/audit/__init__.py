"""The audit chain (CONTRACT.md §6): records, hashing, checkpoints, and the one verifier.

- ``keten``       handelingen, RFC 8785 canonical JSON, the SHA-256 links, CloudEvents envelopes
- ``record``      the typed audit record from the service to the ledger, and the one audit filter
- ``kolommen``    the ledger's indexed columns, as the writer fills them and the verifier checks them
- ``checkpoint``  the signed checkpoint record and the message its signature covers
- ``verifier``    KetenVerificatie: hash chain, checkpoints, the first break (with ``ankers``,
                  ``diagnose``, ``records``, ``verslag``)
"""

from .checkpoint import CHECKPOINT_ELKE, CHECKPOINT_MAX_LEEFTIJD_S, Checkpoint, checkpoint_bericht
from .keten import (
    AUDIT_TYPE,
    CHECKPOINT_TYPE,
    NUL_HASH,
    BesluitWaarde,
    Handeling,
    canonieke_json,
    cloudevent,
    dataschema,
    huis_bron,
    is_eenvoudige_json,
    keten_hash,
    schakel,
    tijd,
    volgorde,
)
from .record import AuditFilter, AuditRecord
from .records import huis_van, per_huis
from .ankers import HandtekeningControle
from .verifier import KetenVerificatie, verifieer, verifieer_per_huis
from .verslag import Bevinding, Breuktype, Verslag

__all__ = [
    "AUDIT_TYPE",
    "AuditFilter",
    "AuditRecord",
    "CHECKPOINT_ELKE",
    "CHECKPOINT_MAX_LEEFTIJD_S",
    "CHECKPOINT_TYPE",
    "NUL_HASH",
    "BesluitWaarde",
    "Bevinding",
    "Breuktype",
    "Checkpoint",
    "HandtekeningControle",
    "Handeling",
    "KetenVerificatie",
    "Verslag",
    "canonieke_json",
    "checkpoint_bericht",
    "cloudevent",
    "dataschema",
    "huis_bron",
    "huis_van",
    "is_eenvoudige_json",
    "keten_hash",
    "per_huis",
    "schakel",
    "tijd",
    "verifieer",
    "verifieer_per_huis",
    "volgorde",
]
