"""The identity vault: BSN encrypted with AES-GCM, found through an HMAC-SHA256 pseudonym (invariant 5).

Identity keys are versioned (docs/sleutelrotatie-identiteit.md). The current key writes; previous keys
still find and decrypt the rows made with them until `ketenpoort sleutels identiteit roteer` has
re-keyed every row. Ciphertext layouts:

    version 1:  0x01 | nonce(12) | AES-GCM(bsn, aad=huis)                 (as before versioning)
    version n:  0x02 | n (uint32 BE) | nonce(12) | AES-GCM(bsn, aad=huis|n)
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12
_FORMAAT_1 = b"\x01"  # key version 1 implied: rows written before versioning stay readable as they are
_FORMAAT_2 = b"\x02"  # key version in the header


def _afleiden(geheim: bytes, doel: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ketenpoort", info=doel).derive(geheim)


class _Sleutel:
    """One key version: its look-up key and its encryption key, derived independently from one secret."""

    def __init__(self, versie: int, raw: bytes):
        self.versie = versie
        self.hmac = _afleiden(raw, b"ketenpoort/bsn-pseudoniem/v1")
        self.aes = AESGCM(_afleiden(raw, b"ketenpoort/bsn-versleuteling/v1"))

    def pseudoniem(self, huis: str, bsn: str) -> str:
        # Keyed per house, so the same person has unrelated pseudonyms in different houses.
        return hmac.new(self.hmac, f"{huis}|{bsn}".encode(), hashlib.sha256).hexdigest()


def _raw(geheim: str | bytes, naam: str) -> bytes:
    raw = geheim.encode() if isinstance(geheim, str) else geheim
    if len(raw) < 32:
        raise ValueError(f"{naam} moet ten minste 32 tekens zijn")
    return raw


class AesGcmKluis:
    """The current identity key (version `versie`) and the previous ones, by version."""

    def __init__(self, geheim: str | bytes, *, versie: int = 1, vorige: Mapping[int, str | bytes] | None = None):
        if versie < 1:
            raise ValueError("KETENPOORT_IDENTITY_KEY_VERSION moet ten minste 1 zijn")
        huidig = _raw(geheim, "KETENPOORT_IDENTITY_KEY")
        geheimen = {versie: huidig}
        for v, g in sorted((vorige or {}).items(), reverse=True):
            if v < 1 or v == versie:
                raise ValueError(f"KETENPOORT_IDENTITY_KEYS_PREVIOUS: versie {v} is ongeldig of gelijk aan de huidige")
            geheimen[v] = _raw(g, f"KETENPOORT_IDENTITY_KEYS_PREVIOUS versie {v}")
        if len(set(geheimen.values())) != len(geheimen):
            # Two versions with one secret would make a rotation a no-op that claims to be done.
            raise ValueError("KETENPOORT_IDENTITY_KEYS_PREVIOUS: dezelfde sleutel onder twee versies")
        self._sleutels = {v: _Sleutel(v, g) for v, g in geheimen.items()}
        self._huidig = self._sleutels[versie]
        # Current first, then the previous ones newest first: the order in which a BSN is looked up.
        self._volgorde = (self._huidig, *(self._sleutels[v] for v in sorted(vorige or {}, reverse=True)))

    @property
    def versie(self) -> int:
        return self._huidig.versie

    @property
    def versies(self) -> frozenset[int]:
        """Every key version this vault can read."""
        return frozenset(self._sleutels)

    def pseudoniem(self, huis: str, bsn: str) -> str:
        return self._huidig.pseudoniem(huis, bsn)

    def pseudoniemen(self, huis: str, bsn: str) -> tuple[str, ...]:
        """The person's pseudonym under every configured key, the current one first."""
        return tuple(s.pseudoniem(huis, bsn) for s in self._volgorde)

    def versleutel(self, huis: str, bsn: str) -> bytes:
        nonce = os.urandom(_NONCE)
        s = self._huidig
        if s.versie == 1:
            return _FORMAAT_1 + nonce + s.aes.encrypt(nonce, bsn.encode(), huis.encode())
        kop = _FORMAAT_2 + s.versie.to_bytes(4, "big")
        return kop + nonce + s.aes.encrypt(nonce, bsn.encode(), f"{huis}|{s.versie}".encode())

    @staticmethod
    def sleutelversie(versleuteld: bytes) -> int:
        """The key version a ciphertext was made with (from its header; nothing is decrypted)."""
        if versleuteld[:1] == _FORMAAT_1:
            return 1
        if versleuteld[:1] == _FORMAAT_2 and len(versleuteld) > 5:
            return int.from_bytes(versleuteld[1:5], "big")
        raise ValueError("onbekende versie van de versleuteling")

    def ontsleutel(self, huis: str, versleuteld: bytes) -> str:
        versie = self.sleutelversie(versleuteld)
        s = self._sleutels.get(versie)
        if s is None:
            raise ValueError(f"identiteitssleutel versie {versie} is niet geconfigureerd")
        if versleuteld[:1] == _FORMAAT_1:
            nonce, ct, aad = versleuteld[1 : 1 + _NONCE], versleuteld[1 + _NONCE :], huis.encode()
        else:
            nonce, ct, aad = versleuteld[5 : 5 + _NONCE], versleuteld[5 + _NONCE :], f"{huis}|{versie}".encode()
        return s.aes.decrypt(nonce, ct, aad).decode()


__all__ = ["AesGcmKluis"]
