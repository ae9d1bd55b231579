# The project's workflows: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install system-deps node web client functions run example test lint bench bench-peers clean

# Debian packages the tests start themselves (an IMAP server for the e-mail app, a browser for the web UI).
SYSTEM_PACKAGES := dovecot-imapd chromium


$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# -- the web UI (web/, React + TypeScript + Vite), built into the package as src/scenarist/server/webui/
WEB := web
WEBUI := src/scenarist/server/webui
WEB_STAMP := $(WEBUI)/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/package.json $(WEB)/package-lock.json $(WEB)/vite.config.ts $(WEB)/tsconfig.json

# Node 20+ and npm, from Debian's packages when missing (as root; otherwise say what to install).
node:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else echo "Node 20+ and npm are needed to build the web UI: install them (e.g. apt-get install nodejs npm)"; exit 1; fi; \
	fi

$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json $(WEB)/package.json | node
	cd $(WEB) && npm ci --no-audit --no-fund

# The UI is rebuilt only when its sources, package.json or package-lock.json changed.
$(WEB_STAMP): $(WEB_SOURCES) $(WEB)/node_modules/.package-lock.json
	cd $(WEB) && npm run build
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

# Regenerate the UI's typed API client from the app's OpenAPI document (no server needed).
client: install $(WEB)/node_modules/.package-lock.json
	$(BIN)/python -m scenarist.server.openapi > $(WEB)/.openapi.json
	cd $(WEB) && node_modules/.bin/openapi-typescript .openapi.json -o src/lib/api/schema.d.ts

# Regenerate the mapping panel's function picker from docs/functions.md.
functions: install
	$(BIN)/python $(WEB)/scripts/functions.py

# The product on the embedded default: SQLite in ./data, in-process workers and scheduler.
# Loopback is allowed as an egress destination so that local demos can call local servers
# (the product's own default refuses it; set SCENARIST_EGRESS_ALLOW to override).
run: install web
	SCENARIST_EGRESS_ALLOW="$${SCENARIST_EGRESS_ALLOW-127.0.0.0/8,::1}" $(BIN)/scenarist serve --host 127.0.0.1 --port 8000

# The bundled example scenario, run once from the command line.
example: install
	$(BIN)/scenarist run src/scenarist/examples/orders.yaml \
		--input @src/scenarist/examples/orders-input.json

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing Debian packages:$$missing (their tests skip; CI=true fails them)"; fi; \
	fi

# pytest exits 5 when it collects no test: that is not a failure of the suite.
test: install system-deps web
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: install $(WEB)/node_modules/.package-lock.json
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	cd $(WEB) && node_modules/.bin/tsc -b

bench: install system-deps web
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/w2_batch.py
	$(BIN)/python bench/w1_webhook.py
	cd bench && ../$(BIN)/python handoffs.py
	$(BIN)/python bench/ui_budget.py

# Node-RED beside ours, for the ratios (bench/peers.md): NODE_RED_DIR names a folder where node-red is installed.
bench-peers: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/peer_nodered.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEBUI) tests/web/artifacts
