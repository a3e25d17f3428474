# Help — every target sets itself up: a fresh machine needs only Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# Local runs get a throw-away key; production sets SECRET_KEY itself.
RUN_ENV := DEBUG=$${DEBUG:-true}
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-not-secret}
PORT ?= 8000

.PHONY: install run test lint format messages bench bench-pages bench-sla clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# axe-core for the browser tests' accessibility checks; without npm those tests skip.
node_modules/.installed: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; fi

install: $(STAMP)

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py load_demo_data
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install node_modules/.installed
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/scale.py

bench-pages: install
	$(BIN)/python bench/queue_pages.py
	$(BIN)/python bench/work_pages.py

bench-sla: install
	$(BIN)/python bench/service_levels.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates --reformat

messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l fr -l en --no-obsolete -i ".venv/*" -i "staticfiles/*" -i "node_modules/*"
	DEBUG=true $(BIN)/python manage.py compilemessages -i ".venv"

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
