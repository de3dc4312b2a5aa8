# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# What QR codes and printed links point at; a phone on your network needs your machine's address.
export SURVEY_BASE_URL ?= http://$(HOST):$(PORT)
WORKERS ?= 2
# Synthetic survey answers the demo gets on its first run (a re-run adds none).
DEMO_RESPONSES ?= 6000
# gunicorn kills a worker silent for 30 s by default; the inspector's desk over a whole province's
# year on SQLite takes longer at a million responses (benchmarks/desk.py), so allow two minutes.
TIMEOUT ?= 120

.PHONY: run test test-browser install install-test lock translations extract update-translations lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies come from the lock files, pinned and hashed (`make lock` writes them from the ranges
# in pyproject.toml); the project itself goes on top, editable, without touching them.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# pip-tools lives in a virtualenv of its own, so that it never mixes with the app's packages.
# Pins that the ranges still allow are kept; `make lock LOCK_OPTIONS=--upgrade` takes the newest.
LOCK_VENV    ?= .venv-lock
LOCK_OPTIONS ?=
PIP_COMPILE   = $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links $(LOCK_OPTIONS)

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip pip-tools

# The test lock is constrained by the runtime lock: both install the same versions.
lock: | $(LOCK_VENV)/bin/pip-compile
	$(PIP_COMPILE) --output-file requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra test --constraint requirements.txt --output-file requirements-test.txt \
		pyproject.toml

# .mo files are built, never committed. Fuzzy entries are left out (English text is shown instead).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics --directory translations

run: install translations
	$(BIN)/survey db upgrade
	$(BIN)/survey demo --if-empty --responses $(DEMO_RESPONSES)
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --timeout $(TIMEOUT) --bind $(HOST):$(PORT) 'survey:create_app()'

# Branch coverage of the suite; [tool.coverage.report] fail_under in pyproject.toml is its floor.
COVERAGE ?= --cov=survey --cov-branch --cov-report=term:skip-covered

test: install-test translations
	$(BIN)/pytest $(COVERAGE)

test-browser: install-test translations
	$(BIN)/pytest -m browser

# Extraction is deterministic: no header (so no creation date), sorted by msgid, no wrapping, file
# names without line numbers (moving code does not change the template). tests/test_translations.py
# reads POT_OPTIONS and POT_SOURCES from here and fails when the committed template is stale.
POT          ?= translations/messages.pot
LOCALES       = vi en
POT_SOURCES   = survey templates
POT_OPTIONS   = --mapping-file babel.cfg --omit-header --sort-output --no-wrap --add-location file \
	--add-comments Translators: --strip-comment-tags \
	--keyword _l --keyword lazy_gettext --keyword _n:1,2 --keyword lazy_ngettext:1,2 \
	--keyword lazy_pgettext:1c,2 --keyword lazy_npgettext:1c,2,3

extract: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract $(POT_OPTIONS) --output-file $(POT).tmp $(POT_SOURCES) \
		|| { rm -f $(POT).tmp; exit 1; }
	mv $(POT).tmp $(POT)

# Adds new messages to each catalog (creating a missing one) and drops removed ones. No fuzzy
# guesses: a new message stays empty (shown in English) until it is translated.
update-translations: extract
	for lang in $(LOCALES); do \
		$(BIN)/pybabel --quiet update --input-file $(POT) --output-dir translations --locale $$lang \
			--no-wrap --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --init-missing || exit 1; \
	done
	@echo "Now translate the entries with an empty msgstr in translations/vi/LC_MESSAGES/messages.po"

# ruff, then mypy (settings and the strict list of pure modules in pyproject.toml); any finding fails.
lint: install-test
	$(BIN)/ruff check survey tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .coverage build dist
	find translations -name '*.mo' -delete
