"""Benchmark: the infinite-width kernels of activations without a closed form, before and after
the variance-adapted quadrature (`kernelrich.ntk._quadrature`).

The old rule is reproduced here as it was: a tensor Gauss-Hermite rule with 64 nodes per axis
after the Cholesky change of variables, used in every layer of the recursion (and on the
diagonal). Both are measured against the adaptive QUADPACK reference of
tests/_adaptive_gaussian.py on its four test points (diagonal, correlation 1 - 5e-7, about
-0.9998, a point of a tenth of the norm), depths 1-4, for input norms |x|^2 / n_0 from 1e-2 to
1e2. Error = max |K - K_ref| / sqrt(K_ref(x, x) K_ref(x', x')) over NNGP and NTK and depths.

Cost: the depth-3 NNGP and NTK between two sets of `--n` Gaussian inputs in R^10 scaled to
|x|^2 / n_0 = 1 and 50 (a cross Gram, so that neither side uses symmetry), best of `--repeats`
calls after a warm-up call (compilation excluded), old rule (row blocks under the same 128 MB
budget) against `infinite_kernels`.

Usage: `.venv/bin/python bench/bench_ntk_quadrature.py [--quick] [--only accuracy|cost]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import kernelrich  # noqa: F401  (float64)
from kernelrich.ntk import infinite_kernels
from kernelrich.ntk._activations import activation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import _adaptive_gaussian as reference  # noqa: E402

BETA = 0.1
OLD_ORDER = 64


def _hermite(order: int):
    x, w = np.polynomial.hermite.hermgauss(order)
    return jnp.asarray(np.sqrt(2.0) * x), jnp.asarray(w / np.sqrt(np.pi))


def _old_dual(act, s11, s22, s12, order=OLD_ORDER):
    """The previous `quadrature_dual`: tensor Gauss-Hermite after the Cholesky whitening."""
    z, w = _hermite(order)
    s11, s22, s12 = jnp.broadcast_arrays(s11, s22, s12)
    r1, r2 = jnp.sqrt(s11), jnp.sqrt(s22)
    positive = (r1 > 0) & (r2 > 0)
    rho = jnp.clip(jnp.where(positive, s12 / jnp.where(positive, r1 * r2, 1.0), 0.0), -1, 1)
    c = jnp.sqrt(jnp.maximum(1 - rho * rho, 0.0))
    u = r1[..., None] * z
    v = r2[..., None, None] * (rho[..., None, None] * z[:, None] + c[..., None, None] * z)
    both = "...i,...ij,i,j->..."
    return (jnp.einsum(both, act(u), act(v), w, w),
            jnp.einsum(both, act.derivative(u), act.derivative(v), w, w))


def _old_diagonal(act, X, depth: int) -> np.ndarray:
    q = [np.sum(X * X, axis=1) / X.shape[1] + BETA**2]
    for _ in range(depth - 2):
        value = np.asarray(_old_dual(act, q[-1], q[-1], q[-1])[0])
        q.append(value + BETA**2)
    return np.stack(q) if depth > 1 else np.zeros((0, len(X)))


def old_kernels(X, depth: int, name: str, X2=None):
    """(NNGP, NTK) with the old rule in every layer, row blocks of at most ~128 MB."""
    act = activation(name)
    X2 = X if X2 is None else X2
    rows = max(1, int(2**27 // (8 * 3 * OLD_ORDER**2 * len(X2))))

    @jax.jit
    def block(A, q_a, q_b):
        sigma = A @ jnp.asarray(X2).T / X.shape[1] + BETA**2
        theta = sigma
        for layer in range(depth - 1):
            value, slope = _old_dual(act, q_a[layer][:, None], q_b[layer][None, :], sigma)
            sigma = value + BETA**2
            theta = theta * slope + sigma
        return sigma, theta

    q, q2 = _old_diagonal(act, X, depth), _old_diagonal(act, X2, depth)
    out = [block(X[i:i + rows], q[:, i:i + rows], q2) for i in range(0, len(X), rows)]
    return tuple(np.concatenate([np.asarray(o[k]) for o in out]) for k in range(2))


def accuracy(names, norms) -> list[tuple]:
    rows = []
    for name in names:
        for norm in norms:
            X = reference.inputs(norm)
            nngp_ref, ntk_ref = reference.kernels(X, 4, name, BETA)
            errors = {"old": 0.0, "new": 0.0, "auto": 0.0}
            for depth in range(1, 5):
                refs = (nngp_ref[depth - 1], ntk_ref[depth - 1])
                got = {"old": old_kernels(X, depth, name),
                       "new": infinite_kernels(X, depth=depth, activation=name, bias_std=BETA,
                                               method="quadrature"),
                       "auto": infinite_kernels(X, depth=depth, activation=name, bias_std=BETA)}
                for key, kernels in got.items():
                    errs = [reference.relative_error(K, R) for K, R in zip(kernels, refs,
                                                                          strict=True)]
                    errors[key] = float(np.nanmax([errors[key], *errs]))
            rows.append((name, norm, errors["old"], errors["new"], errors["auto"]))
            print(f"{name:8s} |x|^2/n0 = {norm:<6g} old GH-{OLD_ORDER} {errors['old']:.1e}   "
                  f"new quadrature {errors['new']:.1e}   default method {errors['auto']:.1e}",
                  flush=True)
    return rows


def _best(fn, repeats: int) -> tuple[float, float]:
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return first, min(times)


def cost(n: int, repeats: int, names) -> None:
    X1, X2 = np.random.default_rng(0).standard_normal((2, n, 10))
    for name in names:
        for norm in (1.0, 50.0):
            A, B = X1 * np.sqrt(norm), X2 * np.sqrt(norm)
            old = _best(lambda A=A, B=B, name=name: old_kernels(A, 3, name, B), repeats)
            new = _best(lambda A=A, B=B, name=name: infinite_kernels(
                A, B, depth=3, activation=name, bias_std=BETA, method="quadrature"), repeats)
            print(f"{name:8s} |x|^2/n0 = {norm:<4g} {n} x {n} Gram, depth 3: old {old[1]:.2f} s "
                  f"(1st {old[0]:.2f}), new {new[1]:.2f} s (1st {new[0]:.2f}), "
                  f"new / old {new[1] / old[1]:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tanh only, 3 norms, n = 100")
    parser.add_argument("--only", choices=["accuracy", "cost"])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    names = ["tanh"] if args.quick else ["tanh", "sigmoid", "gelu"]
    norms = [1e-2, 1.0, 1e2] if args.quick else [1e-2, 1.0, 10.0, 50.0, 1e2]
    if args.only != "cost":
        accuracy(names, norms)
    if args.only != "accuracy":
        cost(100 if args.quick else args.n, args.repeats, names)


if __name__ == "__main__":
    main()
