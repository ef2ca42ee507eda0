# Two commands for a newcomer: `make demo` serves a demo fair, `make test` runs every test.
# Both set up what they need: a virtualenv, the package, the zbar library, Chromium for browser tests.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export FAIR_INSTANCE ?= $(CURDIR)/instance
PORT   ?= 5000

.PHONY: demo test test-postgres setup system-deps test-deps serve translations clean help

help:
	@echo "make demo   - set up, create the demo fair and serve it on http://0.0.0.0:$(PORT)/"
	@echo "make test   - set up and run the whole test suite (browser tests included)"
	@echo "make test-postgres - the suite but the browser tests on a throwaway PostgreSQL 15"
	@echo "make translations - update the Thai catalog after changing user-visible strings"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

# The tests run with the optional [semantic] extra (the embedding model) too; one test
# (test_matching_works_when_the_embedding_package_cannot_be_imported) covers its absence.
$(VENV)/.test-installed: $(VENV)/.installed setup.cfg
	$(BIN)/pip install --quiet -e '.[test,semantic]'
	@touch $@

# pyzbar needs the zbar shared library; Debian/Ubuntu get it from apt when it is missing.
system-deps:
	@scripts/install-system-deps

setup: system-deps $(VENV)/.installed

demo: setup
	$(BIN)/fair init
	$(BIN)/fair demo
	$(BIN)/fair serve --port $(PORT)

test-deps: $(VENV)/.test-installed
	@scripts/install-system-deps --browser

# pytest runs the browser code's unit tests too (tests/js/*.test.mjs under node, by tests/js/test_node_suite.py).
test: system-deps test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same tests (not the browser ones, which drive a served SQLite fair) on PostgreSQL:
# the one FAIR_TEST_DATABASE_URL names, else a throwaway one (scripts/postgres-for-tests,
# Debian's postgresql package, installed when missing) started and stopped around the run.
test-postgres: system-deps test-deps
	@if [ -n "$$FAIR_TEST_DATABASE_URL" ]; then \
	  $(BIN)/python -m pytest --ignore=tests/browser $(PYTEST_ARGS); \
	else \
	  url=$$(scripts/postgres-for-tests start) || exit 1; \
	  trap 'scripts/postgres-for-tests stop' EXIT; \
	  FAIR_TEST_DATABASE_URL=$$url $(BIN)/python -m pytest --ignore=tests/browser $(PYTEST_ARGS); \
	fi

# pybabel comes with Flask-Babel, a dependency of the package.
$(BIN)/pybabel: | $(BIN)/python
	$(BIN)/pip install --quiet -e .

# After adding or changing a user-visible string: run this (extract, merge into the Thai catalog),
# translate the new entries in fair/translations/th/LC_MESSAGES/messages.po, then run it again to
# compile. tests/test_translations.py fails until the catalog is complete and compiled.
translations: $(BIN)/pybabel
	$(BIN)/pybabel extract -F babel.cfg -k _l -o fair/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i fair/translations/messages.pot -d fair/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d fair/translations

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
