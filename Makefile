# Every target that needs the environment depends on .venv/.installed, so `make demo` and
# `make test` work on a fresh clone: they create .venv and install everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
CONSTRAINTS := constraints.txt

.PHONY: install demo test bench lint docs figures clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml $(CONSTRAINTS)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[torch,dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/jacobian-lab analyze --model dirac --reg jare

test: install
	$(BIN)/python -m pytest -n 2 -q

bench: install
	$(BIN)/python benchmarks/run.py

lint: install
	$(BIN)/ruff check jacobian_lab tests examples benchmarks

# The docs extra (Sphinx, pydata theme, sphinx-gallery, MathJax files, myst-nb) is installed here only.
# FAST=0 (default): gallery scripts in full (about a minute of figures); FAST=1: coarse grids, short runs.
FAST ?= 0
$(VENV)/.docs-installed: $(VENV)/.installed setup.cfg
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[torch,dev,docs]"
	touch $@

docs: $(VENV)/.docs-installed
	JACOBIAN_LAB_FAST=$(FAST) MPLBACKEND=Agg $(BIN)/python -m sphinx -b html -q docs docs/_build/html
	$(BIN)/python docs/_ext/check_offline.py docs/_build/html

figures: install
	$(BIN)/jacobian-lab gallery -o docs/gallery
	OMP_NUM_THREADS=1 $(BIN)/python examples/torch_validation.py -o docs/gallery

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples docs/jupyter_execute build *.egg-info
