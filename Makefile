# Thin targets; the real work is in scripts/ and the `sirbi` command.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo install test lint bench messages clean

# `make demo`: install, migrate, load the demo data (safe to run again), collect the static files, then serve as
# production does: gunicorn (workers: src/sirbi/gunicorn_conf.py) and whitenoise, beside a background worker.
demo: export STATIC_COLLECTED = true
demo: install
	$(BIN)/sirbi migrate --noinput
	$(BIN)/sirbi load_demo
	$(BIN)/sirbi collectstatic --noinput --verbosity 0
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the server and the worker)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	  $(BIN)/sirbi worker & \
	  $(BIN)/gunicorn --config python:sirbi.gunicorn_conf --bind 127.0.0.1:$(PORT) sirbi.wsgi

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# `make test`: lint, the suite on SQLite, on PostgreSQL 15, and the browser journeys in Chromium.
test: install
	bash scripts/test

lint: install
	$(BIN)/ruff check src tests benchmarks

bench: install
	$(BIN)/python benchmarks/registry_import.py
	$(BIN)/python benchmarks/registry_pages.py
	$(BIN)/python benchmarks/stats_aggregate.py
	$(BIN)/python benchmarks/stats_import.py
	$(BIN)/python benchmarks/roadmap_pages.py
	$(BIN)/python benchmarks/catalog_dedup.py
	$(BIN)/python benchmarks/catalog_ingest.py
	$(BIN)/python benchmarks/catalog_search.py
	$(BIN)/python benchmarks/sru_search.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/load.py --postgres

# Refresh the translation catalogs after changing texts (needs GNU gettext), then translate the new entries.
messages: install
	cd src/sirbi && ../../$(BIN)/sirbi makemessages -l es -l pt -l en --no-obsolete --no-location \
	  --ignore 'migrations/*'
	# English is the source language: its catalog repeats the source texts.
	# (msgen keeps old texts, so empty them first.)
	msgfilter --keep-header -i src/sirbi/locale/en/LC_MESSAGES/django.po sed -e d | msgattrib --clear-fuzzy \
	  --clear-previous | msgen - -o src/sirbi/locale/en/LC_MESSAGES/django.po
	cd src/sirbi && ../../$(BIN)/sirbi compilemessages

clean:
	rm -rf $(VENV) node_modules var
