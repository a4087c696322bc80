"""`ketenpoort audit verify|replay|inzage` (CONTRACT.md §1): the privacy officer's tools over the audit log.

The log is read from Kafka (``--kafka-bootstrap``) or from the database ledger (``--database-url``).
Exit codes: see ``verify`` (docs/audit.md); replay and inzage: 0 ok, 1 nothing found or unreadable, 2 usage.

A BSN given to ``--bsn`` is validated, turned into the vault's pseudonym and then forgotten: it is
never printed, logged or put into an error message (``--bsn -`` reads it from standard input, which
keeps it out of the process list and the shell history).
"""

from . import lezen, verify  # noqa: F401 - registers the commands
from .gedeeld import audit_app

__all__ = ["audit_app"]
