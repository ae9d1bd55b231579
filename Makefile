# The project's workflows: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install system-deps run example test lint bench clean

# Debian packages the tests start themselves (an IMAP server for the e-mail app).
SYSTEM_PACKAGES := dovecot-imapd


$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The product on the embedded default: SQLite in ./data, in-process workers and scheduler.
# Loopback is allowed as an egress destination so that local demos can call local servers
# (the product's own default refuses it; set SCENARIST_EGRESS_ALLOW to override).
run: install
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
test: install system-deps
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/w2_batch.py
	$(BIN)/python bench/w1_webhook.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
