"""Benchmark: mean-field particle gradient descent steps per second, kernelrich.meanfield
(jit-compiled lax.scan, vmapped features) against a NumPy implementation of the same update.

    .venv/bin/python bench/bench_meanfield.py [--quick]

Problem (issue 6): two-layer ReLU network, m = 10,000 particles, d = 100, n = 1,000 samples,
square loss, step in mean-field time; --quick uses m = 1,000. The two routes are checked to
agree (same particles after the timed steps) before the table is printed.
"""

from __future__ import annotations

import argparse
import os
import time

import jax
import numpy as np

import kernelrich.meanfield as mf


def numpy_descent(X, y, w, A, step, num_steps):
    """The same update in NumPy: x_i <- x_i - step * m * grad_{x_i} J_m (vectorised)."""
    w, A = w.copy(), A.copy()
    m, n = len(w), len(y)
    for _ in range(num_steps):
        Z = A @ X.T
        H = np.maximum(Z, 0.0)
        r = (w @ H / m - y) / n
        gw = H @ r
        ga = ((Z > 0) * (w[:, None] * r[None, :])) @ X
        w -= step * gw
        A -= step * ga
    return w, A


def timed(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(quick: bool) -> None:
    m, d, n = (1000 if quick else 10_000), 100, 1000
    steps, step, repeats = 10, 0.5, 3
    model, _ = mf.teacher_student(jax.random.key(0), d, 5, n, "relu")
    init = mf.init_sphere(jax.random.key(1), m, d, radius=1.0)
    X, y = np.asarray(model.X), np.asarray(model.y)
    w0, A0 = np.asarray(init.w), np.asarray(init.theta)

    t = time.perf_counter()
    mf.particle_descent(model, init, step=step, num_steps=steps)
    compile_s = time.perf_counter() - t
    jax_s, path = timed(lambda: mf.particle_descent(model, init, step=step, num_steps=steps),
                        repeats)
    np_s, (w, A) = timed(lambda: numpy_descent(X, y, w0, A0, step, steps), repeats)
    gap = max(np.abs(path.w[-1] - w).max(), np.abs(path.theta[-1] - A).max())
    assert gap < 1e-9, f"routes disagree by {gap}"

    print(f"mean-field particle GD, ReLU, m={m}, d={d}, n={n}, {steps} steps, best of "
          f"{repeats}, float64, {os.cpu_count()} CPUs, jax {jax.__version__} "
          f"({jax.default_backend()}), numpy {np.__version__}")
    print("| route | steps/s | s/step |\n|---|---|---|")
    print(f"| NumPy (vectorised, same update) | {steps / np_s:.2f} | {np_s / steps:.4f} |")
    print(f"| kernelrich.meanfield (jit + scan) | {steps / jax_s:.2f} | {jax_s / steps:.4f} |")
    print(f"ratio (ours / NumPy): {np_s / jax_s:.2f}x; compile + first run {compile_s:.2f} s; "
          f"max |difference| of the particles {gap:.1e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="m = 1,000 instead of 10,000")
    main(parser.parse_args().quick)
