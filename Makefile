# The project's workflows: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Until `scenarist serve` exists, `make run` runs the bundled example scenario.
run: install
	$(BIN)/scenarist run src/scenarist/examples/orders.yaml \
		--input @src/scenarist/examples/orders-input.json

# pytest exits 5 when it collects no test: that is not a failure of the suite.
test: install
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/w2_batch.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
