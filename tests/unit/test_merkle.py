"""The Merkle tree beside the chain follows RFC 9162 exactly.

Checked three ways: the test vectors published with RFC 6962/9162 implementations (the eight-leaf tree of the
Certificate Transparency reference tests, whose hashing RFC 9162 keeps), an independent implementation from
PyPI (pymerkle, RFC 9162 hashing with domain separation), and tampering that every verifier must refuse.
"""

from __future__ import annotations

import hashlib

import pytest
from pymerkle import InmemoryTree

from gateway.domain import merkle as M

# The eight leaf inputs of the CT reference tests and the roots of their prefixes (sizes 1..8).
INVOER = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
WORTELS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H = {
    "96a2": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f08": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "bc1a": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca85": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37e": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "fac5": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "6e34": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "0ebc": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
}
OPNAME = {(0, 8): ["96a2", "5f08", "6b47"], (5, 8): ["bc1a", "ca85", "d37e"], (2, 3): ["fac5"],
          (1, 5): ["6e34", "5f08", "bc1a"]}
CONSISTENTIE = {(1, 1): [], (1, 8): ["96a2", "5f08", "6b47"], (6, 8): ["0ebc", "ca85", "d37e"], (2, 5): ["5f08", "bc1a"]}


def _bladen(n: int) -> list[bytes]:
    return [M.blad_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def _alle_knopen(bladen: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every perfect subtree of the tree, as the writer stores them (all levels here)."""
    knopen: dict[tuple[int, int], bytes] = {}
    f: list[bytes] = []
    for i, b in enumerate(bladen):
        f, voltooid = M.toevoegen(f, i, b)
        knopen.update({(k.niveau, k.positie): k.hash for k in voltooid})
    return knopen


def _bewijs(bereiken: list[tuple[int, int]], knopen: dict[tuple[int, int], bytes]) -> list[str]:
    return [h.hex() for h in M.bewijs_uit_knopen(bereiken, knopen)]


def test_roots_of_the_reference_tree() -> None:
    f: list[bytes] = []
    assert M.wortel(f) == hashlib.sha256(b"").digest()
    for n, (invoer, verwacht) in enumerate(zip(INVOER, WORTELS)):
        f, _ = M.toevoegen(f, n, M.blad_hash(bytes.fromhex(invoer)))
        assert M.wortel(f).hex() == verwacht


@pytest.mark.parametrize(("mn", "pad"), list(OPNAME.items()))
def test_inclusion_proofs_of_the_reference_tree(mn: tuple[int, int], pad: list[str]) -> None:
    m, n = mn
    bladen = [M.blad_hash(bytes.fromhex(i)) for i in INVOER]
    bewijs = _bewijs(M.opname_bereiken(m, n), _alle_knopen(bladen))
    assert bewijs == [H[p] for p in pad]
    assert M.controleer_opname(m, n, bladen[m], [bytes.fromhex(h) for h in bewijs], bytes.fromhex(WORTELS[n - 1]))


@pytest.mark.parametrize(("mn", "pad"), list(CONSISTENTIE.items()))
def test_consistency_proofs_of_the_reference_tree(mn: tuple[int, int], pad: list[str]) -> None:
    m, n = mn
    bladen = [M.blad_hash(bytes.fromhex(i)) for i in INVOER]
    bewijs = _bewijs(M.consistentie_bereiken(m, n), _alle_knopen(bladen))
    assert bewijs == [H[p] for p in pad]
    assert M.controleer_consistentie(m, n, bytes.fromhex(WORTELS[m - 1]), bytes.fromhex(WORTELS[n - 1]),
                                     [bytes.fromhex(h) for h in bewijs])


def test_agrees_with_an_independent_implementation() -> None:
    """pymerkle (RFC 9162 hashing) gives the same roots and the same inclusion paths for every size up to 70."""
    data = [hashlib.sha256(str(i).encode()).digest() for i in range(70)]
    ander = InmemoryTree(algorithm="sha256")
    f: list[bytes] = []
    knopen: dict[tuple[int, int], bytes] = {}
    for n, d in enumerate(data, start=1):
        ander.append_entry(d)
        f, voltooid = M.toevoegen(f, n - 1, M.blad_hash(d))
        knopen.update({(k.niveau, k.positie): k.hash for k in voltooid})
        assert M.wortel(f) == ander.get_root(n)
        for m in range(n):
            theirs = [h.hex() for h in ander.prove_inclusion(m + 1, n).path[1:]]  # their path starts at the leaf
            assert _bewijs(M.opname_bereiken(m, n), knopen) == theirs


def test_every_proof_verifies_and_every_tampered_one_fails() -> None:
    bladen = _bladen(40)
    knopen = _alle_knopen(bladen)
    wortels = [M.wortel(M.frontier_van(bladen[:n])[0]) for n in range(41)]
    for n in range(1, 41):
        for m in range(n):
            pad = M.bewijs_uit_knopen(M.opname_bereiken(m, n), knopen)
            assert M.controleer_opname(m, n, bladen[m], pad, wortels[n])
            assert not M.controleer_opname(m, n, bladen[(m + 1) % n], pad, wortels[n]) or n == 1
            if pad:
                kapot = [pad[0][:-1] + bytes([pad[0][-1] ^ 1]), *pad[1:]]
                assert not M.controleer_opname(m, n, bladen[m], kapot, wortels[n])
                assert not M.controleer_opname(m, n, bladen[m], pad[:-1], wortels[n])
                assert not M.controleer_opname(m, n, bladen[m], [*pad, pad[0]], wortels[n])
        for m in range(1, n + 1):
            pad = M.bewijs_uit_knopen(M.consistentie_bereiken(m, n), knopen)
            assert M.controleer_consistentie(m, n, wortels[m], wortels[n], pad)
            if m < n:
                assert not M.controleer_consistentie(m, n, wortels[m], wortels[n - 1] if n - 1 > m else b"x" * 32,
                                                     pad)
                for i in range(len(pad)):
                    kapot = list(pad)
                    kapot[i] = kapot[i][:-1] + bytes([kapot[i][-1] ^ 1])
                    assert not M.controleer_consistentie(m, n, wortels[m], wortels[n], kapot)
                assert not M.controleer_consistentie(m, n, wortels[m], wortels[n], [])


def test_stored_levels_and_small_subtrees_from_leaves_give_the_same_proof() -> None:
    """The writer stores subtrees of 16 leaves and more; smaller ones are recomputed from the ledger's hashes."""
    bladen = _bladen(100)
    alles = _alle_knopen(bladen)
    opgeslagen = {k: h for k, h in alles.items() if k[0] >= M.OPSLAG_NIVEAU}
    for m, n in [(0, 100), (37, 100), (99, 100), (15, 16), (16, 17), (63, 64)]:
        nodig = M.benodigde_knopen(M.opname_bereiken(m, n))
        knopen = {k: opgeslagen[k] if k[0] >= M.OPSLAG_NIVEAU else
                  M.knoop_uit_bladen(k[0], k[1], dict(enumerate(bladen))) for k in nodig}
        assert M.bewijs_uit_knopen(M.opname_bereiken(m, n), knopen) == M.bewijs_uit_knopen(
            M.opname_bereiken(m, n), alles)


def test_frontier_round_trips_as_text() -> None:
    f, _ = M.frontier_van(_bladen(13))
    assert len(f) == 3  # 13 = 8 + 4 + 1
    assert M.frontier_uit_tekst(M.frontier_naar_tekst(f)) == f
    assert M.frontier_uit_tekst(None) == []


def test_out_of_range_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        M.opname_bereiken(5, 5)
    with pytest.raises(ValueError):
        M.consistentie_bereiken(0, 5)
    assert not M.controleer_opname(5, 5, b"x" * 32, [], b"x" * 32)
    assert not M.controleer_consistentie(6, 5, b"x" * 32, b"x" * 32, [])


def test_growing_in_blocks_gives_the_same_tree_as_leaf_by_leaf() -> None:
    """The verifier grows the tree 256 leaves at a time where it can; the frontier must be the same."""
    data = [hashlib.sha256(str(i).encode()).digest() for i in range(1300)]
    for stappen in ([1300], [5, 251, 256, 700, 88], [256, 256, 1, 787], [1299, 1]):
        f: list[bytes] = []
        n = 0
        for stap in stappen:
            f, n = M.groei(f, n, b"".join(data[n:n + stap]), n + stap)
            assert f == M.frontier_van(M.blad_hash(d) for d in data[:n])[0]
