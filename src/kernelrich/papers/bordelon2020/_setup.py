"""The kernel, targets and fits shared by the learning-curve experiments (Bordelon, Canatar
& Pehlevan 2020, arXiv 2002.02561; the authors' code Pehlevan-Group/NTK_Learning_Curves).

- Kernel: the limiting ReLU NTK of a network with 3 hidden layers (`kernel_regression_lc.py`
  default `--NTK_depth 3`, i.e. depth L = 4 weight layers), no bias (their NTK recursion
  has none), inputs uniform on the sphere of radius sqrt(d) (x.x'/n_0 = t; their points are
  unit vectors and their kernel is the same function of t up to a scale per layer, which a
  ridgeless fit ignores).
- Targets: "pure modes" f*(x) = sum_j alpha_j Q_k(<x, z_j>), z_j uniform on the sphere,
  alpha ~ N(0, 1) (`NTK_gd_comparison.py`, 10,000 anchors), degrees k in {1, 2, 4}, redrawn
  with each training set, scaled to unit power so that errors read as fractions.
- Fit: ridgeless kernel regression (`--lamb` default 0), f = k(., X) K^(-1) y.
- Error: exact, degree by degree, through the Mercer expansion (their code computes the same
  mode errors), and on an independent test set (their `num_test = 2500`).
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.linalg

from ...spectrum import (
    MercerSpectrum,
    fit_mode_errors,
    harmonic_target,
    mercer_eigenvalues,
    ntk_kernel,
    sphere_points,
)

KEY = "bordelon2020"
CODE = "Pehlevan-Group/NTK_Learning_Curves"
DEPTH, BETA, RIDGE = 4, 0.0, 0.0
DEGREES = (1, 2, 4)
MAX_DEGREE = 150


def code(path: str) -> str:
    return f"{CODE}: {path}"


def mode(quick: bool) -> str:
    return "quick" if quick else "full"


def radius(dim: int) -> float:
    return float(np.sqrt(dim))


@functools.lru_cache(maxsize=16)
def kernel(dim: int, depth: int = DEPTH, beta: float = BETA):
    return ntk_kernel(dim, depth=depth, bias_std=beta, radius=radius(dim))


@functools.lru_cache(maxsize=16)
def spectrum(dim: int, depth: int = DEPTH, beta: float = BETA) -> MercerSpectrum:
    """The kernel's Mercer spectrum up to the last degree float64 resolves (<= 150)."""
    s = mercer_eigenvalues(kernel(dim, depth, beta), MAX_DEGREE, unresolved="keep")
    both = ~s.resolved[1:] & ~s.resolved[:-1]
    return s.truncated(int(np.argmax(both)) - 1) if np.any(both) else s


@functools.lru_cache(maxsize=512)
def targets(dim: int, seed: int, anchors: int, degrees=DEGREES):
    """One unit-power pure-mode target per degree, drawn from `seed` (the same for every n,
    as the authors' teacher is per repeat)."""
    return [harmonic_target(dim, {k: 1.0}, anchors=anchors, radius=radius(dim),
                            seed=10_000 * seed + 97 * k + dim) for k in degrees]


def ridgeless_fit(K: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, str]:
    """(K^(-1) Y, status): Cholesky, or "not positive definite" (then NaN coefficients)."""
    try:
        factor = scipy.linalg.cho_factor(K)
    except np.linalg.LinAlgError:
        return np.full_like(Y, np.nan), "not positive definite"
    return scipy.linalg.cho_solve(factor, Y), "ok"


def regression(dim: int, n: int, seed: int, anchors: int, test: int, depth: int = DEPTH,
               beta: float = BETA, modes_to: int | None = None) -> dict:
    """Ridgeless kernel regression on n uniform points for each target: the exact test
    error per degree (the degrees up to `modes_to`, the rest bounded), and the error on
    `test` fresh points (0: none)."""
    r = radius(dim)
    X = sphere_points(n, dim, radius=r, seed=7919 * seed + n)
    fs = targets(dim, seed, anchors)
    k = kernel(dim, depth, beta)
    K = k.matrix(X)
    C, status = ridgeless_fit(K, np.stack([f(X) for f in fs], axis=1))
    s = spectrum(dim, depth, beta)
    s = s.truncated(min(s.max_degree, modes_to)) if modes_to is not None else s
    errors, tail = fit_mode_errors(s, X, C, fs, gram=K) if status == "ok" else (
        np.full((len(fs), s.max_degree + 1), np.nan), np.full(len(fs), np.nan))
    out = {"status": status, "error": errors.sum(axis=1).tolist(), "tail_bound": tail.tolist(),
           "own_degree": [float(errors[j, d]) for j, d in enumerate(DEGREES)]}
    if test:
        Xt = sphere_points(test, dim, radius=r, seed=7919 * seed + n + 1)
        residual = k.matrix(Xt, X) @ C - np.stack([f(Xt) for f in fs], axis=1)
        out["test_error"] = np.mean(residual**2, axis=0).tolist()
    return out
