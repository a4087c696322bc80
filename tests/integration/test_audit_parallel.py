"""The verifier's fast reading of the database ledger - orjson, chain hashes computed while decoding,
helper processes - finds exactly what the plain reading finds: every kind of tampering, SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

from gateway.domain.verificatie import KetenVerificatie
from gateway.infrastructure.audit_lezers import (
    handtekening_controle, laad_publieke_sleutel, lees_database, lees_database_gehasht, tellerstanden,
)
from tests.integration.test_audit_tools import GEMEEN, _sql_knoeien, maak_log, schrijf_ledger, sleutels  # noqa: F401


async def _verslagen(url: str, pub: Any, lezen: str, **opties: Any) -> dict[str, dict]:
    controle = handtekening_controle(laad_publieke_sleutel(pub))
    verwacht = await tellerstanden(url)
    v: dict[str, KetenVerificatie] = {}

    def verificatie(h: str) -> KetenVerificatie:
        if h not in v:
            v[h] = KetenVerificatie(h, controle, begin_verplicht=True, verwacht_laatste=verwacht.get(h))
        return v[h]

    kernen = 0
    if lezen == "plain":
        async for h, ev in lees_database(url, batch=37):
            verificatie(h).voeg_toe(ev)
    else:
        async for h, ev, eigen in lees_database_gehasht(url, **opties):
            if type(ev) is tuple:
                kernen += 1
                verificatie(h).voeg_toe_audit(*ev, eigen_hash=eigen)
            elif eigen is None:
                verificatie(h).voeg_toe(ev)
            else:
                verificatie(h).voeg_toe(ev, eigen_hash=eigen)
    if opties.get("werkers"):
        assert kernen > 1000  # the helpers did the work
    return {h: w.afronden().als_dict() for h, w in sorted(v.items())}


async def test_fast_and_parallel_reading_find_what_plain_reading_finds(database_url: str, sleutels) -> None:  # noqa: ANN001, F811
    prive, ander, pub = sleutels
    huizen = [*GEMEEN, "teller", "vervalst"]
    await schrijf_ledger(database_url, {h: maak_log(h, 300, prive) for h in huizen})
    await _sql_knoeien(database_url, prive, ander)

    plain = await _verslagen(database_url, pub, "plain")
    assert {h: (d["breuk"] or {}).get("soort") for h, d in plain.items()} == {
        **{h: u[1] if u else None for h, (_, u) in GEMEEN.items()}, "teller": "afgekapt",
        "vervalst": "checkpoint_vervalst"}
    assert await _verslagen(database_url, pub, "snel", werkers=0, batch=37) == plain
    assert await _verslagen(database_url, pub, "snel", werkers=2, batch=37) == plain
