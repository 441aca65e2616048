# Finds a Python >= 3.12 by itself (Mesa 3.5 needs it), makes .venv, installs, runs.
#   make run    install and run the main job on built-in defaults: a sweep of the four
#               regimes x rivalry x issue types (scenarios/quick.toml) into results/quick,
#               then its report with every figure (results/quick/report/report.html)
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

# --resume: a second `make run` finishes an interrupted sweep, or just prints the summary
run: install
	$(VENV)/bin/multilat sweep scenarios/quick.toml --out results/quick --resume
	$(VENV)/bin/multilat report results/quick

test: install
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV)
