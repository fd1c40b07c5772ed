# The two commands a newcomer needs:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test test-postgres lint format clean

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
	DATABASE_URL=$$(scripts/ensure-postgres jiuzhu) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench

format: $(VENV)/.dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
