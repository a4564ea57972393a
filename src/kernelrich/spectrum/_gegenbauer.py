"""Spherical harmonics of S^(d-1) through their zonal part: the Gegenbauer (Legendre)
polynomials of dimension d, the multiplicities N(d, k) and the Funk-Hecke constant.

With P_k the Legendre polynomial of dimension d normalised by P_k(1) = 1 (the Gegenbauer
polynomial C_k^((d-2)/2) divided by its value at 1), the addition theorem reads
    sum_{j=1}^{N(d,k)} Y_kj(x) Y_kj(x') = N(d, k) P_k(<x, x'>)
for any orthonormal basis Y_kj of the degree-k harmonics in L^2 of the uniform probability
measure on the sphere, and a dot-product kernel kappa(<x, x'>) has the Mercer eigenvalues
    mu_k = c_d int_{-1}^{1} kappa(t) P_k(t) (1 - t^2)^((d-3)/2) dt,
    c_d = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2))          (Funk-Hecke formula),
each with multiplicity N(d, k) = (2k + d - 2)/k binom(k + d - 3, k - 1) (N(d, 0) = 1).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate


def dimension(dim: object) -> int:
    """The ambient dimension d >= 2 of the sphere S^(d-1)."""
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 2:
        raise ValueError(f"dim must be an integer >= 2 (points on the sphere S^(dim-1) in "
                         f"R^dim), got {dim!r}")
    return int(dim)


def degree(name: str, value: object) -> int:
    """A polynomial degree k >= 0."""
    return _validate.integer(name, value, minimum=0)


def multiplicity(dim: int, max_degree: int) -> np.ndarray:
    """N(d, k) for k = 0..max_degree: the dimension of the degree-k spherical harmonics.

    **Arguments:**

    - `dim`: d >= 2 (the sphere S^(d-1)).
    - `max_degree`: the largest degree k.

    **Returns:** a float64 array of length max_degree + 1 (exact integers while they are
    below 2^53). Raises `ValueError` when N(d, k) overflows float64.

    **Example:**

    ```pycon
    >>> from kernelrich.spectrum import multiplicity
    >>> multiplicity(3, 4)
    array([1., 3., 5., 7., 9.])
    >>> multiplicity(2, 3)
    array([1., 2., 2., 2.])

    ```
    """
    dim, max_degree = dimension(dim), degree("max_degree", max_degree)
    out = np.empty(max_degree + 1)
    out[0] = 1.0
    for k in range(1, max_degree + 1):
        exact = (2 * k + dim - 2) * math.comb(k + dim - 3, k - 1) // k
        try:
            out[k] = float(exact)
        except OverflowError:
            raise ValueError(f"the multiplicity N(dim={dim}, k={k}) ~ 10^{len(str(exact)) - 1} "
                             f"overflows float64: ask for max_degree < {k}") from None
    return out


def funk_hecke_constant(dim: int) -> float:
    """c_d = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) = |S^(d-2)| / |S^(d-1)|.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import funk_hecke_constant
    >>> round(funk_hecke_constant(3), 6), round(funk_hecke_constant(2), 6), round(1 / np.pi, 6)
    (0.5, 0.31831, 0.31831)

    ```
    """
    dim = dimension(dim)
    return math.exp(math.lgamma(dim / 2) - math.lgamma((dim - 1) / 2) - 0.5 * math.log(math.pi))


def gegenbauer(max_degree: int, dim: int, t) -> np.ndarray:
    """P_0(t), ..., P_K(t): the Legendre polynomials of dimension d with P_k(1) = 1.

    The three-term recurrence (k + d - 2) P_{k+1} = (2k + d - 2) t P_k - k P_{k-1}, run
    forward. For t in [-1, 1] (inside the support of the orthogonality weight) no solution
    of the recurrence is minimal, so forward recursion is stable: |P_k| <= 1 and the
    relative error grows at most linearly in k (tested against 50-digit arithmetic up to
    k = 400, d = 100).

    **Arguments:**

    - `max_degree`: K >= 0.
    - `dim`: d >= 2 (d = 2: Chebyshev, d = 3: Legendre).
    - `t`: points in [-1, 1], any shape.

    **Returns:** an array of shape (K + 1, *t.shape).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import gegenbauer
    >>> gegenbauer(2, 3, np.array([0.5, 1.0]))
    array([[ 1.   ,  1.   ],
           [ 0.5  ,  1.   ],
           [-0.125,  1.   ]])
    >>> gegenbauer(3, 2, 0.5).round(6)
    array([ 1. ,  0.5, -0.5, -1. ])

    ```
    """
    max_degree, dim = degree("max_degree", max_degree), dimension(dim)
    t = _validate.finite_array("t", t) if np.ndim(t) else np.asarray(
        _validate.finite_array("t", [t])[0])
    if np.any(np.abs(t) > 1):
        raise ValueError(f"t must lie in [-1, 1], got max |t| = {np.max(np.abs(t))!r}")
    return _recurrence(max_degree, dim, t)


def _recurrence(max_degree: int, dim: int, t: np.ndarray) -> np.ndarray:
    out = np.empty((max_degree + 1, *np.shape(t)))
    out[0] = 1.0
    if max_degree >= 1:
        out[1] = t
    for k in range(1, max_degree):
        out[k + 1] = ((2 * k + dim - 2) * t * out[k] - k * out[k - 1]) / (k + dim - 2)
    return out


def _single(k: int, dim: int, t: np.ndarray) -> np.ndarray:
    """P_k(t) alone (the recurrence keeping two terms)."""
    previous, current = np.ones_like(t), t.copy()
    if k == 0:
        return previous
    for j in range(1, k):
        previous, current = current, ((2 * j + dim - 2) * t * current - j * previous) / (
            j + dim - 2)
    return current
