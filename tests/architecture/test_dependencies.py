"""The dependency rule of DESIGN.md, enforced by walking every import of every module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names)
BRONNEN = {"bps", "jco_support", "depan", "vir"}


def _modules(pakket: str) -> list[tuple[str, Path]]:
    basis = ROOT / pakket.replace(".", "/")
    uit = []
    for pad in sorted(basis.rglob("*.py")):
        rel = pad.relative_to(ROOT).with_suffix("")
        naam = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        uit.append((naam, pad))
    return uit


def _imports(naam: str, pad: Path) -> set[str]:
    boom = ast.parse(pad.read_text(encoding="utf-8"))
    pakket = naam if pad.name == "__init__.py" else naam.rpartition(".")[0]
    uit: set[str] = set()
    for knoop in ast.walk(boom):
        if isinstance(knoop, ast.Import):
            uit.update(a.name for a in knoop.names)
        elif isinstance(knoop, ast.ImportFrom):
            if knoop.level:
                basis = pakket.split(".")
                basis = basis[: len(basis) - (knoop.level - 1)] if knoop.level > 1 else basis
                mod = ".".join(basis + ([knoop.module] if knoop.module else []))
            else:
                mod = knoop.module or ""
            uit.add(mod)
            uit.update(f"{mod}.{a.name}" for a in knoop.names)
    return uit


def _eigen(mod: str) -> bool:
    return mod.split(".")[0] in {"gateway", "adapters", "migrations", "tests"}


def _schendingen(pakket: str, toegestaan) -> list[str]:  # noqa: ANN001
    uit = []
    for naam, pad in _modules(pakket):
        for mod in _imports(naam, pad):
            reden = toegestaan(naam, mod)
            if reden:
                uit.append(f"{naam} imports {mod}: {reden}")
    return uit


def test_domain_imports_only_stdlib_and_itself():
    def regel(_: str, mod: str) -> str | None:
        top = mod.split(".")[0]
        if mod.startswith("gateway.domain") or top in STDLIB or top == "__future__":
            return None
        return "the domain is pure: standard library and gateway.domain only"

    assert _schendingen("gateway.domain", regel) == []


def test_services_import_only_domain():
    def regel(_: str, mod: str) -> str | None:
        top = mod.split(".")[0]
        if mod.startswith(("gateway.domain", "gateway.services")) or top in STDLIB or top == "__future__":
            return None
        if top == "structlog":
            return None  # logging is cross-cutting; it carries no web, SQL or Kafka
        return "services know no web, SQL or Kafka"

    assert _schendingen("gateway.services", regel) == []


@pytest.mark.parametrize("laag", ["gateway.api", "gateway.infrastructure"])
def test_api_and_infrastructure_import_domain_and_services_only(laag: str):
    def regel(_: str, mod: str) -> str | None:
        if not _eigen(mod):
            return None
        if mod.startswith(("gateway.domain", "gateway.services", laag)):
            return None
        if laag == "gateway.infrastructure" and mod.split(".")[0] == "migrations":
            return None  # the migration runner locates the Alembic scripts
        return f"{laag} may use gateway.domain and gateway.services, not other layers or adapters"

    assert _schendingen(laag, regel) == []


def test_adapters_use_domain_ports_and_never_another_adapter():
    def regel(naam: str, mod: str) -> str | None:
        if not _eigen(mod):
            return None
        if mod.startswith("gateway.domain"):
            return None
        if mod.startswith("gateway."):
            return "adapters implement domain ports only"
        eigen_bron = naam.split(".")[1] if naam.count(".") >= 1 else None
        doel = mod.split(".")[1] if mod.count(".") >= 1 else None
        if mod.startswith("adapters") and doel in BRONNEN and eigen_bron in BRONNEN and doel != eigen_bron:
            return "an adapter never imports another adapter"
        if mod.startswith("adapters") and eigen_bron in BRONNEN and doel in BRONNEN | {"_gedeeld"}:
            return None
        if mod.startswith("adapters") and eigen_bron not in BRONNEN:
            return None  # the registry (adapters/__init__) and shared helpers may name every adapter
        if mod == "adapters" or mod.startswith("adapters._gedeeld"):
            return None
        return "unexpected import"

    assert _schendingen("adapters", regel) == []


def test_only_the_composition_root_and_cli_wire_concrete_parts():
    def regel(naam: str, mod: str) -> str | None:
        return None

    # bootstrap may import everything; nothing else in gateway imports bootstrap or cli.
    gebruikers = [n for laag in ("gateway.domain", "gateway.services", "gateway.api", "gateway.infrastructure")
                  for n, p in _modules(laag) if {"gateway.bootstrap", "gateway.cli"} & _imports(n, p)]
    assert gebruikers == []


def test_the_walker_sees_a_violation(tmp_path, monkeypatch):
    """Guard the guard: a forbidden import must be reported."""
    pad = tmp_path / "x.py"
    pad.write_text("from gateway.infrastructure.db import tables\nimport sqlalchemy\n")
    assert {"gateway.infrastructure.db", "sqlalchemy"} <= _imports("gateway.domain.x", pad)
