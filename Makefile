# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install test lint demo bench clean messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Lyceum needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

test: install
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory lint

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

demo: install
	$(BIN)/lyceum demo

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/gateway.py
	$(BIN)/python benchmarks/commands.py
	$(BIN)/python benchmarks/webhooks.py
	$(BIN)/python benchmarks/stats.py
	$(BIN)/python benchmarks/role_burst.py
	$(BIN)/python benchmarks/privacy.py
	$(BIN)/python benchmarks/join_wave.py
	$(BIN)/python benchmarks/qa.py
	$(BIN)/python benchmarks/points.py
	$(BIN)/python benchmarks/drops.py
	$(BIN)/python benchmarks/drops.py --kill

# Re-extract every t()/nt() string into the catalogs (English is the source language).
messages: install
	$(BIN)/pybabel extract --no-default-keywords -k t -k nt:1,2 --no-location --sort-output \
		--project=lyceum -o bot/core/locale/lyceum.pot bot cogs
	$(BIN)/pybabel update --no-fuzzy-matching -l en -D lyceum -d bot/core/locale \
		-i bot/core/locale/lyceum.pot || $(BIN)/pybabel init -l en -D lyceum \
		-d bot/core/locale -i bot/core/locale/lyceum.pot

clean:
	rm -rf $(VENV) demo-data .pytest_cache .mypy_cache .ruff_cache
