# Liuzhuan (流转) — everyday commands. See README.md.
#
#   make run     venv + migrate + admin + demo org + deploy bpmn/ + demo data, then serve on 127.0.0.1:$PORT (5000)
#   make dev     the same, with Flask's debug server instead of gunicorn
#   make test    the whole test suite, 2 workers (PostgreSQL tests skip when 127.0.0.1:5432 is unreachable)
#   make bench   issue 12's benchmark table, measured in one run (bench/summary.py; about 7 minutes)
#   make lint    ruff + mypy
#   make lock    re-resolve the dependency ranges into constraints.txt (the versions make venv installs)
#
# Environment, passed straight through to app.py / gunicorn: PORT (default 5000), DATABASE_URL
# (default sqlite:///instance/liuzhuan.db; a postgresql:// URL works the same),
# LIUZHUAN_ADMIN_PASSWORD, LIUZHUAN_DEMO_PASSWORD.

SHELL := /bin/bash

# python3.11 when it is installed (and actually runs: a pyenv shim may exist without the version), else python3.
PYTHON ?= $(shell for p in python3.11 python3; do if $$p -c 'import sys' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp

ASSETS_STAMP := frontend/dist/.stamp
ASSET_SOURCES := frontend/package.json frontend/package-lock.json frontend/build.mjs $(shell find frontend/src -type f 2>/dev/null)

.PHONY: venv setup run run-scaled dev test bench lint lock assets i18n system-deps test-deps

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# System packages (graphviz, a CJK font, node/npm; chromium for the tests — DESIGN.md §5):
# installed with apt-get when missing and root, otherwise the script says what to install.
system-deps:
	scripts/system-deps.sh run

test-deps:
	scripts/system-deps.sh test

# Browser assets (bpmn-js, form-js, htmx from the npm registry), rebuilt when a source changes.
assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): $(ASSET_SOURCES) | system-deps
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build
	touch $@

# UI translations: i18n/<locale>/*.po -> translations/<locale>/LC_MESSAGES/messages.mo
i18n: venv
	$(BIN)/python scripts/compile_i18n.py

# Reinstall only when pyproject.toml or constraints.txt is newer than the stamp. constraints.txt
# holds the exact versions the suite last passed with, so a fresh clone installs what was tested,
# not whatever the registries serve that day.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -c constraints.txt -e '.[dev]'
	touch $@

# Re-resolve pyproject.toml's version ranges in a throwaway venv and write the result to
# constraints.txt; then `make test`, and commit both when it is green.
lock:
	rm -rf $(VENV).lock && $(PYTHON) -m venv $(VENV).lock
	$(VENV).lock/bin/python -m pip install -e '.[dev]'
	{ sed -n '1,2p' constraints.txt; $(VENV).lock/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf $(VENV).lock

# Idempotent: migrations, admin, demo data and deployment all leave existing records alone.
setup: venv assets i18n
	$(BIN)/python app.py init-db
	$(BIN)/python app.py create-admin
	$(BIN)/python app.py demo
	$(BIN)/python app.py deploy-all
	$(BIN)/python app.py demo-data

# One gunicorn process with 8 threads: the embedded default runs its timer/notification loop
# inside the web process, so several worker processes would each run one. The scaled setup
# (PostgreSQL + Redis + Celery beat for the timer tick) can use more workers.
run: setup
	@echo "Liuzhuan: open http://127.0.0.1:$${PORT:-5000}/ and log in as admin or one of the demo users above"
	LIUZHUAN_TIMERS=inprocess exec $(BIN)/gunicorn --workers 1 --threads 8 --bind 127.0.0.1:$${PORT:-5000} 'app:serve_app()'

# The scaled setup (DESIGN.md §5): PostgreSQL + Redis, several gunicorn processes, two Celery workers
# and one beat (Procfile, run by honcho). The web processes run no timer loop: beat sends the tick.
SCALED_DB ?= postgresql://postgres@127.0.0.1:5432/liuzhuan
SCALED_BROKER ?= redis://127.0.0.1:6379/0

run-scaled: export DATABASE_URL ?= $(SCALED_DB)
run-scaled: export LIUZHUAN_BROKER ?= $(SCALED_BROKER)
run-scaled: export LIUZHUAN_TIMERS = off
run-scaled: venv
	$(BIN)/python scripts/ensure_pg_db.py "$$DATABASE_URL"
	$(MAKE) setup
	@echo "Liuzhuan (scaled): http://127.0.0.1:$${PORT:-5000}/ on $$DATABASE_URL, broker $$LIUZHUAN_BROKER"
	exec $(BIN)/honcho start -f Procfile

dev: setup
	exec $(BIN)/flask --app 'app:create_app()' run --debug --host 127.0.0.1 --port $${PORT:-5000}

# Two pytest-xdist workers (TEST_WORKERS=0: one process); pytest's own settings are in pyproject.toml.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: pytest then keeps its rewritten
# test modules in __pycache__ and the next run's collection is about twice as fast.
TEST_WORKERS ?= 2

test: venv test-deps assets i18n
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -rs -n $(TEST_WORKERS) --dist loadgroup

# Each script prints its own table as it runs; summary.py ends with issue 12's table (figure |
# measured | target | met). PostgreSQL / Redis rows say "skipped" when 127.0.0.1 has neither.
bench: venv
	$(BIN)/python bench/summary.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
