# Carte Quartiers 2030 — `make run` starts the app, `make test` runs every test (browser test included).
# Everything is set up on first use: a Python 3.11 virtual environment with the pinned requirements,
# Leaflet and Leaflet.draw from the npm registry (served by the app itself, no CDN), and Debian's chromium
# (plus poppler-utils' pdfinfo, to count the pages of the printed A4 sheet) for the browser test.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
LEAFLET := static/node_modules/leaflet/dist/leaflet.js
AXE := tests/js/node_modules/axe-core/axe.min.js

.PHONY: run test setup browser lint benchmark profile serve-multi nginx clean

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.enableStaticServing true --server.headless true

test: setup browser $(AXE)
	$(PY) -m pytest

setup: $(VENV)/.installed $(LEAFLET)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(LEAFLET): static/package.json static/package-lock.json
	npm ci --prefix static --no-audit --no-fund --loglevel=error
	touch $@

$(AXE): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $@

browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }
	@test -x /usr/bin/pdfinfo || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q poppler-utils; }

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

benchmark: setup browser nginx
	$(PY) scripts/benchmark.py

# Where the server's CPU goes on a page load and on a click: top lines of cProfile over the script runs.
profile: setup
	$(PY) scripts/profile_server.py

# N app processes behind nginx (sticky sessions, websocket-aware) on PORT: make serve-multi PROCESSES=2
PROCESSES ?= 2
serve-multi: setup nginx
	$(PY) scripts/serve_multi.py --port $(PORT) --processes $(PROCESSES)

nginx:
	@test -x /usr/sbin/nginx || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nginx-light; }

clean:
	rm -rf $(VENV) static/node_modules tests/js/node_modules
