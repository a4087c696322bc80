"""Who may see or change what inside a house: need-to-know per meeting and role, decided purely.

Like `decide()` for source exchanges, every outcome names a rule so the audit can explain it.
House roles (procesregie, privacy, beheer) are no partner: they act for the house's controller(s).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .convenant import Convenant, Rol
from .model import Scope, Toestemming, Verzoeker


class Zicht(StrEnum):
    VOLLEDIG = "volledig"  # the casus with its details, afspraken and consent as the rules below allow
    SCHIL = "schil"        # that the casus exists, and known/not known: no afspraken, consent or details


@dataclass(frozen=True)
class Toegang:
    toegestaan: bool
    regel: str
    reden: str | None = None
    overlegtype: str | None = None
    zicht: Zicht | None = None


@dataclass(frozen=True)
class Betrokkenheid:
    """Facts about one casus that decide who needs to know it (the service loads them)."""

    aangemeld_door: str
    casusregisseur: str | None = None
    uitvoerders: frozenset[str] = field(default_factory=frozenset)
    overlegtypen: frozenset[str] = field(default_factory=frozenset)  # of the overleggen whose agenda holds it


PROCESREGIE = "T-PROCESREGIE"
DEELNAME = "T-DEELNAME"
ROL = "T-ROL"
UITVOERDER = "T-UITVOERDER"
BETROKKEN = "T-BETROKKEN"
NOODZAAK = "T-NOODZAAK"
SCHILNIVEAU = "T-SCHILNIVEAU"
AFSPRAAKTEKST = "T-AFSPRAAKTEKST"
TOESTEMMING_BRON = "T-TOESTEMMING-BRON"
BSN_GEBRUIK = "T-BSN-GEBRUIK"
GEBOORTEDATUM = "T-GEBOORTEDATUM"


def _rol_geweigerd(v: Verzoeker, wat: str) -> Toegang:
    return Toegang(False, ROL, f"client {v.client_id} (scopes {', '.join(sorted(v.scopes))}) mag niet {wat}")


def _is_partner(v: Verzoeker) -> bool:
    return v.heeft(Scope.PARTNER) and bool(v.partner)


def procesregie(v: Verzoeker, wat: str) -> Toegang:
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE)
    return _rol_geweigerd(v, wat)


def casus_toegang(c: Convenant, v: Verzoeker, thema: str) -> Toegang:
    """May the caller register a casus for this thema: the procesregie, or a partner of an overlegtype of it."""
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE, zicht=Zicht.VOLLEDIG)
    if not _is_partner(v):
        return _rol_geweigerd(v, "casussen inzien of vastleggen")
    for o in c.overlegtypen_voor_thema(thema):
        if o.rol(v.partner or ""):
            return Toegang(True, DEELNAME, overlegtype=o.id, zicht=Zicht.VOLLEDIG)
    return Toegang(False, DEELNAME, f"{v.partner} neemt niet deel aan een overlegtype voor thema {thema}")


def bsn_gebruik(c: Convenant, v: Verzoeker, wat: str) -> Toegang:
    """Registering or searching by BSN only for those the convenant names as entitled (seed 003:2681-2695)."""
    if v.ontvanger in c.bsn_gerechtigden:
        return Toegang(True, BSN_GEBRUIK)
    return Toegang(False, BSN_GEBRUIK, f"{v.ontvanger} is in convenant {c.id} niet gerechtigd het BSN te gebruiken"
                                       f" ({wat}); gerechtigd: {', '.join(c.bsn_gerechtigden) or 'niemand'}")


def casus_zicht(c: Convenant, v: Verzoeker, b: Betrokkenheid) -> Toegang:
    """Need-to-know: a partner sees a casus only while it is on the agenda of an overleg of a type it takes part
    in, or when it registered it or is its uitvoerder or casusregisseur. Schil-only: `Zicht.SCHIL`."""
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE, zicht=Zicht.VOLLEDIG)
    if not _is_partner(v):
        return _rol_geweigerd(v, "casussen inzien")
    p = v.partner or ""
    if p == b.aangemeld_door or p == b.casusregisseur or p in b.uitvoerders:
        return Toegang(True, BETROKKEN, zicht=Zicht.VOLLEDIG)
    schil: str | None = None
    for oid in sorted(b.overlegtypen):
        o = c.overlegtypen.get(oid)
        rol = o.rol(p) if o else None
        if rol is Rol.KERN:
            return Toegang(True, DEELNAME, overlegtype=oid, zicht=Zicht.VOLLEDIG)
        if rol is Rol.SCHIL and schil is None:
            schil = oid
    if schil is not None:
        return Toegang(True, DEELNAME, overlegtype=schil, zicht=Zicht.SCHIL)
    return Toegang(False, NOODZAAK, f"{p} heeft deze casus niet nodig: niet geagendeerd in een overleg waaraan {p}"
                                    " deelneemt, niet door hem aangemeld, geen uitvoerder of casusregisseur")


def alleen_volledig(t: Toegang, wat: str) -> Toegang:
    """Schilpartners never see afspraken, consent records or casus details beyond the schil level."""
    if t.toegestaan and t.zicht is Zicht.SCHIL:
        return Toegang(False, SCHILNIVEAU, f"schilpartners zien geen {wat}", t.overlegtype)
    return t


def betrokken_partners(c: Convenant, partner: str) -> tuple[str, frozenset[str]]:
    """For a list query: the partner, and the overlegtypen it takes part in (kern or schil)."""
    return partner, frozenset(o.id for o in c.overlegtypen.values() if o.rol(partner))


def overleg_toegang(c: Convenant, v: Verzoeker, overlegtype: str) -> Toegang:
    """Participants (kern and schil) of the overlegtype, and the procesregie."""
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE, overlegtype=overlegtype)
    if not _is_partner(v):
        return _rol_geweigerd(v, "overleggen inzien")
    if c.is_deelnemer(v.partner or "", overlegtype):
        return Toegang(True, DEELNAME, overlegtype=overlegtype)
    return Toegang(False, DEELNAME, f"{v.partner} neemt niet deel aan overlegtype {overlegtype}", overlegtype)


def zichtbare_themas(c: Convenant, v: Verzoeker) -> set[str] | None:
    """None means every thema (procesregie); an empty set means none."""
    if v.is_procesregisseur:
        return None
    if not _is_partner(v):
        return set()
    return c.themas_voor_partner(v.partner or "")


def afspraak_tekst(c: Convenant, v: Verzoeker, uitvoerder: str, vastgelegd_door: str,
                   overlegtype: str | None) -> Toegang:
    """The texts of an afspraak: the kernpartners of the meeting it was made in, its uitvoerder, who recorded
    it, and the procesregie."""
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE)
    if not _is_partner(v):
        return _rol_geweigerd(v, "afspraken inzien")
    if v.partner in (uitvoerder, vastgelegd_door):
        return Toegang(True, UITVOERDER)
    o = c.overlegtypen.get(overlegtype or "")
    if o is not None and o.rol(v.partner or "") is Rol.KERN:
        return Toegang(True, DEELNAME, overlegtype=o.id)
    return Toegang(False, AFSPRAAKTEKST, "afspraakteksten zijn voor de kernpartners van het overleg waarin de"
                                         " afspraak is gemaakt, de uitvoerder en de procesregie")


def afspraak_vastleggen(c: Convenant, v: Verzoeker, zicht: Toegang, uitvoerder: str,
                        overlegtype: str | None) -> Toegang:
    """A partner commits to its own actions; the chair of the meeting (or the procesregie) records for others."""
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE)
    zicht = alleen_volledig(zicht, "afspraken")
    if not zicht.toegestaan:
        return zicht
    o = c.overlegtypen.get(overlegtype or "")
    if uitvoerder != v.partner and not (o is not None and o.voorzitter == v.partner):
        return Toegang(False, UITVOERDER, f"{v.partner} legt alleen eigen afspraken vast; voor een ander alleen de"
                                          " voorzitter van het overleg of de procesregie")
    if o is not None and o.rol(uitvoerder) is None:
        return Toegang(False, UITVOERDER, f"uitvoerder {uitvoerder} neemt niet deel aan overlegtype {o.id}", o.id)
    return zicht


def afspraak_wijzigen(v: Verzoeker, uitvoerder: str, vastgelegd_door: str) -> Toegang:
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE)
    if _is_partner(v) and v.partner in (uitvoerder, vastgelegd_door):
        return Toegang(True, UITVOERDER)
    return Toegang(False, UITVOERDER, "alleen de uitvoerder, de vastlegger of de procesregisseur wijzigt deze afspraak")


def toestemming_beheren(c: Convenant, v: Verzoeker, categorie: str, vastgelegd_door: str | None = None) -> Toegang:
    """Consent is recorded (and withdrawn) by the partner whose data it opens, or by the procesregie."""
    if v.is_procesregisseur:
        return Toegang(True, PROCESREGIE)
    if not _is_partner(v):
        return _rol_geweigerd(v, "toestemmingen vastleggen")
    if v.partner in c.bronnen_met_toestemming(categorie) or (vastgelegd_door and v.partner == vastgelegd_door):
        return Toegang(True, TOESTEMMING_BRON)
    return Toegang(False, TOESTEMMING_BRON, f"alleen de partner wiens gegevens deze toestemming opent"
                                            f" ({', '.join(sorted(c.bronnen_met_toestemming(categorie))) or 'geen'})"
                                            " of de procesregie legt haar vast")


def toestemming_zichtbaar(c: Convenant, v: Verzoeker, t: Toestemming) -> bool:
    """A consent record tells which kind of care is involved: only the procesregie, the partner whose data it
    opens, whoever recorded it and the recipients it names see it."""
    if v.is_procesregisseur:
        return True
    if not _is_partner(v):
        return False
    p = v.partner or ""
    return p == t.vastgelegd_door or p in c.bronnen_met_toestemming(t.categorie) or p in t.ontvangers


def zichtbare_toestemmingen(c: Convenant, v: Verzoeker, ts: Iterable[Toestemming]) -> list[Toestemming]:
    return [t for t in ts if toestemming_zichtbaar(c, v, t)]
