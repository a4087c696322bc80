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
