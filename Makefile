# The two commands a newcomer needs:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test test-postgres test-redis lint format clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.runtime

## Set up and run the platform on embedded defaults (SQLite, huey on SQLite) with a demo district.
demo: $(VENV)/.runtime
	$(BIN)/jiuzhu demo

## Set up and run every test on SQLite (installs Debian's chromium for the browser tests when missing).
test: $(VENV)/.dev
	scripts/ensure-chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The same suite on PostgreSQL (started, or installed and started, when it is not running).
test-postgres: $(VENV)/.dev
	scripts/ensure-chromium
	DATABASE_URL=$$(scripts/ensure-postgres jiuzhu) $(BIN)/python -m pytest -m "not spark" $(PYTEST_ARGS)

## The queue tests once more against Redis, the production broker (started, or installed, when not running).
test-redis: $(VENV)/.dev
	JIUZHU_REDIS_URL=$$(scripts/ensure-redis) $(BIN)/python -m pytest -m queue $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench

format: $(VENV)/.dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

## Regenerate the English catalogue after changing UI strings (needs GNU gettext; the .mo is committed).
messages: $(VENV)/.dev
	cd src/jiuzhu && JIUZHU_DATA_DIR=$(CURDIR)/var ../../$(BIN)/jiuzhu makemessages -l en --no-wrap --no-location -i "migrations/*"
	msgfmt --check -o src/jiuzhu/locale/en/LC_MESSAGES/django.mo src/jiuzhu/locale/en/LC_MESSAGES/django.po

## Benchmark the policy engine (one check over HTTP; all programmes over 1 M and 10 M persons; hand SQL; OpenFisca).
## BENCH_ARGS=--quick for a smoke run, --province for 50 M persons as well. See bench/README.md.
.PHONY: bench-policy
bench-policy: $(VENV)/.runtime
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/policy_bench.py $(BENCH_ARGS)

## Benchmark the department data exchange: CSV/XLSX import with full validation, import end to end, exact-ID
## linkage 10 M × 10 M, Splink on 100 k rows without IDs. BENCH_ARGS=--quick for a smoke run. See bench/README.md.
.PHONY: bench-exchange
bench-exchange: $(VENV)/.runtime
	$(BIN)/python bench/exchange_bench.py $(BENCH_ARGS)

## Benchmark discovery efficacy (issue 5): planted hardship events replayed as department pushes over HTTP, alerts
## and screening held against the truth (recall, precision, event → work order latency), 1 M persons screened.
## BENCH_ARGS=--quick for a smoke run. See bench/README.md.
.PHONY: bench-discovery
bench-discovery: $(VENV)/.runtime
	$(BIN)/python bench/discovery_bench.py $(BENCH_ARGS)
