# Ketenpoort: the two commands a newcomer needs are `make demo` and `make test`.
# Everything the project needs is installed by these targets (Debian packages via apt-get, Python into .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ketenpoort-installed

.PHONY: demo test test-sqlite bench system venv clean help lint-api

help:
	@echo "make demo   - install and start the demo (gateway on http://localhost:8000, docs at /docs)"
	@echo "make test   - install, start PostgreSQL and the Kafka-protocol broker, run the whole suite"
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
	npm ci --no-audit --no-fund
	@touch $@

lint-api: venv node_modules/.installed
	@mkdir -p build
	$(BIN)/python scripts/openapi_export.py build/openapi.json
	node_modules/.bin/spectral lint --fail-severity=error -r lint/spectral.yaml build/openapi.json
	ASYNCAPI_METRICS=false node_modules/.bin/asyncapi validate --fail-severity=error schemas/asyncapi.yaml

clean:
	rm -rf $(VENV) .ketenpoort ketenpoort.db ketenpoort.db-* .pytest_cache
