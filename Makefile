# The two set-up commands of README.md: `make demo` and `make test`.
#
# Both install exactly uv.lock into .venv (Python 3.12, found on PATH or through
# pyenv) before doing anything else, and re-sync an existing .venv that differs
# from the lock. Why uv: it resolves one lock for the whole project (every extra,
# every transitive package, with hashes) from pyproject.toml, installs it in
# seconds from a cold cache (pip took minutes for the scientific stack), and
# `uv sync --locked` refuses to run when pyproject.toml and the lock disagree.
# uv itself is pinned (UV_VERSION, and `required-version` in pyproject.toml) and
# installed with the 3.12 interpreter's pip into .tools/, so nothing is needed
# beyond Python.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# Never fetch a Python build: use the interpreter found below.
export UV_PYTHON_DOWNLOADS := never
# A Python 3.12 that really runs (a pyenv shim may exist without the version active).
PYTHON312 := $(shell for c in \
	"$$(command -v pyenv >/dev/null && ls -d "$$(pyenv root)"/versions/3.12*/bin/python 2>/dev/null | sort -V | tail -n1)" \
	python3.12 python3; do \
	[ -n "$$c" ] && "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo "$$c"; break; }; \
	done)

.PHONY: demo test test-fast lint bench venv lock versions

$(UV):
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (install it, e.g. pyenv install 3.12)"; exit 1; }
	$(PYTHON312) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -q uv==$(UV_VERSION)

# Every run: a no-op in well under a second when .venv already equals the lock.
venv: $(UV)
	@$(UV) sync -q --locked --all-extras --python $(PYTHON312) || { \
	  echo "uv.lock does not match pyproject.toml (or could not be installed): run 'make lock'"; exit 1; }

# Re-resolve after editing pyproject.toml (keeps existing pins where they still fit);
# `make lock UPGRADE=1` moves every package to the newest release the ranges allow.
lock: $(UV)
	$(UV) lock --python $(PYTHON312) $(if $(UPGRADE),--upgrade,)
	$(MAKE) venv

# The versions of the key packages, for comparing a failing run with a working one.
versions: venv
	@$(PY) -m livedata.core.dependencies

demo: venv
	$(VENV)/bin/livedata demo

# The whole suite, slow and integration tests included (what CI runs).
test: venv
	$(PY) -m ruff check livedata tests tui benchmarks
	$(PY) -m pytest -m "" -q

# The quick everyday run: slow tests excluded.
test-fast: venv
	$(PY) -m pytest -q

lint: venv
	$(PY) -m ruff check livedata tests tui benchmarks
	$(PY) -m ruff format --check livedata tests tui benchmarks

bench: venv
	$(VENV)/bin/livedata bench detector
