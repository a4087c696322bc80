"""`ketenpoort audit verify|replay|inzage` (CONTRACT.md §1): the privacy officer's tools over the audit log.

The log is read from Kafka (``--kafka-bootstrap``) or from the database ledger (``--database-url``).
Exit codes: 0 ok, 1 verification failed or nothing found (or the log could not be read), 2 usage error.

A BSN given to ``--bsn`` is validated, turned into the vault's pseudonym and then forgotten: it is
never printed, logged or put into an error message (``--bsn -`` reads it from standard input, which
keeps it out of the process list and the shell history).
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from gateway.domain.audit import AUDIT_TYPE
from gateway.domain.bsn import is_geldig_bsn
from gateway.domain.verificatie import KetenVerificatie, Verslag

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
        from gateway.infrastructure.audit_lezers import lees_database, lees_kafka

        if self.kafka is not None:
            return lees_kafka(self.kafka, self.topic, huis=huis, voortgang=voortgang)
        assert self.database_url is not None
        return lees_database(self.database_url, huis=huis, voortgang=voortgang, checkpoints=checkpoints, **filters)

    def lees_gehasht(self, *, huis: str | None, voortgang: Callable[[int, int | None], None] | None = None,
                     ) -> AsyncIterator[tuple[str, Any, str | None]]:
        """The whole log with checkpoints: (huis, event or its AuditKern, chain hash where the reader
        computed it), see gateway.infrastructure.audit_lezers.Gelezen."""
        from gateway.infrastructure.audit_lezers import lees_database_gehasht, lees_kafka_gehasht

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
    from gateway.infrastructure.audit_lezers import AuditBronFout

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


# --------------------------------------------------------------------------- verify


def _publieke_sleutel(pad: Path | None) -> tuple[Any, Path | None]:
    """The key from --public-key, else KETENPOORT_SIGNING_KEY's `.pub`, else .ketenpoort/signing.pub."""
    from gateway.infrastructure.audit_lezers import laad_publieke_sleutel, publiek_pad

    expliciet = pad is not None
    if pad is None:
        signing = _instellingen().signing_key
        pad = publiek_pad(Path(signing)) if signing else STANDAARD_PUBLIEKE_SLEUTEL
    if not pad.exists():
        if expliciet:
            _stop(2, f"publieke sleutel {pad} bestaat niet")
        return None, None
    try:
        return laad_publieke_sleutel(pad), pad
    except (OSError, ValueError) as e:
        _stop(2, str(e))


async def _verifieer(bron: _Bron, huis: str | None, controle: Any, voortgang: _Voortgang) -> list[Verslag]:
    from gateway.infrastructure.audit_lezers import tellerstanden

    verwacht: dict[str, tuple[int, str]] = {}
    if bron.is_database:
        assert bron.database_url is not None
        verwacht = await tellerstanden(bron.database_url, huis)  # read before the ledger: it can only grow

    verificaties: dict[str, KetenVerificatie] = {}

    def verificatie(h: str) -> KetenVerificatie:
        v = verificaties.get(h)
        if v is None:
            v = verificaties[h] = KetenVerificatie(h, controle, begin_verplicht=bron.is_database,
                                                   verwacht_laatste=verwacht.get(h))
        return v

    for h in verwacht:
        verificatie(h)
    from gateway.infrastructure.audit_lezers import Reeks

    async for h, ev, eigen in bron.lees_gehasht(huis=huis, voortgang=voortgang):
        if type(ev) is Reeks:  # a run of intact events, from a helper process
            verificatie(h).voeg_toe_reeks(*ev)
        elif type(ev) is tuple:  # an AuditKern, decoded and hashed in a helper process
            verificatie(h).voeg_toe_audit(*ev, eigen_hash=eigen)
        elif eigen is None:
            verificatie(h).voeg_toe(ev)
        else:
            verificatie(h).voeg_toe(ev, eigen_hash=eigen)
    return [verificaties[h].afronden() for h in sorted(verificaties)]


@audit_app.command("verify")
def verify(
    kafka_bootstrap: KafkaOpt = None,
    topic: TopicOpt = None,
    database_url: DbOpt = None,
    huis: HuisOpt = None,
    public_key: Annotated[Optional[Path], typer.Option(
        "--public-key", help="Ed25519 public key (PEM) of the checkpoints; default KETENPOORT_SIGNING_KEY's "
                             ".pub, else .ketenpoort/signing.pub")] = None,
    formaat: Annotated[VerifyFormaat, typer.Option("--format", help="text or json")] = VerifyFormaat.text,
) -> None:
    """Read the whole audit log and check the hash chain and the signed checkpoints.

    Exit 0 when intact; exit 1 with the first broken volgnummer and what is wrong.
    """
    from gateway.infrastructure.audit_lezers import handtekening_controle

    bron = _bron(kafka_bootstrap, topic, database_url, beide_toegestaan=False)
    sleutel, sleutelpad = _publieke_sleutel(public_key)
    controle = handtekening_controle(sleutel) if sleutel is not None else None
    with _Voortgang("audit-log controleren") as voortgang:
        verslagen: list[Verslag] = _voer_uit(_verifieer(bron, huis, controle, voortgang))
    intact = all(v.intact for v in verslagen) and not (huis and not verslagen)
    if formaat is VerifyFormaat.json:
        _schrijf_json({"bron": bron.beschrijving(), "publiekeSleutel": str(sleutelpad) if sleutelpad else None,
                       "intact": intact, "huizen": [v.als_dict() for v in verslagen]})
    else:
        out = _out()
        if not verslagen:
            out.print(f"geen audit-events gevonden{f' voor huis {huis}' if huis else ''} ({bron.beschrijving()})",
                      markup=False)
        for v in verslagen:
            out.print(v.samenvatting(), markup=False)
    if huis and not verslagen:
        raise typer.Exit(1)
    raise typer.Exit(0 if intact else 1)


# --------------------------------------------------------------------------- filters shared by replay and inzage


def _lees_bsn(bsn: str) -> str:
    if bsn == "-":
        bsn = sys.stdin.readline().strip()
    if not is_geldig_bsn(bsn):
        _stop(2, "ongeldig BSN: negen cijfers die aan de elfproef voldoen (het opgegeven nummer wordt niet getoond)")
    return bsn


def _tijd(waarde: str | None, optie: str) -> datetime | None:
    if waarde is None:
        return None
    try:
        t = datetime.fromisoformat(waarde.strip().replace("Z", "+00:00"))
    except ValueError:
        _stop(2, f"{optie} verwacht een datum of tijdstip (ISO 8601), niet {waarde!r}")
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t


def _tijdstip(data: Mapping[str, Any]) -> datetime | None:
    w = data.get("tijdstip")
    if not isinstance(w, str):
        return None
    try:
        t = datetime.fromisoformat(w.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t


def _betrokkenen(bsn: str, huis: str | None, database_url: str | None) -> dict[str, UUID]:
    """BSN -> betrokkene id per house, through the identity vault (needs KETENPOORT_IDENTITY_KEY)."""
    from gateway.infrastructure.audit_lezers import zoek_betrokkenen

    inst = _instellingen()
    if inst.identity_key is None:
        _stop(2, "KETENPOORT_IDENTITY_KEY ontbreekt: zonder de identiteitssleutel is een BSN niet op te zoeken")
    url = database_url or inst.database_url
    try:
        return _voer_uit(zoek_betrokkenen(url, inst.identity_key.get_secret_value(), bsn, huis))
    except ValueError:  # a key too short for the vault; the message names no BSN
        _stop(2, "KETENPOORT_IDENTITY_KEY is ongeldig (ten minste 32 tekens)")


class _Filter:
    def __init__(self, *, huis: str | None = None, betrokkenen: Mapping[str, UUID] | None = None,
                 partner: str | None = None, bron: str | None = None, handeling: str | None = None,
                 besluit: str | None = None, vanaf: datetime | None = None, tot: datetime | None = None):
        self.huis, self.partner, self.bron, self.handeling, self.besluit = huis, partner, bron, handeling, besluit
        self.betrokkenen = {h: str(b) for h, b in betrokkenen.items()} if betrokkenen is not None else None
        self.vanaf, self.tot = vanaf, tot

    def past(self, data: Mapping[str, Any]) -> bool:
        if self.huis is not None and data.get("huis") != self.huis:
            return False
        if self.betrokkenen is not None and (data.get("betrokkene") is None
                                             or self.betrokkenen.get(str(data.get("huis"))) != data.get("betrokkene")):
            return False
        verzoeker = data.get("verzoeker") if isinstance(data.get("verzoeker"), Mapping) else {}
        if self.partner is not None and verzoeker.get("partner") != self.partner:
            return False
        for veld, waarde in (("bron", self.bron), ("handeling", self.handeling), ("besluit", self.besluit)):
            if waarde is not None and data.get(veld) != waarde:
                return False
        if self.vanaf is not None or self.tot is not None:
            t = _tijdstip(data)
            if t is None or (self.vanaf is not None and t < self.vanaf) or (self.tot is not None and t >= self.tot):
                return False
        return True


async def _uitwisselingen(bron: _Bron, filt: _Filter, voortgang: _Voortgang | None = None,
                          ) -> AsyncIterator[dict[str, Any]]:
    """Audit data objects passing the filter, in log order; Kafka redeliveries dropped by event id."""
    gezien: OrderedDict[str, None] = OrderedDict()  # recent ids: redeliveries lie close together
    sql: dict[str, Any] = {}
    if bron.is_database:
        if filt.betrokkenen is not None:
            sql["betrokkenen"] = [UUID(b) for b in filt.betrokkenen.values()]
        sql.update(partner=filt.partner, vanaf=filt.vanaf, tot=filt.tot)
    async for _huis, ev in bron.lees(huis=filt.huis, voortgang=voortgang, checkpoints=False, **sql):
        data = ev.get("data")
        if ev.get("type") != AUDIT_TYPE or not isinstance(data, dict) or not filt.past(data):
            continue
        ev_id = str(ev.get("id"))
        if ev_id in gezien:
            continue
        gezien[ev_id] = None
        if len(gezien) > 100_000:
            gezien.popitem(last=False)
        yield data


# --------------------------------------------------------------------------- replay

KOLOMMEN = ["huis", "volgnummer", "tijdstip", "handeling", "besluit", "reden", "partner", "clientId",
            "gebruiker", "bron", "betrokkene", "casusId", "overlegId", "overlegtype", "categorie", "grondslag",
            "regel", "convenantId", "convenantVersie", "traceId", "hash"]


def _plat(data: Mapping[str, Any]) -> dict[str, Any]:
    verzoeker = data.get("verzoeker") if isinstance(data.get("verzoeker"), Mapping) else {}
    convenant = data.get("convenant") if isinstance(data.get("convenant"), Mapping) else {}
    uit = {k: data.get(k) for k in KOLOMMEN}
    uit.update(partner=verzoeker.get("partner"), clientId=verzoeker.get("clientId"),
               gebruiker=verzoeker.get("gebruiker"), convenantId=convenant.get("id"),
               convenantVersie=convenant.get("versie"))
    return uit


def _tabel(titel: str | None, rijen: list[Mapping[str, Any]], kolommen: list[tuple[str, Callable]]) -> Table:
    tabel = Table(title=titel, show_lines=False, expand=False)
    for naam, _ in kolommen:
        tabel.add_column(naam, overflow="fold")
    for data in rijen:
        tabel.add_row(*("" if (w := f(data)) is None else str(w) for _, f in kolommen))
    return tabel


def _v(data: Mapping[str, Any], *pad: str) -> Any:
    w: Any = data
    for p in pad:
        w = w.get(p) if isinstance(w, Mapping) else None
    return w


REPLAY_KOLOMMEN: list[tuple[str, Callable]] = [
    ("huis", lambda d: d.get("huis")),
    ("volgnummer", lambda d: d.get("volgnummer")),
    ("tijdstip", lambda d: d.get("tijdstip")),
    ("handeling", lambda d: d.get("handeling")),
    ("besluit", lambda d: d.get("besluit")),
    ("verzoeker", lambda d: " / ".join(str(x) for x in (_v(d, "verzoeker", "partner"), _v(d, "verzoeker", "gebruiker"))
                                      if x)),
    ("bron", lambda d: d.get("bron")),
    ("betrokkene", lambda d: d.get("betrokkene")),
    ("regel", lambda d: d.get("regel")),
    ("reden", lambda d: d.get("reden")),
]


@audit_app.command("replay")
def replay(
    kafka_bootstrap: KafkaOpt = None,
    topic: TopicOpt = None,
    database_url: DbOpt = None,
    huis: HuisOpt = None,
    bsn: Annotated[Optional[str], typer.Option("--bsn", help="only exchanges about this person ('-': read from "
                                                             "stdin); needs KETENPOORT_IDENTITY_KEY")] = None,
    partner: Annotated[Optional[str], typer.Option("--partner", help="requesting partner")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="from this date/time (inclusive, ISO 8601)")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="until this date/time (exclusive)")] = None,
    bron_partner: Annotated[Optional[str], typer.Option("--bron", help="source partner")] = None,
    handeling: Annotated[Optional[str], typer.Option("--handeling")] = None,
    besluit: Annotated[Optional[str], typer.Option("--besluit", help="toegestaan or geweigerd")] = None,
    formaat: Annotated[ReplayFormaat, typer.Option("--format", help="table, json or csv")] = ReplayFormaat.table,
) -> None:
    """Replay audit events, filtered, for privacy officers: audit data objects in log order."""
    bron = _bron(kafka_bootstrap, topic, database_url, beide_toegestaan=bsn is not None)
    vanaf, tot = _tijd(since, "--since"), _tijd(until, "--until")
    betrokkenen = None
    if bsn is not None:
        betrokkenen = _betrokkenen(_lees_bsn(bsn), huis, database_url)
        del bsn
        if not betrokkenen:
            _stop(1, "geen betrokkene met dit BSN gevonden" + (f" in huis {huis}" if huis else ""))
    filt = _Filter(huis=huis, betrokkenen=betrokkenen, partner=partner, bron=bron_partner, handeling=handeling,
                   besluit=besluit, vanaf=vanaf, tot=tot)

    async def schrijf() -> int:
        n = 0
        if formaat is ReplayFormaat.json:
            sys.stdout.write("[")
            async for data in _uitwisselingen(bron, filt):
                sys.stdout.write(("\n" if n == 0 else ",\n") + json.dumps(data, ensure_ascii=False))
                n += 1
            sys.stdout.write("\n]\n" if n else "]\n")
        elif formaat is ReplayFormaat.csv:
            schrijver = csv.DictWriter(sys.stdout, fieldnames=KOLOMMEN, lineterminator="\n")
            schrijver.writeheader()
            async for data in _uitwisselingen(bron, filt):
                schrijver.writerow(_plat(data))
                n += 1
        else:
            rijen = [d async for d in _uitwisselingen(bron, filt)]
            n = len(rijen)
            _out().print(_tabel(f"audit-log ({bron.beschrijving()}): {n} uitwisselingen", rijen, REPLAY_KOLOMMEN))
        sys.stdout.flush()
        return n

    _voer_uit(schrijf())


# --------------------------------------------------------------------------- inzage

INZAGE_KOLOMMEN: list[tuple[str, Callable]] = [
    ("tijdstip", lambda d: d.get("tijdstip")),
    ("handeling", lambda d: d.get("handeling")),
    ("besluit", lambda d: d.get("besluit")),
    ("verzoeker", lambda d: " / ".join(str(x) for x in (_v(d, "verzoeker", "partner"), _v(d, "verzoeker", "clientId"),
                                                        _v(d, "verzoeker", "gebruiker")) if x)),
    ("bron", lambda d: d.get("bron")),
    ("doel", lambda d: " ".join(str(x) for x in (d.get("overlegtype"), d.get("overlegId")) if x)),
    ("grondslag", lambda d: d.get("grondslag")),
    ("regel", lambda d: d.get("regel")),
    ("reden", lambda d: d.get("reden")),
    ("convenant", lambda d: " ".join(str(x) for x in (_v(d, "convenant", "id"), _v(d, "convenant", "versie")) if x)),
]


@audit_app.command("inzage")
def inzage(
    bsn: Annotated[str, typer.Option("--bsn", help="the person's BSN ('-': read from stdin); never printed")],
    huis: Annotated[str, typer.Option("--huis", help="the house the request is made to")],
    kafka_bootstrap: KafkaOpt = None,
    topic: TopicOpt = None,
    database_url: DbOpt = None,
    formaat: Annotated[InzageFormaat, typer.Option("--format", help="json or table")] = InzageFormaat.json,
) -> None:
    """Subject access report (AVG art. 15): every exchange about this person with its context, oldest first."""
    bron = _bron(kafka_bootstrap, topic, database_url, beide_toegestaan=True)
    betrokkenen = _betrokkenen(_lees_bsn(bsn), huis, database_url)
    del bsn
    betrokkene = betrokkenen.get(huis)
    if betrokkene is None:
        _stop(1, f"geen betrokkene met dit BSN bekend in huis {huis}")
    filt = _Filter(huis=huis, betrokkenen={huis: betrokkene})

    async def verzamel() -> list[dict[str, Any]]:
        return [d async for d in _uitwisselingen(bron, filt)]

    rijen = sorted(_voer_uit(verzamel()),
                   key=lambda d: (_tijdstip(d) or datetime.min.replace(tzinfo=timezone.utc), d.get("volgnummer") or 0))
    if formaat is InzageFormaat.json:
        _schrijf_json({"huis": huis, "betrokkene": {"id": str(betrokkene)}, "aantal": len(rijen),
                       "uitwisselingen": rijen})
    else:
        _out().print(_tabel(f"Inzage (AVG art. 15) - huis {huis} - betrokkene {betrokkene} - "
                            f"{len(rijen)} uitwisselingen, oudste eerst", rijen, INZAGE_KOLOMMEN))
