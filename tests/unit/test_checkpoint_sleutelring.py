"""Checkpoints: one signed message for both versions, unknown fields kept; the keyring checks each checkpoint by
its key id and the key's validity; a rotation keeps every old checkpoint valid."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.domain.audit import Checkpoint, checkpoint_bericht
from gateway.infrastructure.audit.sleutels import (
    Sleutelring,
    handtekening_controle,
    laad_ondertekenaar,
    maak_sleutelpaar,
    onderteken_checkpoint,
    publiek_pad,
    roteer,
    sleutelring_pad,
)

H = "ab" * 32
W = "cd" * 32


def test_the_signed_message_in_both_versions():
    assert checkpoint_bericht(Checkpoint("demo", 7, H)) == f"demo|7|{H}".encode()
    assert checkpoint_bericht({"huis": "demo", "volgnummer": 7, "hash": H, "boomGrootte": 7, "boomWortel": W}) == (
        f"ketenpoort.checkpoint.v2|demo|7|{H}|7|{W}".encode())
    with pytest.raises(ValueError):
        checkpoint_bericht({"huis": "demo", "volgnummer": 7, "hash": H, "boomGrootte": 7})  # root missing
    with pytest.raises(ValueError):
        Checkpoint.uit_data({"huis": "demo", "volgnummer": 0, "hash": H})


def test_unknown_fields_are_carried_through():
    data = {"huis": "demo", "volgnummer": 7, "hash": H, "handtekening": "x", "sleutelId": "k", "later": {"a": 1}}
    cp = Checkpoint.uit_data(data)
    assert cp.extra == (("later", {"a": 1}),) and cp.als_data() == data


def test_v2_checkpoints_are_signed_and_checked_over_the_tree_too(tmp_path: Path):
    sleutel = maak_sleutelpaar(tmp_path / "s.key")
    data = onderteken_checkpoint(sleutel, "demo", 7, H, boom_grootte=7, boom_wortel=W)
    controle = handtekening_controle(sleutel.public_key())
    assert data["boomGrootte"] == 7 and controle(data)
    assert not controle({**data, "boomWortel": "ee" * 32})  # a split view cannot reuse the signature
    oud = onderteken_checkpoint(sleutel, "demo", 7, H)
    assert controle(oud) and not controle({**oud, "boomGrootte": 7, "boomWortel": W})


def test_the_keyring_checks_key_id_and_validity(tmp_path: Path):
    pad = tmp_path / "signing.key"
    maak_sleutelpaar(pad)
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    eerste = laad_ondertekenaar(pad, nu=t0)
    cp_oud = eerste.onderteken(Checkpoint("demo", 100, H)).als_data()
    tweede = roteer(pad, overgang=timedelta(minutes=15), nu=t0 + timedelta(days=30))
    cp_nieuw = tweede.onderteken(Checkpoint("demo", 200, W)).als_data()
    assert cp_oud["sleutelId"] != cp_nieuw["sleutelId"] == tweede.sleutel_id
    ring = Sleutelring.laad(sleutelring_pad(pad))
    assert len(ring) == 2
    controle = handtekening_controle(ring)
    assert controle(cp_oud, "2026-11-10T00:00:00.000Z") and controle(cp_nieuw, "2026-12-01T00:00:00.000Z")
    # the retired key cannot sign after its validity (a stolen old key forges nothing new)
    assert not controle(cp_oud, "2026-12-02T00:00:00.000Z")
    assert not controle(cp_nieuw, "2026-11-10T00:00:00.000Z")  # nor the new one before it existed
    # the new .pub alone does not know the old key
    alleen_nieuw = handtekening_controle(Sleutelring.laad(publiek_pad(pad)))
    assert alleen_nieuw(cp_nieuw) and not alleen_nieuw(cp_oud)
    # the ring as JSON round-trips; a sleutelId that does not match its key is refused
    j = ring.als_json()
    assert Sleutelring.uit_json(j).als_json() == j
    j["sleutels"][0]["sleutelId"] = "0" * 16
    with pytest.raises(ValueError):
        Sleutelring.uit_json(j)


def test_ketenpoort_sleutels_nieuw_and_toon(tmp_path: Path):
    from gateway.cli import app

    pad = tmp_path / "signing.key"
    maak_sleutelpaar(pad)
    runner = CliRunner()
    r = runner.invoke(app, ["sleutels", "toon", "--signing-key", str(pad)])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["sleutels"]) == 1
    r = runner.invoke(app, ["sleutels", "nieuw", "--signing-key", str(pad), "--overgang", "5"])
    assert r.exit_code == 0, r.output
    ring = json.loads(runner.invoke(app, ["sleutels", "toon", "--signing-key", str(pad)]).stdout)["sleutels"]
    assert len(ring) == 2 and "geldigTot" in ring[0] and "geldigTot" not in ring[1]
    assert ring[1]["sleutelId"] in r.stdout
    r = runner.invoke(app, ["sleutels", "nieuw", "--signing-key", str(tmp_path / "geen.key")])
    assert r.exit_code == 2


def test_the_checkpoint_directory_never_overwrites(tmp_path: Path):
    from gateway.infrastructure.audit.getuigen import CheckpointMap

    m = CheckpointMap(tmp_path / "getuige")
    ev = {"id": "e1", "type": "nl.ketenpoort.audit.checkpoint", "data": {"huis": "demo", "volgnummer": 100, "hash": H}}
    assert m.schrijf(ev) is True
    pad = m.bestand(ev)
    assert pad.name == f"{100:020d}-e1.json" and json.loads(pad.read_text()) == ev
    # a second write of the same checkpoint, or a rewrite of it, leaves the first file as it was
    assert m.schrijf(ev) is False
    assert m.schrijf({**ev, "data": {**ev["data"], "hash": W}}) is False
    assert json.loads(pad.read_text())["data"]["hash"] == H
    with pytest.raises(ValueError):
        m.bestand({"id": "e2", "data": {"huis": "../elders", "volgnummer": 1}})
