# Jurisdesk: `make run` starts the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench soak screenshots samples clean system-run system-test lock \
	bundle bundle-test

# Exact versions and hashes from the lock files (see requirements/README.md); nothing else is
# downloaded, so every checkout installs the same packages.
LOCKS := requirements/dev.lock requirements/build.lock

$(STAMP): pyproject.toml setup.py $(LOCKS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Jurisdesk needs Python 3.11 or newer; found $$($(PYTHON) --version)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
		{ echo "Cannot create $(VENV): install python3-venv (sudo apt-get install python3-venv)."; exit 1; }
	$(PY) -m pip install --quiet --require-hashes --no-deps $(addprefix -r ,$(LOCKS))
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

system-run:
	@scripts/system-packages run

system-test:
	@scripts/system-packages test

# The demo database, in its own file: a user's own database is never touched by `make run`.
run: system-run $(STAMP)
	$(VENV)/bin/jurisdesk --demo

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

# The installable one-folder bundle, dist/Jurisdesk/ (docs/installing.md): built in a fresh
# environment from requirements/runtime.lock and build.lock only, then tested from a copy
# outside the repository with a bare environment.
bundle:
	PYTHON=$(PYTHON) scripts/build-bundle

bundle-test: system-test bundle
	scripts/bundle-test dist/Jurisdesk

# New versions of the dependencies: see requirements/README.md.
lock:
	scripts/update-locks

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
