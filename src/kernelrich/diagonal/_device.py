"""The linear algebra of `flow_limit`'s Newton steps in JAX, on its default device.

The same interface as `_newton.Design`; X lives on the device and every product with it,
and every Hessian X diag(s) X^T with its Cholesky factorisation, runs there (float64).
On a GPU a Hessian costs about as much as a few products, so each Newton system is solved
with a new factorisation (no CG); the per-coordinate links stay in NumPy on the host, and
only vectors of length N or d cross.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg
import numpy as np


@jax.jit
def _matvec(X, v):
    return X @ v


@jax.jit
def _rmatvec(X, u):
    return X.T @ u


@jax.jit
def _cholesky(X, slope):
    """Jacobi-equilibrated Cholesky of X diag(s) X^T over the slopes above 1e-14 of the
    largest (see `_newton.kept`); NaN where it fails."""
    slope = jnp.where(slope >= 1e-14 * jnp.max(slope), slope, 0.0)
    M = (X * slope) @ X.T
    scale = 1 / jnp.sqrt(jnp.maximum(jnp.diag(M), jnp.finfo(M.dtype).tiny))
    scaled = M * scale[:, None] * scale[None, :]
    return jax.scipy.linalg.cho_factor(scaled, lower=True)[0], scale, scaled


@jax.jit
def _cho_solve(factor, scale, rhs):
    return scale * jax.scipy.linalg.cho_solve((factor, True), scale * rhs)


@jax.jit
def _lstsq_solve(scaled, scale, rhs):
    return scale * jnp.linalg.lstsq(scaled, scale * rhs)[0]


class _Factor:
    def __init__(self, factor, scale, scaled):
        self.scale = scale
        self.cholesky = factor if bool(jnp.all(jnp.isfinite(factor))) else None
        self.scaled = scaled if self.cholesky is None else None

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        rhs = jnp.asarray(rhs)
        if self.cholesky is not None:
            return np.asarray(_cho_solve(self.cholesky, self.scale, rhs))
        return np.asarray(_lstsq_solve(self.scaled, self.scale, rhs))


class Design:
    """X on the JAX default device with the products the Newton iterations need."""

    def __init__(self, X: np.ndarray):
        self.host = np.asarray(X)
        self.X = jnp.asarray(X, dtype=jnp.float64)
        self.factorisations = 0

    def rmatvec(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(_rmatvec(self.X, jnp.asarray(u)))

    def matvec(self, v: np.ndarray) -> np.ndarray:
        return np.asarray(_matvec(self.X, jnp.asarray(v)))

    def factor(self, slope: np.ndarray) -> _Factor:
        self.factorisations += 1
        return _Factor(*_cholesky(self.X, jnp.asarray(slope)))

    def solve(self, slope: np.ndarray, rhs: np.ndarray, factor, rtol: float
              ) -> tuple[np.ndarray, _Factor]:
        """A new factorisation at `slope` for every system (`factor` and `rtol` are not
        needed: the solve is direct)."""
        factor = self.factor(slope)
        return factor.solve(rhs), factor
