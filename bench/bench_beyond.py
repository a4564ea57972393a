"""Benchmark: beyond gradient flow on diagonal networks.

1. The SGD sweep of the issue, 20 steps x 10 batch sizes x 10 seeds at d = 1000, N = 100, as
   one compiled vmapped program (`sgd_sweep`), against a per-run loop of `gradient_descent`
   (the same engine, one run per call) and against plain NumPy SGD (a Python loop per step).
   Every route runs the same number of steps per run; the loop and NumPy routes are timed on
   a subset of runs and scaled to the 2,000 (said in the table). Agreement: the sweep's runs
   equal the loop's (same draws), NumPy's full-batch GD equals the engine's.
2. The saddle-to-saddle limit (`saddle_to_saddle`) against one `flow_limit` path of 20 alphas
   at the same size.
3. The classification flow to a training loss of 1e-300 (`classification_flow`), its cost.

Run: `.venv/bin/python bench/bench_beyond.py [--quick] [--only sweep|saddles|margins]
[--iterations K]`. `--quick`: d = 200, N = 40, 200 steps; the full run: d = 1000, N = 100,
1,000 steps (K overrides the steps per run).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from rich.console import Console
from rich.table import Table

import kernelrich  # noqa: F401  (float64)
from kernelrich.bias import min_l1
from kernelrich.datasets import sparse_regression
from kernelrich.diagonal import flow_limit, gradient_descent, saddle_to_saddle, sgd_sweep


def _timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - start, time.process_time() - cpu, out


def numpy_sgd(X, y, alpha, step, steps, batch, seed):
    """Plain NumPy SGD on the MSE of w_+^2 - w_-^2 (what a per-paper script does)."""
    rng = np.random.default_rng(seed)
    N, d = X.shape
    wp, wm = np.full(d, alpha), np.full(d, alpha)
    for _ in range(steps):
        idx = rng.choice(N, batch, replace=False) if batch < N else np.arange(N)
        r = X[idx] @ (wp**2 - wm**2) - y[idx]
        g = 2 / batch * (X[idx].T @ r)
        wp, wm = wp * (1 - 2 * step * g), wm * (1 + 2 * step * g)
    return wp**2 - wm**2


def sweep(d, N, iterations, console):
    X, y, _ = sparse_regression(d, N, 5, 0.0, seed=0)
    steps = np.geomspace(0.002, 0.05, 20)
    batches = np.unique(np.linspace(1, N, 10).round().astype(int)).tolist()
    seeds = list(range(10))
    runs = len(steps) * len(batches) * len(seeds)

    def vmapped():
        return sgd_sweep(X, y, 0.1, steps=steps, batch_sizes=batches, seeds=seeds,
                         iterations=iterations, chunk=iterations)

    t_first, c_first, _ = _timed(vmapped)
    t_sweep, c_sweep, result = _timed(vmapped)
    console.print(f"sgd_sweep: {t_sweep:.2f} s wall, {c_sweep:.2f} s CPU (first call "
                  f"{t_first:.2f} s); {int(result.diverged.sum())} of {runs} runs diverged")
    subset = [(i, j, k) for i in (0, 19) for j in range(0, len(batches), 3) for k in (0, 9)]

    def one(i, j, k):
        try:
            return gradient_descent(X, y, 0.1, step=float(steps[i]), steps=iterations,
                                    loss="mean", batch_size=batches[j], seed=seeds[k],
                                    chunk=iterations)
        except FloatingPointError:  # the sweep flags the same run as diverged
            return None

    def loop():
        return [one(i, j, k) for i, j, k in subset]

    t_cold, _, _ = _timed(loop)  # compiles each (batch size, step count) shape once
    t_loop, c_loop, singles = _timed(loop)
    same_flags = all((r is None) == bool(result.diverged[idx])
                     for r, idx in zip(singles, subset, strict=True))
    agree = max((float(np.abs(r.beta - result.beta[idx]).max())
                 for r, idx in zip(singles, subset, strict=True) if r is not None), default=0.0)
    console.print(f"per-run loop: {t_loop:.2f} s wall for {len(subset)} runs ({t_cold:.2f} s "
                  f"on the first pass, with its compilations); max |beta - "
                  f"sweep's| {agree:.1e}; divergence flags agree: {same_flags}")
    n_np = len(subset)  # the loop's runs: every batch size in the subset, both step ends
    with np.errstate(over="ignore", invalid="ignore"):  # the diverging runs, as in the sweep
        t_np, c_np, _ = _timed(lambda: [numpy_sgd(X, y, 0.1, steps[i], iterations, batches[j],
                                                  seeds[k]) for i, j, k in subset])
    gd_np = numpy_sgd(X, y, 0.1, steps[0], iterations, N, 0)
    gd_jax = gradient_descent(X, y, 0.1, step=float(steps[0]), steps=iterations, loss="mean",
                              chunk=iterations).beta
    scale_loop, scale_np = runs / len(subset), runs / n_np
    table = Table(title=f"SGD sweep: {len(steps)} steps x {len(batches)} batch sizes x "
                        f"{len(seeds)} seeds = {runs} runs, d = {d}, N = {N}, {iterations} "
                        "steps each")
    for col in ("route", "wall (s)", "CPU (s)", "vs vmapped (wall)", "note"):
        table.add_column(col)
    table.add_row("sgd_sweep (one vmapped program)", f"{t_sweep:.2f}", f"{c_sweep:.2f}", "1",
                  f"first call with compile: {t_first:.2f} s wall")
    table.add_row("per-run loop of gradient_descent", f"{t_loop * scale_loop:.1f}",
                  f"{c_loop * scale_loop:.1f}", f"{t_loop * scale_loop / t_sweep:.1f}x",
                  f"{len(subset)} runs timed (compiled), x {scale_loop:.0f}; first pass "
                  f"{t_cold * scale_loop:.0f} s; max |beta - sweep's| "
                  f"{agree:.1e} over the converging ones; divergence flags agree: {same_flags}")
    table.add_row("plain NumPy SGD", f"{t_np * scale_np:.1f}", f"{c_np * scale_np:.1f}",
                  f"{t_np * scale_np / t_sweep:.1f}x",
                  f"the loop's {n_np} runs timed, x {scale_np:.0f}; full-batch GD "
                  f"equals the engine's to {np.abs(gd_np - gd_jax).max():.1e}")
    console.print(table)


def saddles(d, N, console):
    X, y, _ = sparse_regression(d, N, 5, 0.0, seed=0)
    alphas = np.logspace(0, -8, 20)
    t_s, c_s, path = _timed(lambda: saddle_to_saddle(X, y))
    t_f, c_f, _ = _timed(lambda: flow_limit(X, y, alphas))
    table = Table(title=f"The saddle-to-saddle limit against one flow_limit path, d = {d}, "
                        f"N = {N}")
    for col in ("route", "wall (s)", "CPU (s)", "note"):
        table.add_column(col)
    l1 = min_l1(X, y)
    gap = np.abs(path.betas[-1] - l1).max() / np.abs(l1).max()
    table.add_row("saddle_to_saddle", f"{t_s:.3f}", f"{c_s:.3f}",
                  f"{len(path.times) - 1} saddles; |last - min-l1|_inf / |min-l1|_inf = "
                  f"{gap:.1e}")
    table.add_row("flow_limit, 20 alphas 1 .. 1e-8", f"{t_f:.3f}", f"{c_f:.3f}",
                  f"ratio {t_f / t_s:.1f}x")
    console.print(table)


def margins(d, N, console):
    from kernelrich.diagonal import classification_flow

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, d))
    y = np.sign(X[:, 0] + 0.1)
    losses = [1e-3, 1e-30, 1e-100, 1e-300]
    t, c, path = _timed(lambda: classification_flow(X, y, 0.1, losses=losses))
    t2, c2, _ = _timed(lambda: classification_flow(X, y, 0.1, losses=losses))
    table = Table(title=f"Classification flow (exponential loss, alpha = 0.1) saved at losses "
                        f"1e-3 .. 1e-300, d = {d}, N = {N}; margins reached "
                        + ", ".join(f"{g:.4g}" for g in path.margin))
    for col in ("call", "wall (s)", "CPU (s)", "solver steps"):
        table.add_column(col)
    table.add_row("first call", f"{t:.2f}", f"{c:.2f}", str(path.num_steps))
    table.add_row("second call", f"{t2:.2f}", f"{c2:.2f}", str(path.num_steps))
    console.print(table)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["sweep", "saddles", "margins"])
    parser.add_argument("--iterations", type=int, help="SGD steps per run (default: 200 with "
                        "--quick, else 1,000)")
    args = parser.parse_args()
    console = Console()
    console.print(f"{platform.processor() or platform.machine()}, {platform.python_version()}")
    d, N, iterations = (200, 40, 200) if args.quick else (1000, 100, 1000)
    iterations = args.iterations or iterations
    if args.only in (None, "sweep"):
        sweep(d, N, iterations, console)
    if args.only in (None, "saddles"):
        saddles(d, N, console)
    if args.only in (None, "margins"):
        margins(d, N, console)


if __name__ == "__main__":
    main()
