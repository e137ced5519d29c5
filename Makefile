# Every target creates .venv on first use; nothing else needs to be installed beforehand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test check lint types format demo bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# Bytecode for the package, as pip writes it for an installed (not editable) one.
	$(PY) -m compileall -q dhenara_http
	@touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# mypy --strict on the package, then mypy --strict and pyright (strict) on the documentation's code blocks and
# examples/, as users' code.
types: $(STAMP)
	$(PY) -m mypy
	$(PY) scripts/check_docs.py --pyright

check: lint types test

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# make demo ARGS=--mock (or DHENARA_HTTP_DEMO=mock make demo): every turn on the mock server, whatever keys are set.
demo: $(STAMP)
	$(PY) examples/demo.py $(ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
