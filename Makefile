# Allied Responses: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The demo accounts' password for `make run`; override with DEMO_PASSWORD=... make run
DEMO_PASSWORD ?= allied-demo-2026
export DEMO_PASSWORD

.DEFAULT_GOAL := help
.PHONY: help install messages run setup serve test lint format migrations-check check-deploy bench scan load backup restore compose-smoke clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# The compiled catalogues (.mo) are built here, never committed: each follows its .po file.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
%.mo: %.po | $(VENV)/.installed
	$(PY) scripts/compile_messages.py

install: $(VENV)/.installed $(MO_FILES) ## Create the virtual environment, install requirements(-dev).txt and compile the translations (only what is missing)

messages: install ## After changing user-facing strings: update every language's catalogues (then translate the new entries)
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=.venv-scan --ignore=staticfiles --ignore=tests --ignore=benchmarks
	$(PY) manage.py makemessages --all --no-obsolete -d djangojs --ignore=.venv --ignore=staticfiles --ignore=static/vendor --ignore=tests

setup: install ## Migrate, load countries and the questionnaire, seed the demo data
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_countries
	$(PY) manage.py load_questionnaire
	$(PY) manage.py seed_demo

run: setup ## Set everything up and serve on http://127.0.0.1:8000 (with workers when REDIS_URL is set)
	@./scripts/serve.sh

test: install ## Run the whole test suite (prints which database and broker it used)
	$(PY) -m pytest

lint: install ## ruff check and format check, the apps' layering (import-linter) and types (mypy)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install ## Fail if a model change has no migration
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: install ## Django's deployment checklist against the production settings
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
		$(PY) manage.py check --deploy --fail-level WARNING

bench: install ## Benchmarks: comparison page and report build with 50 countries (prints figures)
	cd benchmarks && ../$(PY) comparison.py && ../$(PY) report_build.py

scan: install ## Security scan (wapiti, own venv .venv-scan) of the app on 127.0.0.1, a few minutes; reports in test-artifacts/security-scan/
	VENV=$(VENV) ./scripts/security_scan.sh

load: install ## Load test on 127.0.0.1: 250 staff autosaving + 20 analysts comparing (gunicorn, PostgreSQL, Redis)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	VENV=$(VENV) ./benchmarks/load_surge.sh

backup: install ## Back up the database (pg_dump custom format, or SQLite's online backup) into backups/, named by the time
	$(PY) manage.py backup --dir backups

restore: install ## Replace the configured database with a backup: make restore FILE=backups/....dump CONFIRM=yes
	@test -n "$(FILE)" || { echo "Name the backup: make restore FILE=backups/... CONFIRM=yes"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(filter yes,$(CONFIRM)),--yes,)

compose-smoke: install ## The compose stack built and run in containers on a throwaway Docker engine, driven over HTTP (root; COMPOSE_SMOKE=skip where no engine can run)
	./scripts/compose_smoke/run.sh

clean: ## Remove the virtual environment, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
