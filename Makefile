# Two commands on a fresh machine with python3 and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck unit bench bench-store audit install clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed; $(PYTHON) is $$($(PYTHON) --version 2>&1)"; exit 1; }
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || \
	  { rm -rf $(VENV); echo "python3 -m venv failed: install your system's python3-venv package"; exit 1; }; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	@$(BIN)/scoring-service setup
	@echo "Starting on http://$${SCORING_BIND:-127.0.0.1:8000} (API docs: http://$${SCORING_BIND:-127.0.0.1:8000}/api/v1/docs)"
	SCORING_LOG_FORMAT=$${SCORING_LOG_FORMAT:-text} $(BIN)/gunicorn -c gunicorn.conf.py 'scoring_service:create_app()'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo  # the layers (.importlinter, docs/architecture.md)

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint typecheck unit

bench: install
	$(BIN)/python benchmarks/run.py

bench-store: install
	$(BIN)/python benchmarks/store.py

# Known vulnerabilities of the pinned dependencies (constraints.txt), from PyPI's advisory
# database: it needs the network, so it is not part of `make test` or CI. --strict: a package it
# could not look up fails the run, so an audit that checked nothing never looks clean.
audit: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[audit]'
	@$(BIN)/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict \
	  --progress-spinner off || { echo "make audit: vulnerabilities found, or packages not \
	looked up (is https://pypi.org reachable?): nothing is known to be safe"; exit 1; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
