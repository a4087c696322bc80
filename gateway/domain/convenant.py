"""The convenant of a house, and the one pure function that decides every exchange.

Default deny: a source may tell a caller about a person only through a verstrekking that names
the source, the overleg's overlegtype and the caller (by role in that overlegtype or by id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from .model import HUISROLLEN, GegevenDoor, Toestemming

KERNPARTNERS = "kernpartners"
SCHILPARTNERS = "schilpartners"


class Rol(StrEnum):
    KERN = "kern"
    SCHIL = "schil"


class Niveau(StrEnum):
    DAT = "dat"        # known, since, contact point, reference (kernpartners)
    BEKEND = "bekend"  # known / not known only (schilpartners)


# Refusal rule codes: a refusal always names one, as a permit names its verstrekking.
class Weigering(StrEnum):
    GELDIGHEID = "R-GELDIGHEID"
    BEWAARTERMIJN = "R-BEWAARTERMIJN"
    DEELNAME = "R-DEELNAME"
    GEEN_VERSTREKKING = "R-GEEN-VERSTREKKING"
    TOESTEMMING = "R-TOESTEMMING"
    VERDER_VERSTREKKEN = "R-VERDER-VERSTREKKEN"
    GEMEENTE = "R-GEMEENTE"        # nazorg: only the municipality of return (seed 000:6079-6090)
    TIJDVENSTER = "R-TIJDVENSTER"  # lookups only in a window around the overleg's date
    LEEFTIJD = "R-LEEFTIJD"        # age bounds of an overlegtype (checked when agendering)


NAZORG = "nazorg"
GEMEENTE_SOORT = "gemeente"
JUSTITIE_SOORT = "justitie"


@dataclass(frozen=True)
class Partner:
    id: str
    naam: str
    bronsysteem: str | None = None
    soort: str | None = None  # gemeente, justitie, zorg, overig


@dataclass(frozen=True)
class Overlegtype:
    id: str
    naam: str
    themas: tuple[str, ...]
    voorzitter: str | None
    kernpartners: tuple[str, ...]
    schilpartners: tuple[str, ...] = ()
    gemeente: str | None = None          # a nazorg type for one municipality of return
    leeftijd_min: int | None = None      # age bounds checked when a casus is agendered (e.g. JCO 12-23)
    leeftijd_max: int | None = None
    justitieel: bool = False             # a meeting with an enforcement purpose (seed 003:768-792)

    @property
    def is_nazorg(self) -> bool:
        return NAZORG in self.themas

    def rol(self, partner: str) -> Rol | None:
        if partner in self.kernpartners or partner == self.voorzitter:
            return Rol.KERN
        if partner in self.schilpartners:
            return Rol.SCHIL
        return None


@dataclass(frozen=True)
class Verstrekking:
    id: str
    bron: str
    categorie: str
    grondslag: str
    overlegtypen: tuple[str, ...]
    ontvangers: tuple[str, ...]
    samenwerkingsverband: str | None = None
    doel: str | None = None
    voorwaarden: str | None = None
    toestemming_vereist: bool = False
    verder_verstrekken: bool = True

    def noemt_ontvanger(self, partner: str, rol: Rol | None) -> bool:
        if partner in self.ontvangers:
            return True
        return (rol is Rol.KERN and KERNPARTNERS in self.ontvangers) or (
            rol is Rol.SCHIL and SCHILPARTNERS in self.ontvangers
        )


@dataclass(frozen=True)
class Convenant:
    id: str
    versie: str
    huis: str
    naam: str
    geldig_van: date
    geldig_tot: date
    verwerkingsverantwoordelijken: tuple[str, ...]
    bewaartermijn_maanden: int
    partners: Mapping[str, Partner]
    themas: tuple[str, ...]
    overlegtypen: Mapping[str, Overlegtype]
    verstrekkingen: tuple[Verstrekking, ...]
    hash: str = ""
    # partner ids (and house roles) entitled to use the BSN (Wabb; seed 003:2681-2695)
    bsn_gerechtigden: tuple[str, ...] = ()
    waarschuwingen: tuple[str, ...] = ()

    def overlegtypen_voor_thema(self, thema: str) -> list[Overlegtype]:
        return [o for o in self.overlegtypen.values() if thema in o.themas]

    def themas_voor_partner(self, partner: str) -> set[str]:
        """The themas of every overlegtype the partner takes part in (kern or schil)."""
        return {t for o in self.overlegtypen.values() if o.rol(partner) for t in o.themas}

    def is_deelnemer(self, partner: str, overlegtype: str) -> bool:
        o = self.overlegtypen.get(overlegtype)
        return o is not None and o.rol(partner) is not None

    def bronnen(self) -> list[Partner]:
        """Partners whose source system the gateway can ask."""
        return [p for p in self.partners.values() if p.bronsysteem]

    def gemeenten(self) -> set[str]:
        """Partner ids that are municipalities; a convenant that marks none counts every partner."""
        marked = {p.id for p in self.partners.values() if p.soort == GEMEENTE_SOORT}
        return marked or set(self.partners)

    def bronnen_met_toestemming(self, categorie: str) -> set[str]:
        """The partners whose data a consent for this categorie opens."""
        return {v.bron for v in self.verstrekkingen if v.categorie == categorie and v.toestemming_vereist}

    def categorieen(self) -> set[str]:
        return {v.categorie for v in self.verstrekkingen}

    def is_geldig_op(self, dag: date) -> bool:
        return self.geldig_van <= dag <= self.geldig_tot

    def bewaartermijn_verstreken(self, afgesloten_op: date | None, dag: date) -> bool:
        return afgesloten_op is not None and dag > plus_maanden(afgesloten_op, self.bewaartermijn_maanden)

    @property
    def referentie(self) -> dict[str, str]:
        return {"id": self.id, "versie": self.versie, "hash": self.hash}


@dataclass(frozen=True)
class Uitwisseling:
    """One proposed exchange: may `bron` tell `ontvanger` about this person, for this overlegtype?"""

    bron: str
    ontvanger: str
    overlegtype: str
    peildatum: date
    leeftijd: int | None = None
    toestemmingen: tuple[Toestemming, ...] = ()
    casus_afgesloten_op: date | None = None
    # Set when showing a stored answer: the recipient (partner or house role) it was originally fetched for.
    opgehaald_voor: str | None = None
    # Nazorg: the casus's municipality of return (a partner id).
    casus_gemeente: str | None = None
    # Lookups: the overleg's date and the window around it (days before, days after); None: not a lookup.
    overleg_datum: date | None = None
    venster: tuple[int, int] | None = None


@dataclass(frozen=True)
class Besluit:
    toegestaan: bool
    regel: str
    reden: str | None = None
    grondslag: str | None = None
    categorie: str | None = None
    niveau: Niveau | None = None
    verder_verstrekken: bool = True

    @classmethod
    def weiger(cls, regel: Weigering, reden: str, verstrekking: Verstrekking | None = None) -> Besluit:
        return cls(
            toegestaan=False,
            regel=regel.value,
            reden=reden,
            grondslag=verstrekking.grondslag if verstrekking else None,
            categorie=verstrekking.categorie if verstrekking else None,
        )


def plus_maanden(dag: date, maanden: int) -> date:
    jaar, maand = divmod(dag.month - 1 + maanden, 12)
    jaar += dag.year
    maand += 1
    for d in (dag.day, 30, 29, 28):
        try:
            return date(jaar, maand, d)
        except ValueError:
            continue
    raise ValueError("onmogelijke datum")  # pragma: no cover


def leeftijd_op(geboortedatum: date | None, dag: date) -> int | None:
    if geboortedatum is None:
        return None
    return dag.year - geboortedatum.year - ((dag.month, dag.day) < (geboortedatum.month, geboortedatum.day))


def bevoegde_gevers(leeftijd: int | None) -> frozenset[GegevenDoor]:
    """Who can consent for this age: <12 the representative; 12-16 either; 16+ (or unknown) the person."""
    if leeftijd is not None and leeftijd < 12:
        return frozenset({GegevenDoor.WETTELIJK_VERTEGENWOORDIGER})
    if leeftijd is not None and leeftijd < 16:
        return frozenset({GegevenDoor.BETROKKENE, GegevenDoor.WETTELIJK_VERTEGENWOORDIGER})
    return frozenset({GegevenDoor.BETROKKENE})


def heeft_toestemming(
    toestemmingen: Iterable[Toestemming], categorie: str, leeftijd: int | None, dag: date,
    ontvanger: str | None = None,
) -> bool:
    gevers = bevoegde_gevers(leeftijd)
    return any(t.categorie == categorie and t.gegeven_door in gevers and t.geldig_op(dag, ontvanger)
               for t in toestemmingen)


def _toestemming_reden(categorie: str, leeftijd: int | None) -> str:
    gevers = " of ".join(sorted(g.value for g in bevoegde_gevers(leeftijd)))
    band = "onbekende leeftijd (geldt als meerderjarig)" if leeftijd is None else f"leeftijd {leeftijd}"
    return f"geen geldige toestemming voor categorie {categorie} gegeven door {gevers} ({band})"


def decide(convenant: Convenant, u: Uitwisseling) -> Besluit:
    """Decide one exchange. Pure; every outcome names its rule, a permit also its legal ground."""
    if not convenant.is_geldig_op(u.peildatum):
        return Besluit.weiger(
            Weigering.GELDIGHEID,
            f"convenant {convenant.id} {convenant.versie} is niet geldig op {u.peildatum.isoformat()}"
            f" (geldig {convenant.geldig_van.isoformat()} t/m {convenant.geldig_tot.isoformat()})",
        )
    if convenant.bewaartermijn_verstreken(u.casus_afgesloten_op, u.peildatum):
        return Besluit.weiger(
            Weigering.BEWAARTERMIJN,
            f"casus is langer dan de bewaartermijn van {convenant.bewaartermijn_maanden} maanden afgesloten",
        )
    if u.overleg_datum is not None and u.venster is not None:
        voor, na = u.venster
        if not (u.overleg_datum - timedelta(days=voor) <= u.peildatum <= u.overleg_datum + timedelta(days=na)):
            return Besluit.weiger(
                Weigering.TIJDVENSTER,
                f"opvragen kan van {voor} dagen voor tot {na} dagen na het overleg van {u.overleg_datum.isoformat()}",
            )
    overlegtype = convenant.overlegtypen.get(u.overlegtype)
    huisrol = u.ontvanger in HUISROLLEN
    rol = overlegtype.rol(u.ontvanger) if overlegtype and not huisrol else None
    if overlegtype is None or (rol is None and not huisrol):
        return Besluit.weiger(
            Weigering.DEELNAME, f"{u.ontvanger} neemt geen deel aan overlegtype {u.overlegtype}"
        )
    if (overlegtype.is_nazorg and u.ontvanger in convenant.gemeenten() and not huisrol
            and u.ontvanger != u.casus_gemeente):
        return Besluit.weiger(
            Weigering.GEMEENTE,
            f"nazorg gaat alleen naar de gemeente van terugkeer ({u.casus_gemeente or 'onbekend'}), niet naar {u.ontvanger}",
        )
    kandidaten = [
        v
        for v in convenant.verstrekkingen
        if v.bron == u.bron and u.overlegtype in v.overlegtypen
        # a house role receives only as itself, named in ontvangers; never as a partner's role
        and (u.ontvanger in v.ontvangers if huisrol else v.noemt_ontvanger(u.ontvanger, rol))
    ]
    if not kandidaten:
        als = u.ontvanger if huisrol else f"{u.ontvanger} ({rol.value}partner)"  # type: ignore[union-attr]
        return Besluit.weiger(
            Weigering.GEEN_VERSTREKKING,
            f"geen verstrekking van {u.bron} aan {als} voor {u.overlegtype}",
        )
    # Prefer a ground that needs no consent; otherwise the first whose consent is in place.
    kandidaten.sort(key=lambda v: v.toestemming_vereist)
    weigering: Besluit | None = None
    for v in kandidaten:
        if v.toestemming_vereist and not heeft_toestemming(u.toestemmingen, v.categorie, u.leeftijd, u.peildatum,
                                                           u.ontvanger):
            weigering = weigering or Besluit.weiger(
                Weigering.TOESTEMMING, _toestemming_reden(v.categorie, u.leeftijd), v
            )
            continue
        if not v.verder_verstrekken and u.opgehaald_voor is not None and u.opgehaald_voor != u.ontvanger:
            weigering = weigering or Besluit.weiger(
                Weigering.VERDER_VERSTREKKEN,
                f"{v.categorie} ({v.grondslag}) mag niet verder worden verstrekt dan aan {u.opgehaald_voor}",
                v,
            )
            continue
        return Besluit(
            toegestaan=True,
            regel=v.id,
            grondslag=v.grondslag,
            categorie=v.categorie,
            # the procesregie sees which partners know a person (to prepare the agenda), not their details
            niveau=Niveau.DAT if rol is Rol.KERN else Niveau.BEKEND,
            verder_verstrekken=v.verder_verstrekken,
        )
    assert weigering is not None
    return weigering


@dataclass(frozen=True)
class Convenanten:
    """The convenanten of all houses served, by house id."""

    per_huis: Mapping[str, Convenant] = field(default_factory=dict)

    def van(self, huis: str) -> Convenant:
        return self.per_huis[huis]

    def __contains__(self, huis: object) -> bool:
        return huis in self.per_huis
