# Two commands do all the set-up: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system venv assets run test check lint typecheck pytest bench clean

setup: system venv assets

system:
	@scripts/system-packages.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# PyTorch: the CPU build, found on this machine's disk (never the multi-GB CUDA build).
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

assets: venv
	@$(BIN)/talkarchive meilisearch fetch
	@$(BIN)/talkarchive models fetch

run: setup
	$(BIN)/talkarchive demo
	$(BIN)/talkarchive serve

# ruff, and the import-linter layers contract (pyproject.toml [tool.importlinter])
lint: venv
	$(BIN)/ruff check archive ingest api talkarchive tests bench
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy archive ingest api talkarchive

# lint, types and the unit tier: the quick loop (under a minute once set-up has run)
check: lint typecheck
	$(BIN)/pytest tests/unit -q

pytest: setup
	$(BIN)/pytest

test: setup lint typecheck pytest

bench: setup
	$(BIN)/python bench/wer.py
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
