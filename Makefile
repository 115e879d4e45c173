# The two commands: `make run` and `make test`. Everything else they need is set up here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard */locale/*/LC_MESSAGES/messages.po)

.PHONY: setup run test test-sqlite test-postgres lint bench catalogs vendor clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) catalogs vendor

catalogs: $(STAMP)
	@for po in $(CATALOGS); do \
	  $(BIN)/pybabel compile --use-fuzzy -i $$po -o $${po%.po}.mo -l $$(echo $$po | cut -d/ -f3) >/dev/null || exit 1; \
	done

vendor: $(BIN)/python
	$(BIN)/python scripts/vendor_js.py

run: setup
	$(BIN)/council migrate
	$(BIN)/python -m council.demo_if_empty
	$(BIN)/council serve --host 127.0.0.1 --port 8000

# SQLite always; PostgreSQL and Redis too when DATABASE_URL_TEST / REDIS_URL are set.
# Both passes run even when the first fails, so one CI run reports both engines.
test: setup
	@status=0; \
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS) || status=$$?; \
	if [ -n "$$DATABASE_URL_TEST" ]; then \
	  echo "== the suite again on PostgreSQL =="; \
	  COUNCIL_TEST_DB=postgres $(BIN)/pytest -q -p no:cacheprovider -m "not browser" $(PYTEST_ARGS) || status=$$?; \
	fi; \
	exit $$status

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/voting.py
	$(BIN)/python bench/reconnect.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/assistant.py

clean:
	rm -rf $(VENV) var .pytest_cache
