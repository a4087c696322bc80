"""The identity vault: BSN encrypted with AES-GCM, found through an HMAC-SHA256 pseudonym (invariant 5)."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12
_VERSIE = b"\x01"


def _afleiden(geheim: bytes, doel: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ketenpoort", info=doel).derive(geheim)


class AesGcmKluis:
    """Two independent keys derived from one secret: one to look up, one to decrypt."""

    def __init__(self, geheim: str | bytes):
        raw = geheim.encode() if isinstance(geheim, str) else geheim
        if len(raw) < 32:
            raise ValueError("KETENPOORT_IDENTITY_KEY moet ten minste 32 tekens zijn")
        self._hmac = _afleiden(raw, b"ketenpoort/bsn-pseudoniem/v1")
        self._aes = AESGCM(_afleiden(raw, b"ketenpoort/bsn-versleuteling/v1"))

    def pseudoniem(self, huis: str, bsn: str) -> str:
        # Keyed per house, so the same person has unrelated pseudonyms in different houses.
        return hmac.new(self._hmac, f"{huis}|{bsn}".encode(), hashlib.sha256).hexdigest()

    def versleutel(self, huis: str, bsn: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSIE + nonce + self._aes.encrypt(nonce, bsn.encode(), huis.encode())

    def ontsleutel(self, huis: str, versleuteld: bytes) -> str:
        if versleuteld[:1] != _VERSIE:
            raise ValueError("onbekende versie van de versleuteling")
        nonce, ct = versleuteld[1 : 1 + _NONCE], versleuteld[1 + _NONCE :]
        return self._aes.decrypt(nonce, ct, huis.encode()).decode()
