# Jurisdesk: `make run` starts the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench soak screenshots samples clean system-run system-test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Jurisdesk needs Python 3.11 or newer; found $$($(PYTHON) --version)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
		{ echo "Cannot create $(VENV): install python3-venv (sudo apt-get install python3-venv)."; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

system-run:
	@scripts/system-packages run

system-test:
	@scripts/system-packages test

run: system-run $(STAMP)
	$(VENV)/bin/jurisdesk

test: system-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: system-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks

# The crash harness at length: a thousand writers killed mid-save, then every acknowledged
# save checked; plus the concurrency tests.
soak: system-test $(STAMP)
	JURISDESK_SOAK_KILLS=1000 JURISDESK_SOAK_SECONDS=1800 QT_QPA_PLATFORM=offscreen \
		$(PY) -m pytest -q -p no:xdist tests/test_crash.py tests/test_concurrency.py

screenshots: system-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshots docs/screenshots

samples: system-test $(STAMP)
	$(PY) -m app.reports.samples docs/samples

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
