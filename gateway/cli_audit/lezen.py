"""`ketenpoort audit replay` and `audit inzage`: the privacy officer reads the log."""

from __future__ import annotations

import csv
import getpass
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime, timezone
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from gateway.domain.audit import AuditFilter
from gateway.domain.bsn import is_geldig_bsn
from gateway.domain.model import Scope, Verzoeker

from .gedeeld import (
    DbOpt, HuisOpt, InzageFormaat, KafkaOpt, ReplayFormaat, TopicOpt, _Bron, _bron, _instellingen, _out,
    _schrijf_json, _stop, _voer_uit, audit_app,
)

# --------------------------------------------------------------------------- shared by replay and inzage

CLI_CLIENT = "ketenpoort-cli"  # the clientId of every read made on the command line


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


GebruikerOpt = Annotated[Optional[str], typer.Option(
    "--gebruiker", help="who reads, recorded in the audit log (default KETENPOORT_CLI_GEBRUIKER, else the login "
                        "name)")]


def _verzoeker(huis: str, gebruiker: str | None) -> Verzoeker:
    """The CLI reads as the house's privacy officer: client `ketenpoort-cli`, partner KETENPOORT_CLI_PARTNER
    (default `privacy`), the person at the keyboard as gebruiker - recorded like an API caller."""
    naam = gebruiker or os.environ.get("KETENPOORT_CLI_GEBRUIKER") or getpass.getuser()
    if not naam or len(naam) > 100 or not naam.isprintable() or is_geldig_bsn(naam.strip()):
        _stop(2, "--gebruiker: ten hoogste 100 leesbare tekens, en geen BSN")
    return Verzoeker(huis=huis, partner=os.environ.get("KETENPOORT_CLI_PARTNER") or "privacy",
                     client_id=CLI_CLIENT, scopes=frozenset({Scope.PRIVACY.value}), gebruiker=naam)


def _audit_cli(bron: _Bron, database_url: str | None) -> Any:
    """The API's AuditDienst, built by the composition root; every read is recorded in the database's chain."""
    from gateway.bootstrap import bouw_audit_cli

    inst = _instellingen()
    if inst.identity_key is None:
        _stop(2, "KETENPOORT_IDENTITY_KEY ontbreekt: zonder de identiteitssleutel is een BSN niet op te zoeken "
                 "en een lezing niet vast te leggen")
    url = database_url or os.environ.get("KETENPOORT_DATABASE_URL")
    if not url:
        _stop(2, "een lezing van het audit-log wordt vastgelegd in de keten: geef --database-url of "
                 "KETENPOORT_DATABASE_URL")
    try:
        return bouw_audit_cli(inst.model_copy(update={"database_url": url}),
                              kafka=(bron.kafka, bron.topic) if bron.kafka else None)
    except ValueError:  # a key too short for the vault; the message names no BSN
        _stop(2, "KETENPOORT_IDENTITY_KEY is ongeldig (ten minste 32 tekens)")
    except (OSError, Exception) as e:  # noqa: BLE001 - configuration that cannot be read is a usage error
        _stop(2, f"configuratie {inst.config_dir} is niet te lezen ({type(e).__name__})")


async def _in_dienst(cli: Any, werk: Any) -> Any:
    """Run against the service; refusals and a read that could not be recorded are exit 1, nothing read."""
    from gateway.domain.errors import AuditNietVastgelegd, GeenToegang

    try:
        return await werk
    except GeenToegang as e:
        _stop(1, f"geweigerd: {e}")
    except AuditNietVastgelegd:
        _stop(1, "de lezing kon niet in het audit-log worden vastgelegd; er is niets gelezen")
    finally:
        await cli.sluit()


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
    gebruiker: GebruikerOpt = None,
) -> None:
    """Replay audit events, filtered, for privacy officers: audit data objects in log order.

    Goes through the same service as the API: the read is recorded in the chain first (audit_inzien, with
    the filter used) - so it needs the database (--database-url) also when reading Kafka.
    """
    bron = _bron(kafka_bootstrap, topic, database_url, beide_toegestaan=True)
    filt = AuditFilter(partner=partner, bron=bron_partner, handeling=handeling, besluit=besluit,
                       vanaf=_tijd(since, "--since"), tot=_tijd(until, "--until"))
    geheim = _lees_bsn(bsn) if bsn is not None else None
    del bsn
    cli = _audit_cli(bron, database_url)
    huizen = [huis] if huis else sorted(cli.convenanten.per_huis)

    async def uitwisselingen() -> AsyncIterator[dict[str, Any]]:
        gevonden = False
        for h in huizen:
            stroom = await cli.dienst.lees(_verzoeker(h, gebruiker), filt, bsn=geheim)
            if stroom is None:
                continue
            gevonden = True
            async for data in stroom:
                yield data
        if geheim is not None and not gevonden:
            _stop(1, "geen betrokkene met dit BSN gevonden" + (f" in huis {huis}" if huis else ""))

    async def schrijf() -> int:
        # json and csv stream (a year of log need not fit in memory); the opening is written with the first row,
        # so "no such person" leaves no half document behind.
        n = 0
        if formaat is ReplayFormaat.json:
            async for data in uitwisselingen():
                sys.stdout.write(("[\n" if n == 0 else ",\n") + json.dumps(data, ensure_ascii=False))
                n += 1
            sys.stdout.write("\n]\n" if n else "[]\n")
        elif formaat is ReplayFormaat.csv:
            schrijver = csv.DictWriter(sys.stdout, fieldnames=KOLOMMEN, lineterminator="\n")
            async for data in uitwisselingen():
                if n == 0:
                    schrijver.writeheader()
                schrijver.writerow(_plat(data))
                n += 1
            if n == 0:
                schrijver.writeheader()
        else:
            rijen = [d async for d in uitwisselingen()]
            n = len(rijen)
            _out().print(_tabel(f"audit-log ({bron.beschrijving()}): {n} uitwisselingen", rijen, REPLAY_KOLOMMEN))
        sys.stdout.flush()
        return n

    _voer_uit(_in_dienst(cli, schrijf()))


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
    gebruiker: GebruikerOpt = None,
) -> None:
    """Subject access report (AVG art. 15): every exchange about this person with its context, oldest first.

    The same use case as POST /v1/audit/_inzage: recorded in the chain (handeling inzage) before it is read.
    """
    bron = _bron(kafka_bootstrap, topic, database_url, beide_toegestaan=True)
    geheim = _lees_bsn(bsn)
    del bsn
    cli = _audit_cli(bron, database_url)
    betrokkene, gelezen = _voer_uit(_in_dienst(cli, cli.dienst.inzage(_verzoeker(huis, gebruiker), geheim)))
    del geheim
    if betrokkene is None:
        _stop(1, f"geen betrokkene met dit BSN bekend in huis {huis} (de vraag is vastgelegd)")
    rijen = sorted(gelezen, key=lambda d: (_tijdstip(d) or datetime.min.replace(tzinfo=timezone.utc),
                                           d.get("volgnummer") or 0))
    if formaat is InzageFormaat.json:
        _schrijf_json({"huis": huis, "betrokkene": {"id": str(betrokkene)}, "aantal": len(rijen),
                       "uitwisselingen": rijen})
    else:
        _out().print(_tabel(f"Inzage (AVG art. 15) - huis {huis} - betrokkene {betrokkene} - "
                            f"{len(rijen)} uitwisselingen, oudste eerst", rijen, INZAGE_KOLOMMEN))
