"""Benchmark: one greedy step (the multi-start single-unit search) at d = 20, N = 10,000.

Ours: `kernelrich.barron.search_unit`, Adam on the profiled objective for all restarts at
once, compiled with `jax.jit`. Baselines, in the same run, on the same starts:

- `numpy loop`: the same Adam iterations, restart by restart, in plain NumPy (the same
  envelope gradient, un-vectorised over restarts, un-compiled);
- `scipy L-BFGS-B`: restart by restart, `scipy.optimize.minimize` on the same profiled
  objective and gradient (NumPy), at most the same number of iterations.

Also reports the wall time of the full-mode error-vs-n experiment (`--full-figure`, long)
or of its quick mode, and (`--full-points`) the wall and CPU time of single full-mode points
of every Barron experiment (the largest and the smallest of each), from which the full runs
are estimated. Run:
`.venv/bin/python bench/bench_barron.py [--quick] [--full-figure] [--full-points]`.
"""

from __future__ import annotations

import argparse
import time

import jax.numpy as jnp
import numpy as np
import scipy.optimize

import kernelrich  # noqa: F401  (float64)
from kernelrich.barron import initial_units, search_unit, uniform_ball
from kernelrich.barron._greedy import _pad
from kernelrich.experiments import Store, run_experiment
from kernelrich.papers.barron1993 import _approximation, _estimation, _fixed_basis
from kernelrich.papers.barron1993._common import make_target


def _mixture_np(rr, ru, rv, uu, uv, vv, bound):
    """NumPy twin of `_search._best_mixture` for one unit (alpha optimised)."""
    def q(a, c):
        return rr + 2 * a * ru - 2 * c * rv + a * a * uu - 2 * a * c * uv + c * c * vv
    cands = []
    det = uu * vv - uv**2
    if det > 1e-12 * uu * vv:
        a, c = (uv * rv - ru * vv) / det, (uu * rv - uv * ru) / det
        if 0 <= a <= 1 and abs(c) <= bound * a:
            cands.append((q(a, c), a, c))
    c1 = float(np.clip((rv + uv) / vv, -bound, bound)) if vv > 0 else 0.0
    cands.append((q(1.0, c1), 1.0, c1))
    for s in (1.0, -1.0):
        ww = uu - 2 * s * bound * uv + bound**2 * vv
        a = float(np.clip((s * bound * rv - ru) / ww, 0, 1)) if ww > 0 else 0.0
        cands.append((q(a, s * bound * a), a, s * bound * a))
    return min(cands)


def _profile_np(theta, X, w, r, u, rr, ru, uu, bound, search=False):
    v = 0.5 * (1 + np.tanh(0.5 * (X @ theta[:-1] + theta[-1])))
    wv = w * v
    value, alpha, c = _mixture_np(rr, ru, wv @ r, uu, wv @ u, wv @ v, bound)
    g = -2 * c * (r + alpha * u - c * v) * wv * (1 - v)
    if search and c == 0:  # a start that cannot improve turns towards the residual
        g = -np.sign(wv @ r) * r * wv * (1 - v)
    return value, np.concatenate([X.T @ g, [g.sum()]])


def _adam_np(theta, args, steps, lr=0.1):
    m, s = np.zeros_like(theta), np.zeros_like(theta)
    best = (np.inf, theta)
    for i in range(steps):
        v, g = _profile_np(theta, *args, search=True)
        best = min(best, (v, theta.copy()), key=lambda t: t[0])
        m, s = 0.9 * m + 0.1 * g, 0.999 * s + 0.001 * g * g
        theta = theta - lr * (m / (1 - 0.9 ** (i + 1))) / (np.sqrt(s / (1 - 0.999 ** (i + 1)))
                                                           + 1e-12)
    return min(best, (_profile_np(theta, *args)[0], theta), key=lambda t: t[0])[0]


def _timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bench_step(N, d, restarts, steps, baseline_restarts, repeats):
    f = make_target("ridges", d)
    X = uniform_ball(N, d, seed=0)
    h = np.asarray(f(X)) - float(f(np.zeros((1, d)))[0])
    C = f.c_f
    theta0 = initial_units(np.random.default_rng(0), X, restarts)
    Xp = np.pad(_pad(X), ((0, 0), (0, -d % 8)))
    tp = np.concatenate([theta0[:, :d], np.zeros((restarts, Xp.shape[1] - d)),
                         theta0[:, d:]], axis=1)
    w = np.full(N, 1 / N)
    args_j = (jnp.asarray(tp), jnp.asarray(Xp), jnp.asarray(_pad(w)), jnp.asarray(_pad(h)),
              jnp.zeros(Xp.shape[0]), 2 * C, -1.0)

    def ours():
        out = search_unit(*args_j, steps=steps, learning_rate=0.1)
        return float(out.value)

    t = time.perf_counter()
    ours()
    compile_s = time.perf_counter() - t
    t_ours, v_ours = _timed(ours, repeats)
    r, u = h, np.zeros(N)
    np_args = (X, w, r, u, w @ (r * r), 0.0, 0.0, 2 * C)
    sub = theta0[:baseline_restarts]
    t_loop, v_loop = _timed(lambda: min(_adam_np(th, np_args, steps) for th in sub), 1)
    t_loop *= restarts / baseline_restarts

    def lbfgs():
        return min(scipy.optimize.minimize(lambda th: _profile_np(th, *np_args), th, jac=True,
                                           method="L-BFGS-B", options={"maxiter": steps}).fun
                   for th in sub)

    t_lbfgs, v_lbfgs = _timed(lbfgs, 1)
    t_lbfgs *= restarts / baseline_restarts
    return compile_s, [("ours: batched Adam over restarts, jit", t_ours, v_ours),
                       ("numpy loop over restarts (same Adam)", t_loop, v_loop),
                       ("scipy L-BFGS-B loop over restarts", t_lbfgs, v_lbfgs)]


def figure_wall_time(quick: bool, root: str) -> float:
    t = time.perf_counter()
    summary = run_experiment(_approximation.EXPERIMENT, quick=quick, store=Store(root),
                             progress=False)
    if summary.failed:
        raise RuntimeError(summary.failed)
    return time.perf_counter() - t


FULL_POINTS = (
    (_fixed_basis, dict(d=20)), (_fixed_basis, dict(d=1)),
    (_estimation, dict(d=10, N=8192, seed=0)), (_estimation, dict(d=1, N=8192, seed=0)),
    (_estimation, dict(d=1, N=64, seed=0)),
    (_approximation, dict(d=20, target="ridges")), (_approximation, dict(d=1, target="gaussian")),
)


def full_points() -> None:
    """Wall and CPU time of single full-mode points (each in this process: the first of a
    compiled shape includes its compilation)."""
    for module, where in FULL_POINTS:
        config = next(c for c in module.points(False)
                      if all(c[k] == v for k, v in where.items()))
        wall, cpu = time.perf_counter(), time.process_time()
        module.compute(config)
        print(f"{module.EXPERIMENT.name} {where}: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU ({len(module.points(False))} points "
              "in full mode)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer restarts / steps")
    parser.add_argument("--full-figure", action="store_true",
                        help="also time the full-mode error-vs-n experiment (long)")
    parser.add_argument("--full-points", action="store_true",
                        help="only time single full-mode points of every experiment (long)")
    args = parser.parse_args()
    if args.full_points:
        full_points()
        return
    restarts, steps = (16, 50) if args.quick else (32, 200)
    baseline = 2 if args.quick else 4
    for N, d in ((10_000, 20), (1_000, 5)):
        compile_s, rows = bench_step(N, d, restarts, steps, baseline, 1 if args.quick else 3)
        print(f"\nOne greedy step (unit search): d = {d}, N = {N}, {restarts} restarts x {steps} "
              f"Adam steps (baselines timed on {baseline} restarts, scaled to {restarts})")
        print(f"{'route':42s} {'s / step':>10s} {'ratio':>8s} {'best objective':>16s}")
        for name, t, v in rows:
            print(f"{name:42s} {t:10.3f} {t / rows[0][1]:8.1f} {v:16.8g}")
        print(f"(ours: first call incl. compilation {compile_s:.2f} s)")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench_barron_") as root:
        quick_s = figure_wall_time(True, root)
        print(f"error-vs-n experiment, quick mode: {quick_s:.1f} s wall")
        if args.full_figure:
            full_s = figure_wall_time(False, root)
            print(f"error-vs-n experiment, full mode: {full_s:.1f} s wall")


if __name__ == "__main__":
    main()
