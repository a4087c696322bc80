"""Decoding and hashing stored audit rows, here or in forked helper processes.

From PARALLEL_VANAF events the database reader decodes and hashes in helper processes; with ``reeksen``
(`audit verify`) they send back runs of events that are intact among themselves as a few bytes per event
(``Reeks``), which the verifier takes whole where a run continues its chain
(``KetenVerificatie.voeg_toe_reeks``) and one by one otherwise. Id digests are stable (blake2b), so the
helpers need not share this process's randomised ``hash()``.
"""

from __future__ import annotations

import asyncio
from array import array
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any

import orjson

from gateway.domain.audit import AUDIT_TYPE, tijd
from gateway.domain.audit.kolommen import LEDGER_KOLOMMEN, afwijkende_kolommen, ledger_waarden
from gateway.domain.audit.records import _id_digest

from .bron import Kolomafwijking, Reeks
from .snel_json import laad_json, lees_event, namen_onder_d800, orjson_hash, zonder_float

KOLOMMEN_SCHEIDING = "\x1f"  # between the columns in PostgreSQL's one text per row
NULL = "\x01"  # a NULL column in that text


def _tekst(v: Any) -> Any:
    """A stored column value as the event writes it: text (ids, RFC 3339 times), integers, None."""
    t = type(v)
    if t is str or t is int or v is None:
        return v
    if isinstance(v, datetime):
        return tijd(v if v.tzinfo else v.replace(tzinfo=timezone.utc))
    return str(v)  # UUID (also asyncpg's)


def _kol(r: Any) -> Any:
    """The row's indexed columns: one text (PostgreSQL, KOLOMMEN_SCHEIDING-joined: cheap to hand to a helper)
    or the values themselves."""
    return r[2] if len(r) == 3 and type(r[2]) is str else tuple(r[2:])


def _als_tekst(ev_id: str, data: dict[str, Any]) -> str:
    """ledger_waarden(ev_id, data) as PostgreSQL's one text per row (_PG_KOLOMMEN), written out: the hot path."""
    v = data.get("verzoeker")
    p = v.get("partner") if type(v) is dict else None
    b = data.get("betrokkene")
    return (f"{data.get('huis')}\x1f{data.get('volgnummer')}\x1f{ev_id}\x1f{data.get('hash')}\x1f"
            f"{data.get('tijdstip')}\x1f{data.get('handeling')}\x1f{data.get('besluit')}\x1f"
            f"{NULL if p is None else p}\x1f{NULL if b is None else b}")


def _afwijkingen(ev: Any, kolommen: tuple[Any, ...] | str | None) -> tuple[str, ...]:
    """Which indexed columns of the row differ from its event (nothing to say for an unreadable event:
    the chain check reports that one)."""
    if not kolommen:
        return ()
    data = ev.get("data") if type(ev) is dict else None
    if type(data) is not dict:
        return ()
    ev_id = str(ev.get("id"))
    if type(kolommen) is str:
        if kolommen == _als_tekst(ev_id, data):
            return ()
        verwacht = ledger_waarden(ev_id, data)
        delen = kolommen.split(KOLOMMEN_SCHEIDING)
        if len(delen) != len(LEDGER_KOLOMMEN):
            return LEDGER_KOLOMMEN
        return tuple(n for n, v, k in zip(LEDGER_KOLOMMEN, verwacht, delen)
                     if (NULL if v is None else str(v)) != k)
    return afwijkende_kolommen(ev_id, data, tuple(map(_tekst, kolommen)))


async def _hier(stukken: AsyncIterator[list[Any]], ontleed: Callable[[Any], tuple[Any, str | None]],
                ) -> AsyncIterator[tuple[list[int], list[tuple[Any, str | None]], list[Kolomafwijking]]]:
    async for rijen in stukken:
        gelezen = [ontleed(r[1]) for r in rijen]
        afwijkend = []
        for r, (ev, _) in zip(rijen, gelezen):
            if len(r) > 2 and (namen := _afwijkingen(ev, _kol(r))):
                afwijkend.append(Kolomafwijking(r[0], namen))
        yield [r[0] for r in rijen], gelezen, afwijkend


def _helpers(werkers: int) -> Any:
    """A pool of helper processes, forked (they need nothing but this module), or None where fork is missing."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=werkers, mp_context=multiprocessing.get_context("fork"))


async def _in_helpers(stukken: AsyncIterator[list[Any]], pool: Any, werkers: int, *, reeksen: bool = False,
                      ) -> AsyncIterator[Any]:
    """Chunks decoded and hashed by the helpers, in order; at most werkers + 1 chunks in flight.

    Without ``reeksen``: (volgnummers, [(event or AuditKern, eigen)], [Kolomafwijking]) per chunk; with:
    (number of rows, items of _ontleed_stuk_reeksen).
    """
    loop = asyncio.get_running_loop()
    onderweg: deque[tuple[Any, asyncio.Future[Any]]] = deque()
    try:
        async for rijen in stukken:
            if reeksen:
                onderweg.append((len(rijen), loop.run_in_executor(
                    pool, _ontleed_stuk_reeksen, [r[0] for r in rijen], [r[1] for r in rijen],
                    [_kol(r) for r in rijen])))
            else:
                onderweg.append(([r[0] for r in rijen], loop.run_in_executor(
                    pool, _ontleed_stuk, [r[0] for r in rijen], [r[1] for r in rijen], [_kol(r) for r in rijen])))
            if len(onderweg) > werkers:
                kop, klaar = onderweg.popleft()
                yield (kop, await klaar) if reeksen else (kop, *await klaar)
        while onderweg:
            kop, klaar = onderweg.popleft()
            yield (kop, await klaar) if reeksen else (kop, *await klaar)
    finally:
        for _, klaar in onderweg:
            klaar.cancel()


def _deel(r: Reeks, a: int, b: int) -> Reeks:
    """Events a..b-1 of a run (counted from 0), as a run."""
    if a == 0 and b == len(r.id_digests):
        return r
    return Reeks(r.volgnummer + a, r.vorige_hash if a == 0 else r.hashes[32 * a - 32: 32 * a].hex(),
                 r.id_digests[a:b], r.hashes[32 * a: 32 * b])


def _gewone_schakel(tekst: Any, vn_kol: int, kolommen: tuple[Any, ...] | None = None,
                    ) -> tuple[str, int, str, str, tuple[str, ...]] | None:
    """(id, volgnummer, vorigeHash, hash) of a stored audit event as the writer writes it - data with its
    hash last, that hash its keten_hash, volgnummer the row's - else None (then the general path decides);
    and the names of the row's indexed columns that differ from the event.

    What _ontleed_stuk_reeksen would put in a run for it, with less work: of the event only `data` is
    walked (a float elsewhere makes lees_event leave the hash to the verifier, which finds the same
    kern: data without floats decodes the same by json and orjson, and is hashed the same).
    """
    if type(tekst) is not bytes and type(tekst) is not str:
        return None
    try:
        ev = orjson.loads(tekst)
    except orjson.JSONDecodeError:
        return None
    if type(ev) is not dict:
        return None
    data = ev.get("data")
    ev_id = ev.get("id")
    if type(data) is not dict or type(ev_id) is not str or ev.get("type") != AUDIT_TYPE:
        return None
    vn, vorige, h = data.get("volgnummer"), data.get("vorigeHash"), data.get("hash")
    if (type(vn) is not int or vn != vn_kol or vn < 1 or type(vorige) is not str or type(h) is not str
            or len(h) != 64 or next(reversed(data)) != "hash" or not zonder_float(data)):
        return None
    ascii_tekst = tekst.isascii() and (b"\\u" not in tekst if type(tekst) is bytes else "\\u" not in tekst)
    if not ascii_tekst and not namen_onder_d800(data):
        return None
    afwijkend = _afwijkingen(ev, kolommen)
    del data["hash"]
    if orjson_hash(data) != h:
        return None
    return ev_id, vn, vorige, h, afwijkend


def _ontleed_stuk_reeksen(volgnummers: list[int], teksten: list[Any],
                          kolommen: list[tuple[Any, ...]] | None = None) -> list[Any]:
    """In a helper process: decode and hash stored rows (volgnummer column, event text). Consecutive plain
    audit events that are intact among themselves - data volgnummer = the row's, +1 each, vorigeHash =
    the previous hash, hash = keten_hash of the data - go back as a Reeks (a few bytes per event); any
    other row as (volgnummer, AuditKern or event, eigen), as _ontleed_stuk would send it; a Kolomafwijking
    for every row whose indexed columns differ from its event, after the rest."""
    uit: list[Any] = []
    afwijkend: list[Kolomafwijking] = []
    ids = array("Q")
    hashes = bytearray()
    begin_vn = eind_vn = 0
    begin_vorige = laatste = ""

    def sluit() -> None:
        nonlocal ids, hashes
        if ids:
            uit.append(Reeks(begin_vn, begin_vorige, ids, bytes(hashes)))
            ids, hashes = array("Q"), bytearray()

    for i, (vn_kol, tekst) in enumerate(zip(volgnummers, teksten)):
        kol = kolommen[i] if kolommen else None
        gewoon = _gewone_schakel(tekst, vn_kol, kol)
        if gewoon is not None:
            ev_id, vn, vorige, h, namen = gewoon
            if namen:
                afwijkend.append(Kolomafwijking(vn_kol, namen))
            if not (ids and vn == eind_vn + 1 and vorige == laatste):
                sluit()
                begin_vn, begin_vorige = vn, vorige
            ids.append(_id_digest(ev_id))
            hashes += bytes.fromhex(h)
            eind_vn, laatste = vn, h
            continue
        ev, eigen = _ontleed_rij_gehasht(tekst)
        if namen := _afwijkingen(ev, kol):
            afwijkend.append(Kolomafwijking(vn_kol, namen))
        if eigen is not None and ev.get("type") == AUDIT_TYPE and type(ev_id := ev.get("id")) is str:
            data = ev["data"]  # a dict: eigen is only computed for one
            vn, vorige, h = data.get("volgnummer"), data.get("vorigeHash"), data.get("hash")
            if h == eigen and type(vn) is int and vn == vn_kol and vn >= 1 and type(vorige) is str:
                if not (ids and vn == eind_vn + 1 and vorige == laatste):
                    sluit()
                    begin_vn, begin_vorige = vn, vorige
                ids.append(_id_digest(ev_id))
                hashes += bytes.fromhex(h)
                eind_vn, laatste = vn, h
                continue
            sluit()
            uit.append((vn_kol, (ev_id, vn, vorige, h), eigen))
        else:
            sluit()
            uit.append((vn_kol, ev, eigen))
    sluit()
    uit.extend(afwijkend)
    return uit


def _ontleed_stuk(volgnummers: list[int], teksten: list[Any], kolommen: list[tuple[Any, ...]],
                  ) -> tuple[list[tuple[Any, str | None]], list[Kolomafwijking]]:
    """In a helper process: decode and hash stored events; a plain audit event goes back as its AuditKern
    (a fraction of the event to send back), anything else whole; and the rows whose columns differ."""
    uit: list[tuple[Any, str | None]] = []
    afwijkend: list[Kolomafwijking] = []
    for vn_kol, tekst, kol in zip(volgnummers, teksten, kolommen):
        ev, eigen = _ontleed_rij_gehasht(tekst)
        if namen := _afwijkingen(ev, kol):
            afwijkend.append(Kolomafwijking(vn_kol, namen))
        if eigen is not None and ev.get("type") == AUDIT_TYPE and type(ev.get("id")) is str:
            data = ev["data"]  # a dict: eigen is only computed for one
            uit.append(((ev["id"], data.get("volgnummer"), data.get("vorigeHash"), data.get("hash")), eigen))
        else:
            uit.append((ev, eigen))
    return uit, afwijkend


def _ontleed_rij(tekst: Any) -> tuple[dict[str, Any], None]:
    """A stored event, read as text."""
    try:
        waarde = laad_json(tekst) if isinstance(tekst, (str, bytes)) else tekst
    except ValueError:
        waarde = None
    return _event(waarde), None


def _ontleed_rij_gehasht(tekst: Any) -> tuple[dict[str, Any], str | None]:
    if not isinstance(tekst, (str, bytes)):
        return _event(tekst), None
    try:
        ev, eigen = lees_event(tekst)
    except ValueError:
        ev, eigen = None, None
    if isinstance(ev, dict):
        return ev, eigen
    return _event(ev), None


def _event(waarde: Any) -> dict[str, Any]:
    if isinstance(waarde, str):  # JSON stored as a JSON string (text written into a JSON column)
        try:
            waarde = laad_json(waarde)
        except ValueError:
            waarde = None
    return waarde if isinstance(waarde, dict) else {"type": AUDIT_TYPE, "data": None, "onleesbaar": True}


