from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from gateway.domain.errors import Conflict
from gateway.domain.model import (
    Afspraak, AfspraakStatus, Casus, CasusStatus, GegevenDoor, Toestemming,
)

NU = datetime(2026, 11, 23, tzinfo=timezone.utc)


def _casus(status=CasusStatus.AANGEMELD) -> Casus:  # noqa: ANN001
    return Casus(uuid4(), "demo", "jeugd", status, "A", uuid4(), "politie", NU)


@pytest.mark.parametrize(
    ("van", "naar", "mag"),
    [
        (CasusStatus.AANGEMELD, CasusStatus.IN_BEHANDELING, True),
        (CasusStatus.AANGEMELD, CasusStatus.AFGESLOTEN, True),
        (CasusStatus.IN_BEHANDELING, CasusStatus.AFGESLOTEN, True),
        (CasusStatus.IN_BEHANDELING, CasusStatus.AANGEMELD, False),
        (CasusStatus.AFGESLOTEN, CasusStatus.IN_BEHANDELING, False),
        (CasusStatus.AFGESLOTEN, CasusStatus.AANGEMELD, False),
    ],
)
def test_casus_statusstroom(van, naar, mag):
    c = _casus(van)
    if mag:
        nieuw = c.met_status(naar, NU, "reden")
        assert nieuw.status is naar
        assert (nieuw.afgesloten_op is not None) == (naar is CasusStatus.AFGESLOTEN)
    else:
        with pytest.raises(Conflict):
            c.met_status(naar, NU)


def test_zelfde_status_is_geen_wijziging():
    c = _casus()
    assert c.met_status(CasusStatus.AANGEMELD, NU) is c


def test_afspraak_eenmaal_afgehandeld_en_verlopen():
    a = Afspraak(uuid4(), "demo", uuid4(), "rvdk", "x", date(2026, 11, 1), AfspraakStatus.OPEN, "om", NU)
    assert a.is_verlopen(date(2026, 11, 2)) and not a.is_verlopen(date(2026, 11, 1))
    b = a.met_status(AfspraakStatus.UITGEVOERD, NU, "klaar")
    assert b.status is AfspraakStatus.UITGEVOERD and not b.is_verlopen(date(2027, 1, 1))
    with pytest.raises(Conflict):
        b.met_status(AfspraakStatus.VERVALLEN, NU, None)
    with pytest.raises(Conflict):
        a.met_status(AfspraakStatus.OPEN, NU, None)


def test_toestemming_geldigheid():
    t = Toestemming(uuid4(), "demo", uuid4(), "gezondheidsgegevens", GegevenDoor.BETROKKENE, "ggz", NU,
                    date(2026, 12, 31))
    assert t.geldig_op(date(2026, 11, 23)) and t.geldig_op(date(2026, 12, 31))
    assert not t.geldig_op(date(2027, 1, 1)) and not t.geldig_op(date(2026, 11, 22))
