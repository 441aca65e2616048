# Finds a Python >= 3.12 by itself (Mesa 3.5 needs it), makes .venv, installs, runs.
#   make run    install and run the main job on built-in defaults
#   make test   install and run the whole test suite
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python

.PHONY: run test install clean

$(VENV)/.installed: pyproject.toml
	@PYTHON=$$(scripts/find-python) || exit 1; \
	echo "using $$PYTHON ($$($$PYTHON --version))"; \
	$$PYTHON -m venv $(VENV) && \
	$(PY) -m pip install --quiet --upgrade pip && \
	$(PY) -m pip install --quiet -e '.[test]' && touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/multilat run scenarios/baseline.toml --out results/baseline

test: install
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV)
