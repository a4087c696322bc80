"""Audit events as JSON, fast and exact: orjson decoding with exactly json.loads' result (``laad_json``) and
orjson's sorted serialisation where it is byte-for-byte RFC 8785 (``snelle_keten_hash``); the standard
library otherwise, so the writer (gateway.domain.audit.keten_hash) and the verifier agree on every input."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import orjson

from gateway.domain.audit import is_eenvoudige_json, keten_hash

_SORTEER = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS


def snelle_keten_hash(data: Mapping[str, Any]) -> str:
    """keten_hash(data), the same string for every input, with orjson where that is exact.

    For JSON that passes is_eenvoudige_json, orjson's sorted compact output is byte-for-byte what
    keten_hash feeds SHA-256 (json.dumps with sort_keys, ensure_ascii=False): the same escapes
    (\\n, \\u001f, no escaping of U+007F, U+2028 or non-ASCII), code-point key order. Where orjson
    refuses - integers beyond 64 bits, lone surrogates, nesting beyond 254 - keten_hash decides.
    """
    if type(data) is dict and data:
        laatste = next(reversed(data))
        if laatste == "hash" and type(laatste) is str:
            # Leave "hash" out without copying the dict: take it off the end and put it back.
            h = data.pop("hash")
            try:
                if is_eenvoudige_json(data):
                    with contextlib.suppress(orjson.JSONEncodeError):
                        return hashlib.sha256(orjson.dumps(data, option=_SORTEER)).hexdigest()
            finally:
                data["hash"] = h
        elif "hash" not in data and is_eenvoudige_json(data):
            with contextlib.suppress(orjson.JSONEncodeError):
                return hashlib.sha256(orjson.dumps(data, option=_SORTEER)).hexdigest()
    return keten_hash(data)


def zonder_float(w: Any) -> bool:
    """No float anywhere in a decoded JSON container (orjson's types: dict, list, str, int, float, bool, None)."""
    for v in w.values() if type(w) is dict else w:
        t = type(v)
        if t is float or ((t is dict or t is list) and not zonder_float(v)):
            return False
    return True


def namen_onder_d800(w: Any) -> bool:
    """Every member name in a decoded JSON container lies below U+D800 (see is_eenvoudige_json)."""
    if type(w) is dict:
        for k, v in w.items():
            if not (k.isascii() or max(k, default="") < "\ud800"):
                return False
            if (type(v) is dict or type(v) is list) and not namen_onder_d800(v):
                return False
    elif type(w) is list:
        return all(namen_onder_d800(v) for v in w if type(v) is dict or type(v) is list)
    return True


def laad_json(raw: bytes | str) -> Any:
    """json.loads(raw), exactly (or its error), about twice as fast.

    orjson decodes; what it refuses (NaN, lone surrogates, ...) and anything holding a float - orjson
    reads integers beyond 64 bits as floats - is left to json.loads.
    """
    try:
        w = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)
    t = type(w)
    if t is float or ((t is dict or t is list) and not zonder_float(w)):
        return json.loads(raw)
    return w


def lees_event(raw: bytes | str) -> tuple[Any, str | None]:
    """laad_json(raw) and, for a CloudEvent with plain data, keten_hash of that data.

    The hash is None where it is left to the verifier: no `data` object, data that is not plain
    (member names from U+D800, integers beyond 64 bits), or anything holding a float. Decoded by orjson,
    the data is plain exactly when it holds no float and no such member name (is_eenvoudige_json), so
    one walk serves both the decoding and the hashing; member names need no walk when the text is ASCII
    without \\u escapes.
    """
    try:
        ev = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw), None
    t = type(ev)
    if t is not dict:
        if t is float or (t is list and not zonder_float(ev)):
            return json.loads(raw), None
        return ev, None
    if not zonder_float(ev):
        return json.loads(raw), None
    data = ev.get("data")
    if type(data) is not dict or not data:
        return ev, None
    ascii_tekst = raw.isascii() and (b"\\u" not in raw if isinstance(raw, bytes) else "\\u" not in raw)
    if not ascii_tekst and not namen_onder_d800(data):
        return ev, None
    laatste = next(reversed(data))
    if laatste == "hash":  # the writer's order: leave it out without copying the dict
        h = data.pop("hash")
        try:
            return ev, orjson_hash(data)
        finally:
            data["hash"] = h
    return ev, orjson_hash({k: v for k, v in data.items() if k != "hash"})


def orjson_hash(zonder: dict[str, Any]) -> str | None:
    try:
        return hashlib.sha256(orjson.dumps(zonder, option=_SORTEER)).hexdigest()
    except orjson.JSONEncodeError:
        return None  # integers beyond 64 bits, nesting beyond 254 levels: keten_hash decides
