"""Ed25519 checkpoint signatures: make truncation of the audit log detectable."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from gateway.domain.audit import checkpoint_bericht


def sleutel_id(publiek: Ed25519PublicKey) -> str:
    raw = publiek.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def publiek_pad(privaat: Path) -> Path:
    return privaat.with_name(privaat.name + ".pub") if privaat.suffix != ".key" else privaat.with_suffix(".pub")


def laad_of_maak_sleutel(pad: Path, *, maak: bool = False) -> Ed25519PrivateKey:
    """Load a PKCS8 PEM private key; with `maak`, generate one (and its SPKI `.pub`) when missing."""
    if not pad.exists():
        if not maak:
            raise FileNotFoundError(f"ondertekeningssleutel {pad} bestaat niet")
        pad.parent.mkdir(parents=True, exist_ok=True)
        sleutel = Ed25519PrivateKey.generate()
        pad.write_bytes(sleutel.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        pad.chmod(0o600)
    sleutel = serialization.load_pem_private_key(pad.read_bytes(), password=None)
    if not isinstance(sleutel, Ed25519PrivateKey):
        raise ValueError(f"{pad} is geen Ed25519-sleutel")
    pub = publiek_pad(pad)
    if not pub.exists():  # exported for verifiers
        pub.write_bytes(sleutel.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return sleutel


class Ondertekenaar:
    def __init__(self, sleutel: Ed25519PrivateKey):
        self._sleutel = sleutel
        self.sleutel_id = sleutel_id(sleutel.public_key())

    def onderteken(self, huis: str, volgnummer: int, hash_: str) -> str:
        return base64.b64encode(self._sleutel.sign(checkpoint_bericht(huis, volgnummer, hash_))).decode()

    def publieke_sleutel_pem(self) -> bytes:
        return self._sleutel.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
