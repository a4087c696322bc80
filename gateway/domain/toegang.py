"""Who may see or change what inside a house: participation and role, decided purely.

Like `decide()` for source exchanges, every outcome names a rule so the audit can explain it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .convenant import Convenant
from .model import Scope, Verzoeker


@dataclass(frozen=True)
class Toegang:
    toegestaan: bool
    regel: str
    reden: str | None = None
    overlegtype: str | None = None


PROCESREGIE = "T-PROCESREGIE"
DEELNAME = "T-DEELNAME"
ROL = "T-ROL"
UITVOERDER = "T-UITVOERDER"


def _rol_geweigerd(v: Verzoeker, wat: str) -> Toegang:
    return Toegang(False, ROL, f"client {v.client_id} (scopes {', '.join(sorted(v.scopes))}) mag niet {wat}")


def procesregie(v: Verzoeker, wat: str) -> Toegang:
    if v.heeft(Scope.PROCESREGISSEUR):
        return Toegang(True, PROCESREGIE)
    return _rol_geweigerd(v, wat)


def casus_toegang(c: Convenant, v: Verzoeker, thema: str) -> Toegang:
    """The procesregisseur sees every casus of the house; a partner those of the themas of its overleggen."""
    if v.heeft(Scope.PROCESREGISSEUR):
        return Toegang(True, PROCESREGIE)
    if not v.heeft(Scope.PARTNER):
        return _rol_geweigerd(v, "casussen inzien of vastleggen")
    for o in c.overlegtypen_voor_thema(thema):
        if o.rol(v.partner):
            return Toegang(True, DEELNAME, overlegtype=o.id)
    return Toegang(False, DEELNAME, f"{v.partner} neemt niet deel aan een overlegtype voor thema {thema}")


def overleg_toegang(c: Convenant, v: Verzoeker, overlegtype: str) -> Toegang:
    """Participants (kern and schil) of the overlegtype, and the procesregisseur."""
    if v.heeft(Scope.PROCESREGISSEUR):
        return Toegang(True, PROCESREGIE, overlegtype=overlegtype)
    if not v.heeft(Scope.PARTNER):
        return _rol_geweigerd(v, "overleggen inzien")
    if c.is_deelnemer(v.partner, overlegtype):
        return Toegang(True, DEELNAME, overlegtype=overlegtype)
    return Toegang(False, DEELNAME, f"{v.partner} neemt niet deel aan overlegtype {overlegtype}", overlegtype)


def zichtbare_themas(c: Convenant, v: Verzoeker) -> set[str] | None:
    """None means every thema (procesregie); an empty set means none."""
    if v.heeft(Scope.PROCESREGISSEUR):
        return None
    if not v.heeft(Scope.PARTNER):
        return set()
    return c.themas_voor_partner(v.partner)


def afspraak_wijzigen(v: Verzoeker, uitvoerder: str, vastgelegd_door: str) -> Toegang:
    if v.heeft(Scope.PROCESREGISSEUR):
        return Toegang(True, PROCESREGIE)
    if v.heeft(Scope.PARTNER) and v.partner in (uitvoerder, vastgelegd_door):
        return Toegang(True, UITVOERDER)
    return Toegang(False, UITVOERDER, "alleen de uitvoerder, de vastlegger of de procesregisseur wijzigt deze afspraak")
