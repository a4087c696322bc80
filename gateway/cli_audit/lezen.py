"""`ketenpoort audit replay` and `audit inzage`: the privacy officer reads the log."""

from __future__ import annotations

import csv
import json
import sys
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime, timezone
from typing import Annotated, Any, Optional
from uuid import UUID

import typer
from rich.table import Table

from gateway.domain.audit import AUDIT_TYPE
from gateway.domain.bsn import is_geldig_bsn

from .gedeeld import (
    DbOpt, HuisOpt, InzageFormaat, KafkaOpt, ReplayFormaat, TopicOpt, _Bron, _bron, _instellingen, _out,
    _schrijf_json, _stop, _voer_uit, _Voortgang, audit_app,
)

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
    from gateway.infrastructure.audit import zoek_betrokkenen

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
