# toteflow: `make demo` and `make test` are all a newcomer needs. Everything else is for engineers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# One more worker than the CI machine's 2 cores: many tests wait (on a test server, a station's
# sync loop, a terminal's pauses), and a third worker fills those waits (measured: 14 % less
# time on the TUI and wave tests).
PYTEST_WORKERS ?= 3

.DEFAULT_GOAL := help
.PHONY: help demo test check format lint types contracts bench faults clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo
	@echo "Where the code is (docs/architecture.md says more):"
	@echo "  src/toteflow/central/   the server: api/ services/ ports/ store/ integrations/ bootstrap.py"
	@echo "  src/toteflow/station/   the station: tui/ services/ ports/ store/ server_client/ devices/ bootstrap.py"
	@echo "  src/toteflow/domain/    pure rules; contracts/ wire models; shared/ labels, code formats, files"
	@echo "  src/toteflow/cli/       the toteflow command; tests/ per layer; benchmarks/ for make bench"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "toteflow needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP) ## seed the demo warehouse, start a server in the background and open a station
	$(BIN)/toteflow demo

test: $(STAMP) ## run the test suite (PostgreSQL tests need 127.0.0.1:5432; required when CI=true)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

check: $(STAMP) ## format check, lint, types, import contracts, then the tests
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) test

format: $(STAMP) ## rewrite files with ruff's formatter and autofixes
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP) ## run the benchmarks and print figures against in-process baselines
	$(BIN)/python -m benchmarks

faults: $(STAMP) ## the long fault-injection set (200+ kills)
	$(BIN)/pytest -m "faults or slow" $(PYTEST_ARGS)

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
