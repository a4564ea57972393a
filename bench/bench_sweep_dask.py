"""Benchmark: Woodworth et al. (2020) Figure 1 at paper size, 100 alphas x 100 seeds, on the
Dask executor with chunks, with 1 and 2 workers.

The grid is the paper's (d = 1000, r* = 5, N in {25, 50, 100, 200, 500}) with 100 seeds
per N and a path of 100 alphas in [1e-5, 10] per point: 500 points, 50,000 flow limits,
each point also solving min-l1 (an LP) and min-l2. One point is `woodworth-fig1`'s own
`compute` (imported by reference, so workers run the library code). To keep the run
short, `--seeds S` runs the first S seeds of every N (the same mix of sizes as the whole
grid) and the full sweep's time is extrapolated by 100 / S; the table says which.

Every run writes a fresh store under /tmp/sweeps/bench_fig1/ and checks that no point
failed.

    .venv/bin/python bench/bench_sweep_dask.py [--seeds 4] [--workers 1,2] [--chunk 2]
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from kernelrich.experiments import DaskExecutor, Experiment, Store, grid, run_experiment  # noqa: E402
from kernelrich.papers.woodworth2020._common import log_grid  # noqa: E402

# the module (the package's `_fig1` name is its Experiment)
_fig1 = importlib.import_module("kernelrich.papers.woodworth2020._fig1")

ROOT = Path("/tmp/sweeps/bench_fig1")
SIZES = [25, 50, 100, 200, 500]  # Figure 1's N at d = 1000 (`_fig1._sizes(quick=False)`)
SEEDS, ALPHAS = 100, 100


def experiment(n_seeds: int) -> Experiment:
    full = _fig1._sizes(quick=False)

    def points(quick: bool) -> list[dict]:
        return grid(d=[full["d"]], r=[full["r"]], N=full["N"], seed=list(range(n_seeds)),
                    alphas=[log_grid(1e-5, 10, ALPHAS)])

    return Experiment("bench-fig1", "bench", "Figure 1 sweep", "Scaling.", points,
                      _fig1.compute)


def timed(exp: Experiment, workers: int, chunk: int) -> dict:
    root = ROOT / f"dask{workers}"
    shutil.rmtree(root, ignore_errors=True)
    start = time.perf_counter()
    with DaskExecutor(workers, chunk_size=chunk) as dask:
        startup = time.perf_counter() - start
        wall = time.perf_counter()
        summary = run_experiment(exp, store=Store(root), executor=dask, progress=False)
        wall = time.perf_counter() - wall
    assert summary.computed == len(exp.points(True)) and not summary.failed, summary.failed[:1]
    return {"workers": workers, "wall": wall, "startup": startup, "n": summary.computed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="seeds per N actually run")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--chunk", type=int, default=2, help="points per Dask task")
    args = parser.parse_args()
    assert _fig1._sizes(quick=False)["N"] == SIZES
    exp = experiment(args.seeds)
    rows = [timed(exp, int(w), args.chunk) for w in args.workers.split(",")]
    scale = SEEDS / args.seeds
    print(f"Figure 1 at paper size: d = 1000, N in {SIZES}, {ALPHAS} alphas per point; ran "
          f"{args.seeds} of {SEEDS} seeds per N ({rows[0]['n']} of {SEEDS * len(SIZES)} "
          f"points), chunk {args.chunk}, {os.cpu_count()} CPUs, load average "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"{'workers':>7s} {'wall s (run)':>12s} {'s / point':>9s} {'full sweep s':>23s} "
          f"{'speed-up':>8s} {'cluster start s':>15s}")
    for r in rows:
        print(f"{r['workers']:7d} {r['wall']:12.1f} {r['wall'] / r['n']:9.2f} "
              f"{r['wall'] * scale:12.0f} (x{scale:g} extr.) {rows[0]['wall'] / r['wall']:8.2f} "
              f"{r['startup']:15.1f}")


if __name__ == "__main__":
    main()
