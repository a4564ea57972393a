"""Benchmark: the Mercer eigenvalues of the limiting ReLU NTK on S^9 to degree 200 by
`kernelrich.spectrum.mercer_eigenvalues`, against the route a researcher would otherwise
take, the eigendecomposition of the Gram matrix of n = 4,000 uniform points; and a
50-point learning curve by `kernelrich.spectrum.learning_curve`.

Agreement: the Gram eigenvalues of K/n grouped by the degree of the Mercer eigenvalue they
estimate (N(d, k) each), block means against mu_k, for the degrees the Gram resolves.
Times: the spectrum cold (first call in the process: JAX compiles the kernel's tiles) and
warm (best of `--repeats`); the Gram route once (kernel matrix + `numpy.linalg.eigvalsh`).
Usage: `.venv/bin/python bench/bench_spectrum.py [--quick] [--repeats R]`
(`--quick`: n = 1,000 for the Gram route).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import kernelrich  # noqa: F401  (float64)
from kernelrich.spectrum import (
    harmonic_target,
    learning_curve,
    mercer_eigenvalues,
    ntk_kernel,
    population_eigenvalues,
    sphere_points,
)

DIM, DEPTH, BETA, DEGREE = 10, 3, 0.1, 200


def _best(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = 1000 if args.quick else 4000
    kernel = ntk_kernel(DIM, depth=DEPTH, bias_std=BETA, radius=np.sqrt(DIM))

    start = time.perf_counter()
    spectrum = mercer_eigenvalues(kernel, DEGREE)
    cold = time.perf_counter() - start
    warm, spectrum = _best(lambda: mercer_eigenvalues(kernel, DEGREE), args.repeats)
    rel = spectrum.relative_errors
    print(f"Mercer eigenvalues, ReLU NTK depth {DEPTH}, beta {BETA}, S^{DIM - 1}, degrees "
          f"0..{DEGREE}: cold {cold:.2f} s, warm {warm * 1e3:.0f} ms (best of "
          f"{args.repeats}), {spectrum.nodes} nodes; error estimates: max relative "
          f"{rel.max():.1e} (degree {int(rel.argmax())}), <= 1e-10 up to degree "
          f"{int(np.argmax(rel > 1e-10)) - 1}, sum rule kappa(1) - sum N mu = "
          f"{spectrum.tail_mass / spectrum.kappa_one:.2e} of kappa(1) (the degrees above)")

    X = sphere_points(n, DIM, radius=np.sqrt(DIM), seed=0)
    start = time.perf_counter()
    K = kernel.matrix(X)
    built = time.perf_counter() - start
    lam = np.linalg.eigvalsh(K)[::-1] / n
    gram = time.perf_counter() - start
    counts = np.cumsum(spectrum.multiplicities)
    top = int(np.searchsorted(counts, n // 8, side="right")) - 1  # blocks ending below n/8
    values, degrees = population_eigenvalues(spectrum, int(counts[top]))
    rows = [f"k={k}: {lam[:values.size][degrees == k].mean() / spectrum.eigenvalues[k] - 1:+.1e}"
            for k in range(top + 1)]
    print(f"Gram route, n = {n}: {gram:.2f} s (kernel matrix {built:.2f} s, eigvalsh "
          f"{gram - built:.2f} s); ratio Gram / Funk-Hecke (warm) {gram / warm:.0f}x, "
          f"(cold) {gram / cold:.1f}x; the Gram resolves degrees 0..{top}: block mean / "
          f"mu_k - 1: {', '.join(rows)}")

    target = harmonic_target(DIM, {1: 1.0, 2: 0.5, 3: 0.25}, anchors=500, radius=np.sqrt(DIM))
    ns = np.geomspace(10, 3000, 50)
    curve_time, curve = _best(lambda: learning_curve(spectrum, target, ns), args.repeats)
    print(f"learning curve, 50 sizes n in [10, 3000], ridgeless: {curve_time * 1e3:.1f} ms "
          f"(best of {args.repeats}); test error {curve.test_error[0]:.3f} at n = 10, "
          f"{curve.test_error[-1]:.2e} at n = 3000")


if __name__ == "__main__":
    main()
