# Ketenpoort: the two commands a newcomer needs are `make demo` and `make test`.
# Everything the project needs is installed by these targets (Debian packages via apt-get, Python into .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ketenpoort-installed

.PHONY: demo test test-sqlite bench system venv clean help

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

clean:
	rm -rf $(VENV) .ketenpoort ketenpoort.db ketenpoort.db-* .pytest_cache
