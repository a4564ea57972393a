"""Linear measurements of a matrix: sensing A(X)_i = <A_i, X> and completion X_{(i, j)}.

Gunasekar et al. (2017), section 1: A(X)_i = <A_i, X> (Frobenius), with adjoint
A*(r) = sum_i r_i A_i. Arora et al. (2019), section 2: completion observes entries of W*,
which is sensing with A_i = e_{row_i} e_{col_i}^T, stored as indices (dense A_i of a
100 x 100 completion with 5000 entries would take 400 MB).

Both classes are equinox modules (pytrees), so they pass through `jax.jit`; `measure` and
`adjoint` work on NumPy or JAX arrays and return JAX arrays.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int

from .. import _validate


class Sensing(eqx.Module):
    """Matrix sensing: y_i = <A_i, X*> (Gunasekar et al. 2017, eq. (1)).

    **Fields:**
    - `A`: the sensing matrices, shape (m, n1, n2).
    - `y`: the measurements, shape (m,).
    - `truth`: the ground truth X* (shape (n1, n2)) or None.
    """

    A: Float[np.ndarray, "m n1 n2"]
    y: Float[np.ndarray, " m"]
    truth: Float[np.ndarray, "n1 n2"] | None

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.A.shape[1:])

    def measure(self, X: Float[Array, "n1 n2"]) -> Float[Array, " m"]:
        """A(X)_i = <A_i, X>."""
        return jnp.einsum("mij,ij->m", self.A, X)

    def adjoint(self, r: Float[Array, " m"]) -> Float[Array, "n1 n2"]:
        """A*(r) = sum_i r_i A_i."""
        return jnp.einsum("m,mij->ij", r, self.A)


class Completion(eqx.Module):
    """Matrix completion: y_i = X*[rows_i, cols_i] (Arora et al. 2019, section 2).

    **Fields:**
    - `rows`, `cols`: the observed entries, shape (m,) each, no duplicates.
    - `y`: the observed values, shape (m,).
    - `truth`: the ground truth (shape `shape`) or None.
    - `shape`: (n1, n2), static.
    """

    rows: Int[np.ndarray, " m"]
    cols: Int[np.ndarray, " m"]
    y: Float[np.ndarray, " m"]
    truth: Float[np.ndarray, "n1 n2"] | None
    shape: tuple[int, int] = eqx.field(static=True)

    def measure(self, X: Float[Array, "n1 n2"]) -> Float[Array, " m"]:
        """The observed entries X[rows_i, cols_i]."""
        return jnp.asarray(X)[self.rows, self.cols]

    def adjoint(self, r: Float[Array, " m"]) -> Float[Array, "n1 n2"]:
        """A*(r): r_i placed at (rows_i, cols_i), zero elsewhere."""
        return jnp.zeros(self.shape).at[self.rows, self.cols].add(r)


def sensing(A, y, truth=None, *, symmetric: bool = False) -> Sensing:
    """A checked `Sensing` problem; with `symmetric`, every A_i must be symmetric (the
    PSD setting of Gunasekar et al., where A_i are symmetric and linearly independent).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import sensing
    >>> problem = sensing(np.eye(2)[None], np.array([1.0]), symmetric=True)
    >>> problem.shape
    (2, 2)
    >>> problem.measure(np.array([[0.5, 3.0], [3.0, 0.5]]))
    Array([1.], dtype=float64)

    ```
    """
    A = _validate.finite_array("A", A, ndim=3)
    y = _validate.finite_array("y", y, ndim=1)
    if A.shape[0] != y.shape[0]:
        raise ValueError(f"A and y must have the same length m, got A.shape={A.shape} "
                         f"and y.shape={y.shape}")
    if symmetric:
        if A.shape[1] != A.shape[2]:
            raise ValueError(f"A must hold square matrices (symmetric=True), got A.shape="
                             f"{A.shape}")
        asym = np.abs(A - A.transpose(0, 2, 1)).max()
        if asym > 1e-12 * max(np.abs(A).max(), 1e-300):
            raise ValueError(f"A must hold symmetric square matrices (symmetric=True), got "
                             f"A.shape={A.shape}, max |A_i - A_i^T| = {asym:.3e}")
    return Sensing(A, y, _truth(truth, A.shape[1:]))


def completion(rows, cols, shape, y, truth=None) -> Completion:
    """A checked `Completion` problem: indices in range, no entry observed twice.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.ones(3))
    >>> problem.measure(np.array([[1.0, 2.0], [3.0, 4.0]]))
    Array([1., 2., 3.], dtype=float64)
    >>> problem.adjoint(np.array([1.0, 2.0, 3.0]))
    Array([[1., 2.],
           [3., 0.]], dtype=float64)

    ```
    """
    if np.ndim(shape) != 1 or len(shape) != 2:
        raise ValueError(f"shape must be a pair (n1, n2), got {_validate._show(shape)}")
    shape = (_validate.integer("shape[0]", shape[0], minimum=1),
             _validate.integer("shape[1]", shape[1], minimum=1))
    y = _validate.finite_array("y", y, ndim=1)
    rows, cols = np.asarray(rows), np.asarray(cols)
    check_indices(rows, cols, y, shape)
    flat = rows * shape[1] + cols
    if len(np.unique(flat)) != len(flat):
        first = int(flat[np.argmax(np.bincount(flat))])
        raise ValueError(f"rows, cols must not repeat an entry, got ({first // shape[1]}, "
                         f"{first % shape[1]}) more than once")
    return Completion(rows, cols, y, _truth(truth, shape), shape)


def check_indices(rows: np.ndarray, cols: np.ndarray, y: np.ndarray, shape: tuple[int, int],
                  prefix: str = "") -> None:
    """Observed entries (rows[k], cols[k]): integers of the shape of y, inside `shape`; the
    errors name the arguments with `prefix` (e.g. "problem.")."""
    for field, idx, size in (("rows", rows, shape[0]), ("cols", cols, shape[1])):
        if idx.shape != y.shape or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"{prefix}{field} must be integers of the shape of {prefix}y "
                             f"{y.shape}, got {idx.dtype} of shape {idx.shape}")
        if idx.min() < 0 or idx.max() >= size:
            raise ValueError(f"{prefix}{field} must lie in [0, {size}), got range "
                             f"[{idx.min()}, {idx.max()}]")


def _truth(truth, shape) -> np.ndarray | None:
    if truth is None:
        return None
    truth = _validate.finite_array("truth", truth, ndim=2)
    if truth.shape != tuple(shape):
        raise ValueError(f"truth must have shape {tuple(shape)}, got {truth.shape}")
    return truth
