"""The hardest targets for a fixed basis: the argument behind Barron 1993's lower bound (§X).

For any n-dimensional linear space V and K functions g_1, ..., g_K of the class, the sum of
the squared distances sum_j ||g_j - P_V g_j||^2 = tr G - tr(P_V G) is at least the sum of all
but the n largest eigenvalues of their Gram matrix G (Ky Fan), so some g_j is at distance

    max_j ||g_j - P_V g_j||^2 >= (1 / K) sum_{i > n} lambda_i(G)

from V, whatever V is. Barron's family is the cosine ridges (C / |w|) cos(w . x) and sines at
the lattice frequencies w = pi k, k in Z^d, each with C_f = C exactly; on the uniform measure of
[-1, 1]^d they are orthogonal, there are of order m^d of them with |k| <= m, and the bound
becomes of order C^2 (1 / n)^(2 / d). Here the bound is computed from the Gram matrix in
L2(mu) for the measure at hand (exact for any mu, e.g. an empirical one), maximised over the
families {|k| <= m}.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate
from ._network import probabilities
from ._targets import Ridge


def lattice_frequencies(d: int, max_norm2: int) -> np.ndarray:
    """The k in Z^d with 0 < |k|^2 <= `max_norm2`, one of each pair +-k (first non-zero
    coordinate positive), sorted by |k|^2 (then lexicographically): a `(K, d)` integer array.

    Enumerated depth-first with the remaining budget of |k|^2, so the cost is of the order of
    the number of points found times d (d = 20 with |k|^2 <= 2 is 400 points), not 3^d.

    **Example:**

    ```pycon
    >>> from kernelrich.barron import lattice_frequencies
    >>> lattice_frequencies(2, max_norm2=2).tolist()
    [[0, 1], [1, 0], [1, -1], [1, 1]]

    ```
    """
    d = _validate.integer("d", d, minimum=1)
    max_norm2 = _validate.integer("max_norm2", max_norm2, minimum=1)
    found: list[tuple[int, tuple[int, ...]]] = []

    def visit(prefix: tuple[int, ...], budget: int, positive: bool) -> None:
        if len(prefix) == d:
            if positive:
                found.append((max_norm2 - budget, prefix))
            if len(found) > 10**6:
                raise ValueError(f"max_norm2={max_norm2} in d={d} gives more than 10^6 "
                                 "lattice points; use a smaller max_norm2")
            return
        top = math.isqrt(budget)
        values = range(0, top + 1) if not positive else range(-top, top + 1)
        for c in values:
            visit(prefix + (c,), budget - c * c, positive or c > 0)

    visit((), max_norm2, False)
    found.sort()
    return np.array([k for _, k in found], dtype=int).reshape(-1, d)


def fourier_ridges(frequencies, C: float) -> list[Ridge]:
    """Barron's family: (C / |w|) cos(w . x) and (C / |w|) sin(w . x) for w = pi k, k a row of
    `frequencies`; every member has C_f = C exactly (its Fourier measure is two point masses
    of total mass C / |w| at +-w). In the order of the rows, the cosine then the sine, so that
    the first 2 K' members are the family of the first K' frequencies.

    **Arguments:**

    - `frequencies`: `(K, d)` non-zero integer vectors k (e.g. `lattice_frequencies`).
    - `C`: the class constant, > 0.

    **Returns:**

    `2 K` `Ridge` targets (sin(t) = cos(t - pi / 2)).

    **Example:**

    ```pycon
    >>> from kernelrich.barron import barron_constant, fourier_ridges, lattice_frequencies
    >>> ridges = fourier_ridges(lattice_frequencies(2, max_norm2=1), C=1.0)
    >>> len(ridges), [round(barron_constant(ridge), 6) for ridge in ridges]
    (4, [1.0, 1.0, 1.0, 1.0])

    ```
    """
    k = np.asarray(frequencies)
    if k.ndim != 2 or k.dtype.kind not in "iu" or (k == 0).all(axis=1).any():
        raise ValueError(f"frequencies must be a (K, d) array of non-zero integer vectors, got "
                         f"shape {k.shape} and dtype {k.dtype}")
    C = _validate.positive("C", C)
    omega = math.pi * k.astype(float)
    amplitude = C / np.linalg.norm(omega, axis=1)
    return [Ridge(w, offset, "cos", a) for w, a in zip(omega, amplitude, strict=True)
            for offset in (0.0, -math.pi / 2)]


def width_lower_bound(values, dims, *, weights=None, families=None) -> np.ndarray:
    """A lower bound, valid for EVERY linear space V of dimension n, on the worst squared
    L2(mu) distance max_j ||g_j - P_V g_j||^2 over the functions g_j (Barron 1993, §X).

    **Arguments:**

    - `values`: `(N, K)`, column j holds g_j on the samples of mu.
    - `dims`: the dimensions n >= 1 of V.
    - `weights`: the probabilities of the samples (default uniform).
    - `families`: sizes K_1 < K_2 < ... of leading sub-families (the first K_m columns) to
      try; the bound is the largest over them. Default: all K columns only.

    **Returns:**

    `(len(dims),)`: max_m (1 / K_m) sum_{i > n} lambda_i(G_m), G_m the Gram matrix of the
    first K_m functions in L2(mu); 0 where n >= K_m for every m.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import width_lower_bound
    >>> values = np.eye(4)
    >>> width_lower_bound(values, [1, 2, 4]).round(6)
    array([0.1875, 0.125 , 0.    ])

    ```
    """
    values = _validate.finite_array("values", values, ndim=2)
    N, K = values.shape
    w = probabilities(weights, N)
    dims = np.array([_validate.integer("dims", n, minimum=1)
                     for n in np.atleast_1d(dims).tolist()])
    sizes = [K] if families is None else sorted({int(s) for s in np.atleast_1d(families)})
    if not sizes or sizes[0] < 1 or sizes[-1] > K:
        raise ValueError(f"families must be sizes in 1..K={K}, got {families!r}")
    scaled = values * np.sqrt(w)[:, None]
    best = np.zeros(dims.shape)
    for size in sizes:
        part = scaled[:, :size]
        eig = np.sort(np.linalg.eigvalsh(part.T @ part))[::-1].clip(min=0.0)
        tail = np.concatenate([np.cumsum(eig[::-1])[::-1], [0.0]])  # tail[n] = sum_{i >= n}
        best = np.maximum(best, tail[np.minimum(dims, size)] / size)
    return best
