# Alliés — `make run` to try it, `make test` to check it.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(PY) -m flask --app wsgi
CATALOGS := app/translations
# What running needs (`pip install -e .`), then what testing needs on top (`pip install -e '.[test]'`).
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 5000
# Seconds between two passes of the mail worker `make run` starts beside the server.
MAIL_INTERVAL ?= 2
# Test processes side by side (pytest-xdist); each has its own database (SQLite file, or <db>_gwN on PostgreSQL).
# Tests are handed out two at a time, the long ones first (tests/conftest.py), so the processes finish together.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --maxschedchunk 2
# Bytecode caches are written even where the environment asks not to: each test process, and each server or command
# the tests start, would otherwise compile the app and rewrite the tests' assertions again (7 s → 3 s per process).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install install-run run demo-reset test translations compile-translations clean bench bench-exports

$(RUN_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	$(PIP) install --quiet -e '.[test]'
	touch $(TEST_STAMP)

# Running: the app and its catalogs. Developing: the test tools (pytest, Playwright…) too.
install-run: $(RUN_STAMP) compile-translations
install: $(TEST_STAMP) compile-translations

compile-translations: $(RUN_STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -d $(CATALOGS)

# The server and, beside it, the outbox worker that prints each mail (console backend in development);
# Ctrl-C stops both. Links in mails written outside a request point at the port served.
run: export ALLIES_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install-run
	$(FLASK) allies-db upgrade
	$(FLASK) demo load
	@echo "Outbox worker: sends the mails every $(MAIL_INTERVAL) s (in development they are printed here)."
	@$(FLASK) outbox send --loop --interval $(MAIL_INTERVAL) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Start the demo afresh: a new embedded SQLite database (instance/allies.sqlite3), migrated, demo loaded.
demo-reset: install-run
	@if [ -n "$$DATABASE_URL" ]; then echo "DATABASE_URL is set: demo-reset only resets the embedded SQLite database."; exit 1; fi
	rm -f instance/allies.sqlite3 instance/allies.sqlite3-journal instance/allies.sqlite3-wal instance/allies.sqlite3-shm
	$(FLASK) allies-db upgrade
	$(FLASK) demo load

# SQLite first; with TEST_DATABASE_URL, PostgreSQL-only tests and those best run there (the hostile-input net, marked
# `postgres_pass`) wait for the PostgreSQL pass instead, and the checks that the database kind cannot change (rendered
# HTML, the access matrix: marked `once`) are not run again there.
test: install
	$(VENV)/bin/ruff check --isolated --select F app
	$(VENV)/bin/lint-imports --no-cache
	@markers=""; if [ -n "$$TEST_DATABASE_URL" ]; then markers="not postgres and not postgres_pass"; fi; \
	env -u TEST_DATABASE_URL REQUIRE_PG= $(PYTEST) -m "$$markers"
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL pass: $$TEST_DATABASE_URL"; $(PYTEST) -m "not once"; \
	elif [ "$$REQUIRE_PG" = "1" ]; then \
		echo "REQUIRE_PG=1 but TEST_DATABASE_URL is not set"; exit 1; \
	else echo "TEST_DATABASE_URL is not set: the PostgreSQL pass is skipped."; fi

translations: $(RUN_STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project Alliés -o $(CATALOGS)/messages.pot .
	$(VENV)/bin/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete
	$(PY) scripts/fill_english_catalog.py

clean:
	rm -rf $(VENV) build *.egg-info

# Load benchmark (bench/README.md): throw-away PostgreSQL database, gunicorn, wrk (Debian's, installed if missing).
bench: install-run
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || true
	$(PY) bench/load.py

# Export benchmark (bench/README.md): 100,000 sign-ups in each format against the raw library floor.
bench-exports: install-run
	$(PY) bench/exports.py
