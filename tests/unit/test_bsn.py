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


# The table of disguises (issue 11, item 4): each hides the test BSN 999990378.
VERMOMMINGEN = [
    "999990378",
    "999 990 378",
    "9999.90.378",
    "999-990-378",
    "999\u00a0990\u00a0378",            # non-breaking spaces
    "999\u202f990\u202f378",            # narrow no-break spaces
    "999\u2009990\u2009378",            # thin spaces
    "\uff19\uff19\uff19\uff19\uff19\uff10\uff13\uff17\uff18",  # full-width digits
    "\u0669\u0669\u0669\u0669\u0669\u0660\u0663\u0667\u0668",  # Arabic-Indic digits
    "999\u200b990\u200b378",            # zero-width spaces
    "999\u00ad990\u00ad378",            # soft hyphens
    "999\u2013990\u2013378",            # en dashes
    "999 - 990 - 378",
    "999_990_378",
    "999/990/378",
    "99,99,90,378",
    "1 999 990 378",                     # a leading group to hide the nine digits
    "bsn:999990378.",
    "zie 999 99 03 78 voor details",
    "\U0001d7ff\U0001d7ff\U0001d7ff\U0001d7ff\U0001d7ff\U0001d7f6\U0001d7f9\U0001d7fd\U0001d7fe",  # math monospace digits
]

GEEN_BSN = [
    "telefoon 0612 345 678", "dossier 123 456 789", "om 10:30 op 12-05-2026", "2026-12-01", "06-12345678",
    "ref 1999990019", "gesprek over schulden",
]


@pytest.mark.parametrize("tekst", VERMOMMINGEN)
def test_bsn_guard_ziet_door_vermommingen(tekst):
    assert bevat_bsn(tekst)


@pytest.mark.parametrize("tekst", GEEN_BSN)
def test_bsn_guard_laat_gewone_tekst_door(tekst):
    assert not bevat_bsn(tekst)
