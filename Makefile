# Two commands for a fresh machine (see README.md): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST_PORT ?= 127.0.0.1:8000

.PHONY: run test lint format audit bench backup restore clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (PYTHON=$(PYTHON))."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# The benchmarks' own tools (locust) on top of the dev ones; only `make bench` needs them.
$(VENV)/.installed-bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed

# The app on SQLite (db.sqlite3) with the seed article loaded, at http://127.0.0.1:8000/admin/.
run: export DEBUG = true
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py runserver $(HOST_PORT)

# axe-core, which the browser tests inject into pages to check their accessibility (package-lock.json pins it).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm is not installed: the browser tests' accessibility checks will be skipped."; fi

# The whole suite; on PostgreSQL when DATABASE_URL names one, else on SQLite.
test: $(VENV)/.installed-dev node_modules/.installed
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Known vulnerabilities in the pinned dependencies, from PyPI's advisory data (needs to reach pypi.org).
audit: $(VENV)/.installed-dev
	$(BIN)/pip-audit --requirement requirements.txt --requirement requirements-dev.txt --no-deps --disable-pip --progress-spinner off

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every benchmark, on the PostgreSQL server of DATABASE_URL: the API at CLAIMS synthetic claims and the
# exports at VERDICTS published fact-checks, each in a database of its own (factcheck_bench_<claims>,
# kept for the next run), the import of IMPORT_RECORDS ClaimReview records into a fresh one
# (factcheck_bench_import), similar-claim lookups and database connections (a pool or not) at CLAIMS claims, a load test at CLAIMS claims
# (LOAD_USERS users reading and writing at once for LOAD_SECONDS seconds, with a lost-write check) and
# the extractor's quality on the seed article, and reading articles from saved pages (ARTICLE_PAGES);
# figures go to bench-results.json.
CLAIMS ?= 100000
VERDICTS ?= $(CLAIMS)
IMPORT_RECORDS ?= 20000
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
bench: $(VENV)/.installed-bench
	@test -n "$(DATABASE_URL)" || { echo "make bench needs DATABASE_URL=postgres://... (its server hosts the benchmark database)."; exit 1; }
	rm -f bench-results.json
	$(BIN)/python -m bench.api --claims $(CLAIMS)
	$(BIN)/python -m bench.export --verdicts $(VERDICTS)
	$(BIN)/python -m bench.imports --records $(IMPORT_RECORDS)
	$(BIN)/python -m bench.similar --claims $(CLAIMS)
	$(BIN)/python -m bench.pool --claims $(CLAIMS)
	$(BIN)/python -m bench.load --claims $(CLAIMS) --users $(LOAD_USERS) --seconds $(LOAD_SECONDS)
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.article_text

# A pg_dump custom-format archive of the PostgreSQL database in DATABASE_URL, written to
# BACKUP_DIR/factcheck-<UTC time>.dump; its path is printed. `make restore FILE=...` restores one in a
# single transaction, into an empty database, or over the app's tables with FORCE=1. See bin/database.
BACKUP_DIR ?= backups
backup:
	@BACKUP_DIR="$(BACKUP_DIR)" bin/database backup

restore:
	@FORCE="$(FORCE)" bin/database restore "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles node_modules
