"""The audit-log verifier: every way to tamper with a chain is found at its volgnummer, and named."""

from __future__ import annotations

import copy
import hashlib
import hmac
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from gateway.domain.audit import AUDIT_TYPE, CHECKPOINT_TYPE, NUL_HASH, checkpoint_bericht, cloudevent, schakel
from gateway.domain.audit import (
    Breuktype,
    KetenVerificatie,
    huis_van,
    per_huis,
    verifieer,
    verifieer_per_huis,
)

GEHEIM = b"test-ondertekening"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def _teken(huis: str, volgnummer: int, hash_: str, geheim: bytes = GEHEIM) -> str:
    bericht = checkpoint_bericht({"huis": huis, "volgnummer": volgnummer, "hash": hash_})
    return hmac.new(geheim, bericht, hashlib.sha256).hexdigest()


def controle(data, tijd=None) -> bool:  # noqa: ANN001 - stands in for the Ed25519 check of infrastructure
    return hmac.compare_digest(str(data["handtekening"]), _teken(data["huis"], data["volgnummer"], data["hash"]))


def checkpoint(huis: str, volgnummer: int, hash_: str, geheim: bytes = GEHEIM) -> dict:
    data = {"huis": huis, "volgnummer": volgnummer, "hash": hash_,
            "handtekening": _teken(huis, volgnummer, hash_, geheim), "sleutelId": "0123456789abcdef"}
    return cloudevent(id=uuid.uuid4(), type=CHECKPOINT_TYPE, huis=huis, time=T0, data=data)


def keten(n: int, huis: str = "demo", elke: int | None = 100) -> list[dict]:
    """n audit events, a signed checkpoint after every `elke`-th."""
    uit, vorige = [], NUL_HASH
    for i in range(1, n + 1):
        tijd = T0 + timedelta(seconds=i)
        data = schakel({"huis": huis, "tijdstip": tijd.isoformat().replace("+00:00", "Z"),
                        "handeling": "casus_inzien", "besluit": "toegestaan", "reden": None,
                        "verzoeker": {"partner": "om", "clientId": f"{huis}-om", "gebruiker": "j.jansen"},
                        "betrokkene": str(uuid.UUID(int=i % 7))}, i, vorige)
        uit.append(cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis=huis, time=tijd, data=data))
        vorige = data["hash"]
        if elke and i % elke == 0:
            uit.append(checkpoint(huis, i, vorige))
    return uit


def pos(k: list[dict], volgnummer: int) -> int:
    return next(i for i, e in enumerate(k) if e["type"] == AUDIT_TYPE and e["data"]["volgnummer"] == volgnummer)


def breuk(k: list[dict], **kw):  # noqa: ANN202
    v = verifieer(k, kw.pop("controle", controle), **kw)
    assert v.breuk is not None, v
    return v.breuk.volgnummer, v.breuk.soort


# --------------------------------------------------------------------------- intact


def test_intact_chain_reports_range_and_checkpoints():
    v = verifieer(keten(250), controle)
    assert v.intact and v.breuk is None
    assert (v.aantal, v.eerste, v.laatste, v.hoogste, v.checkpoints_gecontroleerd) == (250, 1, 250, 250, 2)
    assert "intact" in v.samenvatting() and "volgnummer 1 t/m 250" in v.samenvatting()
    assert "2 checkpoints gecontroleerd" in v.samenvatting()


def test_without_key_the_chain_is_checked_but_checkpoints_are_not():
    v = verifieer(keten(250), None)
    assert v.intact and v.checkpoints_gecontroleerd == 0 and v.checkpoints_ongecontroleerd == 2
    assert not v.handtekeningen_gecontroleerd and "NIET VAST TE STELLEN" in v.samenvatting()
    assert "niet te controleren" in v.samenvatting()


def test_exact_redeliveries_are_tolerated_anywhere():
    k = keten(250)
    dubbel = k[:120] + k[95:130] + k[129:] + [k[5], k[-1]]
    v = verifieer(dubbel, controle)
    assert v.intact, v.breuk
    assert v.aantal == 250 and v.dubbel == len(dubbel) - len(k)


@pytest.mark.parametrize("volgorde", [[1, 2, 3, 4, 5, 3, 4, 5], [1, 2, 4, 5, 3, 4, 5], [1, 2, 5, 3, 4, 5]],
                         ids=["herhaald", "gat-dan-herhaald", "vroege-kopie"])
def test_the_last_copy_of_a_relay_resend_wins(volgorde):
    k = keten(8, elke=None)
    stroom = [k[i - 1] for i in volgorde] + k[5:]
    v = verifieer(stroom, begin_verplicht=True)
    assert v.intact, v.breuk
    assert v.aantal == 8 and v.dubbel == len(stroom) - 8


def test_a_redelivery_far_beyond_the_window_is_still_a_duplicate():
    k = keten(100, elke=None)
    v = verifieer(k[:60] + [k[3]] + k[60:], begin_verplicht=True, venster=5)
    assert v.intact and v.dubbel == 1


def test_a_real_swap_is_not_mistaken_for_a_redelivery():
    k = keten(20, elke=None)
    stroom = k[:2] + [k[3], k[2]] + k[4:]
    assert breuk(stroom) == (3, Breuktype.VERWISSELD)


def test_bare_data_objects_are_accepted_too():
    datas = [e["data"] for e in keten(20, elke=None)]
    assert verifieer(datas).intact


def test_a_clean_chain_of_ten_thousand_verifies_fast():
    k = keten(10_000)
    begin = time.perf_counter()
    v = verifieer(k, controle)
    duur = time.perf_counter() - begin
    assert v.intact and v.laatste == 10_000 and v.checkpoints_gecontroleerd == 100
    assert duur < 2.0, duur


def test_incremental_feeding_equals_one_shot():
    k = keten(150)
    kv = KetenVerificatie("demo", controle, begin_verplicht=True)
    for ev in k:
        kv.voeg_toe(ev)
    assert kv.afronden() == verifieer(k, controle, begin_verplicht=True)


def test_other_event_types_on_the_topic_are_skipped():
    k = keten(10, elke=None)
    k.insert(3, cloudevent(id=uuid.uuid4(), type="nl.ketenpoort.iets.anders", huis="demo", time=T0, data={}))
    v = verifieer(k)
    assert v.intact and v.overgeslagen == 1


# --------------------------------------------------------------------------- tampering


def test_changed_content_is_gewijzigd():
    k = keten(250)
    k[pos(k, 57)]["data"]["besluit"] = "geweigerd"
    assert breuk(k) == (57, Breuktype.GEWIJZIGD)


def test_changed_and_rehashed_record_is_gewijzigd_at_that_record():
    k = keten(250)
    d = k[pos(k, 57)]["data"]
    d["reden"] = "verzonnen"
    d.update(schakel(d, 57, d["vorigeHash"]))
    assert breuk(k) == (57, Breuktype.GEWIJZIGD)


def test_rehashed_record_confirmed_by_checkpoint_points_at_the_next_one():
    k = keten(250)
    d = k[pos(k, 101)]["data"]  # 100 is confirmed by a checkpoint, so 101 is the one that changed
    d["vorigeHash"] = "f" * 64
    d.update(schakel(d, 101, d["vorigeHash"]))
    assert breuk(k) == (101, Breuktype.GEWIJZIGD)


def test_changed_volgnummer_field_is_gewijzigd():
    k = keten(50, elke=None)
    k[pos(k, 20)]["data"]["volgnummer"] = 23
    assert breuk(k) == (20, Breuktype.GEWIJZIGD)


def test_whole_tail_rewritten_is_caught_by_a_signed_checkpoint():
    k = keten(250)
    vorige = k[pos(k, 149)]["data"]["hash"]
    for i in range(150, 251):
        d = k[pos(k, i)]["data"]
        if i == 150:
            d["besluit"] = "geweigerd"
        d.update(schakel(d, i, vorige))
        vorige = d["hash"]
    v = verifieer(k, controle)
    assert (v.breuk.volgnummer, v.breuk.soort) == (200, Breuktype.GEWIJZIGD)
    assert "101 t/m 200" in v.breuk.uitleg and "herschreven" in v.breuk.uitleg
    assert v.laatste == 199 and v.checkpoints_gecontroleerd == 1
    # Without a key the rewrite cannot be seen: that is what checkpoints are for.
    assert verifieer(k, None).intact


@pytest.mark.parametrize("volgnummer", [1, 57, 250])
def test_deleted_record_is_ontbreekt(volgnummer):
    k = keten(260)
    del k[pos(k, volgnummer)]
    assert breuk(k, begin_verplicht=True) == (volgnummer, Breuktype.ONTBREEKT)


def test_deleted_range_names_the_range():
    k = keten(100, elke=None)
    for vn in (30, 31, 32):
        del k[pos(k, vn)]
    v = verifieer(k, begin_verplicht=True)
    assert (v.breuk.volgnummer, v.breuk.soort) == (30, Breuktype.ONTBREEKT)
    assert "30 t/m 32" in v.breuk.uitleg and v.laatste == 29


def test_deleted_last_record_under_a_checkpoint_is_afgekapt():
    k = keten(300)
    del k[pos(k, 300)]  # the checkpoint for 300 is still there
    assert breuk(k) == (300, Breuktype.AFGEKAPT)


def test_deleted_last_record_against_an_expected_last():
    k = keten(250)
    last = k[pos(k, 250)]["data"]["hash"]
    del k[pos(k, 250)]
    assert breuk(k, verwacht_laatste=(250, last)) == (250, Breuktype.AFGEKAPT)
    assert breuk(k, verwacht_laatste=250) == (250, Breuktype.AFGEKAPT)
    assert verifieer(k, controle, verwacht_laatste=249).intact


@pytest.mark.parametrize(("a", "b"), [(57, 58), (10, 11), (1, 2), (249, 250), (10, 190), (3, 240)],
                         ids=["buren", "buren-10", "eerste-twee", "laatste-twee", "ver-uit-elkaar", "heel-ver"])
def test_swapped_records_are_verwisseld_at_the_first(a, b):
    k = keten(250)
    i, j = pos(k, a), pos(k, b)
    k[i], k[j] = k[j], k[i]
    assert breuk(k, begin_verplicht=True) == (a, Breuktype.VERWISSELD)


def test_swapped_contents_in_the_ledger_are_verwisseld():
    k = keten(50, elke=None)  # the database swaps the event column of two rows: same picture
    i, j = pos(k, 20), pos(k, 21)
    k[i]["data"], k[j]["data"] = k[j]["data"], k[i]["data"]
    assert breuk(k, begin_verplicht=True) == (20, Breuktype.VERWISSELD)


def test_moved_record_is_verwisseld():
    k = keten(100, elke=None)
    ev = k.pop(pos(k, 30))
    k.insert(pos(k, 60), ev)
    assert breuk(k) == (30, Breuktype.VERWISSELD)


def test_inserted_garbage_record_is_ingevoegd():
    k = keten(100, elke=None)
    nep = copy.deepcopy(k[pos(k, 40)])
    nep["id"] = str(uuid.uuid4())
    nep["data"]["vorigeHash"] = "a" * 64
    nep["data"]["hash"] = "b" * 64
    k.insert(pos(k, 40), nep)
    assert breuk(k) == (40, Breuktype.INGEVOEGD)


def test_inserted_forged_record_that_links_is_ingevoegd():
    k = keten(100, elke=None)
    vorige = k[pos(k, 39)]["data"]
    nep = schakel({**k[pos(k, 40)]["data"], "besluit": "geweigerd"}, 40, vorige["hash"])
    k.insert(pos(k, 40), cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis="demo", time=T0, data=nep))
    assert breuk(k) == (40, Breuktype.INGEVOEGD)


def test_inserted_forged_record_after_the_genuine_one_is_ingevoegd():
    k = keten(100, elke=None)
    vorige = k[pos(k, 39)]["data"]
    nep = schakel({**k[pos(k, 40)]["data"], "besluit": "geweigerd"}, 40, vorige["hash"])
    k.insert(pos(k, 41), cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis="demo", time=T0, data=nep))
    assert breuk(k) == (40, Breuktype.INGEVOEGD)


def test_inserted_record_claiming_a_later_volgnummer_is_ingevoegd():
    k = keten(100, elke=None)
    nep = schakel({"huis": "demo", "handeling": "inzage"}, 77, "c" * 64)
    k.insert(pos(k, 40), cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis="demo", time=T0, data=nep))
    assert breuk(k) == (40, Breuktype.INGEVOEGD)


def test_inserted_unreadable_record_is_ingevoegd():
    k = keten(100, elke=None)
    k.insert(pos(k, 40), {"id": "x", "type": AUDIT_TYPE, "data": "geen json-object"})
    assert breuk(k) == (40, Breuktype.INGEVOEGD)


def test_redelivery_with_other_content_is_ingevoegd():
    k = keten(100, elke=None)
    kopie = copy.deepcopy(k[pos(k, 20)])
    kopie["data"]["besluit"] = "geweigerd"
    k.insert(pos(k, 50), kopie)
    v = verifieer(k)
    assert (v.breuk.volgnummer, v.breuk.soort) == (20, Breuktype.INGEVOEGD)
    assert "hetzelfde id" in v.breuk.uitleg


def test_appended_record_beyond_a_gap_is_ontbreekt():
    k = keten(100, elke=None)
    nep = schakel({"huis": "demo"}, 105, "d" * 64)  # as if 101..104 were deleted
    k.append(cloudevent(id=uuid.uuid4(), type=AUDIT_TYPE, huis="demo", time=T0, data=nep))
    assert breuk(k) == (101, Breuktype.ONTBREEKT)


# --------------------------------------------------------------------------- checkpoints


def test_forged_checkpoint_is_checkpoint_vervalst():
    k = keten(250)
    k[pos(k, 100) + 1]["data"]["handtekening"] = _teken("demo", 100, "0" * 64)
    assert breuk(k) == (100, Breuktype.CHECKPOINT_VERVALST)


def test_checkpoint_signed_with_another_key_is_checkpoint_vervalst():
    k = keten(250)
    k.insert(pos(k, 150) + 1, checkpoint("demo", 150, k[pos(k, 150)]["data"]["hash"], geheim=b"andere sleutel"))
    assert breuk(k) == (150, Breuktype.CHECKPOINT_VERVALST)


def test_malformed_checkpoint_is_checkpoint_vervalst():
    k = keten(150)
    k[pos(k, 100) + 1]["data"]["hash"] = "kapot"
    assert breuk(k) == (100, Breuktype.CHECKPOINT_VERVALST)


def test_truncated_tail_is_afgekapt():
    k = keten(300)
    afgekapt = [e for e in k if e["type"] == CHECKPOINT_TYPE or e["data"]["volgnummer"] <= 240]
    v = verifieer(afgekapt, controle)
    assert (v.breuk.volgnummer, v.breuk.soort) == (241, Breuktype.AFGEKAPT)
    assert "300" in v.breuk.uitleg and v.laatste == 240


def test_a_checkpoint_beyond_the_end_without_key_is_not_used():
    k = keten(300)
    afgekapt = [e for e in k if e["type"] == CHECKPOINT_TYPE or e["data"]["volgnummer"] <= 240]
    assert verifieer(afgekapt, None).intact


def test_first_break_wins_over_later_ones():
    k = keten(300)
    k[pos(k, 250)]["data"]["besluit"] = "geweigerd"
    del k[pos(k, 80)]
    assert breuk(k) == (80, Breuktype.ONTBREEKT)


def test_forged_checkpoint_before_a_break_is_reported_first():
    k = keten(300)
    k[pos(k, 100) + 1]["data"]["handtekening"] = "vals"
    del k[pos(k, 180)]
    assert breuk(k) == (100, Breuktype.CHECKPOINT_VERVALST)


# --------------------------------------------------------------------------- head removed by retention


def test_head_removed_is_anchored_on_a_checkpoint():
    k = keten(350)
    rest = k[pos(k, 131):]
    v = verifieer(rest, controle)
    assert v.intact, v.breuk
    assert v.begin_ontbreekt and v.anker == 200 and (v.eerste, v.laatste) == (131, 350)
    assert "vanaf volgnummer 131" in v.samenvatting() and "checkpoint 200" in v.samenvatting()


def test_head_removed_without_an_anchoring_checkpoint_cannot_be_vouched_for():
    k = keten(350)
    rest = [e for e in k[pos(k, 131):] if e["type"] == AUDIT_TYPE]
    v = verifieer(rest, controle)
    assert (v.breuk.volgnummer, v.breuk.soort) == (131, Breuktype.GEEN_ANKER)
    assert v.eerste is None and "niet worden gegarandeerd" in v.breuk.uitleg


def test_head_removed_without_a_key_cannot_be_vouched_for():
    k = keten(350)
    v = verifieer(k[pos(k, 131):], None)
    assert v.breuk.soort == Breuktype.GEEN_ANKER and "publieke sleutel" in v.breuk.uitleg


def test_head_removed_with_a_checkpoint_of_the_lost_head_left_over():
    k = keten(350)
    rest = k[pos(k, 100) + 1:]  # the checkpoint for 100 survived, event 100 did not
    v = verifieer(rest, controle)
    assert v.intact and v.anker == 200 and v.eerste == 101


def test_head_removed_and_a_forged_anchor_is_found():
    k = keten(350)
    rest = k[pos(k, 131):]
    rest[pos(rest, 200) + 1]["data"]["handtekening"] = "vals"
    assert breuk(rest) == (200, Breuktype.CHECKPOINT_VERVALST)


def test_head_removed_and_a_break_before_the_anchor():
    k = keten(350)
    rest = k[pos(k, 131):]
    del rest[pos(rest, 150)]
    assert breuk(rest) == (150, Breuktype.ONTBREEKT)


def test_in_the_ledger_a_missing_head_is_ontbreekt():
    k = keten(150)
    assert breuk(k[pos(k, 3):], begin_verplicht=True) == (1, Breuktype.ONTBREEKT)


# --------------------------------------------------------------------------- houses


def test_split_per_house_and_verify_a_mixed_stream():
    a, b = keten(120, "demo"), keten(130, "noord")
    gemengd = [x for paar in zip(a, b) for x in paar] + b[len(a):]
    delen = per_huis(gemengd)
    assert list(delen) == ["demo", "noord"] and delen["demo"] == a and delen["noord"] == b
    assert huis_van(b[0]) == "noord" and huis_van({"source": "urn:nld:ketenpoort:huis:zuid"}) == "zuid"
    verslagen = verifieer_per_huis(gemengd, controle)
    assert {h: (v.intact, v.aantal) for h, v in verslagen.items()} == {"demo": (True, 120), "noord": (True, 130)}


def test_report_as_dict_is_json_ready():
    import json

    k = keten(120)
    del k[pos(k, 7)]
    d = verifieer(k, controle).als_dict()
    json.dumps(d)
    assert d["intact"] is False and d["breuk"]["volgnummer"] == 7 and d["breuk"]["soort"] == "ontbreekt"


def test_fast_hash_is_exactly_the_chain_hash():
    import random

    from gateway.domain.audit import keten_hash
    from gateway.domain.audit.records import _rec
    from tests.unit.test_audit_chain import _willekeurig

    def _hash(data: dict) -> str | None:  # what the verifier computes for an event's data
        return _rec({"type": AUDIT_TYPE, "id": "x", "data": data}).eigen

    r = random.Random(20261123)
    for _ in range(3000):
        data = {"huis": "demo", "hash": "x", "w": _willekeurig(r), "😀": 1, "\ufb33": 2, "b": [1, None, True]}
        assert _hash(data) == keten_hash(data)
    with pytest.raises(TypeError):
        keten_hash({"x": 1.5})
    assert _hash({"x": 1.5}) is None  # not hashable: the verifier reports it, it does not crash
    for e in keten(30):
        assert _hash(e["data"]) == keten_hash(e["data"])


def test_head_removed_and_redelivered():
    k = keten(350)
    rest = k[pos(k, 131):]
    v = verifieer(rest[:10] + rest, controle)
    assert v.intact and v.eerste == 131 and v.dubbel == 10


def test_public_surface():
    import gateway.domain.audit as m

    assert {"Bevinding", "Breuktype", "HandtekeningControle", "KetenVerificatie", "Verslag", "huis_van", "per_huis",
            "verifieer", "verifieer_per_huis", "Checkpoint", "checkpoint_bericht"} <= set(m.__all__)
    assert all(hasattr(m, naam) for naam in m.__all__)


def test_truncated_tail_with_a_forged_checkpoint_further_on_reports_the_truncation():
    k = keten(300)
    afgekapt = [e for e in k if e["type"] == CHECKPOINT_TYPE or e["data"]["volgnummer"] <= 240]
    afgekapt[-1]["data"]["handtekening"] = "vals"  # the checkpoint for 300
    last = k[pos(k, 300)]["data"]["hash"]
    assert breuk(afgekapt, verwacht_laatste=(300, last)) == (241, Breuktype.AFGEKAPT)
    assert breuk(afgekapt) == (300, Breuktype.CHECKPOINT_VERVALST)


# --------------------------------------------------------------------------- runs handed over whole


def _als_reeksen(v: KetenVerificatie, stroom: list[dict]) -> None:
    """Feed a stream as a reader with helper processes does: consecutive audit events that are intact
    among themselves as one run (voeg_toe_reeks), everything else one by one."""
    from array import array

    from gateway.domain.audit import keten_hash
    from gateway.domain.audit.records import _id_digest

    reeks: list[dict] = []

    def sluit() -> None:
        if reeks:
            v.voeg_toe_reeks(reeks[0]["volgnummer"], reeks[0]["vorigeHash"],
                             array("Q", [_id_digest(d["_id"]) for d in reeks]),
                             b"".join(bytes.fromhex(d["hash"]) for d in reeks))
            reeks.clear()

    for ev in stroom:
        d = ev.get("data") if isinstance(ev, dict) else None
        if (isinstance(d, dict) and ev.get("type") == AUDIT_TYPE and type(d.get("volgnummer")) is int
                and d["volgnummer"] >= 1 and isinstance(d.get("vorigeHash"), str) and d.get("hash") == keten_hash(d)):
            if reeks and not (d["volgnummer"] == reeks[-1]["volgnummer"] + 1 and d["vorigeHash"] == reeks[-1]["hash"]):
                sluit()
            reeks.append({**d, "_id": ev["id"]})
            continue
        sluit()
        v.voeg_toe(ev)
    sluit()


def _stromen() -> list[tuple[str, list[dict], dict]]:
    k = keten(300)
    k8 = keten(8, elke=None)
    gewijzigd = copy.deepcopy(k)
    gewijzigd[pos(gewijzigd, 57)]["data"]["besluit"] = "geweigerd"
    weg = [e for e in k if not (e["type"] == AUDIT_TYPE and e["data"]["volgnummer"] == 150)]
    wissel = list(k)
    wissel[pos(k, 10)], wissel[pos(k, 11)] = wissel[pos(k, 11)], wissel[pos(k, 10)]
    vals_cp = copy.deepcopy(k)
    vals_cp[pos(k, 200) + 1]["data"]["handtekening"] = "vals"
    cp_eerst = list(k)
    cp_eerst.insert(pos(k, 100), cp_eerst.pop(pos(k, 100) + 1))  # the checkpoint before the event it names
    rest = k[pos(k, 131):]
    return [
        ("intact", k, {}), ("gewijzigd", gewijzigd, {}), ("ontbreekt", weg, {}), ("verwisseld", wissel, {}),
        ("vervalst", vals_cp, {}), ("cp-eerst", cp_eerst, {}), ("afgekapt", k[:pos(k, 290)], {}),
        ("redelivery", k[:120] + k[95:130] + k[129:] + [k[5], k[-1]], {}),
        ("relay", [k8[i - 1] for i in [1, 2, 4, 5, 3, 4, 5]] + k8[5:], {"begin_verplicht": True}),
        ("ver-venster", k[:60] + [k[3]] + k[60:], {"venster": 5}),
        ("venster-0", k[:60] + [k[3]] + k[60:], {"venster": 0}),
        ("kop-weg", rest[:10] + rest, {}), ("kop-weg-verplicht", rest, {"begin_verplicht": True}),
        ("ingevoegd", k[:pos(k, 40)] + [copy.deepcopy(k[pos(k, 40)])] + k[pos(k, 40):], {}),
    ]


@pytest.mark.parametrize(("naam", "stroom", "opties"), _stromen(), ids=[s[0] for s in _stromen()])
def test_runs_handed_over_whole_find_what_one_by_one_finds(naam, stroom, opties):
    een = KetenVerificatie("demo", controle, **opties)
    for ev in copy.deepcopy(stroom):
        een.voeg_toe(ev)
    verwacht = een.afronden()
    reeksen = KetenVerificatie("demo", controle, **opties)
    _als_reeksen(reeksen, copy.deepcopy(stroom))
    assert reeksen.afronden() == verwacht
