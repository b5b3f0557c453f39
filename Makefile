# The README's two commands: `make demo` (install + build the demo corpus + sample searches)
# and `make test` (the whole test suite; `.ci/run` runs the same).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install system-deps lint bench

$(BIN)/tsunagu: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[all]"
	touch $(BIN)/tsunagu

install: $(BIN)/tsunagu

system-deps:
	bash scripts/system-deps.sh

demo: install
	bash scripts/system-deps.sh libpango-1.0-0 libpangoft2-1.0-0
	$(BIN)/tsunagu demo

test: install
	bash scripts/system-deps.sh chromium libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
	bash .ci/postgres.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
