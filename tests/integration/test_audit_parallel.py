"""The verifier's fast reading of the database ledger - orjson, chain hashes computed while decoding,
helper processes - finds exactly what the plain reading finds: every kind of tampering, SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

from gateway.domain.audit import KetenVerificatie
from gateway.infrastructure.audit import (
    Kolomafwijking, Reeks, handtekening_controle, laad_publieke_sleutel, lees_database, lees_database_gehasht, tellerstanden,
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
            if type(ev) is Kolomafwijking:
                verificatie(h).meld_kolom(ev.volgnummer, ev.kolommen)
            else:
                verificatie(h).voeg_toe(ev)
    else:
        async for h, ev, eigen in lees_database_gehasht(url, **opties):
            if type(ev) is Kolomafwijking:
                verificatie(h).meld_kolom(ev.volgnummer, ev.kolommen)
            elif type(ev) is Reeks:
                kernen += len(ev.id_digests)
                verificatie(h).voeg_toe_reeks(*ev)
            elif type(ev) is tuple:
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
        "herschreven": "kolom_gewijzigd",  # in the database its stale hash column gives it away first
        "vervalst": "checkpoint_vervalst"}
    assert await _verslagen(database_url, pub, "snel", werkers=0, batch=37) == plain
    assert await _verslagen(database_url, pub, "snel", werkers=2, batch=37) == plain
    # runs of intact events handed over whole (as `audit verify` reads), chunks of every size
    for batch in (37, 100, 1000):
        assert await _verslagen(database_url, pub, "snel", werkers=2, batch=batch, reeksen=True) == plain


def _voer(v: KetenVerificatie, items: list[Any]) -> None:
    for item in items:
        if type(item) is Reeks:
            v.voeg_toe_reeks(*item)
            continue
        _, ev, eigen = item
        if type(ev) is tuple:
            v.voeg_toe_audit(*ev, eigen_hash=eigen)
        elif eigen is None:
            v.voeg_toe(ev)
        else:
            v.voeg_toe(ev, eigen_hash=eigen)


def test_helpers_shortcut_for_plain_events_finds_what_the_general_path_finds(monkeypatch) -> None:  # noqa: ANN001
    """Rows as the writer writes them take a shortcut in the helpers; every odd row (floats in or outside
    the data, member names beyond ASCII, \\u escapes, the hash not last, integers beyond 64 bits, a hash
    that does not match, not an audit event) leads to the same verdict as without it and as plain json."""
    import json
    import uuid
    from datetime import datetime, timezone

    from gateway.domain.audit import AUDIT_TYPE, NUL_HASH, cloudevent, schakel
    from gateway.infrastructure.audit import rijen as audit_lezers

    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

    def stroom(soorten: list[str], breek: int | None = None) -> list[str]:
        uit, vorige, i = [], NUL_HASH, 0
        for soort in soorten:
            if soort == "ander":  # another event type: no place in the chain
                uit.append(json.dumps(cloudevent(id=uuid.uuid4(), type="x.y", huis="demo", time=t0, data={"a": 1})))
                continue
            i += 1
            data: dict[str, Any] = {"huis": "demo", "handeling": "casus_inzien", "n": i}
            if soort == "naam":
                data["naïef\U0001f600"] = "é"
            elif soort == "groot":
                data["groot"] = 2**70
            data = schakel(data, i, vorige)
            vorige = data["hash"]
            if soort == "hash-eerst":
                data = {"hash": data["hash"], **{k: v for k, v in data.items() if k != "hash"}}
            if i == breek:
                data["handeling"] = "anders"
            if soort == "float-data":  # the writer refuses floats: only a forger puts one there
                data["score"] = 1.5
            ev = cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis="demo", time=t0, data=data)
            if soort == "float-buiten":
                ev["x"] = 0.25
            tekst = json.dumps(ev, ensure_ascii=soort == "escape", separators=(",", ":"))
            uit.append(tekst)
        return uit

    soorten = ["plain"] * 5 + ["float-buiten", "plain", "naam", "escape", "plain", "hash-eerst", "groot",
                               "plain", "plain", "ander", "plain", "plain"]
    gevallen = [(soorten, None), *((soorten, b) for b in (3, 6, 8, 11, 12, 14)),
                (soorten[:9] + ["float-data"] + soorten[9:], None)]
    for lijst, breek in gevallen:
        for als in (str, str.encode):
            teksten = [als(t) for t in stroom(lijst, breek)]
            vns = [json.loads(t)["data"].get("volgnummer", 0) for t in teksten]
            plain = KetenVerificatie("demo", begin_verplicht=True)
            for t in teksten:
                plain.voeg_toe(json.loads(t))
            verwacht = plain.afronden().als_dict()
            snel = KetenVerificatie("demo", begin_verplicht=True)
            items = audit_lezers._ontleed_stuk_reeksen(vns, teksten)
            assert sum(len(i.id_digests) for i in items if type(i) is Reeks) >= 5
            _voer(snel, items)
            assert verwacht["intact"] == (breek is None and "float-data" not in lijst)
            assert snel.afronden().als_dict() == verwacht, breek
            with monkeypatch.context() as m:
                m.setattr(audit_lezers, "_gewone_schakel", lambda tekst, vn, kolommen=None: None)
                zonder = KetenVerificatie("demo", begin_verplicht=True)
                _voer(zonder, audit_lezers._ontleed_stuk_reeksen(vns, teksten))
            assert zonder.afronden().als_dict() == verwacht, breek
