import pytest

from gateway.infrastructure.identity import AesGcmKluis

SLEUTEL = "s" * 40


def test_pseudoniem_stabiel_per_huis_en_verschillend_tussen_huizen():
    k = AesGcmKluis(SLEUTEL)
    assert k.pseudoniem("demo", "999990019") == k.pseudoniem("demo", "999990019")
    assert k.pseudoniem("demo", "999990019") != k.pseudoniem("noord", "999990019")
    assert k.pseudoniem("demo", "999990019") != AesGcmKluis("t" * 40).pseudoniem("demo", "999990019")
    assert "999990019" not in k.pseudoniem("demo", "999990019")


def test_versleuteling_rondreis_en_binding_aan_huis():
    k = AesGcmKluis(SLEUTEL)
    a, b = k.versleutel("demo", "999990019"), k.versleutel("demo", "999990019")
    assert a != b and b"999990019" not in a
    assert k.ontsleutel("demo", a) == "999990019"
    with pytest.raises(Exception):
        k.ontsleutel("noord", a)
    with pytest.raises(Exception):
        AesGcmKluis("t" * 40).ontsleutel("demo", a)


def test_te_korte_sleutel_geweigerd():
    with pytest.raises(ValueError):
        AesGcmKluis("kort")


def test_stdlib_log_records_are_scrubbed_of_bsns(capsys):
    import logging

    from gateway.infrastructure.observability import configureer_logging

    configureer_logging("INFO", json=True)
    try:
        raise RuntimeError("persoon 999990019 niet gevonden")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("fout bij %s", "999990020")
    uit = capsys.readouterr().out
    assert "fout bij" in uit and "RuntimeError" in uit
    assert "999990019" not in uit and "999990020" not in uit


# --- versioned keys (docs/sleutelrotatie-identiteit.md) ---

OUD, NIEUW = "o" * 40, "n" * 40


def test_version_1_is_the_unversioned_vault_byte_for_byte():
    # The single IDENTITY_KEY setup is version 1: same pseudonyms, same ciphertext layout as before versioning.
    gewoon, v1 = AesGcmKluis(OUD), AesGcmKluis(OUD, versie=1)
    assert v1.versie == 1 and v1.versies == {1}
    assert gewoon.pseudoniem("demo", "999990019") == v1.pseudoniem("demo", "999990019")
    assert v1.pseudoniemen("demo", "999990019") == (gewoon.pseudoniem("demo", "999990019"),)
    ct = v1.versleutel("demo", "999990019")
    assert ct[:1] == b"\x01" and len(ct) == 1 + 12 + 9 + 16 and AesGcmKluis.sleutelversie(ct) == 1
    assert gewoon.ontsleutel("demo", ct) == "999990019"


def test_current_key_writes_previous_keys_still_read():
    oud = AesGcmKluis(OUD)
    k = AesGcmKluis(NIEUW, versie=2, vorige={1: OUD})
    assert k.versie == 2 and k.versies == {1, 2}
    oud_ct = oud.versleutel("demo", "999990019")
    assert k.ontsleutel("demo", oud_ct) == "999990019"
    ct = k.versleutel("demo", "999990019")
    assert ct[:1] == b"\x02" and AesGcmKluis.sleutelversie(ct) == 2 and b"999990019" not in ct
    assert k.ontsleutel("demo", ct) == "999990019"
    with pytest.raises(Exception):
        k.ontsleutel("noord", ct)  # still bound to the house
    # Current first, then the previous ones: the order of the look-up.
    assert k.pseudoniemen("demo", "999990019") == (k.pseudoniem("demo", "999990019"),
                                                   oud.pseudoniem("demo", "999990019"))
    assert k.pseudoniem("demo", "999990019") == AesGcmKluis(NIEUW, versie=2).pseudoniem("demo", "999990019")


def test_previous_keys_newest_first_and_a_forged_version_header_fails():
    k = AesGcmKluis("c" * 40, versie=5, vorige={1: OUD, 3: NIEUW})
    assert k.pseudoniemen("demo", "999990019")[1:] == (AesGcmKluis(NIEUW, versie=3).pseudoniem("demo", "999990019"),
                                                       AesGcmKluis(OUD).pseudoniem("demo", "999990019"))
    ct = AesGcmKluis(NIEUW, versie=3).versleutel("demo", "999990019")
    assert k.ontsleutel("demo", ct) == "999990019"
    vervalst = ct[:1] + (5).to_bytes(4, "big") + ct[5:]
    with pytest.raises(Exception):
        k.ontsleutel("demo", vervalst)


def test_a_version_that_is_not_configured_is_named_without_the_bsn():
    ct = AesGcmKluis(OUD).versleutel("demo", "999990019")
    with pytest.raises(ValueError, match="versie 1 is niet geconfigureerd") as e:
        AesGcmKluis(NIEUW, versie=2).ontsleutel("demo", ct)
    assert "999990019" not in str(e.value)
    with pytest.raises(ValueError, match="onbekende versie"):
        AesGcmKluis.sleutelversie(b"\x07abc")


@pytest.mark.parametrize("args, melding", [
    ((NIEUW,), {"versie": 0}),
    ((NIEUW,), {"versie": 2, "vorige": {1: "kort"}}),
    ((NIEUW,), {"versie": 2, "vorige": {2: OUD}}),
    ((NIEUW,), {"versie": 2, "vorige": {0: OUD}}),
    ((NIEUW,), {"versie": 2, "vorige": {1: NIEUW}}),
    (("kort",), {"versie": 2, "vorige": {1: OUD}}),
])
def test_bad_key_configurations_are_refused_without_echoing_a_key(args, melding):
    with pytest.raises(ValueError) as e:
        AesGcmKluis(*args, **melding)
    assert OUD not in str(e.value) and NIEUW not in str(e.value) and "kort" not in str(e.value)


def test_public_surface_of_the_rotation_modules():
    from gateway.domain import sleutelrotatie as domein
    from gateway.infrastructure import identity
    from gateway.services import sleutelrotatie as dienst

    assert identity.__all__ == ["AesGcmKluis"]
    assert sorted(dienst.__all__) == ["IdentiteitRotatie", "OnbekendeSleutelversie", "Stand", "Verslag"]
    assert "RoterendeKluis" in domein.__all__ and "IdentiteitRijen" in domein.__all__
    for m in (identity, dienst, domein):
        assert all(hasattr(m, naam) for naam in m.__all__)
