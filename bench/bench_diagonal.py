"""Benchmark: the exact gradient-flow limit of diagonal networks, against the public practice
and against the cost of one Hessian formation.

1. `limit`: `flow_limit` on a warm path of 20 alphas at N = 100, d = 1000 (the papers'
   size) vs the public practice, NumPy gradient descent on the mean squared error with step
   1e-3 (halved until it does not diverge), stopped at train MSE < 1e-4, one run per alpha:
   time per alpha, the ratio, and the distance of each to the true limit (the reduced flow
   ODE integrated to t = 1e6 at rtol 1e-12).
2. `scaling`: `flow_limit` on 20 alphas at N = 100, 300, 1000 with d = 30 N, beside the
   cost of one Hessian formation X diag(s) X^T by BLAS syrk at the same size (one thread,
   like `flow_limit`): wall and CPU time per alpha and their ratio to one syrk. With
   `--jax`, also the JAX route (`backend="jax"`) on JAX's default device.
3. `trajectory`: the reduced N-dimensional flow ODE (`gradient_flow`) vs the generic
   diffrax solve of the 2d-dimensional parameter ODE (`parameter_flow`).

The machine's load average is printed with every table: on a shared machine wall times
grow with the load, CPU times much less.

Run: `.venv/bin/python bench/bench_diagonal.py [--quick] [--only limit|scaling|trajectory]
[--jax] [--sizes 100,300,1000]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import scipy.linalg.blas
import threadpoolctl
from rich.console import Console
from rich.table import Table

import kernelrich
from kernelrich.datasets import sparse_regression
from kernelrich.diagonal import flow_limit, gradient_flow, parameter_flow


def _timed(fn, repeat: int = 1):
    """(best wall time, best CPU time over `repeat` calls, last result)."""
    wall, cpu, out = np.inf, np.inf, None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu, out


def _load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _gd_numpy(X, y, alpha, step=1e-3, stop=1e-4, max_steps=10_000_000):
    """The public practice, in NumPy: GD on (1/N) ||X (w+^2 - w-^2) - y||^2 from w+- =
    alpha, stopped at MSE < stop; the step is halved and GD restarted if it diverges.
    Returns (beta, steps run, step used)."""
    N, d = X.shape
    while True:
        wp, wm = np.full(d, alpha), np.full(d, alpha)
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(max_steps):
                r = X @ (wp * wp - wm * wm) - y
                mse = (r @ r) / N
                if mse < stop:
                    return wp * wp - wm * wm, k, step
                if not np.isfinite(mse) or mse > 1e30:
                    break
                g = (4 * step / N) * (X.T @ r)
                wp, wm = wp - g * wp, wm + g * wm
            else:
                return wp * wp - wm * wm, max_steps, step
        step /= 2


def limit_vs_gd(d, N, n_alphas, gd_alphas, console):
    X, y, _ = sparse_regression(d, N, 5, 0.1, seed=0)
    alphas = np.logspace(-3, 1, n_alphas)
    # GD on `gd_alphas` of them, evenly spread in log alpha (both ends included): its time
    # per alpha is the mean over those
    sub = np.unique(np.linspace(0, n_alphas - 1, min(gd_alphas, n_alphas)).round().astype(int))
    first, _, _ = _timed(lambda: flow_limit(X, y, alphas))
    wall, cpu, ours = _timed(lambda: flow_limit(X, y, alphas), repeat=50)
    reference = np.array([
        gradient_flow(X, y, a, times=np.array([0.0, 1e6]), rtol=1e-12, atol=1e-14).beta[-1]
        for a in alphas])
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        gd_wall, gd_cpu, runs = _timed(lambda: [_gd_numpy(X, y, a) for a in alphas[sub]])
    gd_dist = [np.linalg.norm(b - r) / np.linalg.norm(r)
               for (b, _, _), r in zip(runs, reference[sub], strict=True)]
    our_dist = [np.linalg.norm(b - r) / np.linalg.norm(r) for b, r in zip(ours, reference,
                                                                          strict=True)]
    steps = sum(k for _, k, _ in runs)
    used = ", ".join(sorted({f"{s:g}" for _, _, s in runs}))
    table = Table(title=f"flow limit vs the public practice: d={d}, N={N}, r*=5, {n_alphas} "
                  f"alphas in [1e-3, 10] ({_load()})")
    for col in ["route", "wall / alpha", "CPU / alpha", "median rel. distance to the limit",
                "max"]:
        table.add_column(col)
    table.add_row(f"NumPy GD on the MSE, step {used}, to MSE < 1e-4 ({steps:,} steps, 1 "
                  f"BLAS thread; {len(sub)} of the {n_alphas} alphas)",
                  f"{gd_wall / len(sub):.3f} s", f"{gd_cpu / len(sub):.3f} s",
                  f"{np.median(gd_dist):.1e}", f"{np.max(gd_dist):.1e}")
    table.add_row(f"kernelrich flow_limit, warm path (first call {first * 1e3:.0f} ms)",
                  f"{wall / n_alphas * 1e3:.2f} ms", f"{cpu / n_alphas * 1e3:.2f} ms",
                  f"{np.median(our_dist):.1e}", f"{np.max(our_dist):.1e}")
    table.add_row("ratio GD / ours, per alpha", f"{gd_wall / len(sub) / (wall / n_alphas):,.0f}x",
                  f"{gd_cpu / len(sub) / (cpu / n_alphas):,.0f}x",
                  f"{np.median(gd_dist) / np.median(our_dist):.1e}x", "")
    console.print(table)
    console.print("distances against the reduced flow ODE at rtol 1e-12: ours is an upper "
                  "bound set by the ODE's accuracy")


def _syrk(X, slope):
    """One Hessian formation X diag(s) X^T by BLAS syrk (the columns scaled by sqrt(s),
    then the rank-d update)."""
    root = X * np.sqrt(slope)
    return scipy.linalg.blas.dsyrk(1.0, root.T, trans=1)


def scaling(sizes, n_alphas, use_jax, console):
    table = Table(title=f"flow_limit on {n_alphas} alphas in [1e-3, 10] vs one Hessian "
                  f"formation (syrk, 1 thread), d = 30 N ({_load()})")
    for col in ["N", "d", "route", "wall / alpha", "CPU / alpha", "one syrk (wall / CPU)",
                "ratio wall", "ratio CPU", "Hessians formed", "max KKT residual"]:
        table.add_column(col)
    alphas = np.logspace(-3, 1, n_alphas)
    for N in sizes:
        d = 30 * N
        X, y, _ = sparse_regression(d, N, 5, 0.1, seed=0)
        slope = np.random.default_rng(1).uniform(0.5, 2.0, d)
        repeat = 3 if N <= 300 else 1
        with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
            s_wall, s_cpu, _ = _timed(lambda X=X, s=slope: _syrk(X, s), repeat=3)
        routes = [("numpy", repeat)] + ([("jax", repeat)] if use_jax else [])
        for backend, rep in routes:
            if backend == "jax":
                flow_limit(X, y, alphas, backend="jax")  # compile
            wall, cpu, out = _timed(lambda X=X, y=y, b=backend: flow_limit(
                X, y, alphas, backend=b, full_output=True), repeat=rep)
            table.add_row(str(N), str(d), backend, f"{wall / n_alphas:.4f} s",
                          f"{cpu / n_alphas:.4f} s", f"{s_wall:.4f} / {s_cpu:.4f} s",
                          f"{wall / n_alphas / s_wall:.2f}", f"{cpu / n_alphas / s_cpu:.2f}",
                          str(out.factorisations), f"{out.residual.max():.1e}")
    console.print(table)
    console.print("ratio = time per alpha / one syrk at the same size; the JAX route's CPU "
                  "time is the host's (its device time is inside the wall time)")


def reduced_vs_parameter(d, N, console):
    X, y, _ = sparse_regression(d, N, 5, 0.1, seed=1)
    times = np.geomspace(1e-2, 1e3, 30)
    rows = []
    for name, fn in [("reduced N-dim ODE (gradient_flow)", gradient_flow),
                     ("parameter 2d-dim ODE (parameter_flow)", parameter_flow)]:
        t_first, _, _ = _timed(lambda fn=fn: fn(X, y, 0.1, times=times))
        t, _, path = _timed(lambda fn=fn: fn(X, y, 0.5, times=times), repeat=2)
        rows.append((name, t_first, t, path))
    gap = np.abs(rows[0][3].beta - rows[1][3].beta).max() / np.abs(rows[1][3].beta).max()
    table = Table(title=f"flow trajectory: d={d}, N={N}, alpha=0.5, 30 save times in "
                  f"[1e-2, 1e3], rtol 1e-10, atol 1e-12 ({_load()})")
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
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes (limit: d=200, N=40; scaling: N=100)")
    parser.add_argument("--only", choices=["limit", "scaling", "trajectory"],
                        help="run one part only")
    parser.add_argument("--jax", action="store_true", help="scaling: also the JAX route")
    parser.add_argument("--sizes", default="100,300,1000", help="scaling: the values of N")
    parser.add_argument("--gd-alphas", type=int, default=20,
                        help="limit: run GD on this many of the 20 alphas (spread evenly)")
    args = parser.parse_args()
    console = Console(width=160)
    console.print(f"kernelrich {kernelrich.__version__}, numpy {np.__version__}, "
                  f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
                  "float64")
    if args.only in (None, "limit"):
        limit_vs_gd(*((200, 40, 10) if args.quick else (1000, 100, 20)), args.gd_alphas,
                    console)
    if args.only in (None, "scaling"):
        sizes = [100] if args.quick else [int(n) for n in args.sizes.split(",")]
        scaling(sizes, 20, args.jax, console)
    if args.only in (None, "trajectory"):
        reduced_vs_parameter(*((50, 10) if args.quick else (200, 40)), console)


if __name__ == "__main__":
    main()
