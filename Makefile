# Weerbaar: `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PORT ?= 8000

.PHONY: run test test-fast bench lint format openapi messages assets setup db demo chromium clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required to build the front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed
	node scripts/build_assets.mjs

messages: $(VENV)/.installed
	$(PY) scripts/compile_messages.py

setup: $(VENV)/.installed assets messages

db: setup
	@mkdir -p var
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) createcachetable
	$(MANAGE) load_catalogues

demo: db
	$(MANAGE) seed_demo --organisations 60 --seed 2026

run: demo
	@echo "Weerbaar runs on http://127.0.0.1:$(PORT)  (stop with Ctrl+C)"
	$(MANAGE) runserver 127.0.0.1:$(PORT)

chromium:
	@bash scripts/ensure_chromium.sh

# The slowest tests are listed at the end, so that a CI log shows where its minutes go.
test: setup chromium
	$(PY) -m pytest -q -n 2 --durations=15 $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q -x -m "not browser" $(PYTEST_ARGS)

bench: setup
	@failed=""; for script in bench/bench_*.py; do $(PY) "$$script" || failed="$$failed $$script"; done; \
	  if [ -n "$$failed" ]; then echo "benchmarks that found something wrong:$$failed"; exit 1; fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

# English, valid and free of warnings; tests/api/test_openapi.py fails when the file drifts.
openapi: $(VENV)/.installed
	$(MANAGE) spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml

clean:
	rm -rf $(VENV) node_modules src/weerbaar/static/vendor
