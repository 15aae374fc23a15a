# Two entry points, each self-contained on a machine with only Python:
#   make answers  - create .venv, install, run every derivation and check, write build/answers.tex
#   make test     - create .venv, install with the test extra, run the test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: answers test check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

answers: $(STAMP)
	$(PY) -m derivations check
	$(PY) -m derivations latex -o build/answers.tex

test: $(STAMP)
	$(PY) -m pytest

check: $(STAMP)
	$(PY) -m derivations check

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
