"""An append-only Merkle tree beside each house's chain (RFC 9162, Certificate Transparency v2, section 2.1).

Leaf i is the hash of chain event i+1 (volgnummer i+1), hashed as RFC 9162 prescribes with domain separation:
leaf = SHA-256(0x00 || event hash), node = SHA-256(0x01 || left || right), the empty tree SHA-256("").
So any RFC 9162 verifier can check our proofs. Positions and sizes count leaves from 0, as in the RFC.

The writer keeps only the compact frontier (the roots of the perfect subtrees that make up the tree, largest
first) with the house's counter, so a checkpoint never re-reads an event. Perfect subtrees of at least
2**OPSLAG_NIVEAU leaves are stored as they complete; smaller ones are recomputed from the ledger's hashes, which
keeps the stored nodes near one per eight events while a proof still reads at most a few rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

OPSLAG_NIVEAU = 4  # subtrees of 16 leaves and more are stored; smaller ones come from the ledger's hashes
LEGE_WORTEL = hashlib.sha256(b"").digest()


def blad_hash(event_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + event_hash).digest()


def knoop_hash(links: bytes, rechts: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + links + rechts).digest()


def blad_van_event(event_hash_hex: str) -> bytes:
    """The leaf of a chain event: its 32-byte hash, hashed as an RFC 9162 leaf."""
    return blad_hash(bytes.fromhex(event_hash_hex))


@dataclass(frozen=True, slots=True)
class Knoop:
    """A perfect subtree: 2**niveau leaves from positie * 2**niveau."""

    niveau: int
    positie: int
    hash: bytes


def toevoegen(frontier: Sequence[bytes], grootte: int, blad: bytes) -> tuple[list[bytes], list[Knoop]]:
    """Append one leaf to a tree of `grootte` leaves: the new frontier and every subtree it completes."""
    f = list(frontier)
    h, n, niveau, positie = blad, grootte, 0, grootte
    voltooid = [Knoop(0, positie, h)]
    while n & 1:
        h = knoop_hash(f.pop(), h)
        n >>= 1
        niveau += 1
        positie >>= 1
        voltooid.append(Knoop(niveau, positie, h))
    f.append(h)
    return f, voltooid


def wortel(frontier: Sequence[bytes]) -> bytes:
    """The root (RFC 9162 MTH) of the tree whose frontier this is."""
    if not frontier:
        return LEGE_WORTEL
    r = frontier[-1]
    for h in reversed(frontier[:-1]):
        r = knoop_hash(h, r)
    return r


def frontier_van(bladen: Iterable[bytes]) -> tuple[list[bytes], int]:
    f: list[bytes] = []
    n = 0
    for b in bladen:
        f, _ = toevoegen(f, n, b)
        n += 1
    return f, n


def frontier_naar_tekst(frontier: Sequence[bytes]) -> str:
    return "".join(h.hex() for h in frontier)


def frontier_uit_tekst(tekst: str | None) -> list[bytes]:
    if not tekst:
        return []
    return [bytes.fromhex(tekst[i:i + 64]) for i in range(0, len(tekst), 64)]


# --- proofs: RFC 9162 2.1.3.1 (PATH) and 2.1.4.1 (PROOF/SUBPROOF), as ranges of leaves [begin, eind)


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def opname_bereiken(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots make up the inclusion proof of leaf m in a tree of n leaves, leaf first."""
    if not 0 <= m < n:
        raise ValueError("blad buiten de boom")
    uit: list[tuple[int, int]] = []
    begin, eind = 0, n
    while eind - begin > 1:
        k = _k(eind - begin)
        if m < begin + k:
            uit.append((begin + k, eind))
            eind = begin + k
        else:
            uit.append((begin, begin + k))
            begin += k
    uit.reverse()
    return uit


def consistentie_bereiken(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots make up the consistency proof from tree size m to n (0 < m <= n)."""
    if not 0 < m <= n:
        raise ValueError("ongeldige boomgroottes")
    uit: list[tuple[int, int]] = []
    begin, mm, nn, heel = 0, m, n, True
    while mm != nn:
        k = _k(nn)
        if mm <= k:
            uit.append((begin + k, begin + nn))
            nn = k
        else:
            uit.append((begin, begin + k))
            begin += k
            mm -= k
            nn -= k
            heel = False
    if not heel:
        uit.append((begin, begin + nn))
    uit.reverse()
    return uit


def deelbomen(begin: int, eind: int) -> list[tuple[int, int]]:
    """The perfect subtrees (niveau, positie) that make up [begin, eind), left to right.

    Proof ranges start on a multiple of a power of two at least their own width, so their RFC 9162 split
    is exactly this binary decomposition.
    """
    uit: list[tuple[int, int]] = []
    while begin < eind:
        niveau = (eind - begin).bit_length() - 1
        while begin % (1 << niveau):
            niveau -= 1
        uit.append((niveau, begin >> niveau))
        begin += 1 << niveau
    return uit


def bereik_hash(delen: Sequence[bytes]) -> bytes:
    """The root of a range from its perfect subtrees (largest first), as RFC 9162 splits it."""
    r = delen[-1]
    for h in reversed(delen[:-1]):
        r = knoop_hash(h, r)
    return r


def benodigde_knopen(bereiken: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    return {d for b, e in bereiken for d in deelbomen(b, e)}


def knoop_uit_bladen(niveau: int, positie: int, bladen: Mapping[int, bytes]) -> bytes:
    """A small perfect subtree recomputed from its leaves (position -> leaf hash)."""
    laag = [bladen[i] for i in range(positie << niveau, (positie + 1) << niveau)]
    while len(laag) > 1:
        laag = [knoop_hash(laag[i], laag[i + 1]) for i in range(0, len(laag), 2)]
    return laag[0]


def bewijs_uit_knopen(bereiken: Sequence[tuple[int, int]], knopen: Mapping[tuple[int, int], bytes]) -> list[bytes]:
    return [bereik_hash([knopen[d] for d in deelbomen(b, e)]) for b, e in bereiken]


# --- verification: RFC 9162 2.1.3.2 and 2.1.4.2, word for word


def wortel_uit_opname(m: int, n: int, blad: bytes, pad: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to, or None when the proof cannot be for (m, n)."""
    if not 0 <= m < n:
        return None
    fn, sn, r = m, n - 1, blad
    for p in pad:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = knoop_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = knoop_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def controleer_opname(m: int, n: int, blad: bytes, pad: Sequence[bytes], wortel_n: bytes) -> bool:
    return wortel_uit_opname(m, n, blad, pad) == wortel_n


def controleer_consistentie(m: int, n: int, wortel_m: bytes, wortel_n: bytes, pad: Sequence[bytes]) -> bool:
    if not 0 < m <= n:
        return False
    if m == n:
        return not pad and wortel_m == wortel_n
    if not pad:
        return False
    pad = list(pad)
    if m & (m - 1) == 0:  # m is a power of two: the old root is the first node
        pad.insert(0, wortel_m)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = pad[0]
    for c in pad[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = knoop_hash(c, fr)
            sr = knoop_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = knoop_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == wortel_m and sr == wortel_n and sn == 0


def groei(frontier: list[bytes], grootte: int, event_hashes: bytes | bytearray | memoryview,
          tot: int) -> tuple[list[bytes], int]:
    """The frontier grown from `grootte` to `tot` leaves; `event_hashes` holds the 32-byte event hashes of
    leaves `grootte` .. `tot - 1` one after another. Whole aligned blocks of 256 leaves are hashed level by level
    (the verifier's path: one pass over a million events costs about a second)."""
    sha = hashlib.sha256
    f = list(frontier)
    n, i = grootte, 0
    while n < tot:
        blok = 256
        if n % blok == 0 and tot - n >= blok:
            laag = [sha(b"\x00" + event_hashes[32 * (i + j): 32 * (i + j + 1)]).digest() for j in range(blok)]
            while len(laag) > 1:
                laag = [sha(b"\x01" + laag[k] + laag[k + 1]).digest() for k in range(0, len(laag), 2)]
            h, m = laag[0], n >> 8
            while m & 1:  # merge the block into the frontier as one leaf of level 8
                h = knoop_hash(f.pop(), h)
                m >>= 1
            f.append(h)
            n, i = n + blok, i + blok
        else:
            f, _ = toevoegen(f, n, blad_hash(bytes(event_hashes[32 * i: 32 * i + 32])))
            n, i = n + 1, i + 1
    return f, n
