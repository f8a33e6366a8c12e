# Two commands do all the set-up: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system venv assets run test lint typecheck pytest bench clean

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
	@$(BIN)/talkarchive swagger-ui fetch

run: setup
	$(BIN)/talkarchive demo
	$(BIN)/talkarchive serve

lint: venv
	$(BIN)/ruff check ingest api tests bench

typecheck: venv
	$(BIN)/mypy ingest api

pytest: setup
	$(BIN)/pytest

test: setup lint typecheck pytest

bench: setup
	$(BIN)/python bench/wer.py
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
