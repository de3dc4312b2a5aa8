# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 5000
WORKERS ?= 2

.PHONY: run test test-browser install install-test translations extract update-translations lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# .mo files are built, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | sed 's/^/  /'

run: install translations
	$(BIN)/survey db upgrade
	$(BIN)/survey demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) 'survey:create_app()'

test: install-test translations
	$(BIN)/pytest

test-browser: install-test translations
	$(BIN)/pytest -m browser

# Extraction is deterministic (sorted, no dates that change): tests compare the committed template.
extract: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping-file babel.cfg --sort-by-file --no-wrap \
		--omit-header --keywords _l --output-file translations/messages.pot survey templates

update-translations: extract
	$(BIN)/pybabel update --input-file translations/messages.pot --output-dir translations \
		--no-wrap --ignore-obsolete

lint: install-test
	$(BIN)/ruff check survey tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
	find translations -name '*.mo' -delete
