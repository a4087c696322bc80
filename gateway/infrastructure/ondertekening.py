"""Ed25519 checkpoint signatures: make truncation of the audit log detectable."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

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

    def onderteken(self, huis: str, volgnummer: int, hash_: str, boom_wortel: str | None = None) -> str:
        return base64.b64encode(self._sleutel.sign(checkpoint_bericht(huis, volgnummer, hash_, boom_wortel))).decode()

    def publieke_sleutel_pem(self) -> bytes:
        return self._sleutel.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)


# --- the verifier's side (audit verify), and key pairs and signed checkpoints for tests and tools


def laad_publieke_sleutel(pad: Path | str) -> Ed25519PublicKey:
    """A PEM SubjectPublicKeyInfo Ed25519 public key."""
    pad = Path(pad)
    try:
        sleutel = serialization.load_pem_public_key(pad.read_bytes())
    except (ValueError, TypeError) as e:
        raise ValueError(f"{pad} is geen PEM-publieke sleutel ({type(e).__name__})") from None
    if not isinstance(sleutel, Ed25519PublicKey):
        raise ValueError(f"{pad} is geen Ed25519-sleutel")
    return sleutel


def handtekening_controle(
    publieke_sleutels: Ed25519PublicKey | Iterable[Ed25519PublicKey],
) -> Callable[[Mapping[str, Any]], bool]:
    """The `controleer_handtekening(data) -> bool` the domain verifier takes.

    Several keys may be given (key rotation); the checkpoint's `sleutelId` picks one.
    """
    sleutels = [publieke_sleutels] if isinstance(publieke_sleutels, Ed25519PublicKey) else list(publieke_sleutels)
    per_id = {sleutel_id(s): s for s in sleutels}

    def controleer(data: Mapping[str, Any]) -> bool:
        sleutel = per_id.get(str(data.get("sleutelId")))
        handtekening, huis, vn, h = (data.get("handtekening"), data.get("huis"), data.get("volgnummer"),
                                     data.get("hash"))
        wortel = data.get("boomWortel")
        if sleutel is None or not isinstance(handtekening, str) or not isinstance(huis, str):
            return False
        if wortel is not None and (not isinstance(wortel, str) or data.get("boomGrootte") != vn):
            return False
        if not isinstance(vn, int) or isinstance(vn, bool) or not isinstance(h, str):
            return False
        try:
            sleutel.verify(base64.b64decode(handtekening, validate=True), checkpoint_bericht(huis, vn, h, wortel))
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    return controleer


def maak_sleutelpaar(pad: Path | str) -> Ed25519PrivateKey:
    """A new Ed25519 key: PKCS8 PEM at `pad` (mode 0600) and its SPKI PEM at `publiek_pad(pad)`."""
    pad = Path(pad)
    pad.parent.mkdir(parents=True, exist_ok=True)
    sleutel = Ed25519PrivateKey.generate()
    pad.write_bytes(sleutel.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    pad.chmod(0o600)
    publiek_pad(pad).write_bytes(sleutel.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return sleutel


def onderteken_checkpoint(sleutel: Ed25519PrivateKey, huis: str, volgnummer: int, hash_: str) -> dict[str, Any]:
    """The data of a checkpoint event (CONTRACT.md §6)."""
    return {
        "huis": huis,
        "volgnummer": volgnummer,
        "hash": hash_,
        "handtekening": base64.b64encode(sleutel.sign(checkpoint_bericht(huis, volgnummer, hash_))).decode(),
        "sleutelId": sleutel_id(sleutel.public_key()),
    }
