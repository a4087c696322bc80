"""Checkpoints kept outside the database, so that its owner cannot rewrite the log unseen.

The checkpoint directory (``KETENPOORT_CHECKPOINT_DIR``) holds one file per checkpoint, the whole checkpoint
CloudEvent as JSON, at ``<huis>/<volgnummer, 20 digits>-<event id>.json``. A file is created with O_EXCL and
never overwritten or removed by the gateway; make the directory append-only where it lives (``chattr +a``,
a WORM bucket, another machine's mount). It is written right after the transaction that made the checkpoint
commits (a rolled-back checkpoint is never witnessed).

`audit verify --witness DIR|kafka|FILE` reads those copies back (``lees_getuige``): a directory like the
above, the Kafka topic's checkpoint events, or a partner's kept checkpoints as JSON lines (checkpoint
CloudEvents or bare checkpoint data objects, one per line; a JSON array is accepted too).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

import structlog

from gateway.domain.audit import CHECKPOINT_TYPE, huis_van

from .bron import AuditBronFout

log = structlog.get_logger("ketenpoort.getuigen")


class CheckpointMap:
    """The append-only checkpoint directory, for the writer."""

    def __init__(self, pad: Path | str):
        self.pad = Path(pad)

    def bestand(self, ev: Mapping[str, Any]) -> Path:
        data = ev["data"]
        huis = str(data["huis"])
        if not huis or "/" in huis or huis.startswith("."):
            raise ValueError("huis is geen geldige mapnaam")
        return self.pad / huis / f"{int(data['volgnummer']):020d}-{ev['id']}.json"

    def schrijf(self, ev: Mapping[str, Any]) -> bool:
        """Write one checkpoint event; False when that exact file already exists (never overwritten)."""
        pad = self.bestand(ev)
        pad.parent.mkdir(parents=True, exist_ok=True)
        inhoud = json.dumps(ev, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        try:
            fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            if pad.read_bytes() != inhoud:
                log.error("getuige.bestaat_anders", bestand=pad.name)
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(inhoud)
            f.flush()
            os.fsync(f.fileno())
        return True

    async def schrijf_alle(self, events: Iterable[Mapping[str, Any]]) -> None:
        """After the commit; a failure is logged, never raised: the exchange has happened, Kafka still carries it."""
        lijst = list(events)
        if not lijst:
            return
        try:
            await asyncio.to_thread(lambda: [self.schrijf(ev) for ev in lijst])
        except (OSError, ValueError, KeyError) as e:
            log.error("getuige.niet_geschreven", fout=type(e).__name__, aantal=len(lijst))


def _als_event(waarde: Any, plaats: str) -> dict[str, Any] | None:
    if not isinstance(waarde, dict):
        return None
    if "data" in waarde or "specversion" in waarde:
        return waarde if waarde.get("type", CHECKPOINT_TYPE) == CHECKPOINT_TYPE else None
    if "handtekening" in waarde:  # a bare checkpoint data object, as a partner may keep it
        return {"id": plaats, "type": CHECKPOINT_TYPE, "data": waarde}
    return None


def _lees_pad(pad: Path) -> list[dict[str, Any]]:
    uit: list[dict[str, Any]] = []
    bestanden = sorted(p for p in pad.rglob("*.json") if p.is_file()) if pad.is_dir() else [pad]
    for bestand in bestanden:
        try:
            tekst = bestand.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise AuditBronFout(f"getuige {bestand} is niet te lezen ({type(e).__name__})") from None
        try:
            waarden = [json.loads(tekst)]
            if isinstance(waarden[0], list):
                waarden = waarden[0]
        except json.JSONDecodeError:
            waarden = []
            for n, regel in enumerate(tekst.splitlines(), 1):
                if regel.strip():
                    try:
                        waarden.append(json.loads(regel))
                    except json.JSONDecodeError:
                        raise AuditBronFout(f"getuige {bestand}, regel {n}: geen JSON") from None
        for i, w in enumerate(waarden):
            ev = _als_event(w, f"getuige:{bestand.name}:{i}")
            if ev is not None:
                uit.append(ev)
    return uit


async def lees_getuige(bron: str, *, kafka_bootstrap: str | None = None, topic: str | None = None,
                       ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(huis, checkpoint event) from one witness: ``kafka`` (the audit topic), a directory or a file."""
    if bron == "kafka":
        if not kafka_bootstrap or not topic:
            raise AuditBronFout("--witness kafka vraagt --kafka-bootstrap of KETENPOORT_KAFKA_BOOTSTRAP")
        from .kafka_lezer import lees_kafka

        async for h, ev in lees_kafka(kafka_bootstrap, topic):
            if ev.get("type") == CHECKPOINT_TYPE:
                yield h, ev
        return
    pad = Path(bron)
    if not pad.exists():
        raise AuditBronFout(f"getuige {bron} bestaat niet")
    for ev in await asyncio.to_thread(_lees_pad, pad):
        yield huis_van(ev) or "?", ev
