# Two entry points, each self-contained on a machine with only Python:
#   make answers  - create .venv, install, run every derivation and check, write the solution set
#                   build/answers.tex and the verification report build/verification.tex (and their
#                   PDFs when pdflatex is installed)
#   make test     - create .venv, install with the test extra, run the test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: answers test check clean bench reliability mutation

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

# Benchmarks against scikit-learn/SciPy, the scaling figure, derive check and test-suite times
# (benchmarks/results/). OPENBLAS_CORETYPE/L2_SIZE are unset for this command only: they slow a
# current NumPy (the BLAS kernel that ran is recorded in each result file).
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) -m benchmarks.run_all bench

# False alarms of every numeric check under 200 seeds and the power of each against planted
# errors (long: about half an hour on two cores); results in benchmarks/results/.
reliability: $(STAMP)
	$(PY) -m benchmarks.run_all reliability

# Mutation testing (not part of CI; about three hours on two cores for every default module, a few
# minutes for one): sampled mutants of numerics/, derivations/chain.py, points.py, links.py, runner.py,
# answercheck/ and notation/, each against the tests that import its module; results in
# benchmarks/results/mutation.md. MUTATION_ARGS="--modules numerics.kde --sites 30" narrows it;
# MUTATION_ARGS="--survivors-only" re-runs only the survivors of the last run after tests were added.
mutation: $(STAMP)
	$(PY) -m benchmarks.mutation $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
