# The two set-up commands of README.md: `make demo` and `make test`.
# Both create .venv with Python 3.12 (found on PATH or through pyenv) and install
# livedata with every extra before doing anything else.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# A Python 3.12 that really runs (a pyenv shim may exist without the version active).
PYTHON312 := $(shell for c in \
	"$$(command -v pyenv >/dev/null && ls -d "$$(pyenv root)"/versions/3.12*/bin/python 2>/dev/null | sort -V | tail -n1)" \
	python3.12 python3; do \
	[ -n "$$c" ] && "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo "$$c"; break; }; \
	done)

.PHONY: demo test test-fast lint bench venv

venv: $(STAMP)

$(STAMP): pyproject.toml setup.py
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (install it, e.g. pyenv install 3.12)"; exit 1; }
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/livedata demo

# The whole suite, slow and integration tests included (what CI runs).
test: $(STAMP)
	$(PY) -m ruff check livedata tests
	$(PY) -m pytest -m "" -q

# The quick everyday run: slow tests excluded.
test-fast: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check livedata tests
	$(PY) -m ruff format --check livedata tests

bench: $(STAMP)
	$(VENV)/bin/livedata bench detector
