"""The convenant loader: schema + semantic validation with paths, YAML errors, building, hashing."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from gateway.domain.convenant import Convenant, Overlegtype, Partner, Verstrekking
from gateway.infrastructure import convenant_loader
from gateway.infrastructure.convenant_loader import (
    ConvenantOngeldig,
    Probleem,
    laad_convenant,
    laad_convenanten,
    samenvatting,
    valideer,
    valideer_bestand,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "deploy" / "demo"
SCHEMA = ROOT / "schemas" / "convenant.schema.json"


def geldig() -> dict[str, Any]:
    """A small valid convenant document, as yaml.safe_load would return it (dates as date objects)."""
    return copy.deepcopy(
        {
            "convenant": {
                "id": "zvh-test",
                "versie": "1",
                "huis": "test",
                "naam": "Convenant Test",
                "geldigVan": date(2026, 1, 1),
                "geldigTot": date(2028, 12, 31),
                "verwerkingsverantwoordelijken": ["gemeente-a"],
                "bewaartermijnMaanden": 60,
            },
            "partners": {
                "politie": {"naam": "Politie", "bronsysteem": "BPS"},
                "om": {"naam": "OM", "bronsysteem": "JCO-support"},
                "rvdk": {"naam": "Raad voor de Kinderbescherming"},
                "vir": {"naam": "VIR", "bronsysteem": "VIR"},
                "gemeente-a": {"naam": "Gemeente A"},
            },
            "themas": ["jeugd", "huiselijk_geweld"],
            "overlegtypen": {
                "jco": {
                    "naam": "JCO",
                    "themas": ["jeugd"],
                    "voorzitter": "om",
                    "kernpartners": ["om", "politie", "rvdk"],
                    "schilpartners": ["gemeente-a"],
                },
                "zorg": {"naam": "Zorgoverleg", "themas": ["huiselijk_geweld"], "kernpartners": ["gemeente-a"]},
            },
            "verstrekkingen": [
                {
                    "id": "V-POL-JCO",
                    "bron": "politie",
                    "categorie": "politiegegevens",
                    "grondslag": "Wpg art. 20",
                    "samenwerkingsverband": "ZVH Test",
                    "doel": "Afstemmen",
                    "voorwaarden": "Geheimhouding",
                    "overlegtypen": ["jco"],
                    "ontvangers": ["kernpartners", "schilpartners"],
                },
                {
                    "id": "V-OM-JCO",
                    "bron": "om",
                    "categorie": "strafvorderlijke_gegevens",
                    "grondslag": "Wjsg art. 39f",
                    "verderVerstrekken": False,
                    "overlegtypen": ["jco"],
                    "ontvangers": ["kernpartners"],
                },
                {
                    "id": "V-VIR-ZORG",
                    "bron": "vir",
                    "categorie": "verwijsindexsignaal",
                    "grondslag": "Jeugdwet par. 7.1.3",
                    "toestemmingVereist": False,
                    "overlegtypen": ["zorg"],
                    "ontvangers": ["gemeente-a"],
                },
            ],
        }
    )


def paden(problemen: list[Probleem]) -> list[str]:
    return [p.pad for p in problemen]


def schrijf(tmp_path: Path, tekst: str, naam: str = "convenant.yaml") -> Path:
    pad = tmp_path / naam
    pad.write_text(tekst, encoding="utf-8")
    return pad


# --------------------------------------------------------------------------------------------
# the schema and the demo configuration


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["required"]) == {"convenant", "partners", "themas", "overlegtypen", "verstrekkingen"}
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("bestand", ["convenant-demo.yaml", "convenant-noord.yaml"])
def test_demo_convenant_is_valid(bestand: str) -> None:
    assert valideer_bestand(DEMO / bestand) == []


def test_demo_directory_holds_two_houses() -> None:
    convenanten = laad_convenanten(DEMO)
    assert set(convenanten.per_huis) == {"demo", "noord"}
    demo = convenanten.van("demo")
    assert demo.id == "zvh-demo" and demo.bewaartermijn_maanden == 60
    assert (demo.geldig_van, demo.geldig_tot) == (date(2026, 1, 1), date(2028, 12, 31))
    assert {p.bronsysteem for p in demo.bronnen()} == {"BPS", "JCO-support", "Depan", "VIR"}
    assert {"jco", "veelplegers", "huiselijk_geweld", "nazorg"} <= set(demo.overlegtypen)
    # VIR serves help and care, never prosecution meetings
    vir = [v for v in demo.verstrekkingen if v.bron == "vir"]
    assert vir and all(not {"jco", "veelplegers", "huiselijk_geweld"} & set(v.overlegtypen) for v in vir)
    assert all(not v.verder_verstrekken for v in demo.verstrekkingen if "39f" in v.grondslag)
    assert all(v.toestemming_vereist for v in demo.verstrekkingen if v.bron == "ggz")


def test_demo_clients_cover_every_partner_of_both_houses() -> None:
    clients = yaml.safe_load((DEMO / "clients.yaml").read_text(encoding="utf-8"))["clients"]
    ids = [c["clientId"] for c in clients]
    assert len(ids) == len(set(ids))
    for huis, convenant in laad_convenanten(DEMO).per_huis.items():
        partner_clients = {c["partner"] for c in clients if c["huis"] == huis and c["scopes"] == ["partner"]}
        assert partner_clients == set(convenant.partners)
        for scope in ("procesregisseur", "privacy", "beheer"):
            (client,) = [c for c in clients if c["huis"] == huis and c["scopes"] == [scope]]
            assert client["clientId"] == f"{huis}-{scope}"
            # issue 11: a house role acts for the controller(s) but carries no partner identity
            assert "partner" not in client
    assert all(c["clientSecret"] == f"{c['clientId']}-geheim" for c in clients)
    assert (DEMO / "clients.yaml").read_text(encoding="utf-8").lower().startswith("# demo secrets")


def test_valid_document_has_no_problems_with_dates_or_strings() -> None:
    assert valideer(geldig()) == []
    doc = geldig()
    doc["convenant"]["geldigVan"], doc["convenant"]["geldigTot"] = "2026-01-01", "2028-12-31"
    assert valideer(doc) == []


# --------------------------------------------------------------------------------------------
# every refusal rule, with its path

Wijziging = Callable[[dict[str, Any]], None]


def _zet(pad: str, waarde: Any) -> Wijziging:
    """A mutation: set (or, for waarde=..., delete) the value at a dotted path with [i] indexes."""

    def wijzig(doc: dict[str, Any]) -> None:
        delen: list[str | int] = []
        for stuk in pad.replace("]", "").replace("[", ".").split("."):
            delen.append(int(stuk) if stuk.isdigit() else stuk)
        ouder: Any = doc
        for deel in delen[:-1]:
            ouder = ouder[deel]
        if waarde is ...:
            del ouder[delen[-1]]
        else:
            ouder[delen[-1]] = waarde

    return wijzig


def _beide(*wijzigingen: Wijziging) -> Wijziging:
    def wijzig(doc: dict[str, Any]) -> None:
        for w in wijzigingen:
            w(doc)

    return wijzig


def R(id_: str, wijzig: Wijziging, pad: str, melding: str) -> Any:
    return pytest.param(wijzig, pad, melding, id=id_)


REFUSALS: list[Any] = [
    # unknown references
    R("unknown-thema", _zet("overlegtypen.jco.themas[0]", "zeden"), "overlegtypen.jco.themas[0]", "onbekend thema"),
    R("unknown-voorzitter", _zet("overlegtypen.jco.voorzitter", "rechter"),
      "overlegtypen.jco.voorzitter", "onbekende partner"),
    R("unknown-kernpartner", _zet("overlegtypen.jco.kernpartners[1]", "polities"),
      "overlegtypen.jco.kernpartners[1]", "onbekende partner"),
    R("unknown-schilpartner", _zet("overlegtypen.jco.schilpartners[0]", "gemeente-z"),
      "overlegtypen.jco.schilpartners[0]", "onbekende partner"),
    R("unknown-bron", _zet("verstrekkingen[0].bron", "kmar"), "verstrekkingen[0].bron", "onbekende partner"),
    R("unknown-overlegtype", _zet("verstrekkingen[1].overlegtypen[0]", "jco-hg"),
      "verstrekkingen[1].overlegtypen[0]", "onbekend overlegtype"),
    R("unknown-ontvanger-role-typo", _zet("verstrekkingen[0].ontvangers[1]", "schilpartner"),
      "verstrekkingen[0].ontvangers[1]", "onbekende partner of rol"),
    R("unknown-ontvanger-partner", _zet("verstrekkingen[2].ontvangers[0]", "kmar"),
      "verstrekkingen[2].ontvangers[0]", "onbekende partner of rol"),
    R("ontvanger-not-participant", _zet("verstrekkingen[2].ontvangers[0]", "politie"),
      "verstrekkingen[2].ontvangers[0]", "neemt aan geen van de overlegtypen"),
    # controllers
    R("controllers-missing", _zet("convenant.verwerkingsverantwoordelijken", ...),
      "convenant.verwerkingsverantwoordelijken", "verplicht veld ontbreekt"),
    R("controllers-empty", _zet("convenant.verwerkingsverantwoordelijken", []),
      "convenant.verwerkingsverantwoordelijken", "mag niet leeg zijn"),
    R("controllers-null", _zet("convenant.verwerkingsverantwoordelijken", None),
      "convenant.verwerkingsverantwoordelijken", "moet een lijst zijn"),
    R("controller-unknown", _zet("convenant.verwerkingsverantwoordelijken", ["gemeente-a", "provincie"]),
      "convenant.verwerkingsverantwoordelijken[1]", "onbekende partner"),
    # validity period
    R("geldigTot-before-geldigVan", _zet("convenant.geldigTot", date(2025, 12, 31)),
      "convenant.geldigTot", "ligt voor geldigVan"),
    # Wpg art. 20 completeness
    R("wpg20-samenwerkingsverband", _zet("verstrekkingen[0].samenwerkingsverband", ...),
      "verstrekkingen[0].samenwerkingsverband", "Wpg art. 20"),
    R("wpg20-doel", _zet("verstrekkingen[0].doel", ...), "verstrekkingen[0].doel", "Wpg art. 20"),
    R("wpg20-voorwaarden", _zet("verstrekkingen[0].voorwaarden", ...), "verstrekkingen[0].voorwaarden", "Wpg art. 20"),
    R("wpg20-categorie", _zet("verstrekkingen[0].categorie", ...),
      "verstrekkingen[0].categorie", "verplicht veld ontbreekt"),
    R("wpg20-ontvangers", _zet("verstrekkingen[0].ontvangers", []),
      "verstrekkingen[0].ontvangers", "mag niet leeg zijn"),
    R("wpg20-spelled-out",
      _beide(_zet("verstrekkingen[0].grondslag", "artikel 20 Wet politiegegevens"),
             _zet("verstrekkingen[0].doel", ...)),
      "verstrekkingen[0].doel", "Wpg art. 20"),
    # ethnicity / race
    R("categorie-etniciteit", _zet("verstrekkingen[0].categorie", "etniciteit"),
      "verstrekkingen[0].categorie", "etniciteit of ras"),
    R("categorie-ras", _zet("verstrekkingen[0].categorie", "ras"), "verstrekkingen[0].categorie", "etniciteit of ras"),
    R("categorie-afkomst", _zet("verstrekkingen[1].categorie", "afkomst"),
      "verstrekkingen[1].categorie", "etniciteit of ras"),
    R("categorie-etnische-afkomst", _zet("verstrekkingen[1].categorie", "etnische_afkomst"),
      "verstrekkingen[1].categorie", "etniciteit of ras"),
    R("categorie-ras-compound", _zet("verstrekkingen[1].categorie", "rasgegevens"),
      "verstrekkingen[1].categorie", "etniciteit of ras"),
    R("categorie-ras-in-phrase", _zet("verstrekkingen[1].categorie", "huidskleur_en_ras"),
      "verstrekkingen[1].categorie", "etniciteit of ras"),
    R("categorie-case-insensitive", _zet("verstrekkingen[1].categorie", "Etnische_Afkomst"),
      "verstrekkingen[1].categorie", "etniciteit of ras"),
    # duplicates
    R("duplicate-verstrekking-id", _zet("verstrekkingen[1].id", "V-POL-JCO"), "verstrekkingen[1].id", "dubbele id"),
    R("duplicate-thema", _zet("themas", ["jeugd", "huiselijk_geweld", "jeugd"]), "themas[2]", "dubbel thema"),
    R("duplicate-kernpartner", _zet("overlegtypen.jco.kernpartners", ["om", "politie", "om"]),
      "overlegtypen.jco.kernpartners[2]", "dubbele partner"),
    R("kern-and-schil", _zet("overlegtypen.jco.schilpartners", ["gemeente-a", "politie"]),
      "overlegtypen.jco.schilpartners[1]", "al kernpartner"),
    R("voorzitter-as-schil",
      _beide(_zet("overlegtypen.zorg.voorzitter", "om"), _zet("overlegtypen.zorg.schilpartners", ["om"])),
      "overlegtypen.zorg.schilpartners[0]", "is voorzitter van zorg"),
    R("partner-named-like-role", _zet("partners.kernpartners", {"naam": "x"}),
      "partners.kernpartners", "naam van een rol"),
    # schema
    R("schema-unknown-top-level-key", _zet("extra", 1), "extra", "onbekend veld"),
    R("schema-misspelt-field", _zet("verstrekkingen[1].verderverstrekken", False),
      "verstrekkingen[1].verderverstrekken", "onbekend veld"),
    R("schema-boolean", _zet("verstrekkingen[1].verderVerstrekken", "nee"),
      "verstrekkingen[1].verderVerstrekken", "moet true of false zijn"),
    R("schema-versie-number", _zet("convenant.versie", 2026.1), "convenant.versie", "moet tekst zijn"),
    R("schema-impossible-date", _zet("convenant.geldigVan", "2026-02-30"), "convenant.geldigVan", "datum"),
    R("schema-date-format", _zet("convenant.geldigVan", "1-1-2026"), "convenant.geldigVan", "JJJJ-MM-DD"),
    R("schema-retention", _zet("convenant.bewaartermijnMaanden", 0),
      "convenant.bewaartermijnMaanden", "moet minstens 1"),
    R("schema-partner-id-slug", _zet("partners.Politie", {"naam": "Politie"}), "partners.Politie", "ongeldige id"),
    R("schema-verstrekking-id", _zet("verstrekkingen[0].id", "V POL"), "verstrekkingen[0].id", "regel-id"),
    R("schema-blank-text", _zet("overlegtypen.jco.naam", "   "), "overlegtypen.jco.naam", "niet leeg"),
    R("schema-partners-missing", _zet("partners", ...), "partners", "verplicht veld ontbreekt"),
]


@pytest.mark.parametrize(("wijzig", "pad", "melding"), REFUSALS)
def test_refusal_rule_reports_problem_at_path(wijzig: Wijziging, pad: str, melding: str) -> None:
    doc = geldig()
    wijzig(doc)
    problemen = valideer(doc)
    assert problemen, "expected the document to be refused"
    treffers = [p for p in problemen if p.pad == pad]
    assert treffers, f"no problem at {pad}; got {[str(p) for p in problemen]}"
    assert any(melding.lower() in p.melding.lower() for p in treffers), [str(p) for p in treffers]


@pytest.mark.parametrize(
    "categorie",
    ["politiegegevens", "strafvorderlijke_gegevens", "gezondheidsgegevens", "raster_gegevens", "verwijsindexsignaal",
     "grasmaaier", "contrastgegevens"],
)
def test_harmless_categories_are_not_taken_for_ethnicity(categorie: str) -> None:
    doc = geldig()
    doc["verstrekkingen"][1]["categorie"] = categorie
    if categorie == "gezondheidsgegevens":  # issue 11: health data needs consent (or a legal duty)
        doc["verstrekkingen"][1]["toestemmingVereist"] = True
    assert valideer(doc) == []


def test_every_problem_is_reported_at_once_each_on_its_own() -> None:
    doc = geldig()
    doc["overlegtypen"]["jco"]["kernpartners"][1] = "polities"
    doc["verstrekkingen"][0]["bron"] = "kmar"
    doc["verstrekkingen"][0].pop("doel")
    doc["convenant"]["geldigTot"] = date(2020, 1, 1)
    doc["verstrekkingen"][1]["categorie"] = "etniciteit"
    assert set(paden(valideer(doc))) >= {
        "overlegtypen.jco.kernpartners[1]",
        "verstrekkingen[0].bron",
        "verstrekkingen[0].doel",
        "convenant.geldigTot",
        "verstrekkingen[1].categorie",
    }


def test_a_missing_wpg_field_is_reported_once() -> None:
    doc = geldig()
    doc["verstrekkingen"][0].pop("ontvangers")
    assert paden(valideer(doc)).count("verstrekkingen[0].ontvangers") == 1


def test_wrongly_typed_sections_do_not_crash_the_semantic_rules() -> None:
    doc = geldig()
    doc["overlegtypen"] = ["jco"]
    doc["verstrekkingen"] = {"V-1": {}}
    doc["themas"] = "jeugd"
    doc["partners"]["om"] = "OM"
    assert {"overlegtypen", "verstrekkingen", "themas", "partners.om"} <= set(paden(valideer(doc)))


@pytest.mark.parametrize("document", [None, [], "convenant", 42], ids=["none", "list", "string", "number"])
def test_a_document_that_is_not_a_mapping_is_one_problem(document: Any) -> None:
    (probleem,) = valideer(document)
    assert probleem.pad == "(document)"


def test_probleem_str_is_path_colon_message() -> None:
    assert str(Probleem("verstrekkingen[2].ontvangers[0]", "onbekende partner 'x'")) == (
        "verstrekkingen[2].ontvangers[0]: onbekende partner 'x'"
    )
    assert str(Probleem("convenant.huis", "dubbel", "convenant-b.yaml")) == "convenant-b.yaml: convenant.huis: dubbel"


# --------------------------------------------------------------------------------------------
# YAML errors and duplicate keys


def test_yaml_syntax_error_is_a_problem_with_line_not_a_traceback(tmp_path: Path) -> None:
    pad = schrijf(tmp_path, "convenant:\n  id: zvh\n  naam: [open\npartners: {}\n")
    (probleem,) = valideer_bestand(pad)
    assert probleem.pad.startswith("regel ")
    assert "geen geldige YAML" in probleem.melding


def test_tab_indentation_is_a_yaml_problem(tmp_path: Path) -> None:
    pad = schrijf(tmp_path, "convenant:\n\tid: zvh\n")
    (probleem,) = valideer_bestand(pad)
    assert probleem.pad == "regel 2, kolom 1"


def test_impossible_yaml_date_is_a_problem(tmp_path: Path) -> None:
    pad = schrijf(tmp_path, "convenant:\n  geldigVan: 2026-02-30\n")
    (probleem,) = valideer_bestand(pad)
    assert "geen geldige YAML" in probleem.melding


@pytest.mark.parametrize(
    ("inhoud", "melding"),
    [(b"", "leeg document"), (b"# alleen commentaar\n", "leeg document"), (b"- a\n- b\n", "mapping"),
     (b"\xff\xfe\x00", "UTF-8"), (b"a: 1\n---\nb: 2\n", "geen geldige YAML")],
    ids=["empty", "comment-only", "list", "not-utf8", "two-documents"],
)
def test_unusable_files_are_one_problem(tmp_path: Path, inhoud: bytes, melding: str) -> None:
    pad = tmp_path / "convenant.yaml"
    pad.write_bytes(inhoud)
    (probleem,) = valideer_bestand(pad)
    assert melding in probleem.melding


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    (probleem,) = valideer_bestand(tmp_path / "bestaat-niet.yaml")
    assert probleem.pad == "(bestand)"


def _demo_tekst() -> str:
    return (DEMO / "convenant-demo.yaml").read_text(encoding="utf-8")


def test_duplicate_partner_key_is_reported_with_path_and_lines(tmp_path: Path) -> None:
    tekst = _demo_tekst().replace(
        "  rvdk:         {naam: Raad", "  politie:      {naam: Nog een politie}\n  rvdk:         {naam: Raad", 1
    )
    problemen = valideer_bestand(schrijf(tmp_path, tekst))
    (probleem,) = [p for p in problemen if p.pad == "partners.politie"]
    assert "dubbele sleutel 'politie'" in probleem.melding
    assert "regel 23" in probleem.melding  # the first politie key (the demo grew bsnGerechtigden in issue 11)


def test_duplicate_keys_at_every_level(tmp_path: Path) -> None:
    tekst = """\
convenant: {id: a, id: b}
themas: [jeugd]
themas: [jeugd]
verstrekkingen:
  - {id: V-1, bron: x, bron: y}
"""
    pads = paden(valideer_bestand(schrijf(tmp_path, tekst)))
    assert {"convenant.id", "themas", "verstrekkingen[0].bron"} <= set(pads)


def test_yaml_merge_keys_are_not_duplicates(tmp_path: Path) -> None:
    doc = geldig()
    doc["convenant"]["geldigVan"], doc["convenant"]["geldigTot"] = "2026-01-01", "2028-12-31"
    tekst = yaml.safe_dump(doc, sort_keys=False)
    tekst = tekst.replace("partners:\n", "partners:\n  basis: &p {naam: Basis}\n  om2:\n    <<: *p\n    naam: OM2\n", 1)
    assert [p for p in valideer_bestand(schrijf(tmp_path, tekst)) if "dubbele" in p.melding] == []


# --------------------------------------------------------------------------------------------
# building the dataclasses


def test_loader_builds_the_domain_dataclasses(tmp_path: Path) -> None:
    doc = geldig()
    pad = schrijf(tmp_path, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    c = laad_convenant(pad)
    assert isinstance(c, Convenant)
    assert (c.id, c.versie, c.huis, c.naam) == ("zvh-test", "1", "test", "Convenant Test")
    assert (c.geldig_van, c.geldig_tot) == (date(2026, 1, 1), date(2028, 12, 31))
    assert c.verwerkingsverantwoordelijken == ("gemeente-a",)
    assert c.bewaartermijn_maanden == 60
    assert c.themas == ("jeugd", "huiselijk_geweld")
    assert c.partners["politie"] == Partner(id="politie", naam="Politie", bronsysteem="BPS")
    assert c.partners["rvdk"] == Partner(id="rvdk", naam="Raad voor de Kinderbescherming", bronsysteem=None)
    assert list(c.partners) == ["politie", "om", "rvdk", "vir", "gemeente-a"]
    assert c.overlegtypen["jco"] == Overlegtype(
        id="jco", naam="JCO", themas=("jeugd",), voorzitter="om",
        kernpartners=("om", "politie", "rvdk"), schilpartners=("gemeente-a",),
    )
    assert c.overlegtypen["zorg"].voorzitter is None and c.overlegtypen["zorg"].schilpartners == ()
    assert c.verstrekkingen[0] == Verstrekking(
        id="V-POL-JCO", bron="politie", categorie="politiegegevens", grondslag="Wpg art. 20",
        overlegtypen=("jco",), ontvangers=("kernpartners", "schilpartners"),
        samenwerkingsverband="ZVH Test", doel="Afstemmen", voorwaarden="Geheimhouding",
        toestemming_vereist=False, verder_verstrekken=True,
    )
    assert c.verstrekkingen[1].verder_verstrekken is False
    assert [v.id for v in c.verstrekkingen] == ["V-POL-JCO", "V-OM-JCO", "V-VIR-ZORG"]


def test_hash_is_sha256_of_the_file_bytes(tmp_path: Path) -> None:
    bron = (DEMO / "convenant-demo.yaml").read_bytes()
    pad = tmp_path / "c.yaml"
    pad.write_bytes(bron)
    c = laad_convenant(pad)
    assert c.hash == hashlib.sha256(bron).hexdigest()
    assert c.referentie == {"id": "zvh-demo", "versie": "2026.1", "hash": c.hash}
    # a change that does not alter the meaning (a comment) still changes the hash
    pad.write_bytes(bron + b"\n# wijziging\n")
    assert laad_convenant(pad).hash != c.hash


def test_laad_convenant_raises_with_every_problem(tmp_path: Path) -> None:
    doc = geldig()
    doc["verstrekkingen"][0]["bron"] = "kmar"
    doc["convenant"]["geldigTot"] = date(2020, 1, 1)
    pad = schrijf(tmp_path, yaml.safe_dump(doc))
    with pytest.raises(ConvenantOngeldig) as e:
        laad_convenant(pad)
    assert {"verstrekkingen[0].bron", "convenant.geldigTot"} <= set(paden(e.value.problemen))
    assert "verstrekkingen[0].bron: onbekende partner 'kmar'" in str(e.value)


def test_samenvatting_is_one_line_with_counts_and_period() -> None:
    c = laad_convenant(DEMO / "convenant-demo.yaml")
    regel = samenvatting(c)
    assert "\n" not in regel
    for deel in ("zvh-demo", "2026.1", "huis demo", f"{len(c.partners)} partners",
                 f"{len(c.overlegtypen)} overlegtypen", f"{len(c.verstrekkingen)} verstrekkingen",
                 "2026-01-01", "2028-12-31"):
        assert deel in regel


# --------------------------------------------------------------------------------------------
# several houses in one directory


def _huis(huis: str) -> str:
    doc = geldig()
    doc["convenant"]["huis"] = huis
    return yaml.safe_dump(doc, sort_keys=False)


def test_convenant_yaml_and_convenant_star_yaml_are_read(tmp_path: Path) -> None:
    schrijf(tmp_path, _huis("een"), "convenant.yaml")
    schrijf(tmp_path, _huis("twee"), "convenant-twee.yaml")
    schrijf(tmp_path, _huis("drie"), "ander.yaml")  # not a convenant file name: ignored
    assert set(laad_convenanten(tmp_path).per_huis) == {"een", "twee"}


def test_duplicate_house_is_an_error(tmp_path: Path) -> None:
    schrijf(tmp_path, _huis("een"), "convenant-a.yaml")
    schrijf(tmp_path, _huis("een"), "convenant-b.yaml")
    with pytest.raises(ConvenantOngeldig) as e:
        laad_convenanten(tmp_path)
    (probleem,) = e.value.problemen
    assert (probleem.bestand, probleem.pad) == ("convenant-b.yaml", "convenant.huis")
    assert "convenant-a.yaml" in probleem.melding


def test_invalid_house_file_names_the_file(tmp_path: Path) -> None:
    schrijf(tmp_path, _huis("een"), "convenant-a.yaml")
    schrijf(tmp_path, "convenant: [", "convenant-b.yaml")
    with pytest.raises(ConvenantOngeldig) as e:
        laad_convenanten(tmp_path)
    assert [p.bestand for p in e.value.problemen] == ["convenant-b.yaml"]


def test_directory_without_convenant_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConvenantOngeldig):
        laad_convenanten(tmp_path)


def test_public_surface_is_deliberate() -> None:
    assert sorted(convenant_loader.__all__) == [
        "ConvenantOngeldig", "Probleem", "laad_convenant", "laad_convenanten", "samenvatting", "valideer",
        "valideer_bestand",
    ]
