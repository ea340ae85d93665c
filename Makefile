# The two front doors: `make run` and `make test`. Both install what they need first, from the lock files:
# requirements.lock (runtime, what `make run` and the Dockerfile install) and requirements-dev.lock (runtime +
# dev, what `make test` and CI install). `make lock` regenerates both from pyproject.toml.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements-dev.lock pyproject.toml | sha1sum | cut -c1-12)
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"

.PHONY: run test install install-dev lock lint typecheck pytest translations migrate demo worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The runtime set only: a dev install (a later `make run` after `make test`) already holds it.
$(RUN_STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-run-* && touch $(RUN_STAMP)

$(DEV_STAMP): $(BIN)/python requirements-dev.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(DEV_STAMP) $(RUN_STAMP)

install: $(RUN_STAMP)
	$(BIN)/python scripts/build_translations.py

install-dev: $(DEV_STAMP)
	$(BIN)/python scripts/build_translations.py

translations: install

# Resolve pyproject.toml's dependencies again (after adding one): dev first, then runtime held to the same pins.
lock: install-dev
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -c requirements-dev.lock -o requirements.lock

migrate: install
	$(BIN)/wijkbudget db upgrade

run: migrate
	$(BIN)/wijkbudget demo --if-empty
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/wijkbudget run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

worker: install
	$(BIN)/celery -A tasks.worker worker --loglevel=info

beat: install
	$(BIN)/celery -A tasks.worker beat --loglevel=info

clean:
	rm -rf $(VENV) instance/*.sqlite .pytest_cache .mypy_cache .ruff_cache
