# The two front doors: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install lint typecheck pytest translations migrate demo worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/python scripts/build_translations.py

migrate: install
	$(BIN)/wijkbudget db upgrade

run: migrate
	$(BIN)/wijkbudget demo --if-empty
	$(BIN)/wijkbudget run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

worker: install
	$(BIN)/celery -A tasks.worker worker --loglevel=info

beat: install
	$(BIN)/celery -A tasks.worker beat --loglevel=info

clean:
	rm -rf $(VENV) instance/*.sqlite .pytest_cache .mypy_cache .ruff_cache
