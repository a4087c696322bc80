"""Issue 11, item 6: the validator knows the law; refusals with path and article, warnings shown by explain."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from gateway.cli import app
from gateway.domain.convenant import Uitwisseling, Weigering, decide
from gateway.infrastructure.convenant_loader import laad_convenant, valideer
from tests.support.fixtures import DEMO

from .test_convenant_loader import geldig


def _justitie(doc):  # noqa: ANN001, ANN202
    for p in ("politie", "om", "rvdk"):
        doc["partners"][p]["soort"] = "justitie"
    doc["partners"]["gemeente-a"]["soort"] = "gemeente"
    return doc


def _bij(doc, pad: str) -> str:  # noqa: ANN001
    treffers = [p.melding for p in valideer(doc) if p.pad == pad]
    assert treffers, [str(p) for p in valideer(doc)]
    return treffers[0]


def test_demo_convenanten_zijn_geldig():
    for naam in ("convenant-demo.yaml", "convenant-noord.yaml"):
        assert valideer(yaml.safe_load((DEMO / naam).read_text(encoding="utf-8"))) == []


def test_vir_niet_naar_justitieel_overlegtype():
    doc = _justitie(geldig())
    doc["verstrekkingen"][2]["overlegtypen"] = ["zorg", "jco"]
    assert "Jeugdwet art. 7.1.3.1" in _bij(doc, "verstrekkingen[2].overlegtypen[1]")


def test_vir_niet_naar_justitiepartner_ook_niet_via_een_rol():
    doc = _justitie(geldig())
    doc["overlegtypen"]["zorg"]["kernpartners"] = ["gemeente-a", "politie"]
    doc["verstrekkingen"][2]["ontvangers"] = ["politie", "kernpartners"]
    assert "justitiepartner 'politie'" in _bij(doc, "verstrekkingen[2].ontvangers[0]")
    assert "politie" in _bij(doc, "verstrekkingen[2].ontvangers[1]")


def test_gezondheid_zonder_toestemming_of_wettelijke_plicht():
    doc = geldig()
    doc["verstrekkingen"][2]["categorie"] = "gezondheidsgegevens"
    assert "WGBO art. 7:457" in _bij(doc, "verstrekkingen[2].toestemmingVereist")
    doc["verstrekkingen"][2]["wettelijkePlicht"] = "Wet verplichte ggz art. 8:17"
    assert valideer(doc) == []
    assert any("wettelijkePlicht" in w for w in laad_convenant_doc(doc).waarschuwingen)


def test_wjsg_39f_niet_verder_verstrekken():
    doc = geldig()
    doc["verstrekkingen"][1]["verderVerstrekken"] = True
    assert "Wjsg art. 39f" in _bij(doc, "verstrekkingen[1].verderVerstrekken")
    del doc["verstrekkingen"][1]["verderVerstrekken"]  # forgotten: valid, treated as false, warned
    c = laad_convenant_doc(doc)
    assert not c.verstrekkingen[1].verder_verstrekken
    assert any("verstrekkingen[1].verderVerstrekken" in w for w in c.waarschuwingen)


def test_bewaartermijn_boven_wettelijk_maximum():
    doc = geldig()
    doc["convenant"]["bewaartermijnMaanden"] = 1200
    assert "AVG art. 5" in _bij(doc, "convenant.bewaartermijnMaanden")
    doc["convenant"]["bewaartermijnMotivering"] = "Lopend onderzoek naar een cold case, besluit privacyraad 2026-3"
    assert valideer(doc) == []
    assert any("bewaartermijnMaanden" in w for w in laad_convenant_doc(doc).waarschuwingen)


def test_etniciteit_blijft_geweigerd():
    doc = geldig()
    doc["verstrekkingen"][0]["categorie"] = "etniciteit"
    assert _bij(doc, "verstrekkingen[0].categorie")


def test_huisrollen_en_bsn_gerechtigden():
    doc = geldig()
    doc["convenant"]["bsnGerechtigden"] = ["politie", "procesregie", "niemand"]
    doc["verstrekkingen"][0]["ontvangers"].append("privacy")
    assert _bij(doc, "convenant.bsnGerechtigden[2]")
    assert _bij(doc, "verstrekkingen[0].ontvangers[2]")
    doc = geldig()
    doc["partners"]["procesregie"] = {"naam": "Een partner die een rol heet"}
    assert _bij(doc, "partners.procesregie")


def test_nazorg_alleen_gemeente_van_terugkeer():
    c = laad_convenant(DEMO / "convenant-demo.yaml")
    u = dict(bron="dji", overlegtype="nazorg", peildatum=c.geldig_van)
    assert decide(c, Uitwisseling(ontvanger="gemeente-a", casus_gemeente="gemeente-a", **u)).toegestaan
    b = decide(c, Uitwisseling(ontvanger="gemeente-a", casus_gemeente="gemeente-b", **u))
    assert b.regel == Weigering.GEMEENTE.value
    # the procesregie gets only what names it, at the known/not-known level
    assert decide(c, Uitwisseling(ontvanger="procesregie", casus_gemeente="gemeente-a", **u)).niveau.value == "bekend"
    assert decide(c, Uitwisseling(bron="vir", ontvanger="procesregie", overlegtype="nazorg",
                                  peildatum=c.geldig_van)).regel == "R-GEEN-VERSTREKKING"


def test_explain_toont_waarschuwingen(tmp_path: Path):
    doc = geldig()
    del doc["verstrekkingen"][1]["verderVerstrekken"]
    pad = tmp_path / "c.yaml"
    pad.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = CliRunner().invoke(app, ["convenant", "explain", str(pad), "--bron", "om", "--ontvanger", "politie",
                                 "--overlegtype", "jco", "--peildatum", "2026-06-01"])
    assert r.exit_code == 0, r.output
    assert "toegestaan" in r.output and "niet verder verstrekken" in r.output
    assert "waarschuwing: verstrekkingen[1].verderVerstrekken" in r.output
    r = CliRunner().invoke(app, ["convenant", "explain", str(DEMO / "convenant-demo.yaml"), "--bron", "dji",
                                 "--ontvanger", "gemeente-b", "--overlegtype", "nazorg_gemeente_b",
                                 "--gemeente", "gemeente-a", "--peildatum", "2026-06-01"])
    assert "R-GEMEENTE" in r.output


def laad_convenant_doc(doc):  # noqa: ANN001, ANN201
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        pad = Path(d) / "c.yaml"
        pad.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return laad_convenant(pad)
