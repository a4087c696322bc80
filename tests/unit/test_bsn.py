import pytest

from gateway.domain.bsn import bevat_bsn, is_geldig_bsn


@pytest.mark.parametrize("bsn", ["999990019", "999990020", "111222333", "123456782"])
def test_geldig(bsn):
    assert is_geldig_bsn(bsn)


@pytest.mark.parametrize("bsn", ["123456789", "999990018", "00000000", "0000000000", "000000000", "12345678a",
                                 "٩٩٩٩٩٠٠١٩", "", " 99999001", 999990019, None])
def test_ongeldig(bsn):
    assert not is_geldig_bsn(bsn)


def test_bevat_bsn_in_vrije_tekst():
    assert bevat_bsn("bel ouders van 999990019 terug")
    assert bevat_bsn("999990019")
    assert not bevat_bsn("dossier 123456789")          # fails the elfproef
    assert not bevat_bsn("telefoon 0612345678")        # ten digits
    assert not bevat_bsn("ref 1999990019")             # part of a longer number
