"""Approximation by the first n functions of a fixed basis, the comparison of Barron 1993 §X:
for any fixed n-term linear basis the worst case over Gamma_C is at least of order
(C / d) (1 / n)^(1 / d), while n sigmoidal units reach C / sqrt(n) in every dimension.

The basis is the tensor-product Legendre polynomials P_k1(x_1 / r) ... P_kd(x_d / r) in
graded order (total degree, then lexicographic), the constant first; the coefficients are
the least-squares projection in L2(mu).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import eval_legendre

from .. import _validate
from ._network import evaluate, probabilities, radius_of, samples


def graded_indices(d: int, count: int) -> np.ndarray:
    """The first `count` multi-indices of N^d in graded order: `(count, d)` integers.

    **Example:**

    ```pycon
    >>> from kernelrich.barron import graded_indices
    >>> graded_indices(2, 6).tolist()
    [[0, 0], [1, 0], [0, 1], [2, 0], [1, 1], [0, 2]]

    ```
    """
    d = _validate.integer("d", d, minimum=1)
    count = _validate.integer("count", count, minimum=1)
    out: list[tuple[int, ...]] = []
    degree = 0
    while len(out) < count:
        for index in _compositions(degree, d):
            out.append(index)
            if len(out) == count:
                break
        degree += 1
    return np.array(out, dtype=int)


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every (k_1, ..., k_parts) >= 0 with sum `total`, k_1 descending first."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total, -1, -1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def legendre_features(X: np.ndarray, indices: np.ndarray, radius: float) -> np.ndarray:
    """The `(N, len(indices))` design matrix prod_j P_{k_j}(x_j / r), orthonormal on [-r, r]^d.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import legendre_features
    >>> legendre_features(np.array([[0.5]]), np.array([[0], [1], [2]]), radius=1.0).round(6)
    array([[ 1.      ,  0.866025, -0.279508]])
    >>> np.round([np.sqrt(3) * 0.5, np.sqrt(5) * (3 * 0.5**2 - 1) / 2], 6)
    array([ 0.866025, -0.279508])

    ```
    """
    X = _validate.finite_array("X", X, ndim=2)
    radius = _validate.positive("radius", radius)
    indices = np.asarray(indices)
    if (indices.ndim != 2 or indices.shape[1] != X.shape[1] or indices.dtype.kind not in "iu"
            or indices.size == 0 or (indices < 0).any()):
        raise ValueError(f"indices must be a non-empty array of integers >= 0 of shape "
                         f"(n, d={X.shape[1]}), got "
                         f"shape {indices.shape} and dtype {indices.dtype}")
    Z = X / radius
    top = int(indices.max())
    table = np.stack([np.sqrt(2 * k + 1) * eval_legendre(k, Z) for k in range(top + 1)])
    cols = np.ones((X.shape[0], indices.shape[0]))
    for j in range(X.shape[1]):
        cols *= table[indices[:, j], :, j].T
    return _validate.finite_result(cols, names="X and radius", what="legendre_features")


@dataclass(frozen=True)
class BasisResult:
    """Errors ||f - P_n f||^2 in L2(mu) of the projection on the first n + 1 basis functions
    (the constant and n more, to match n units plus c_0), for each requested n."""

    n: np.ndarray
    errors: np.ndarray
    max_degree: np.ndarray


def fixed_basis_approximation(f: Callable, X, n_values, *, weights=None,
                              radius: float | None = None) -> BasisResult:
    """Best L2(mu) approximation by the first n + 1 tensor Legendre polynomials (Barron 1993, §X).

    **Arguments:**

    - `f`: the target, `(N, d)` points to `(N,)` values (or a `Target`).
    - `X`: `(N, d)` samples; mu is their empirical measure (weighted by `weights`).
    - `n_values`: the sizes n >= 1 (each < N, so that the fit is not interpolation).
    - `radius`: the cube [-r, r]^d of the Legendre basis (default max |x_i|).

    **Returns:**

    A `BasisResult` with one error per n and the largest total degree used.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import fixed_basis_approximation, uniform_cube
    >>> X = uniform_cube(200, 2, seed=0)
    >>> result = fixed_basis_approximation(lambda x: x[:, 0] ** 2, X, [1, 3], radius=1.0)
    >>> result.n, result.errors.round(6), result.max_degree
    (array([1, 3]), array([0.092492, 0.      ]), array([1, 2]))

    ```
    """
    X = _validate.bounded("X", samples(X))
    y, _ = evaluate(f, X)
    errors, degrees = projection_errors(y[:, None], X, n_values, weights=weights,
                                        radius=radius)
    return BasisResult(np.atleast_1d(n_values).astype(int), errors[:, 0], degrees)


def _cube_radius(X: np.ndarray, radius: float | None) -> float:
    """r of the cube [-r, r]^d of the Legendre basis: `radius`, or by default the largest
    |x_i| (the ball holding the samples, which holds their coordinates too)."""
    if radius is None:
        return radius_of(X, None)
    radius = _validate.positive("radius", radius)
    top = float(np.abs(X).max())
    if top > radius * (1 + 1e-12):
        raise ValueError(f"radius={radius} is smaller than the largest coordinate |x_ij| = "
                         f"{top:.6g}: the samples must lie in the cube [-r, r]^d")
    return radius


def projection_errors(values, X, n_values, *, weights=None, radius: float | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """||g_j - P_n g_j||^2 in L2(mu) for many functions g_j at once, P_n the L2(mu) projection on
    the first n + 1 tensor Legendre polynomials (the fixed basis of `fixed_basis_approximation`).

    The weighted design is factored once (Householder QR, so the spans are nested exactly) and
    the residual is deflated one basis direction at a time, so an exactly representable g_j
    gets an error at rounding level, not the cancellation error of ||g||^2 - ||P g||^2.

    **Arguments:**

    - `values`: `(N, K)`, column j holds g_j on the samples.
    - `X`: `(N, d)` samples; mu is their empirical measure (weighted by `weights`).
    - `n_values`: the sizes n >= 1, each < N.
    - `radius`: the cube [-r, r]^d of the Legendre basis (default max |x_i|).

    **Returns:**

    `(errors, max_degree)`: `(len(n_values), K)` errors and the largest total degree per n.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import projection_errors, uniform_cube
    >>> X = uniform_cube(200, 2, seed=0)
    >>> values = np.stack([X[:, 0], X[:, 0] * X[:, 1]], axis=1)
    >>> errors, degree = projection_errors(values, X, [2, 4], radius=1.0)
    >>> errors.round(6), degree
    (array([[0.      , 0.116764],
           [0.      , 0.      ]]), array([1, 2]))

    ```
    """
    X = _validate.bounded("X", samples(X))
    values = _validate.finite_array("values", values, ndim=2)
    if values.shape[0] != X.shape[0]:
        raise ValueError(f"values must have one row per sample ({X.shape[0]}), got shape "
                         f"{values.shape}")
    n_values = np.array([_validate.integer("n_values", k, minimum=1)
                         for k in np.atleast_1d(n_values).tolist()])
    if n_values.max() >= X.shape[0]:
        raise ValueError(f"n_values must be < N={X.shape[0]} (no interpolation), got "
                         f"max {n_values.max()}")
    w = probabilities(weights, X.shape[0])
    r = _cube_radius(X, radius)
    indices = graded_indices(X.shape[1], int(n_values.max()) + 1)
    sw = np.sqrt(w)
    Q, _ = np.linalg.qr(legendre_features(X, indices, r) * sw[:, None])
    residual = values * sw[:, None]
    errors = {}
    for k in range(int(n_values.max()) + 1):
        residual = residual - np.outer(Q[:, k], Q[:, k] @ residual)
        errors[k] = np.sum(residual**2, axis=0)
    degrees = np.array([int(indices[: k + 1].sum(axis=1).max()) for k in n_values])
    return np.stack([errors[int(k)] for k in n_values]), degrees
