"""Points on the sphere S^(d-1) of radius r: uniform samples, and the check that an
argument lies on it."""

from __future__ import annotations

import numpy as np

from .. import _validate
from ._gegenbauer import dimension

SPHERE_RTOL = 1e-10
"""Rows whose norm differs from the radius by more than this (relative) are off the sphere."""


def sphere_points(n: int, dim: int, *, radius: float = 1.0, seed: int = 0) -> np.ndarray:
    """n points drawn uniformly on the sphere of radius `radius` in R^dim.

    **Arguments:** `n` >= 1, `dim` >= 2, `radius` > 0, `seed` (NumPy's default generator).

    **Returns:** an (n, dim) float64 array (normalised Gaussian vectors).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import sphere_points
    >>> X = sphere_points(5, 3, radius=2.0, seed=0)
    >>> X.shape, np.linalg.norm(X, axis=1).round(6)
    ((5, 3), array([2., 2., 2., 2., 2.]))

    ```
    """
    n = _validate.integer("n", n, minimum=1)
    dim = dimension(dim)
    radius = _validate.positive("radius", radius)
    Z = np.random.default_rng(seed).standard_normal((n, dim))
    return radius * Z / np.linalg.norm(Z, axis=1, keepdims=True)


def on_sphere(name: str, X, *, dim: int | None = None, radius: float = 1.0,
              normalise: bool = False) -> np.ndarray:
    """`X` as an (n, dim) float64 array of points of the sphere of radius `radius`.

    **Arguments:**

    - `name`: the argument's name, for the error message.
    - `X`: the points.
    - `dim`: the required number of columns (any >= 2 when `None`).
    - `radius`: the sphere's radius.
    - `normalise`: project the rows onto the sphere (x -> radius x / |x|) instead of
      refusing rows off it; a zero row is refused either way.

    **Returns:** the points. Raises `ValueError` naming `name` for a row whose norm differs
    from `radius` by more than 1e-10 (relative) unless `normalise`.

    **Example:**

    ```pycon
    >>> from kernelrich.spectrum import on_sphere
    >>> on_sphere("X", [[3.0, 4.0]], normalise=True)
    array([[0.6, 0.8]])
    >>> on_sphere("X", [[3.0, 4.0]])
    Traceback (most recent call last):
    ...
    ValueError: X must lie on the sphere of radius 1: row 0 has norm 5 (1 rows ...

    ```
    """
    X = _validate.finite_array(name, X, ndim=2)
    if dim is not None and X.shape[1] != dim:
        raise ValueError(f"{name} must have {dim} columns (points of R^{dim}), got shape "
                         f"{X.shape}")
    dimension(X.shape[1])
    radius = _validate.positive("radius", radius)
    norms = np.linalg.norm(X, axis=1)
    if np.any(norms == 0):
        raise ValueError(f"{name} has a zero row (row {int(np.argmax(norms == 0))}): it is on "
                         "no sphere")
    if normalise:
        return X * (radius / norms)[:, None]
    off = np.abs(norms - radius) > SPHERE_RTOL * radius
    if np.any(off):
        i = int(np.argmax(off))
        raise ValueError(f"{name} must lie on the sphere of radius {radius:g}: row {i} has "
                         f"norm {norms[i]:.12g} ({int(off.sum())} rows off it); pass "
                         "normalise=True to project the rows onto the sphere")
    return X
