#!/usr/bin/env bash
# The oldest JAX stack pyproject.toml allows (pinned in .ci/constraints-min.txt): the
# numerical test modules, fast subset, in their own virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv-min/bin/python ]; then
  "$PY" -m venv .venv-min
  .venv-min/bin/python -m pip install --quiet --upgrade pip
fi
.venv-min/bin/python -m pip install --quiet -c .ci/constraints-min.txt -e ".[test]"
.venv-min/bin/python -c "import jax, equinox, diffrax; print('jax', jax.__version__, \
'equinox', equinox.__version__, 'diffrax', diffrax.__version__)"
export OPENBLAS_NUM_THREADS=1
.venv-min/bin/python -m pytest -n 2 -p no:cacheprovider -q -m "not slow" "$@" \
  tests/test_core.py tests/test_cache.py tests/test_bias.py tests/test_diagonal_limit.py \
  tests/test_diagonal_dynamics.py tests/test_ntk_infinite.py tests/test_ntk_empirical.py \
  tests/test_ntk_dynamics.py tests/test_lazy_core.py tests/test_lazy_dynamics.py \
  tests/test_matrix_dynamics.py tests/test_matrix_flow.py tests/test_meanfield_dynamics.py \
  tests/test_meanfield_models.py tests/test_barron_models.py tests/test_barron_greedy.py
