"""decide(): every branch, table-driven, over a small convenant built in the test."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from gateway.domain.convenant import (
    Convenant,
    Niveau,
    Overlegtype,
    Partner,
    Uitwisseling,
    Verstrekking,
    Weigering,
    bevoegde_gevers,
    decide,
    leeftijd_op,
    plus_maanden,
)
from gateway.domain.model import GegevenDoor, Toestemming

CASUS = UUID("00000000-0000-0000-0000-0000000000c1")
PEILDATUM = date(2026, 6, 1)
WPG = "Wpg art. 20"
WJSG = "Wjsg art. 39f"
WGBO = "WGBO art. 7:457 (toestemming)"

C = Convenant(
    id="zvh-test",
    versie="1",
    huis="test",
    naam="Convenant Test",
    geldig_van=date(2026, 1, 1),
    geldig_tot=date(2028, 12, 31),
    verwerkingsverantwoordelijken=("gemeente-a",),
    bewaartermijn_maanden=60,
    partners={
        p: Partner(p, p.upper(), b)
        for p, b in [
            ("politie", "BPS"), ("om", "JCO-support"), ("dji", "Depan"), ("vir", "VIR"), ("rvdk", None),
            ("reclassering", None), ("ggz", None), ("gemeente-a", None),
        ]
    },
    themas=("jeugd", "veelplegers", "huiselijk_geweld"),
    overlegtypen={
        # om chairs the jco without being listed as kernpartner: the chair counts as kern
        "jco": Overlegtype("jco", "JCO", ("jeugd",), "om", ("politie", "rvdk"), ("gemeente-a",)),
        "veelplegers": Overlegtype(
            "veelplegers", "Veelplegers", ("veelplegers",), "om",
            ("om", "politie", "reclassering", "dji"), ("ggz", "gemeente-a"),
        ),
        "zorg": Overlegtype("zorg", "Zorgoverleg", ("huiselijk_geweld",), None, ("gemeente-a", "ggz"), ("politie",)),
    },
    verstrekkingen=(
        Verstrekking("V-POL-JCO", "politie", "politiegegevens", WPG, ("jco",), ("kernpartners", "schilpartners"),
                     samenwerkingsverband="ZVH Test", doel="Afstemmen", voorwaarden="Geheimhouding"),
        Verstrekking("V-OM-JCO", "om", "strafvorderlijke_gegevens", WJSG, ("jco",), ("kernpartners",),
                     verder_verstrekken=False),
        Verstrekking("V-POL-VP", "politie", "politiegegevens", WPG, ("veelplegers",), ("kernpartners",),
                     samenwerkingsverband="ZVH Test", doel="Recidive", voorwaarden="Geheimhouding"),
        # named by partner id, not by role
        Verstrekking("V-DJI-VP", "dji", "detentiegegevens", "Pbw", ("veelplegers",), ("reclassering", "gemeente-a")),
        Verstrekking("V-GGZ-VP", "ggz", "gezondheidsgegevens", WGBO, ("veelplegers",), ("kernpartners",),
                     toestemming_vereist=True),
        Verstrekking("V-VIR-ZORG", "vir", "verwijsindexsignaal", "Jeugdwet par. 7.1.3", ("zorg",),
                     ("kernpartners", "schilpartners")),
        # two grounds for ggz -> gemeente-a in zorg: consent (listed first) and same treatment team
        Verstrekking("V-GGZ-ZORG", "ggz", "gezondheidsgegevens", WGBO, ("zorg",), ("kernpartners",),
                     toestemming_vereist=True),
        Verstrekking("V-GGZ-BT", "ggz", "gezondheidsgegevens", "WGBO art. 7:457 lid 2 (behandelteam)", ("zorg",),
                     ("gemeente-a",)),
    ),
    hash="0" * 64,
)


def toestemming(
    gegeven_door: GegevenDoor,
    categorie: str = "gezondheidsgegevens",
    vastgelegd: date = date(2026, 2, 1),
    geldig_tot: date | None = None,
) -> Toestemming:
    return Toestemming(
        id=UUID(int=1),
        huis="test",
        casus_id=CASUS,
        categorie=categorie,
        gegeven_door=gegeven_door,
        vastgelegd_door="ggz",
        vastgelegd_op=datetime(vastgelegd.year, vastgelegd.month, vastgelegd.day, 9, 0, tzinfo=UTC),
        geldig_tot=geldig_tot,
    )


BETROKKENE = toestemming(GegevenDoor.BETROKKENE)
OUDER = toestemming(GegevenDoor.WETTELIJK_VERTEGENWOORDIGER)


@dataclass(frozen=True)
class Geval:
    id: str
    bron: str
    ontvanger: str
    overlegtype: str
    regel: str  # expected verstrekking id (permit) or refusal code
    niveau: Niveau | None = None  # expected level when permitted
    peildatum: date = PEILDATUM
    leeftijd: int | None = None
    toestemmingen: tuple[Toestemming, ...] = ()
    afgesloten_op: date | None = None
    opgehaald_voor: str | None = None
    convenant: Convenant = C

    @property
    def toegestaan(self) -> bool:
        return not self.regel.startswith("R-")

    def uitwisseling(self) -> Uitwisseling:
        return Uitwisseling(
            bron=self.bron,
            ontvanger=self.ontvanger,
            overlegtype=self.overlegtype,
            peildatum=self.peildatum,
            leeftijd=self.leeftijd,
            toestemmingen=self.toestemmingen,
            casus_afgesloten_op=self.afgesloten_op,
            opgehaald_voor=self.opgehaald_voor,
        )


def ggz(id_: str, regel: str, leeftijd: int | None, *toestemmingen: Toestemming) -> Geval:
    """ggz tells politie (kern) in veelplegers: V-GGZ-VP, which needs consent."""
    niveau = None if regel.startswith("R-") else Niveau.DAT
    return Geval(id_, "ggz", "politie", "veelplegers", regel, niveau, leeftijd=leeftijd, toestemmingen=toestemmingen)


KORT = replace(C, bewaartermijn_maanden=12)
G = Weigering

GEVALLEN = [
    # --- validity period of the convenant (inclusive on both ends)
    Geval("geldig-dag-voor-begin", "politie", "om", "jco", G.GELDIGHEID, peildatum=date(2025, 12, 31)),
    Geval("geldig-eerste-dag", "politie", "om", "jco", "V-POL-JCO", Niveau.DAT, peildatum=date(2026, 1, 1)),
    Geval("geldig-laatste-dag", "politie", "om", "jco", "V-POL-JCO", Niveau.DAT, peildatum=date(2028, 12, 31)),
    Geval("geldig-dag-na-einde", "politie", "om", "jco", G.GELDIGHEID, peildatum=date(2029, 1, 1)),
    Geval("geldigheid-gaat-voor-deelname", "politie", "ggz", "jco", G.GELDIGHEID, peildatum=date(2030, 1, 1)),
    # --- retention after closing (12 months here): the last day still counts
    Geval("open-casus", "politie", "om", "jco", "V-POL-JCO", Niveau.DAT, convenant=KORT),
    Geval("bewaar-laatste-dag", "politie", "om", "jco", "V-POL-JCO", Niveau.DAT,
          afgesloten_op=date(2026, 3, 15), peildatum=date(2027, 3, 15), convenant=KORT),
    Geval("bewaar-dag-erna", "politie", "om", "jco", G.BEWAARTERMIJN,
          afgesloten_op=date(2026, 3, 15), peildatum=date(2027, 3, 16), convenant=KORT),
    Geval("bewaar-60-maanden-nog-niet-verstreken", "politie", "om", "jco", "V-POL-JCO", Niveau.DAT,
          afgesloten_op=date(2026, 1, 2), peildatum=date(2028, 12, 31)),
    Geval("bewaar-maandeinde-laatste-dag", "politie", "om", "jco", "V-POL-JCO", Niveau.DAT,
          afgesloten_op=date(2026, 1, 31), peildatum=date(2026, 2, 28), convenant=replace(C, bewaartermijn_maanden=1)),
    Geval("bewaar-maandeinde-dag-erna", "politie", "om", "jco", G.BEWAARTERMIJN,
          afgesloten_op=date(2026, 1, 31), peildatum=date(2026, 3, 1), convenant=replace(C, bewaartermijn_maanden=1)),
    Geval("bewaartermijn-gaat-voor-deelname", "politie", "ggz", "jco", G.BEWAARTERMIJN,
          afgesloten_op=date(2026, 1, 1), peildatum=date(2027, 6, 1), convenant=KORT),
    # --- participation
    Geval("geen-deelnemer", "politie", "ggz", "jco", G.DEELNAME),
    Geval("bron-zelf-geen-deelnemer-ontvanger", "politie", "vir", "jco", G.DEELNAME),
    Geval("onbekend-overlegtype", "politie", "om", "jco-hg", G.DEELNAME),
    # --- no verstrekking
    Geval("geen-verstrekking-voor-bron", "dji", "rvdk", "jco", G.GEEN_VERSTREKKING),
    Geval("verstrekking-alleen-voor-kern-schil-vraagt", "politie", "ggz", "veelplegers", G.GEEN_VERSTREKKING),
    Geval("bij-id-genoemd-andere-kern-niet", "dji", "politie", "veelplegers", G.GEEN_VERSTREKKING),
    Geval("verstrekking-voor-ander-overlegtype", "om", "om", "veelplegers", G.GEEN_VERSTREKKING),
    # --- match by role or by id; dat for kern, bekend for schil
    Geval("kern-via-rol-krijgt-dat", "politie", "rvdk", "jco", "V-POL-JCO", Niveau.DAT),
    Geval("voorzitter-telt-als-kern", "politie", "om", "jco", "V-POL-JCO", Niveau.DAT),
    Geval("schil-via-rol-krijgt-bekend", "politie", "gemeente-a", "jco", "V-POL-JCO", Niveau.BEKEND),
    Geval("kern-via-id-krijgt-dat", "dji", "reclassering", "veelplegers", "V-DJI-VP", Niveau.DAT),
    Geval("schil-via-id-krijgt-bekend", "dji", "gemeente-a", "veelplegers", "V-DJI-VP", Niveau.BEKEND),
    # --- VIR: help and care only
    Geval("vir-niet-in-jco", "vir", "om", "jco", G.GEEN_VERSTREKKING),
    Geval("vir-niet-in-veelplegers", "vir", "politie", "veelplegers", G.GEEN_VERSTREKKING),
    Geval("vir-in-zorg-kern", "vir", "ggz", "zorg", "V-VIR-ZORG", Niveau.DAT),
    Geval("vir-in-zorg-schil", "vir", "politie", "zorg", "V-VIR-ZORG", Niveau.BEKEND),
    # --- consent by age band (ggz -> politie in veelplegers needs consent for gezondheidsgegevens)
    ggz("toestemming-ontbreekt", G.TOESTEMMING, 30),
    ggz("onder-12-ouder", "V-GGZ-VP", 11, OUDER),
    ggz("onder-12-betrokkene-telt-niet", G.TOESTEMMING, 11, BETROKKENE),
    ggz("0-jaar-ouder", "V-GGZ-VP", 0, OUDER),
    ggz("12-betrokkene", "V-GGZ-VP", 12, BETROKKENE),
    ggz("12-ouder", "V-GGZ-VP", 12, OUDER),
    ggz("15-betrokkene", "V-GGZ-VP", 15, BETROKKENE),
    ggz("15-ouder", "V-GGZ-VP", 15, OUDER),
    ggz("16-betrokkene", "V-GGZ-VP", 16, BETROKKENE),
    ggz("16-ouder-telt-niet", G.TOESTEMMING, 16, OUDER),
    ggz("onbekende-leeftijd-betrokkene", "V-GGZ-VP", None, BETROKKENE),
    ggz("onbekende-leeftijd-ouder-telt-niet", G.TOESTEMMING, None, OUDER),
    ggz("toestemming-verlopen", G.TOESTEMMING, 30, toestemming(GegevenDoor.BETROKKENE, geldig_tot=date(2026, 5, 31))),
    ggz("toestemming-laatste-geldige-dag", "V-GGZ-VP", 30, toestemming(GegevenDoor.BETROKKENE, geldig_tot=PEILDATUM)),
    ggz("toestemming-pas-later-vastgelegd", G.TOESTEMMING, 30,
        toestemming(GegevenDoor.BETROKKENE, vastgelegd=date(2026, 6, 2))),
    ggz("toestemming-andere-categorie", G.TOESTEMMING, 30,
        toestemming(GegevenDoor.BETROKKENE, categorie="verslavingsgegevens")),
    ggz("een-geldige-tussen-ongeldige", "V-GGZ-VP", 14, toestemming(GegevenDoor.BETROKKENE, categorie="x"), OUDER),
    # --- several grounds: the one without consent wins; consent-based otherwise
    Geval("grond-zonder-toestemming-voorrang", "ggz", "gemeente-a", "zorg", "V-GGZ-BT", Niveau.DAT, leeftijd=30),
    Geval("grond-zonder-toestemming-ook-met-toestemming", "ggz", "gemeente-a", "zorg", "V-GGZ-BT", Niveau.DAT,
          leeftijd=30, toestemmingen=(BETROKKENE,)),
    Geval("andere-kern-alleen-met-toestemming", "ggz", "ggz", "zorg", "V-GGZ-ZORG", Niveau.DAT,
          toestemmingen=(BETROKKENE,)),
    Geval("andere-kern-zonder-toestemming", "ggz", "ggz", "zorg", G.TOESTEMMING),
    # --- verderVerstrekken: false reaches only the caller it was fetched for
    Geval("wjsg-voor-vrager-zelf", "om", "rvdk", "jco", "V-OM-JCO", Niveau.DAT),
    Geval("wjsg-opgehaald-voor-dezelfde", "om", "rvdk", "jco", "V-OM-JCO", Niveau.DAT, opgehaald_voor="rvdk"),
    Geval("wjsg-niet-naar-andere-partner", "om", "rvdk", "jco", G.VERDER_VERSTREKKEN, opgehaald_voor="politie"),
    Geval("wpg-mag-wel-naar-andere-partner", "politie", "rvdk", "jco", "V-POL-JCO", Niveau.DAT, opgehaald_voor="om"),
]


@pytest.mark.parametrize("geval", GEVALLEN, ids=[g.id for g in GEVALLEN])
def test_decide(geval: Geval) -> None:
    besluit = decide(geval.convenant, geval.uitwisseling())
    assert besluit.regel == str(geval.regel), besluit
    assert besluit.toegestaan is geval.toegestaan, besluit
    assert besluit.niveau == geval.niveau
    if not geval.toegestaan:
        assert besluit.reden


@pytest.mark.parametrize("geval", GEVALLEN, ids=[g.id for g in GEVALLEN])
def test_every_besluit_names_its_rule_and_a_permit_its_ground(geval: Geval) -> None:
    besluit = decide(geval.convenant, geval.uitwisseling())
    assert besluit.regel
    if besluit.toegestaan:
        verstrekking = next(v for v in geval.convenant.verstrekkingen if v.id == besluit.regel)
        assert besluit.grondslag == verstrekking.grondslag
        assert besluit.categorie == verstrekking.categorie
        assert besluit.verder_verstrekken is verstrekking.verder_verstrekken
        assert besluit.reden is None
    else:
        assert besluit.regel in {w.value for w in Weigering}
        assert besluit.niveau is None


def test_refusal_for_a_rule_names_the_ground_it_failed() -> None:
    b = decide(C, Geval("x", "om", "rvdk", "jco", "", opgehaald_voor="politie").uitwisseling())
    assert (b.regel, b.grondslag, b.categorie, b.verder_verstrekken) == (
        "R-VERDER-VERSTREKKEN", WJSG, "strafvorderlijke_gegevens", True
    )
    assert "politie" in (b.reden or "")
    b = decide(C, Geval("x", "ggz", "politie", "veelplegers", "", leeftijd=11).uitwisseling())
    assert (b.regel, b.grondslag, b.categorie) == ("R-TOESTEMMING", WGBO, "gezondheidsgegevens")
    assert "wettelijk_vertegenwoordiger" in (b.reden or "") and "leeftijd 11" in (b.reden or "")


def test_permit_for_wjsg_carries_no_further_disclosure() -> None:
    b = decide(C, Geval("x", "om", "politie", "jco", "").uitwisseling())
    assert b.toegestaan and b.verder_verstrekken is False


def test_decide_is_default_deny_for_an_empty_convenant() -> None:
    leeg = replace(C, verstrekkingen=())
    for bron in C.partners:
        b = decide(leeg, Geval("x", bron, "om", "jco", "").uitwisseling())
        assert not b.toegestaan and b.regel == Weigering.GEEN_VERSTREKKING


@pytest.mark.parametrize(
    ("leeftijd", "gevers"),
    [(None, {GegevenDoor.BETROKKENE}),
     (0, {GegevenDoor.WETTELIJK_VERTEGENWOORDIGER}),
     (11, {GegevenDoor.WETTELIJK_VERTEGENWOORDIGER}),
     (12, {GegevenDoor.BETROKKENE, GegevenDoor.WETTELIJK_VERTEGENWOORDIGER}),
     (15, {GegevenDoor.BETROKKENE, GegevenDoor.WETTELIJK_VERTEGENWOORDIGER}),
     (16, {GegevenDoor.BETROKKENE}),
     (40, {GegevenDoor.BETROKKENE})],
    ids=["onbekend", "0", "11", "12", "15", "16", "40"],
)
def test_bevoegde_gevers_by_age(leeftijd: int | None, gevers: set[GegevenDoor]) -> None:
    assert bevoegde_gevers(leeftijd) == gevers


@pytest.mark.parametrize(
    ("geboren", "dag", "leeftijd"),
    [(date(2014, 6, 1), date(2026, 5, 31), 11), (date(2014, 6, 1), date(2026, 6, 1), 12),
     (date(2012, 2, 29), date(2028, 2, 28), 15), (date(2012, 2, 29), date(2028, 2, 29), 16), (None, PEILDATUM, None)],
    ids=["dag-voor-12e", "12e-verjaardag", "schrikkel-dag-voor", "schrikkel-verjaardag", "onbekend"],
)
def test_leeftijd_op(geboren: date | None, dag: date, leeftijd: int | None) -> None:
    assert leeftijd_op(geboren, dag) == leeftijd


@pytest.mark.parametrize(
    ("dag", "maanden", "uitkomst"),
    [(date(2026, 3, 15), 12, date(2027, 3, 15)), (date(2026, 1, 31), 1, date(2026, 2, 28)),
     (date(2027, 12, 31), 2, date(2028, 2, 29)), (date(2026, 11, 30), 60, date(2031, 11, 30)),
     (date(2026, 12, 1), 1, date(2027, 1, 1))],
    ids=["jaar", "maandeinde", "schrikkeljaar", "vijf-jaar", "jaarwissel"],
)
def test_plus_maanden(dag: date, maanden: int, uitkomst: date) -> None:
    assert plus_maanden(dag, maanden) == uitkomst
