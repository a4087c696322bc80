"""Reads, validates and builds the convenant of a house (CONTRACT.md section 5).

Validation reports *every* problem, each with its path in the document (``verstrekkingen[2].ontvangers[0]``,
``overlegtypen.jco.kernpartners[1]``): YAML syntax errors and duplicate keys, schema errors
(``schemas/convenant.schema.json``, all of them) and the semantic rules the schema cannot express —
unknown references, missing controllers, an inverted validity period, incomplete Wpg art. 20
disclosures, ethnicity/race categories, duplicate ids. Only a document without problems becomes a
:class:`~gateway.domain.convenant.Convenant`; its ``hash`` is the sha256 of the file's bytes, so the
audit trail names the exact text every decision was taken under.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from gateway.domain.convenant import (
    KERNPARTNERS,
    SCHILPARTNERS,
    Convenant,
    Convenanten,
    Overlegtype,
    Partner,
    Verstrekking,
)
from gateway.domain.model import HUISROLLEN

from .convenant_wet import is_justitieel, is_wjsg_39f, waarschuwingen, wettelijke_problemen

__all__ = [
    "ConvenantOngeldig",
    "Probleem",
    "laad_convenant",
    "laad_convenanten",
    "samenvatting",
    "valideer",
    "valideer_bestand",
]

ROLLEN = (KERNPARTNERS, SCHILPARTNERS)
DOCUMENT = "(document)"
BESTAND = "(bestand)"

_SCHEMA_NAAM = "convenant.schema.json"
# A source checkout keeps the schema in <repo>/schemas; an installed package may ship a copy in gateway/schemas.
_SCHEMA_KANDIDATEN = (
    Path(__file__).resolve().parents[1] / "schemas" / _SCHEMA_NAAM,
    Path(__file__).resolve().parents[2] / "schemas" / _SCHEMA_NAAM,
)


@dataclass(frozen=True)
class Probleem:
    """One thing wrong with a convenant, at a path in the document."""

    pad: str
    melding: str
    bestand: str | None = None  # set when several files are loaded together

    def __str__(self) -> str:
        tekst = f"{self.pad}: {self.melding}"
        return f"{self.bestand}: {tekst}" if self.bestand else tekst


class ConvenantOngeldig(Exception):
    """The convenant cannot be used; ``problemen`` lists every reason."""

    def __init__(self, problemen: Iterable[Probleem], bestand: str | None = None):
        self.problemen = list(problemen)
        self.bestand = bestand
        kop = f"convenant {bestand} is ongeldig" if bestand else "convenant is ongeldig"
        regels = "\n".join(f"  {p}" for p in self.problemen)
        super().__init__(f"{kop} ({len(self.problemen)} problemen):\n{regels}")


# --------------------------------------------------------------------------------------------
# paths


def _pad(*delen: str | int) -> str:
    """Join path parts: names with '.', list indexes as [i]; names that are not plain get quoted."""
    tekst = ""
    for deel in delen:
        tekst = _pad_onder(tekst, deel)
    return tekst or DOCUMENT


def _pad_onder(ouder: str, deel: str | int) -> str:
    ouder = "" if ouder == DOCUMENT else ouder
    if isinstance(deel, int):
        return f"{ouder}[{deel}]"
    naam = str(deel)
    if re.fullmatch(r"[A-Za-z0-9_-]+", naam):
        return f"{ouder}.{naam}" if ouder else naam
    return f"{ouder}[{json.dumps(naam, ensure_ascii=False)}]"


# --------------------------------------------------------------------------------------------
# YAML with duplicate-key detection


class _Loader(yaml.SafeLoader):
    """A SafeLoader that records duplicate mapping keys instead of silently keeping the last one."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.dubbele_sleutels: list[tuple[yaml.MappingNode, Any, yaml.Mark, yaml.Mark]] = []

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            gezien: dict[Any, yaml.Mark] = {}
            for sleutel_node, _ in node.value:
                if sleutel_node.tag == "tag:yaml.org,2002:merge":
                    continue  # '<<' merge keys are overridden on purpose
                sleutel = self.construct_object(sleutel_node, deep=True)
                try:
                    eerder = gezien.get(sleutel)
                except TypeError:  # unhashable key: the base constructor reports it
                    continue
                if eerder is not None:
                    self.dubbele_sleutels.append((node, sleutel, eerder, sleutel_node.start_mark))
                else:
                    gezien[sleutel] = sleutel_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _node_paden(wortel: yaml.Node) -> dict[int, str]:
    """id(node) -> document path of every mapping node, to name where a duplicate key sits."""
    paden: dict[int, str] = {}
    stapel: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(wortel, ())]
    while stapel:
        node, delen = stapel.pop()
        if id(node) in paden:
            continue  # anchors/aliases: the first path wins
        paden[id(node)] = _pad(*delen)
        if isinstance(node, yaml.MappingNode):
            for sleutel_node, waarde_node in node.value:
                naam = sleutel_node.value if isinstance(sleutel_node, yaml.ScalarNode) else "?"
                stapel.append((waarde_node, (*delen, str(naam))))
        elif isinstance(node, yaml.SequenceNode):
            for i, kind in enumerate(node.value):
                stapel.append((kind, (*delen, i)))
    return paden


def _lees_yaml(tekst: str) -> tuple[Any, list[Probleem]]:
    loader = _Loader(tekst)
    try:
        wortel = loader.get_single_node()
        if wortel is None:
            return None, []
        paden = _node_paden(wortel)
        document = loader.construct_document(wortel)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        pad = f"regel {mark.line + 1}, kolom {mark.column + 1}" if mark else DOCUMENT
        oorzaak = " ".join(str(d) for d in (e.context, e.problem) if d)
        return None, [Probleem(pad, f"geen geldige YAML: {oorzaak}")]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as e:
        # e.g. an impossible date such as 2026-02-30, which PyYAML turns into a ValueError
        return None, [Probleem(DOCUMENT, f"geen geldige YAML: {e}")]
    finally:
        loader.dispose()
    problemen = [
        Probleem(
            _pad_onder(paden.get(id(node), DOCUMENT), str(sleutel)),
            f"dubbele sleutel {sleutel!r} (regel {eerder.line + 1} en regel {nu.line + 1}); "
            "de laatste zou de eerste stilzwijgend vervangen",
        )
        for node, sleutel, eerder, nu in loader.dubbele_sleutels
    ]
    return document, problemen


# --------------------------------------------------------------------------------------------
# schema


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    for kandidaat in _SCHEMA_KANDIDATEN:
        if kandidaat.is_file():
            return json.loads(kandidaat.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"{_SCHEMA_NAAM} niet gevonden (gezocht: {', '.join(map(str, _SCHEMA_KANDIDATEN))})")


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _naar_json(waarde: Any) -> Any:
    """YAML values -> JSON values: dates become ISO strings, keys strings; the schema sees JSON only."""
    if isinstance(waarde, datetime | date):
        return waarde.isoformat()
    if isinstance(waarde, Mapping):
        return {str(k) if not isinstance(k, str) else k: _naar_json(v) for k, v in waarde.items()}
    if isinstance(waarde, list | tuple):
        return [_naar_json(v) for v in waarde]
    if isinstance(waarde, set):
        return [_naar_json(v) for v in sorted(waarde, key=str)]
    if isinstance(waarde, bytes):
        return waarde.decode("utf-8", errors="replace")
    return waarde


_JSON_TYPEN = {
    "object": "een mapping",
    "array": "een lijst",
    "string": "tekst",
    "integer": "een geheel getal",
    "number": "een getal",
    "boolean": "true of false",
    "null": "leeg",
}

_PATROON_UITLEG = {
    "slug": "een id van kleine letters en cijfers, woorden verbonden door '-' of '_', beginnend met een letter",
    "regelId": "een regel-id zoals V-POL-JCO: letters en cijfers, delen verbonden door '-', '_' of '.'",
    "tekst": "tekst die niet leeg is",
    "datum": "een datum JJJJ-MM-DD",
}


def _soort(waarde: Any) -> str:
    if waarde is None:
        return "leeg"
    if isinstance(waarde, bool):
        return "een boolean"
    if isinstance(waarde, int):
        return "een geheel getal"
    if isinstance(waarde, float):
        return "een getal"
    if isinstance(waarde, str):
        return "tekst"
    if isinstance(waarde, list):
        return "een lijst"
    if isinstance(waarde, dict):
        return "een mapping"
    return type(waarde).__name__


def _schema_problemen(document: Any) -> list[Probleem]:
    defs = _schema()["$defs"]
    problemen: list[Probleem] = []
    fouten = sorted(_validator().iter_errors(document), key=lambda f: (_sorteer(f.absolute_path), f.message))
    for fout in fouten:
        problemen.extend(_vertaal(fout, defs))
    return problemen


def _sorteer(pad: Iterable[str | int]) -> tuple[tuple[int, str], ...]:
    return tuple((d, "") if isinstance(d, int) else (-1, d) for d in pad)


def _vertaal(fout: jsonschema.ValidationError, defs: Mapping[str, Any]) -> Iterator[Probleem]:
    """One jsonschema error -> one or more Dutch problems at the path of the offending value."""
    delen = list(fout.absolute_path)
    pad = _pad(*delen)
    soort, eis, waarde = fout.validator, fout.validator_value, fout.instance
    if soort == "required":
        ontbrekend = [k for k in eis if isinstance(waarde, dict) and k not in waarde]
        for naam in ontbrekend:
            yield Probleem(_pad(*delen, naam), "verplicht veld ontbreekt")
        return
    if soort == "additionalProperties" and eis is False:
        bekend = fout.schema.get("properties", {})
        for naam in waarde:
            if naam not in bekend:
                yield Probleem(_pad(*delen, naam), f"onbekend veld (toegestaan: {', '.join(bekend)})")
        return
    if "propertyNames" in fout.relative_schema_path:
        # jsonschema checks a key as its own instance but leaves the path at the mapping
        yield Probleem(_pad(*delen, str(waarde)), f"ongeldige id {waarde!r}: verwacht {_PATROON_UITLEG['slug']}")
        return
    if soort == "type":
        typen = eis if isinstance(eis, list) else [eis]
        verwacht = " of ".join(_JSON_TYPEN.get(t, t) for t in typen)
        yield Probleem(pad, f"moet {verwacht} zijn, niet {_soort(waarde)}")
        return
    if soort in ("pattern", "format"):
        uitleg = next((_PATROON_UITLEG[n] for n, d in defs.items() if d == fout.schema and n in _PATROON_UITLEG), None)
        if soort == "format" and eis == "date":
            uitleg = "een bestaande datum JJJJ-MM-DD"
        yield Probleem(pad, f"ongeldige waarde {waarde!r}: verwacht {uitleg or eis}")
        return
    if soort == "minItems":
        yield Probleem(pad, "mag niet leeg zijn" if eis == 1 else f"moet minstens {eis} elementen hebben")
        return
    if soort in ("minProperties", "minLength"):
        yield Probleem(pad, "mag niet leeg zijn")
        return
    if soort == "minimum":
        yield Probleem(pad, f"moet minstens {eis} zijn, niet {waarde!r}")
        return
    if soort == "maximum":
        yield Probleem(pad, f"mag hoogstens {eis} zijn, niet {waarde!r}")
        return
    yield Probleem(pad, fout.message)


# --------------------------------------------------------------------------------------------
# semantic rules


# Ethnicity or race is never recorded or exchanged (seed 003:963-1001); also as part of a compound name.
_ETNISCH = re.compile(r"etni|ethni|afkomst|herkomst|migratieachtergrond|huidskleur|racia|raszuiver", re.IGNORECASE)
_RAS_WOORD = re.compile(r"^(?:ras(?!ter|p)|race)", re.IGNORECASE)  # ras, rassen, rasgegevens, race; not raster
_WPG_20 = re.compile(r"(\bwpg\b|\bwpol\b|wet politiegegevens).*\bart(?:ikel|\.)?\s*20\b|"
                     r"\bart(?:ikel|\.)?\s*20\b.*(\bwpg\b|\bwpol\b|wet politiegegevens)", re.IGNORECASE)
_WPG_20_VELDEN = ("samenwerkingsverband", "doel", "categorie", "voorwaarden", "ontvangers")


def _gaat_over_etniciteit(categorie: str) -> bool:
    if _ETNISCH.search(categorie):
        return True
    woorden = re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", categorie)
    return any(_RAS_WOORD.match(w) for w in woorden if w)


def _is_wpg_20(grondslag: Any) -> bool:
    return isinstance(grondslag, str) and bool(_WPG_20.search(grondslag))


def _map(waarde: Any) -> dict[str, Any]:
    return waarde if isinstance(waarde, dict) else {}


def _lijst(waarde: Any) -> list[Any]:
    return waarde if isinstance(waarde, list) else []


def _leeg(waarde: Any) -> bool:
    if isinstance(waarde, str):
        return not waarde.strip()
    return waarde is None or (isinstance(waarde, list | dict) and not waarde)


def _semantische_problemen(doc: dict[str, Any], al_gemeld: Set[str] = frozenset()) -> list[Probleem]:
    """The rules of CONTRACT.md section 5 that a schema cannot express. ``al_gemeld``: paths the schema flagged."""
    problemen: list[Probleem] = [Probleem(pad, melding) for pad, melding in wettelijke_problemen(doc)]

    def meld(pad: str, melding: str) -> None:
        problemen.append(Probleem(pad, melding))

    kop = _map(doc.get("convenant"))
    partners = _map(doc.get("partners"))
    themas = [t for t in _lijst(doc.get("themas")) if isinstance(t, str)]
    overlegtypen = _map(doc.get("overlegtypen"))
    verstrekkingen = _lijst(doc.get("verstrekkingen"))

    def verwijzing(waarde: Any, bekend: Iterable[str], melding: str, pad: str) -> None:
        if isinstance(waarde, str) and waarde not in bekend:
            meld(pad, f"{melding} {waarde!r}")

    def dubbel(waarden: list[Any], pad: tuple[str | int, ...], melding: str) -> None:
        eerste: dict[str, int] = {}
        for i, w in enumerate(waarden):
            if not isinstance(w, str):
                continue
            if w in eerste:
                meld(_pad(*pad, i), f"{melding} {w!r} (ook {_pad(*pad, eerste[w])})")
            else:
                eerste[w] = i

    # -- partners
    for pid in partners:
        if pid in ROLLEN or pid in HUISROLLEN:
            meld(_pad("partners", pid), f"{pid!r} is de naam van een rol in ontvangers en kan geen partner-id zijn")

    # -- convenant
    if "verwerkingsverantwoordelijken" in kop and kop["verwerkingsverantwoordelijken"] is not None:
        vv = _lijst(kop["verwerkingsverantwoordelijken"])
        for i, p in enumerate(vv):
            verwijzing(p, partners, "onbekende partner", _pad("convenant", "verwerkingsverantwoordelijken", i))
        dubbel(vv, ("convenant", "verwerkingsverantwoordelijken"), "dubbele verwerkingsverantwoordelijke")
    van, tot = _datum(kop.get("geldigVan")), _datum(kop.get("geldigTot"))
    if van and tot and tot < van:
        meld(_pad("convenant", "geldigTot"), f"{tot.isoformat()} ligt voor geldigVan {van.isoformat()}")

    # -- themas
    dubbel(_lijst(doc.get("themas")), ("themas",), "dubbel thema")

    # -- overlegtypen
    for oid, ot in overlegtypen.items():
        ot = _map(ot)
        for i, t in enumerate(_lijst(ot.get("themas"))):
            verwijzing(t, themas, "onbekend thema", _pad("overlegtypen", oid, "themas", i))
        dubbel(_lijst(ot.get("themas")), ("overlegtypen", oid, "themas"), "dubbel thema")
        verwijzing(ot.get("voorzitter"), partners, "onbekende partner", _pad("overlegtypen", oid, "voorzitter"))
        kern = _lijst(ot.get("kernpartners"))
        schil = _lijst(ot.get("schilpartners"))
        for rol, leden in (("kernpartners", kern), ("schilpartners", schil)):
            for i, p in enumerate(leden):
                verwijzing(p, partners, "onbekende partner", _pad("overlegtypen", oid, rol, i))
            dubbel(leden, ("overlegtypen", oid, rol), "dubbele partner")
        kernset = {p for p in kern if isinstance(p, str)}
        for i, p in enumerate(schil):
            if isinstance(p, str) and p in kernset:
                meld(_pad("overlegtypen", oid, "schilpartners", i),
                     f"{p!r} is in {oid} al kernpartner; een partner heeft één rol")
            elif isinstance(p, str) and p == ot.get("voorzitter"):
                meld(_pad("overlegtypen", oid, "schilpartners", i),
                     f"{p!r} is voorzitter van {oid} en telt daarmee als kernpartner; een partner heeft één rol")

    # -- verstrekkingen
    ids: dict[str, int] = {}
    for i, v in enumerate(verstrekkingen):
        v = _map(v)
        basis = ("verstrekkingen", i)
        vid = v.get("id")
        if isinstance(vid, str):
            if vid in ids:
                meld(_pad(*basis, "id"), f"dubbele id {vid!r} (ook verstrekkingen[{ids[vid]}].id)")
            else:
                ids[vid] = i
        verwijzing(v.get("bron"), partners, "onbekende partner", _pad(*basis, "bron"))
        v_overlegtypen = _lijst(v.get("overlegtypen"))
        for j, o in enumerate(v_overlegtypen):
            verwijzing(o, overlegtypen, "onbekend overlegtype", _pad(*basis, "overlegtypen", j))
        dubbel(v_overlegtypen, (*basis, "overlegtypen"), "dubbel overlegtype")
        ontvangers = _lijst(v.get("ontvangers"))
        for j, o in enumerate(ontvangers):
            if not isinstance(o, str) or o in ROLLEN or o in HUISROLLEN:
                continue
            if o not in partners:
                meld(_pad(*basis, "ontvangers", j), f"onbekende partner of rol {o!r} (rollen: {', '.join(ROLLEN)})")
                continue
            bekende = [_map(overlegtypen[ot]) for ot in v_overlegtypen if isinstance(ot, str) and ot in overlegtypen]
            if bekende and not any(o in _lijst(ot.get("kernpartners")) + _lijst(ot.get("schilpartners"))
                                   or o == ot.get("voorzitter") for ot in bekende):
                meld(_pad(*basis, "ontvangers", j),
                     f"{o!r} neemt aan geen van de overlegtypen van deze verstrekking deel en kan haar nooit ontvangen")
        dubbel(ontvangers, (*basis, "ontvangers"), "dubbele ontvanger")
        categorie = v.get("categorie")
        if isinstance(categorie, str) and _gaat_over_etniciteit(categorie):
            meld(_pad(*basis, "categorie"),
                 f"categorie {categorie!r} gaat over etniciteit of ras; die worden nooit vastgelegd of uitgewisseld")
        if _is_wpg_20(v.get("grondslag")):
            for veld in _WPG_20_VELDEN:
                # a required field the schema already reported missing or empty needs no second line
                if _leeg(v.get(veld)) and _pad(*basis, veld) not in al_gemeld:
                    meld(_pad(*basis, veld),
                         "verplicht bij een verstrekking onder Wpg art. 20 (samenwerkingsverband, doel, categorie, "
                         "voorwaarden en ontvangers moeten zijn vastgelegd)")
    return problemen


def _datum(waarde: Any) -> date | None:
    if isinstance(waarde, datetime):
        return waarde.date()
    if isinstance(waarde, date):
        return waarde
    if isinstance(waarde, str):
        try:
            return date.fromisoformat(waarde)
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------------------------
# public API


def valideer(document: Any) -> list[Probleem]:
    """Every problem of an already-parsed convenant document: schema errors, then semantic rules."""
    if document is None:
        return [Probleem(DOCUMENT, "leeg document; verwacht convenant, partners, themas, overlegtypen, verstrekkingen")]
    doc = _naar_json(document)
    if not isinstance(doc, dict):
        return [Probleem(DOCUMENT, f"moet een mapping zijn, niet {_soort(doc)}")]
    problemen = _schema_problemen(doc)
    problemen += _semantische_problemen(doc, {p.pad for p in problemen})
    return _uniek(problemen)


def valideer_bestand(path: str | Path) -> list[Probleem]:
    """Every problem of the convenant file at ``path``; an empty list means it is valid."""
    try:
        inhoud = Path(path).read_bytes()
    except OSError as e:
        return [Probleem(BESTAND, f"kan {path} niet lezen: {e.strerror or e}")]
    return _valideer_bytes(inhoud)[1]


def laad_convenant(path: str | Path) -> Convenant:
    """The valid convenant at ``path``; raises :class:`ConvenantOngeldig` with every problem otherwise."""
    try:
        inhoud = Path(path).read_bytes()
    except OSError as e:
        raise ConvenantOngeldig([Probleem(BESTAND, f"kan {path} niet lezen: {e.strerror or e}")], str(path)) from e
    document, problemen = _valideer_bytes(inhoud)
    if problemen:
        raise ConvenantOngeldig(problemen, str(path))
    return _bouw(_naar_json(document), hashlib.sha256(inhoud).hexdigest())


def laad_convenanten(config_dir: str | Path) -> Convenanten:
    """Every house's convenant in ``config_dir``: ``convenant.yaml`` and/or ``convenant-*.yaml``, one per house."""
    map_ = Path(config_dir)
    bestanden = ([map_ / "convenant.yaml"] if (map_ / "convenant.yaml").is_file() else []) + sorted(
        p for p in map_.glob("convenant-*.yaml") if p.is_file()
    )
    if not bestanden:
        raise ConvenantOngeldig(
            [Probleem(BESTAND, f"geen convenant.yaml of convenant-*.yaml in {map_}")], str(map_)
        )
    per_huis: dict[str, Convenant] = {}
    herkomst: dict[str, Path] = {}
    problemen: list[Probleem] = []
    for bestand in bestanden:
        try:
            convenant = laad_convenant(bestand)
        except ConvenantOngeldig as e:
            problemen += [Probleem(p.pad, p.melding, bestand.name) for p in e.problemen]
            continue
        if convenant.huis in per_huis:
            problemen.append(
                Probleem(
                    "convenant.huis",
                    f"huis {convenant.huis!r} heeft al een convenant in {herkomst[convenant.huis].name}; "
                    "één convenant per huis",
                    bestand.name,
                )
            )
            continue
        per_huis[convenant.huis] = convenant
        herkomst[convenant.huis] = bestand
    if problemen:
        raise ConvenantOngeldig(problemen, str(map_))
    return Convenanten(per_huis=per_huis)


def samenvatting(convenant: Convenant) -> str:
    """One line for ``ketenpoort convenant validate``."""
    return (
        f"convenant {convenant.id} versie {convenant.versie} (huis {convenant.huis}) is geldig: "
        f"{len(convenant.partners)} partners, {len(convenant.overlegtypen)} overlegtypen, "
        f"{len(convenant.verstrekkingen)} verstrekkingen; "
        f"looptijd {convenant.geldig_van.isoformat()} t/m {convenant.geldig_tot.isoformat()}; "
        f"sha256 {convenant.hash[:12]}"
    )


# --------------------------------------------------------------------------------------------
# internals


def _valideer_bytes(inhoud: bytes) -> tuple[Any, list[Probleem]]:
    try:
        tekst = inhoud.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, [Probleem(BESTAND, f"geen UTF-8 (byte {e.start})")]
    document, problemen = _lees_yaml(tekst)
    if problemen and document is None:
        return None, problemen
    return document, _uniek(problemen + valideer(document))


def _uniek(problemen: Iterable[Probleem]) -> list[Probleem]:
    gezien: set[tuple[str, str]] = set()
    uniek = []
    for p in problemen:
        if (p.pad, p.melding) not in gezien:
            gezien.add((p.pad, p.melding))
            uniek.append(p)
    return uniek


def _bouw(doc: dict[str, Any], sha256: str) -> Convenant:
    kop = doc["convenant"]
    partners = {
        pid: Partner(id=pid, naam=p["naam"], bronsysteem=p.get("bronsysteem"), soort=p.get("soort"))
        for pid, p in doc["partners"].items()
    }
    overlegtypen = {
        oid: Overlegtype(
            id=oid,
            naam=o["naam"],
            themas=tuple(o["themas"]),
            voorzitter=o.get("voorzitter"),
            kernpartners=tuple(o["kernpartners"]),
            schilpartners=tuple(o.get("schilpartners", ())),
            gemeente=o.get("gemeente"),
            leeftijd_min=(o.get("leeftijd") or {}).get("min"),
            leeftijd_max=(o.get("leeftijd") or {}).get("max"),
            justitieel=is_justitieel(doc, o),
        )
        for oid, o in doc["overlegtypen"].items()
    }
    verstrekkingen = tuple(
        Verstrekking(
            id=v["id"],
            bron=v["bron"],
            categorie=v["categorie"],
            grondslag=v["grondslag"],
            overlegtypen=tuple(v["overlegtypen"]),
            ontvangers=tuple(v["ontvangers"]),
            samenwerkingsverband=v.get("samenwerkingsverband"),
            doel=v.get("doel"),
            voorwaarden=v.get("voorwaarden"),
            toestemming_vereist=v.get("toestemmingVereist", False),
            # Wjsg art. 39f data is never passed on, also when the author forgot to say so
            verder_verstrekken=v.get("verderVerstrekken", not is_wjsg_39f(v.get("grondslag"))),
        )
        for v in doc["verstrekkingen"]
    )
    return Convenant(
        id=kop["id"],
        versie=kop["versie"],
        huis=kop["huis"],
        naam=kop["naam"],
        geldig_van=date.fromisoformat(kop["geldigVan"]),
        geldig_tot=date.fromisoformat(kop["geldigTot"]),
        verwerkingsverantwoordelijken=tuple(kop["verwerkingsverantwoordelijken"]),
        bewaartermijn_maanden=int(kop["bewaartermijnMaanden"]),
        partners=partners,
        themas=tuple(doc["themas"]),
        overlegtypen=overlegtypen,
        verstrekkingen=verstrekkingen,
        hash=sha256,
        bsn_gerechtigden=tuple(kop.get("bsnGerechtigden") or ()),
        waarschuwingen=tuple(str(w) for w in waarschuwingen(doc)),
    )
