import hashlib
import random
import string

import pytest
import rfc8785

from gateway.domain.audit import (
    NUL_HASH, Breuk, Breuksoort, canonieke_json, controleer_keten, keten_hash, schakel,
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
    assert controleer_keten(k) == (5, k[-1]["hash"])
    assert controleer_keten(k + [k[-1]]) == (5, k[-1]["hash"])  # redelivery is not a break


@pytest.mark.parametrize(
    ("knoei", "volgnummer", "soort"),
    [
        (lambda k: k[2].__setitem__("handeling", "iets_anders"), 3, Breuksoort.GEWIJZIGD),
        (lambda k: k.pop(2), 3, Breuksoort.ONTBREEKT),
        (lambda k: k.insert(2, schakel({"huis": "demo"}, 3, k[1]["hash"])), 3, Breuksoort.INGEVOEGD),
    ],
    ids=["gewijzigd", "verwijderd", "ingevoegd"],
)
def test_tampering_is_found_at_its_volgnummer(knoei, volgnummer, soort):
    k = _keten(5)
    knoei(k)
    with pytest.raises(Breuk) as e:
        controleer_keten(k)
    assert (e.value.volgnummer, e.value.soort) == (volgnummer, soort)


def test_anchor_on_a_later_start():
    k = _keten(6)
    assert controleer_keten(k[3:], vanaf=4, vorige_hash=k[2]["hash"]) == (6, k[-1]["hash"])
    assert keten_hash(k[0]) == k[0]["hash"]
