"""Benchmark: deep matrix factorisation (Arora et al. 2019) and its baselines.

1. Steps per second of gradient descent on a depth-3 factorisation, n x n completion:
   kernelrich's compiled loop (`lax.scan` in chunks of 1000) against an equivalent eager
   loop (the same `jax.value_and_grad` and update, dispatched op by op from Python).
2. The min-nuclear-norm baseline (|X_ij - W_ij| <= 1e-3, Arora et al.'s relaxation) with
   SCS and with Clarabel, on the same 40 x 40 instance (and SCS alone at 100 x 100, where
   Clarabel's interior point on the 200 x 200 PSD cone takes far longer).
3. The full-mode wall time of Arora Figure 1 (`arora-fig1`), estimated from a few of its
   points run here (one observation count, every method), times the number of counts.

Wall time (perf_counter) and CPU time (process_time) are both printed: on a shared machine
the wall time is noisy. Run: `.venv/bin/python bench/bench_matrix.py [--quick]`.
"""

from __future__ import annotations

import argparse
import platform
import time

import jax
import numpy as np
from rich.console import Console
from rich.table import Table

import kernelrich  # noqa: F401  (float64)
from kernelrich import matrix as km
from kernelrich.papers.arora2019 import _fig1


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def steps_per_second(n: int, m: int, steps: int, eager_steps: int, console: Console) -> None:
    truth = km.low_rank_truth(0, n, 5)
    problem = km.random_completion(1, truth, m)
    model = km.deep_factors(2, n, 3, 1e-3)
    step = 1.0
    km.gradient_descent(problem, model, step=step, steps=1000, chunk=1000)  # compile
    wall_c, cpu_c, ours = _timed(lambda: km.gradient_descent(problem, model, step=step,
                                                              steps=steps, chunk=1000))
    scale = 1.0 / m
    grad = jax.value_and_grad(km.training_loss)
    jproblem = jax.tree_util.tree_map(jax.numpy.asarray, problem)

    def eager():
        params = model
        for _ in range(eager_steps):
            _, g = grad(params, jproblem, scale)
            params = jax.tree_util.tree_map(lambda p, q: p - step * q, params, g)
        return jax.block_until_ready(params)

    with jax.disable_jit(False):
        eager_w, eager_c, last = _timed(eager)
    ref = km.gradient_descent(problem, model, step=step, steps=eager_steps, chunk=eager_steps)
    agree = np.abs(np.asarray(last.matrix()) - ref.matrix).max()
    table = Table(title=f"GD steps/s, depth 3, {n}x{n} completion, m={m} (same iterates: "
                  f"max |difference| after {eager_steps} steps {agree:.1e})")
    for col in ["loop", "steps", "wall (s)", "cpu (s)", "steps/s (wall)", "steps/s (cpu)"]:
        table.add_column(col)
    rates = []
    for name, k, w, c in [("eager (op-by-op jax)", eager_steps, eager_w, eager_c),
                          ("kernelrich (lax.scan chunks)", steps, wall_c, cpu_c)]:
        rates.append((k / w, k / c))
        table.add_row(name, str(k), f"{w:.2f}", f"{c:.2f}", f"{k / w:.0f}", f"{k / c:.0f}")
    table.add_row("ratio ours / eager", "", "", "", f"{rates[1][0] / rates[0][0]:.0f}x",
                  f"{rates[1][1] / rates[0][1]:.0f}x")
    console.print(table)


def nuclear(n: int, m: int, console: Console, solvers=("SCS", "CLARABEL")) -> None:
    truth = km.low_rank_truth(0, n, 5)
    problem = km.random_completion(1, truth, m)
    table = Table(title=f"min-nuclear-norm baseline, {n}x{n} rank-5 completion, m={m}, "
                  "tol 1e-3")
    for col in ["solver", "status", "wall (s)", "cpu (s)", "||X||_*",
                "max KKT res. (rank tol 1e-4)", "rec. error"]:
        table.add_column(col)
    results = {}
    for solver in solvers:
        w, c, res = _timed(lambda s=solver: km.min_nuclear_norm(problem, tol=1e-3, solver=s))
        results[solver] = (w, res)
        kkt = max(km.kkt_residuals(problem, res, rank_tol=1e-4).values())
        table.add_row(solver, res.status, f"{w:.2f}", f"{c:.2f}", f"{res.nuclear_norm:.6f}",
                      f"{kkt:.1e}", f"{km.reconstruction_error(res.X, truth):.3e}")
    if len(results) == 2:
        (w_scs, scs), (w_cla, cla) = results["SCS"], results["CLARABEL"]
        table.add_row("ratio Clarabel / SCS", "", f"{w_cla / w_scs:.1f}x", "",
                      f"rel. diff {abs(scs.nuclear_norm / cla.nuclear_norm - 1):.1e}", "", "")
    console.print(table)


def figure1(quick: bool, console: Console) -> None:
    full = _fig1.points(False)
    counts = sorted({p["m"] for p in full})
    probe = counts[len(counts) // 2] if not quick else counts[0]
    sample = [p for p in full if p["m"] == probe]
    if quick:  # one depth only, to keep --quick short
        sample = [p for p in sample if p["method"] in ("depth-2", "nuclear")]
    table = Table(title=f"arora-fig1 full mode ({len(full)} points: {len(counts)} counts x "
                  f"{len(full) // len(counts)} methods); measured points at m={probe}")
    for col in ["point", "wall (s)", "cpu (s)", "steps", "error"]:
        table.add_column(col)
    total_w = total_c = 0.0
    for point in sample:
        w, c, out = _timed(lambda p=point: _fig1.compute(p))
        total_w, total_c = total_w + w, total_c + c
        table.add_row(point["method"], f"{w:.1f}", f"{c:.1f}", str(out.get("steps", "-")),
                      f"{out['error']:.2e}")
    scale = len(full) / len(sample)
    table.add_row(f"ESTIMATE: full fig1 = {scale:.0f} x measured", f"{total_w * scale:.0f}",
                  f"{total_c * scale:.0f}", "", "")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["steps", "nuclear", "fig1"])
    args = parser.parse_args()
    console = Console()
    console.print(f"{platform.processor() or platform.machine()}, jax {jax.__version__}, "
                  f"{'quick' if args.quick else 'full'}")
    if args.only in (None, "steps"):
        steps_per_second(100, 2000, 2000 if args.quick else 10_000, 20 if args.quick else 100,
                         console)
    if args.only in (None, "nuclear"):
        nuclear(40, 600, console)
        if not args.quick:  # Clarabel's interior point on the 200 x 200 PSD cone: too slow
            nuclear(100, 2000, console, solvers=("SCS",))
    if args.only in (None, "fig1"):
        figure1(args.quick, console)


if __name__ == "__main__":
    main()
