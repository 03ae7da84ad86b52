# ballast — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WHEELS := ../shared/wheels

.PHONY: demo test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@if ls $(WHEELS)/quickfix-*.whl >/dev/null 2>&1; then \
		$(BIN)/pip install --quiet $(WHEELS)/quickfix-*.whl || echo "quickfix wheel not installable here; FIX tests will skip"; \
	fi
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ballast demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: lint
	bash .ci/ensure-chromium
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/ledger.py
	$(BIN)/python benchmarks/rebalance_core.py
	$(BIN)/python benchmarks/rebalance.py
	$(BIN)/python benchmarks/construct.py
	$(BIN)/python benchmarks/compliance.py
	$(BIN)/python benchmarks/execution.py
	$(BIN)/python benchmarks/reports.py
	$(BIN)/python benchmarks/backtest.py
	$(BIN)/python benchmarks/api.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info ballast-demo.db ballast-demo
