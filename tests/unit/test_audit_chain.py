import hashlib
import random
import string

import pytest
import rfc8785

from gateway.domain.audit import (
    NUL_HASH, Breuktype, canonieke_json, keten_hash, schakel, verifieer,
)


def _keten(n: int) -> list[dict]:
    uit, vorige = [], NUL_HASH
    for i in range(1, n + 1):
        d = schakel({"huis": "demo", "handeling": "casus_inzien", "besluit": "toegestaan", "reden": None,
                     "verzoeker": {"partner": "om", "clientId": "demo-om", "gebruiker": "ë"}}, i, vorige)
        uit.append(d)
        vorige = d["hash"]
    return uit


def test_hash_is_sha256_of_jcs_without_hash():
    d = _keten(1)[0]
    zonder = {k: v for k, v in d.items() if k != "hash"}
    assert d["hash"] == hashlib.sha256(rfc8785.dumps(zonder)).hexdigest()
    assert d["vorigeHash"] == NUL_HASH and d["volgnummer"] == 1


def _willekeurig(r: random.Random, diepte: int = 0):  # noqa: ANN202
    keuze = r.randrange(7 if diepte < 3 else 4)
    if keuze == 0:
        return None
    if keuze == 1:
        return r.choice([True, False])
    if keuze == 2:
        return r.randrange(-(2**53) + 1, 2**53)
    if keuze == 3:
        return "".join(r.choice(string.printable + "éü€😀\u2028\x00") for _ in range(r.randrange(8)))
    if keuze == 4:
        return [_willekeurig(r, diepte + 1) for _ in range(r.randrange(4))]
    sleutels = ["a", "b", "é", "€", "😀", "\ufb33", "aa", "A", "_"]
    return {r.choice(sleutels): _willekeurig(r, diepte + 1) for _ in range(r.randrange(5))}


def test_canonical_json_agrees_with_rfc8785_library():
    r = random.Random(8785)
    for _ in range(2000):
        waarde = _willekeurig(r)
        assert canonieke_json(waarde) == rfc8785.dumps(waarde)


def test_fast_chain_hash_agrees_with_rfc8785_library():
    r = random.Random(20)
    for _ in range(2000):
        waarde = {"data": _willekeurig(r), "hash": "x"}
        zonder = {k: v for k, v in waarde.items() if k != "hash"}
        assert keten_hash(waarde) == hashlib.sha256(rfc8785.dumps(zonder)).hexdigest()


def test_floats_are_refused():
    with pytest.raises(TypeError):
        canonieke_json({"x": 1.5})


def test_intact_chain_verifies():
    k = _keten(5)
    v = verifieer(k, begin_verplicht=True)
    assert v.intact and (v.eerste, v.laatste) == (1, 5)
    v = verifieer(k + [k[-1]], begin_verplicht=True)  # redelivery is not a break
    assert v.intact and v.laatste == 5 and v.dubbel == 1


@pytest.mark.parametrize(
    ("knoei", "volgnummer", "soort"),
    [
        (lambda k: k[2].__setitem__("handeling", "iets_anders"), 3, Breuktype.GEWIJZIGD),
        (lambda k: k.pop(2), 3, Breuktype.ONTBREEKT),
        (lambda k: k.insert(2, schakel({"huis": "demo"}, 3, k[1]["hash"])), 3, Breuktype.INGEVOEGD),
    ],
    ids=["gewijzigd", "verwijderd", "ingevoegd"],
)
def test_tampering_is_found_at_its_volgnummer(knoei, volgnummer, soort):
    k = _keten(5)
    knoei(k)
    v = verifieer(k, begin_verplicht=True)
    assert v.breuk is not None and (v.breuk.volgnummer, v.breuk.soort) == (volgnummer, soort)


def test_anchor_on_a_later_start():
    k = _keten(6)
    # Head gone (retention) and nothing signed to anchor the rest: followed from 4, but not vouched for.
    v = verifieer(k[3:])
    assert v.breuk is not None and (v.breuk.volgnummer, v.breuk.soort) == (4, Breuktype.GEEN_ANKER)
    assert v.hoogste == 6 and v.aantal == 3
    assert keten_hash(k[0]) == k[0]["hash"]


# --------------------------------------------------------------------------- the orjson path (verifier)
#
# gateway.infrastructure.audit decodes with orjson and hashes with orjson's sorted output where
# that is exact. The writer hashes with keten_hash; both must agree on every input, and both must be
# RFC 8785 wherever the rfc8785 library has an answer.

import json  # noqa: E402
from enum import IntEnum  # noqa: E402

import orjson  # noqa: E402

from gateway.infrastructure.audit import laad_json, lees_event, snelle_keten_hash  # noqa: E402

_NARE_TEKENS = ("".join(chr(c) for c in range(0x20)) + "\x7f\x80\x9f\xa0\xad\u2028\u2029\ufeff\ufffe\uffff"
                "\ue000\uf8ff\ud7ff\U00010000\U0001f600\U0010ffff\"\\/é€ aZ09<>&'")
_NARE_SLEUTELS = ["a", "b", "A", "aa", "", "é", "€", "😀", "\U0001f600a", "\ue000", "\uffff", "\ufb33",
                  "\U00010000", "\x00", "\x1f", "\x7f", "\u2028", "hash", "data", "\ud7ff"]


class _Tal(IntEnum):
    EEN = 1


class _Tekst(str):
    pass


def _naar(r: random.Random, diepte: int = 0, *, streng: bool = False):  # noqa: ANN202
    """Random JSON with the nasty cases. `streng`: only what the rfc8785 library accepts (ints within
    2**53, valid UTF-8, no floats); otherwise also floats, big integers, lone surrogates, subclasses."""
    keuze = r.randrange(9 if diepte < 4 else 6)
    if keuze == 0:
        return r.choice([None, True, False])
    if keuze == 1:
        grens = 2**53 - 1 if streng else r.choice([2**53, 2**63, 2**64, 2**70])
        return r.choice([0, -1, 1, grens, -grens, r.randrange(-grens, grens + 1)])
    if keuze in (2, 3):
        tekst = "".join(r.choice(_NARE_TEKENS) for _ in range(r.randrange(10)))
        if not streng and r.random() < 0.05:
            tekst += "\ud800"  # a lone surrogate: not UTF-8
        return tekst
    if keuze == 4 and not streng:
        return r.choice([1.5, 0.0, -0.0, 1e300, 2.0, float("nan"), _Tal.EEN, _Tekst("x"), (1, "a")])
    if keuze == 5:
        return "x"
    if keuze == 6:
        return [_naar(r, diepte + 1, streng=streng) for _ in range(r.randrange(4))]
    return {r.choice(_NARE_SLEUTELS): _naar(r, diepte + 1, streng=streng) for _ in range(r.randrange(6))}


def _uitkomst(f, *args):  # noqa: ANN001, ANN202
    try:
        return ("ok", f(*args))
    except (TypeError, ValueError, RecursionError) as e:
        return ("fout", type(e).__name__ if not isinstance(e, TypeError) else "TypeError")


def test_orjson_path_agrees_with_rfc8785_library():
    r = random.Random(878500)
    gehasht = 0
    for _ in range(4000):
        data = {"hash": "x" * 64, **{k: _naar(r, streng=True) for k in r.sample(_NARE_SLEUTELS, r.randrange(5))}}
        data.pop("hash")
        data["hash"] = "x" * 64  # last, as the writer puts it
        zonder = {k: v for k, v in data.items() if k != "hash"}
        verwacht = hashlib.sha256(rfc8785.dumps(zonder)).hexdigest()
        assert snelle_keten_hash(data) == verwacht == keten_hash(data), data
        tekst = json.dumps({"type": "t", "data": data}, ensure_ascii=r.random() < 0.5)
        ev, eigen = lees_event(tekst if r.random() < 0.5 else tekst.encode())
        assert ev == json.loads(tekst) and list(ev["data"]) == list(data)
        assert eigen in (None, verwacht)
        gehasht += eigen is not None
    assert gehasht > 1000  # the fast path is taken, not just its fallback


def test_every_code_point_is_written_as_rfc8785_writes_it():
    tekens = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    data = {"s": tekens, tekens[:5000]: 1, "\U0001f600": 2, "\uffff": 3, "\ue000": 4}
    zonder = dict(data)
    assert hashlib.sha256(rfc8785.dumps(zonder)).hexdigest() == snelle_keten_hash(data) == keten_hash(data)
    for c in range(0x80):  # one by one: the escapes (\u001f, not \u001F; DEL as is)
        assert orjson.dumps(chr(c)) == rfc8785.dumps(chr(c)) == json.dumps(chr(c), ensure_ascii=False).encode()


def test_orjson_path_equals_keten_hash_on_every_input():
    """Big integers, floats, NaN, lone surrogates, subclasses, tuples: the same hash or the same refusal."""
    r = random.Random(64)
    for _ in range(6000):
        data = {k: _naar(r) for k in r.sample(_NARE_SLEUTELS, r.randrange(6))}
        if r.random() < 0.5:
            data["hash"] = "h"
        kopie = {k: v for k, v in data.items()}
        assert _uitkomst(snelle_keten_hash, data) == _uitkomst(keten_hash, data), data
        assert list(data.items()) == list(kopie.items())  # left as it was found
    diep: list = []
    for _ in range(400):  # beyond orjson's nesting limit
        diep = [diep]
    for data in ({"d": diep, "hash": "h"}, {"i": 2**64, "hash": "h"}, {"i": -(2**63) - 1}, {"i": 2**64 - 1},
                 {"s": "\ud800", "hash": "h"}, {"\ud800": 1}, {"f": 1.0}, {"e": _Tal.EEN}, {_Tekst("k"): 1}):
        assert _uitkomst(snelle_keten_hash, data) == _uitkomst(keten_hash, data), data


def _getypeerd(w):  # noqa: ANN001, ANN202
    """A value with its types spelled out (1 != 1.0 != True), to compare decodings exactly."""
    if isinstance(w, dict):
        return ("dict", [(k, _getypeerd(v)) for k, v in w.items()])
    if isinstance(w, list):
        return ("list", [_getypeerd(v) for v in w])
    if isinstance(w, float) and w != w:
        return ("float", "nan")
    return (type(w).__name__, w)


def test_fast_decoding_is_json_loads_exactly():
    r = random.Random(2026)
    teksten: list[str | bytes] = [
        '{"a":1e400}', '{"a":NaN}', '[Infinity]', '{"a":"\\ud800"}', '{"a":123456789012345678901234567890}',
        '{"a":18446744073709551615}', '{"a":18446744073709551616}', '{"a":-9223372036854775809}', '{"a":1,"a":2}',
        '{"a":1.0}', '{"a":1E5}', '{"a":-0}', '{"a":-0.0}', '1.5', '"x"', '12', 'null', '[1,[2,[3.5]]]',
        '{"data":{"hash":1.5}}', '{"data":{"x":99999999999999999999}}', '\ufeff{}', '{"a":"\x01"}', '{"a":}',
        '{"\\ud83d\\ude00":1, "\\ue000":2}', ' {"a" : [ 1 , 2 ] } ', '[' * 2000 + ']' * 2000,
    ]
    teksten += [t.encode("utf-8", "surrogatepass") for t in list(teksten)]
    teksten += [b'{"a":"\xff"}', '{"a":"é"}'.encode("utf-16"), b'\xef\xbb\xbf{"a":1}']
    for _ in range(3000):
        w = _naar(r)
        try:
            teksten.append(json.dumps(w, ensure_ascii=r.random() < 0.5))
        except (TypeError, ValueError):
            pass
    for tekst in teksten:
        verwacht = _uitkomst(json.loads, tekst)
        gekregen = _uitkomst(laad_json, tekst)
        gelezen = _uitkomst(lees_event, tekst)
        if verwacht[0] == "ok":
            assert gekregen[0] == "ok" and _getypeerd(gekregen[1]) == _getypeerd(verwacht[1]), tekst
            assert gelezen[0] == "ok" and _getypeerd(gelezen[1][0]) == _getypeerd(verwacht[1]), tekst
        else:
            assert gekregen[0] == gelezen[0] == "fout", tekst


def test_events_read_fast_carry_the_chain_hash():
    k = _keten(50)
    for d in k:
        tekst = json.dumps({"specversion": "1.0", "id": "x", "type": "t", "data": d}, ensure_ascii=False)
        ev, eigen = lees_event(tekst)
        assert eigen == d["hash"] and ev["data"] == d
        assert list(ev["data"]) == list(d)  # "hash" put back where it was
