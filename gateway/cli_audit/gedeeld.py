"""`ketenpoort audit verify|replay|inzage` (CONTRACT.md §1): the privacy officer's tools over the audit log.

The log is read from Kafka (``--kafka-bootstrap``) or from the database ledger (``--database-url``).
Exit codes: 0 ok, 1 verification failed or nothing found (or the log could not be read), 2 usage error.

A BSN given to ``--bsn`` is validated, turned into the vault's pseudonym and then forgotten: it is
never printed, logged or put into an error message (``--bsn -`` reads it from standard input, which
keeps it out of the process list and the shell history).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console


audit_app = typer.Typer(
    help="Het audit-log controleren (verify), afspelen (replay) en een inzageverzoek beantwoorden (inzage).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)

STANDAARD_PUBLIEKE_SLEUTEL = Path(".ketenpoort/signing.pub")


class VerifyFormaat(str, Enum):
    text = "text"
    json = "json"


class ReplayFormaat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class InzageFormaat(str, Enum):
    json = "json"
    table = "table"


KafkaOpt = Annotated[Optional[str], typer.Option("--kafka-bootstrap", metavar="H:P",
                                                 help="read the audit topic from this Kafka cluster")]
TopicOpt = Annotated[Optional[str], typer.Option("--topic", help="audit topic (default KETENPOORT_AUDIT_TOPIC "
                                                                 "or ketenpoort.audit.v1)")]
DbOpt = Annotated[Optional[str], typer.Option("--database-url", metavar="URL",
                                              help="read the database ledger (with --kafka-bootstrap: only for "
                                                   "the BSN look-up; default KETENPOORT_DATABASE_URL)")]
HuisOpt = Annotated[Optional[str], typer.Option("--huis", help="only this house")]


def _out() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


def _schrijf_json(waarde: Any) -> None:
    sys.stdout.write(json.dumps(waarde, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def _stop(code: int, bericht: str) -> NoReturn:
    _err().print(bericht, markup=False)
    raise typer.Exit(code)


def _instellingen():  # noqa: ANN202
    from gateway.infrastructure.settings import Instellingen

    return Instellingen()


# --------------------------------------------------------------------------- sources


class _Bron:
    """Where the log is read from; `lees` yields (huis, cloudevent) in log order."""

    def __init__(self, kafka: str | None, topic: str | None, database_url: str | None):
        self.kafka = kafka
        self.topic = topic or _instellingen().audit_topic
        self.database_url = database_url

    @property
    def is_database(self) -> bool:
        return self.kafka is None

    def beschrijving(self) -> str:
        return f"Kafka {self.kafka}, topic {self.topic}" if self.kafka else "database-ledger"

    def lees(self, *, huis: str | None, voortgang: Callable[[int, int | None], None] | None = None,
             checkpoints: bool = True, **filters: Any) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        from gateway.infrastructure.audit import lees_database, lees_kafka

        if self.kafka is not None:
            return lees_kafka(self.kafka, self.topic, huis=huis, voortgang=voortgang)
        assert self.database_url is not None
        return lees_database(self.database_url, huis=huis, voortgang=voortgang, checkpoints=checkpoints, **filters)

    def lees_gehasht(self, *, huis: str | None, voortgang: Callable[[int, int | None], None] | None = None,
                     ) -> AsyncIterator[tuple[str, Any, str | None]]:
        """The whole log with checkpoints: (huis, event or its AuditKern, chain hash where the reader
        computed it), see gateway.infrastructure.audit.Gelezen."""
        from gateway.infrastructure.audit import lees_database_gehasht, lees_kafka_gehasht

        if self.kafka is not None:
            return lees_kafka_gehasht(self.kafka, self.topic, huis=huis, voortgang=voortgang)
        assert self.database_url is not None
        return lees_database_gehasht(self.database_url, huis=huis, voortgang=voortgang, reeksen=True)


def _bron(kafka: str | None, topic: str | None, database_url: str | None, *, beide_toegestaan: bool) -> _Bron:
    if kafka and database_url and not beide_toegestaan:
        _stop(2, "kies één bron: --kafka-bootstrap of --database-url")
    if not kafka and not database_url:
        _stop(2, "geef de bron: --kafka-bootstrap H:P of --database-url URL")
    if kafka is not None and (":" not in kafka or not kafka.rsplit(":", 1)[1].isdigit()):
        _stop(2, f"--kafka-bootstrap verwacht HOST:PORT, niet {kafka!r}")
    return _Bron(kafka, topic, None if kafka else database_url)


def _voer_uit(werk: Any) -> Any:
    """Run a coroutine; a source that cannot be read is exit 1 with a clean message."""
    from gateway.infrastructure.audit import AuditBronFout

    try:
        return asyncio.run(werk)
    except AuditBronFout as e:
        _stop(1, f"audit-log niet te lezen: {e}")
    except OSError as e:
        _stop(1, f"audit-log niet te lezen: {type(e).__name__}")
    except Exception as e:
        # Driver and broker errors are named, not quoted: their text may carry query parameters.
        from aiokafka.errors import KafkaError
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(e, SQLAlchemyError):
            _stop(1, f"database niet te lezen: {type(e).__name__}")
        if isinstance(e, KafkaError):
            _stop(1, f"Kafka niet te lezen: {type(e).__name__}")
        raise


class _Voortgang:
    """A transient rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, omschrijving: str):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = _err()
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeRemainingColumn(), console=console, transient=True,
                                  disable=not console.is_terminal)
        self._taak = self._progress.add_task(omschrijving, total=None)

    def __enter__(self) -> _Voortgang:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, gelezen: int, totaal: int | None) -> None:
        self._progress.update(self._taak, completed=gelezen, total=totaal)


