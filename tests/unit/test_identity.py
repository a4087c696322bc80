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
