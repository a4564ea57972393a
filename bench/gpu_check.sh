#!/usr/bin/env bash
# One-shot GPU check: run on a machine where JAX sees a GPU (the H200 lent by the device tool).
#   bash bench/gpu_check.sh OUTDIR
# 1. which device JAX uses; 2. a subset of the test suite on the GPU (float64);
# 3. the benchmarks that have a compiled JAX route; 4. full-mode wall time of the two long
# figures (mean-field excess loss vs m, Barron error vs n), each under a time limit; a run that
# hits the limit leaves its finished points in the store, and the count is printed.
# The machine's own Python must have jax[cuda]; missing pure-CPU packages (cvxpy, ...) are
# installed beforehand from wheels into a folder on PYTHONPATH.
set -u
OUT="${1:?output directory}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
export PYTHONPATH="src:${PYTHONPATH:-}"
PY="${PYTHON:-python3}"

step() {  # step NAME SECONDS CMD... : run with a limit, log to OUT/NAME.txt, print the tail
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" >"$OUT/$name.txt" 2>&1
  local rc=$?
  echo "== $name: rc=$rc, $((SECONDS - t0)) s" | tee -a "$OUT/$name.txt"
  tail -n 25 "$OUT/$name.txt"
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
$PY -c "import jax, kernelrich; print('jax', jax.__version__, jax.devices(), 'x64',
jax.config.jax_enable_x64)" | tee -a "$OUT/gpu.txt"

step tests 110 $PY -m pytest -q -p no:cacheprovider -n 4 -m "not slow" \
  tests/test_diagonal_dynamics.py tests/test_ntk_empirical.py tests/test_ntk_dynamics.py \
  tests/test_meanfield_dynamics.py tests/test_meanfield_models.py tests/test_barron_greedy.py \
  tests/test_matrix_dynamics.py tests/test_matrix_flow.py
step bench_meanfield 60 $PY bench/bench_meanfield.py
step bench_diagonal 60 $PY bench/bench_diagonal.py --only trajectory
step bench_barron 70 $PY bench/bench_barron.py --quick

full() {  # full NAME SECONDS: full-mode run of one experiment, then count stored points
  local store="/tmp/gpu_store_$1"
  step "full_$1" "$2" $PY -c "from kernelrich.cli import app; app()" run "$1" --full \
    --out "$store" --no-progress
  echo "stored points: $(find "$store" -name '*.json' | wc -l)" | tee -a "$OUT/full_$1.txt"
}
full meanfield-excess-loss 120
full barron-approximation 130
