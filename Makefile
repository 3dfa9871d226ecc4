# Alliés — `make run` to try it, `make test` to check it.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(PY) -m flask --app wsgi
CATALOGS := app/translations
STAMP := $(VENV)/.installed
# Test processes side by side (pytest-xdist); each has its own database (SQLite file, or <db>_gwN on PostgreSQL).
TEST_WORKERS ?= auto

.PHONY: install run test translations compile-translations clean bench bench-exports

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) compile-translations

compile-translations: $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -d $(CATALOGS)

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port 5000

# SQLite first; with TEST_DATABASE_URL, PostgreSQL-only tests wait for the PostgreSQL pass instead of skipping,
# and the checks of rendered HTML that the database kind cannot change (marked `once`) are not run again there.
test: install
	@markers=""; if [ -n "$$TEST_DATABASE_URL" ]; then markers="not postgres"; fi; \
	env -u TEST_DATABASE_URL REQUIRE_PG= $(PY) -m pytest -n $(TEST_WORKERS) -m "$$markers"
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL pass: $$TEST_DATABASE_URL"; $(PY) -m pytest -n $(TEST_WORKERS) -m "not once"; \
	elif [ "$$REQUIRE_PG" = "1" ]; then \
		echo "REQUIRE_PG=1 but TEST_DATABASE_URL is not set"; exit 1; \
	else echo "TEST_DATABASE_URL is not set: the PostgreSQL pass is skipped."; fi

translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project Alliés -o $(CATALOGS)/messages.pot .
	$(VENV)/bin/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete
	$(PY) scripts/fill_english_catalog.py

clean:
	rm -rf $(VENV) build *.egg-info

# Load benchmark (bench/README.md): throw-away PostgreSQL database, gunicorn, wrk (Debian's, installed if missing).
bench: install
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || true
	$(PY) bench/load.py

# Export benchmark (bench/README.md): 100,000 sign-ups in each format against the raw library floor.
bench-exports: install
	$(PY) bench/exports.py
