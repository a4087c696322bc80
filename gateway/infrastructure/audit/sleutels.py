"""Ed25519 checkpoint signatures, key ids and the public keyring (keys rotate without breaking the past).

The signing key is a PKCS8 PEM file (KETENPOORT_SIGNING_KEY); beside it live its public key (``.pub``) and
the keyring (``.keyring.json``): every public key that ever signed checkpoints, each with its key id and
validity::

    {"sleutels": [{"sleutelId": "…16 hex…", "algoritme": "Ed25519", "publiekeSleutel": "-----BEGIN PUBLIC KEY-----…",
                   "geldigVan": "2026-11-22T10:00:00.000Z", "geldigTot": "2026-12-01T10:15:00.000Z"}]}

A verifier checks each checkpoint by its ``sleutelId`` against the ring, and the checkpoint's time against
that key's validity. ``ketenpoort sleutels nieuw`` rotates (see ``roteer``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from gateway.domain.audit import Checkpoint, checkpoint_bericht, tijd

ALGORITME = "Ed25519"


def sleutel_id(publiek: Ed25519PublicKey) -> str:
    raw = publiek.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def publiek_pad(privaat: Path) -> Path:
    return privaat.with_name(privaat.name + ".pub") if privaat.suffix != ".key" else privaat.with_suffix(".pub")


def sleutelring_pad(privaat: Path) -> Path:
    stam = privaat.with_suffix("") if privaat.suffix == ".key" else privaat
    return stam.with_name(stam.name + ".keyring.json")


def _pem(publiek: Ed25519PublicKey) -> str:
    return publiek.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _schrijf_privaat(pad: Path, sleutel: Ed25519PrivateKey) -> None:
    """Write a private key atomically with mode 0600 (a rotation replaces the old key in one step)."""
    pad.parent.mkdir(parents=True, exist_ok=True)
    tijdelijk = pad.with_name(pad.name + ".nieuw")
    fd = os.open(tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(sleutel.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    os.replace(tijdelijk, pad)


def _tijdstip(waarde: object) -> datetime | None:
    if not isinstance(waarde, str):
        return None
    try:
        t = datetime.fromisoformat(waarde.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------- the keyring


@dataclass(frozen=True)
class RingSleutel:
    sleutel_id: str
    publiek: Ed25519PublicKey
    geldig_van: datetime | None = None
    geldig_tot: datetime | None = None

    def geldig_op(self, t: datetime | None) -> bool:
        if t is None:
            return True  # no time to hold against it (a bare checkpoint data object)
        return (self.geldig_van is None or t >= self.geldig_van) and (self.geldig_tot is None or t <= self.geldig_tot)

    def als_json(self) -> dict[str, Any]:
        uit: dict[str, Any] = {"sleutelId": self.sleutel_id, "algoritme": ALGORITME, "publiekeSleutel": _pem(self.publiek),
                               "geldigVan": tijd(self.geldig_van) if self.geldig_van else None}
        if self.geldig_tot is not None:
            uit["geldigTot"] = tijd(self.geldig_tot)
        return uit


@dataclass(frozen=True)
class Sleutelring:
    sleutels: tuple[RingSleutel, ...] = ()

    def __len__(self) -> int:
        return len(self.sleutels)

    def met(self, *andere: Sleutelring) -> Sleutelring:
        """This ring and others together (a key id named twice keeps its first entry)."""
        gezien = {s.sleutel_id for s in self.sleutels}
        extra = [s for r in andere for s in r.sleutels if not (s.sleutel_id in gezien or gezien.add(s.sleutel_id))]
        return Sleutelring(self.sleutels + tuple(extra))

    def van(self, sid: str) -> RingSleutel | None:
        return next((s for s in self.sleutels if s.sleutel_id == sid), None)

    def als_json(self) -> dict[str, Any]:
        return {"sleutels": [s.als_json() for s in self.sleutels]}

    def bytes(self) -> bytes:
        return (json.dumps(self.als_json(), ensure_ascii=False, indent=2) + "\n").encode()

    @classmethod
    def uit_json(cls, waarde: Any, bron: str = "sleutelring") -> Sleutelring:
        if not isinstance(waarde, Mapping) or not isinstance(waarde.get("sleutels"), list):
            raise ValueError(f"{bron}: geen sleutelring (verwacht {{\"sleutels\": [...]}})")
        uit = []
        for i, s in enumerate(waarde["sleutels"]):
            if not isinstance(s, Mapping) or s.get("algoritme", ALGORITME) != ALGORITME:
                raise ValueError(f"{bron}: sleutels[{i}] is geen Ed25519-sleutel")
            publiek = _lees_pem(str(s.get("publiekeSleutel", "")).encode(), f"{bron}: sleutels[{i}]")
            sid = sleutel_id(publiek)
            if s.get("sleutelId") not in (None, sid):
                raise ValueError(f"{bron}: sleutels[{i}]: sleutelId past niet bij de publieke sleutel")
            van, tot = _tijdstip(s.get("geldigVan")), _tijdstip(s.get("geldigTot"))
            uit.append(RingSleutel(sid, publiek, van, tot))
        return cls(tuple(uit))

    @classmethod
    def laad(cls, pad: Path | str) -> Sleutelring:
        """A keyring file, or a single PEM public key (then valid at any time)."""
        pad = Path(pad)
        inhoud = pad.read_bytes()
        if inhoud.lstrip().startswith(b"{"):
            try:
                return cls.uit_json(json.loads(inhoud), str(pad))
            except json.JSONDecodeError:
                raise ValueError(f"{pad} is geen geldige JSON-sleutelring") from None
        publiek = _lees_pem(inhoud, str(pad))
        return cls((RingSleutel(sleutel_id(publiek), publiek),))


def _lees_pem(inhoud: bytes, bron: str) -> Ed25519PublicKey:
    try:
        sleutel = serialization.load_pem_public_key(inhoud)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{bron} is geen PEM-publieke sleutel ({type(e).__name__})") from None
    if not isinstance(sleutel, Ed25519PublicKey):
        raise ValueError(f"{bron} is geen Ed25519-sleutel")
    return sleutel


def laad_publieke_sleutel(pad: Path | str) -> Ed25519PublicKey:
    """A PEM SubjectPublicKeyInfo Ed25519 public key."""
    return _lees_pem(Path(pad).read_bytes(), str(pad))


def handtekening_controle(
    sleutels: Sleutelring | Ed25519PublicKey | Iterable[Ed25519PublicKey],
) -> Callable[..., bool]:
    """The ``controleer_handtekening(data, tijd=None) -> bool`` the domain verifier takes.

    The checkpoint's ``sleutelId`` picks the key from the ring; ``tijd`` (the checkpoint event's time) must
    lie within that key's validity.
    """
    if isinstance(sleutels, Ed25519PublicKey):
        sleutels = [sleutels]
    ring = sleutels if isinstance(sleutels, Sleutelring) else Sleutelring(
        tuple(RingSleutel(sleutel_id(s), s) for s in sleutels))

    def controleer(data: Mapping[str, Any], tijd: object = None) -> bool:
        sleutel = ring.van(str(data.get("sleutelId")))
        handtekening = data.get("handtekening")
        if sleutel is None or not isinstance(handtekening, str):
            return False
        if tijd is not None and not sleutel.geldig_op(_tijdstip(tijd)):
            return False
        try:
            sleutel.publiek.verify(base64.b64decode(handtekening, validate=True), checkpoint_bericht(data))
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    return controleer


# --------------------------------------------------------------------------- the writer's side


class Ondertekenaar:
    def __init__(self, sleutel: Ed25519PrivateKey, ring: Sleutelring | None = None):
        self._sleutel = sleutel
        self.sleutel_id = sleutel_id(sleutel.public_key())
        self.ring = ring if ring is not None else Sleutelring((RingSleutel(self.sleutel_id, sleutel.public_key()),))

    def onderteken(self, cp: Checkpoint) -> Checkpoint:
        """The checkpoint with this key's id and signature (over checkpoint_bericht, either version)."""
        cp = replace(cp, sleutel_id=self.sleutel_id, handtekening=None)
        return replace(cp, handtekening=base64.b64encode(self._sleutel.sign(checkpoint_bericht(cp))).decode())

    def publieke_sleutel_pem(self) -> bytes:
        return _pem(self._sleutel.public_key()).encode()


def laad_of_maak_sleutel(pad: Path, *, maak: bool = False) -> Ed25519PrivateKey:
    """Load a PKCS8 PEM private key; with `maak`, generate one (and its SPKI `.pub`) when missing."""
    if not pad.exists():
        if not maak:
            raise FileNotFoundError(f"ondertekeningssleutel {pad} bestaat niet")
        _schrijf_privaat(pad, Ed25519PrivateKey.generate())
    sleutel = serialization.load_pem_private_key(pad.read_bytes(), password=None)
    if not isinstance(sleutel, Ed25519PrivateKey):
        raise ValueError(f"{pad} is geen Ed25519-sleutel")
    pub = publiek_pad(pad)
    if not pub.exists():  # exported for verifiers
        pub.write_text(_pem(sleutel.public_key()))
    return sleutel


def laad_ondertekenaar(pad: Path, *, maak: bool = False, nu: datetime | None = None) -> Ondertekenaar:
    """The signer of KETENPOORT_SIGNING_KEY with its keyring; a key not yet in the ring is added to it."""
    sleutel = laad_of_maak_sleutel(pad, maak=maak)
    ring_pad = sleutelring_pad(pad)
    ring = Sleutelring.laad(ring_pad) if ring_pad.exists() else Sleutelring()
    sid = sleutel_id(sleutel.public_key())
    if ring.van(sid) is None:
        ring = ring.met(Sleutelring((RingSleutel(sid, sleutel.public_key(), nu or datetime.now(timezone.utc)),)))
        _schrijf_ring(ring_pad, ring)
    return Ondertekenaar(sleutel, ring)


def _schrijf_ring(pad: Path, ring: Sleutelring) -> None:
    tijdelijk = pad.with_name(pad.name + ".nieuw")
    tijdelijk.write_bytes(ring.bytes())
    os.replace(tijdelijk, pad)


def roteer(pad: Path, *, overgang: timedelta = timedelta(minutes=15), nu: datetime | None = None) -> Ondertekenaar:
    """A new signing key at `pad`: the old public key stays in the ring, valid until now + `overgang` (the
    time to restart every gateway), the new one valid from now. The old private key is overwritten."""
    nu = nu or datetime.now(timezone.utc)
    oud = laad_ondertekenaar(pad, nu=nu)
    ring_pad = sleutelring_pad(pad)
    nieuw = Ed25519PrivateKey.generate()
    nieuw_id = sleutel_id(nieuw.public_key())
    gesloten = tuple(replace(s, geldig_tot=nu + overgang) if s.geldig_tot is None else s for s in oud.ring.sleutels)
    ring = Sleutelring(gesloten + (RingSleutel(nieuw_id, nieuw.public_key(), nu),))
    _schrijf_ring(ring_pad, ring)  # first the ring: a key that signs is always in it
    _schrijf_privaat(pad, nieuw)
    publiek_pad(pad).write_text(_pem(nieuw.public_key()))
    return Ondertekenaar(nieuw, ring)


# --- key pairs and signed checkpoints for tests and tools


def maak_sleutelpaar(pad: Path | str) -> Ed25519PrivateKey:
    """A new Ed25519 key: PKCS8 PEM at `pad` (mode 0600) and its SPKI PEM at `publiek_pad(pad)`."""
    pad = Path(pad)
    sleutel = Ed25519PrivateKey.generate()
    _schrijf_privaat(pad, sleutel)
    publiek_pad(pad).write_text(_pem(sleutel.public_key()))
    return sleutel


def onderteken_checkpoint(sleutel: Ed25519PrivateKey, huis: str, volgnummer: int, hash_: str,
                          **boom: Any) -> dict[str, Any]:
    """The data of a checkpoint event (CONTRACT.md §6); `boom`: boom_grootte and boom_wortel (v2)."""
    return Ondertekenaar(sleutel).onderteken(Checkpoint(huis, volgnummer, hash_, **boom)).als_data()
