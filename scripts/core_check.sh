#!/usr/bin/env bash
# The core install: a virtual environment with `pip install .` only (no extras) imports and
# runs the numerical packages, and a missing extra is named (tests/test_core.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
rm -rf .venv-core
"$PY" -m venv .venv-core
.venv-core/bin/python -m pip install --quiet --upgrade pip
.venv-core/bin/python -m pip install --quiet . pytest
.venv-core/bin/python -m pytest -p no:cacheprovider -q tests/test_core.py
