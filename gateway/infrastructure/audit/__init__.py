"""Reading and signing the audit log outside the request path (`ketenpoort audit`, `ketenpoort sleutels`).

- ``kafka_lezer`` / ``database_lezer``: async generators of ``(huis, event, chain hash or None)`` in log order
- ``rijen``: decoding and hashing stored rows, in forked helper processes from PARALLEL_VANAF events
- ``snel_json``: orjson where it is byte-for-byte what the writer hashes
- ``sleutels``: Ed25519 checkpoint signatures, key ids and the public keyring
"""

from .bron import AuditBronFout, Kolomafwijking, Reeks, Voortgang
from .database_lezer import lees_database, lees_database_gehasht, lees_engine, tellerstanden
from .kafka_lezer import lees_kafka, lees_kafka_gehasht
from .sleutels import (
    handtekening_controle,
    laad_publieke_sleutel,
    maak_sleutelpaar,
    onderteken_checkpoint,
    publiek_pad,
    sleutel_id,
)
from .snel_json import laad_json, lees_event, snelle_keten_hash

__all__ = [
    "AuditBronFout",
    "Kolomafwijking",
    "Reeks",
    "Voortgang",
    "handtekening_controle",
    "laad_json",
    "laad_publieke_sleutel",
    "lees_database",
    "lees_database_gehasht",
    "lees_engine",
    "lees_event",
    "lees_kafka",
    "lees_kafka_gehasht",
    "maak_sleutelpaar",
    "onderteken_checkpoint",
    "publiek_pad",
    "sleutel_id",
    "snelle_keten_hash",
    "tellerstanden",
]
