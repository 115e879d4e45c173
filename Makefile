# The two commands: `make run` and `make test`. Everything else they need is set up here.
PY ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard */locale/*/LC_MESSAGES/messages.po)

.PHONY: setup run test test-sqlite test-postgres lint bench catalogs vendor clean lock

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# constraints.txt pins every package to the versions the suite last passed with, so that a fresh
# clone (and CI) installs what was tested, not whatever was released since. `make lock` renews it.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) catalogs vendor

# Only a catalog newer than its .mo is compiled, into a temporary file moved into place: `make run`
# in a test of one pass must never read a half-written .mo that the other pass is compiling.
catalogs: $(STAMP)
	@for po in $(CATALOGS); do \
	  mo=$${po%.po}.mo; \
	  if [ ! -e "$$mo" ] || [ "$$po" -nt "$$mo" ]; then \
	    $(BIN)/pybabel compile --use-fuzzy -i $$po -o $$mo.$$$$ -l $$(echo $$po | cut -d/ -f3) >/dev/null && mv -f $$mo.$$$$ $$mo || { rm -f $$mo.$$$$; exit 1; }; \
	  fi; \
	done

vendor: $(BIN)/python
	$(BIN)/python scripts/vendor_js.py

# `make run PORT=8123` serves on another port; the site's links follow it (COUNCIL_BASE_URL wins).
run: setup
	$(BIN)/council migrate
	$(BIN)/python -m council.demo_if_empty
	PORT=$(PORT) $(BIN)/council serve --host 127.0.0.1 --port $(PORT)

# SQLite always; PostgreSQL too when DATABASE_URL_TEST is set (the two passes side by side, the
# Redis tests in the PostgreSQL pass when REDIS_URL is set): scripts/run_tests.sh says how.
# Both passes run even when one fails, so one CI run reports both engines.
test: setup
	BIN=$(BIN) scripts/run_tests.sh $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/voting.py
	$(BIN)/python bench/cityday.py
	$(BIN)/python bench/reconnect.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/assistant.py
	$(BIN)/python bench/storage.py
	$(BIN)/python bench/assistant_quality.py
	$(BIN)/python bench/topic_names.py
	$(BIN)/python bench/viewer.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/upload_health.py

# Resolve pyproject.toml's ranges afresh in a scratch venv and pin the result; then run `make test`.
lock:
	rm -rf .lock-venv
	$(PY) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[test]'
	{ sed -n '/^#/p' constraints.txt; .lock-venv/bin/pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var .pytest_cache
