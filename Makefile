# Two entry points, each self-contained on a machine with only Python:
#   make answers  - create .venv, install, run every derivation and check, write build/answers.tex
#                   (and build/answers.pdf when pdflatex is installed)
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

# One run: every part is derived and checked once; the table goes to stdout, progress to stderr.
# The PDF is compiled (pdflatex, twice) only when pdflatex is installed.
answers: $(STAMP)
	$(PY) -m derivations latex -o build/answers.tex $$(command -v pdflatex >/dev/null 2>&1 && echo --pdf)

test: $(STAMP)
	$(PY) -m pytest

check: $(STAMP)
	$(PY) -m derivations check

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
