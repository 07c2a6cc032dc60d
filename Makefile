# The two set-up commands of the README: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= ./var/store
VENDOR := service/static/vendor/.built

.PHONY: run test lint system-deps node-deps frontend screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Java runs the HermiT reasoner in the tests, Chromium the page tests (Playwright drives Debian's Chromium,
# since its own browser download is not reachable), and Virtuoso is one of the two SPARQL servers the loader,
# service and query-library tests run on again (the other, the Oxigraph server, comes from PyPI with the
# test extra); a bare Debian gets them here. The tests start their own servers on free loopback ports.
system-deps:
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq default-jre-headless)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)
	@command -v virtuoso-t >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource)

# Node.js and npm build the front-end packages; a bare Debian gets them here.
node-deps:
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq nodejs npm)

# The pages' front-end packages (YASGUI, Cytoscape.js): `npm ci` installs exactly the locked versions from the
# npm registry without running install scripts, and build.mjs copies only the files the pages load into
# service/static/vendor/ (git-ignored), from where the service serves them: no CDN, nothing from another host.
$(VENDOR): frontend/package.json frontend/package-lock.json frontend/build.mjs | node-deps
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund && node build.mjs

frontend: $(VENDOR)

run: $(VENV)/.installed $(VENDOR)
	$(BIN)/innograph --store $(STORE) init
	$(BIN)/innograph --store $(STORE) graphs | grep -q 'graph/source/demo>' || \
		$(BIN)/innograph --store $(STORE) load --quiet data/demo
	$(BIN)/innograph --store $(STORE) stats
	$(BIN)/innograph --store $(STORE) serve --host 127.0.0.1 --port 5568

# The whole suite on the embedded store, then the tests marked `backends` on each real SPARQL server. The two
# server passes run side by side (each mostly waits on its own server) and print their reports in turn.
test: $(VENV)/.installed system-deps $(VENDOR)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	@mkdir -p var
	@for backend in oxigraph virtuoso; do \
		($(BIN)/python -m pytest --store-backend=$$backend > var/test-$$backend.log 2>&1; \
		 echo $$? > var/test-$$backend.status) & \
	done; wait
	@for backend in oxigraph virtuoso; do echo "=== pytest --store-backend=$$backend"; cat var/test-$$backend.log; done
	@test "$$(cat var/test-oxigraph.status var/test-virtuoso.status)" = "$$(printf '0\n0')"

# The README's screenshots, taken in Chromium from the demo data; Chinese labels need a CJK font.
screenshots: $(VENV)/.installed system-deps $(VENDOR)
	@fc-list :lang=zh | grep -q . || (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei)
	$(BIN)/python docs/screenshots.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var build dist *.egg-info frontend/node_modules service/static/vendor
