# Ketenpoort: the two commands a newcomer needs are `make demo` and `make test`.
# Everything the project needs is installed by these targets (Debian packages via apt-get, Python into .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ketenpoort-installed

.PHONY: demo test test-sqlite bench system venv clean help lint-api check lint types

help:
	@echo "make demo   - install and start the demo (gateway on http://localhost:8000, docs at /docs)"
	@echo "make test   - install, start PostgreSQL and the Kafka-protocol broker, run the whole suite"
	@echo "make check  - lint (ruff), types (mypy, strict for the domain and services) and the API contract linters"
	@echo "make bench  - benchmarks (see bench/README.md)"

system:
	@bash scripts/ensure-system-packages.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: system $(STAMP)

demo: venv
	$(BIN)/ketenpoort demo

test: venv
	$(BIN)/python -m pytest

test-sqlite: venv
	KETENPOORT_TEST_SKIP_POSTGRES=1 $(BIN)/python -m pytest -m "not postgresql"

bench: venv
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench

# The API contract: the Logius ADR Spectral ruleset (lint/adr/) and the AsyncAPI validator, from npm (package-lock.json).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm)
	npm ci --no-audit --no-fund
	@touch $@

lint-api: venv node_modules/.installed
	@mkdir -p build
	$(BIN)/python scripts/openapi_export.py build/openapi.json
	node_modules/.bin/spectral lint --fail-severity=error -r lint/spectral.yaml build/openapi.json
	ASYNCAPI_METRICS=false node_modules/.bin/asyncapi validate --fail-severity=error schemas/asyncapi.yaml

lint: venv
	$(BIN)/ruff check gateway adapters bench migrations tests scripts

types: venv
	$(BIN)/mypy

# The gate CI runs before the tests (.ci/run).
check: lint types lint-api

clean:
	rm -rf $(VENV) .ketenpoort ketenpoort.db ketenpoort.db-* .pytest_cache
