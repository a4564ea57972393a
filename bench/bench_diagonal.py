"""Benchmark: the exact gradient-flow limit of diagonal networks against the public practice.

1. `flow_limit` on a path of 20 alphas vs gradient descent on the mean squared error with
   step 1e-3 (or the largest stable step, halving from 1e-3), stopped at train MSE < 1e-4,
   one run per alpha: wall time and distance to the true limit.
2. The reduced N-dimensional flow ODE (`gradient_flow`) vs the generic diffrax solve of the
   2d-dimensional parameter ODE (`parameter_flow`), same times and tolerances.

Run: `.venv/bin/python bench/bench_diagonal.py [--quick] [--only limit|trajectory]`.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from rich.console import Console
from rich.table import Table

import kernelrich
from kernelrich.datasets import sparse_regression
from kernelrich.diagonal import flow_limit, gradient_descent, gradient_flow, parameter_flow


def _timed(fn, repeat: int = 1):
    """(best wall time over `repeat` calls, last result)."""
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _gd_public(X, y, alpha):
    """The public practice: GD on the MSE, step 1e-3 halved until stable, stop at MSE < 1e-4."""
    step = 1e-3
    while True:
        try:
            run = gradient_descent(X, y, alpha, step=step, steps=50_000_000, loss="mean",
                                   stop_loss=1e-4, chunk=2000)
            return run, step
        except FloatingPointError:
            step /= 2


def limit_vs_gd(d, N, n_alphas, console):
    X, y, _ = sparse_regression(d, N, 5, 0.1, seed=0)
    alphas = np.logspace(-3, 1, n_alphas)
    t_first, _ = _timed(lambda: flow_limit(X, y, alphas))
    t_ours, ours = _timed(lambda: flow_limit(X, y, alphas), repeat=3)
    # Independent reference: the reduced flow ODE integrated to t = 1e6 at tight tolerance.
    reference = np.array([
        gradient_flow(X, y, a, times=np.array([0.0, 1e6]), rtol=1e-12, atol=1e-14).beta[-1]
        for a in alphas])
    gradient_descent(X, y, 1.0, step=1e-3, steps=10, loss="mean", chunk=2000)  # compile
    gd_time, gd_dist, our_dist, steps_used, gd_steps = 0.0, [], [], [], 0
    for alpha, beta, ref in zip(alphas, ours, reference, strict=True):
        t, (run, step) = _timed(lambda a=alpha: _gd_public(X, y, a))
        gd_time += t
        gd_steps += run.steps_run
        steps_used.append(step)
        gd_dist.append(np.linalg.norm(run.beta - beta) / np.linalg.norm(beta))
        our_dist.append(np.linalg.norm(beta - ref) / np.linalg.norm(ref))
    table = Table(title=f"flow limit vs GD practice: d={d}, N={N}, r*=5, {n_alphas} alphas "
                  f"in [1e-3, 10]")
    for col in ["route", "wall time (s)", "median rel. distance to the true limit",
                "max rel. distance"]:
        table.add_column(col)
    table.add_row("GD on MSE, step " + ", ".join(sorted({f"{s:g}" for s in steps_used}))
                  + f", to MSE<1e-4 ({gd_steps} steps)", f"{gd_time:.2f}",
                  f"{np.median(gd_dist):.2e}", f"{np.max(gd_dist):.2e}")
    table.add_row("kernelrich flow_limit (warm path)", f"{t_ours:.4f} (first call {t_first:.4f})",
                  f"{np.median(our_dist):.2e}", f"{np.max(our_dist):.2e}")
    table.add_row("ratio GD / ours", f"{gd_time / t_ours:.0f}x",
                  f"{np.median(gd_dist) / np.median(our_dist):.1e}x",
                  f"{np.max(gd_dist) / np.max(our_dist):.1e}x")
    console.print(table)
    console.print("our distance is measured against the reduced flow ODE at rtol 1e-12: it is "
                  "an upper bound set by the ODE's accuracy")


def reduced_vs_parameter(d, N, console):
    X, y, _ = sparse_regression(d, N, 5, 0.1, seed=1)
    times = np.geomspace(1e-2, 1e3, 30)
    rows = []
    for name, fn in [("reduced N-dim ODE (gradient_flow)", gradient_flow),
                     ("parameter 2d-dim ODE (parameter_flow)", parameter_flow)]:
        t_first, _ = _timed(lambda fn=fn: fn(X, y, 0.1, times=times))
        t, path = _timed(lambda fn=fn: fn(X, y, 0.5, times=times), repeat=2)
        rows.append((name, t_first, t, path))
    gap = np.abs(rows[0][3].beta - rows[1][3].beta).max() / np.abs(rows[1][3].beta).max()
    table = Table(title=f"flow trajectory: d={d}, N={N}, alpha=0.5, 30 save times in "
                  f"[1e-2, 1e3], rtol 1e-10, atol 1e-12")
    for col in ["route", "first call incl. compile (s)", "wall time (s)", "solver steps"]:
        table.add_column(col)
    for name, t_first, t, path in rows:
        table.add_row(name, f"{t_first:.2f}", f"{t:.3f}", str(path.num_steps))
    table.add_row("ratio parameter / reduced", f"{rows[1][1] / rows[0][1]:.1f}x",
                  f"{rows[1][2] / rows[0][2]:.1f}x", "")
    console.print(table)
    console.print(f"max relative gap between the two trajectories: {gap:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (d=200, N=40)")
    parser.add_argument("--only", choices=["limit", "trajectory"], help="run one part only")
    args = parser.parse_args()
    console = Console(width=140)
    console.print(f"kernelrich {kernelrich.__version__}, numpy {np.__version__}, "
                  f"{platform.processor() or platform.machine()}, float64")
    if args.only != "trajectory":
        limit_vs_gd(*((200, 40, 10) if args.quick else (1000, 100, 20)), console)
    if args.only != "limit":
        reduced_vs_parameter(*((50, 10) if args.quick else (200, 40)), console)


if __name__ == "__main__":
    main()
