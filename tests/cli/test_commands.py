"""The `ketenpoort` command: convenant validate/explain and db upgrade (CONTRACT.md §1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from typer.testing import CliRunner

from gateway.cli import app
from tests.support.fixtures import DEMO

runner = CliRunner()


def test_validate_demo_convenanten():
    for naam in ("convenant-demo.yaml", "convenant-noord.yaml"):
        r = runner.invoke(app, ["convenant", "validate", str(DEMO / naam)])
        assert r.exit_code == 0, r.output
        assert len(r.output.strip().splitlines()) == 1 and ("zvh-demo" in r.output or "noord" in r.output)


def test_validate_lists_every_problem_with_its_path(tmp_path: Path):
    doc = yaml.safe_load((DEMO / "convenant-demo.yaml").read_text())
    doc["convenant"]["verwerkingsverantwoordelijken"] = []
    doc["convenant"]["geldigTot"] = "2020-01-01"
    doc["overlegtypen"]["jco"]["kernpartners"].append("marsmannetjes")
    doc["verstrekkingen"].append({"id": "V-ETN", "bron": "politie", "categorie": "etniciteit", "grondslag": "x",
                                  "overlegtypen": ["jco"], "ontvangers": ["kernpartners"]})
    pad = tmp_path / "convenant.yaml"
    pad.write_text(yaml.safe_dump(doc, allow_unicode=True))
    r = runner.invoke(app, ["convenant", "validate", str(pad)])
    assert r.exit_code == 1
    regels = [x for x in r.output.splitlines() if x.strip()]
    assert len(regels) >= 4
    tekst = "\n".join(regels)
    assert "verwerkingsverantwoordelijken" in tekst and "geldigTot" in tekst
    assert "marsmannetjes" in tekst and "etniciteit" in tekst


def test_validate_unreadable_yaml(tmp_path: Path):
    pad = tmp_path / "kapot.yaml"
    pad.write_text("convenant: [niet: gesloten\n")
    r = runner.invoke(app, ["convenant", "validate", str(pad)])
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_explain_permit_and_refusal():
    pad = str(DEMO / "convenant-demo.yaml")
    r = runner.invoke(app, ["convenant", "explain", pad, "--bron", "politie", "--ontvanger", "rvdk",
                            "--overlegtype", "jco", "--peildatum", "2026-11-23"])
    assert r.exit_code == 0 and r.output.startswith("toegestaan") and "V-POL-JCO" in r.output
    assert "Wpg art. 20" in r.output
    r = runner.invoke(app, ["convenant", "explain", pad, "--bron", "om", "--ontvanger", "leerplicht",
                            "--overlegtype", "jco", "--peildatum", "2026-11-23"])
    assert r.exit_code == 0 and r.output.startswith("geweigerd") and "R-GEEN-VERSTREKKING" in r.output
    r = runner.invoke(app, ["convenant", "explain", pad, "--bron", "politie", "--ontvanger", "rvdk",
                            "--overlegtype", "jco", "--peildatum", "2030-01-01"])
    assert "R-GELDIGHEID" in r.output


def test_db_upgrade(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'kp.db'}"
    r = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert r.exit_code == 0, r.output
    from gateway.infrastructure.db.engine import maak_engine
    from sqlalchemy import inspect

    async def tabellen() -> set[str]:
        engine = maak_engine(url)
        async with engine.connect() as conn:
            namen = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        await engine.dispose()
        return namen

    assert {"casussen", "audit_ledger", "outbox"} <= asyncio.run(tabellen())
