# The two set-up commands of the README: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= ./var/store

.PHONY: run test lint system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Java runs the HermiT reasoner in the tests and Chromium the page tests (Playwright drives Debian's
# Chromium, since its own browser download is not reachable); a bare Debian gets them here.
system-deps:
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq default-jre-headless)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)

run: $(VENV)/.installed
	$(BIN)/innograph --store $(STORE) init
	$(BIN)/innograph --store $(STORE) graphs | grep -q 'graph/source/demo>' || \
		$(BIN)/innograph --store $(STORE) load --quiet data/demo
	$(BIN)/innograph --store $(STORE) stats
	$(BIN)/innograph --store $(STORE) serve --host 127.0.0.1 --port 5568

test: $(VENV)/.installed system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var build dist *.egg-info
