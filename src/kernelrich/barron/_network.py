"""A one-hidden-layer sigmoidal network f_n(x) = sum_k c_k sigma(a_k . x + b_k) + c_0
(Barron 1993, Theorem 1), and the input checks shared by the approximation routines."""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import numpy as np
from jaxtyping import Array, Float

from .. import _validate


class SigmoidalNetwork(eqx.Module):
    """f_n(x) = sum_k c_k sigma(a_k . x + b_k) + c_0 with the logistic sigma.

    **Arguments:**

    - `a`: `(n, d)` inner weights.
    - `b`: `(n,)` biases.
    - `c`: `(n,)` outer weights; Theorem 1 allows sum |c_k| <= 2C.
    - `c0`: the constant, f(0) in Theorem 1.
    """

    a: Float[Array, "n d"]
    b: Float[Array, " n"]
    c: Float[Array, " n"]
    c0: Float[Array, ""]

    def __call__(self, x: Float[Array, "... d"]) -> Float[Array, "..."]:
        """f_n(x); NumPy in, NumPy out (nothing to compile), JAX arrays and tracers traced."""
        if isinstance(x, jax.Array):
            return jax.nn.sigmoid(x @ self.a.T + self.b) @ self.c + self.c0
        z = np.asarray(x, dtype=np.float64) @ np.asarray(self.a).T + np.asarray(self.b)
        return 0.5 * (1 + np.tanh(0.5 * z)) @ np.asarray(self.c) + float(self.c0)

    @property
    def n(self) -> int:
        return int(self.c.shape[0])


def samples(X: object, d: int | None = None) -> np.ndarray:
    """The sample points of mu: a finite `(N, d)` array (and `d` columns if given)."""
    X = _validate.bounded("X", _validate.finite_array("X", X, ndim=2))
    if d is not None and X.shape[1] != d:
        raise ValueError(f"X must have d={d} columns (the target's dimension), got shape "
                         f"{X.shape}")
    return X


def probabilities(weights: object, N: int) -> np.ndarray:
    """The probability of each sample: uniform (None) or non-negative weights, normalised."""
    if weights is None:
        return np.full(N, 1.0 / N)
    w = _validate.finite_array("weights", weights, ndim=1)
    if w.shape != (N,) or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be {N} non-negative numbers with a positive sum, got "
                         f"shape {w.shape}, min {w.min():.3g}, sum {w.sum():.3g}")
    return w / w.sum()


def evaluate(f: Callable, X: np.ndarray) -> tuple[np.ndarray, float]:
    """f on the samples and f(0): finite values of shape (N,), or a ValueError naming `f`."""
    d = getattr(f, "d", None)
    if d is not None and d != X.shape[1]:
        raise ValueError(f"f has dimension f.d={d} but X has d={X.shape[1]} columns "
                         f"(X.shape={X.shape})")
    points = np.concatenate([X, np.zeros((1, X.shape[1]))])
    values = _validate.function_values("f", f, points)
    return values[:-1], float(values[-1])


def radius_of(X: np.ndarray, radius: float | None) -> float:
    """The radius r of the ball B_r that holds every sample (the largest |x_i| if None)."""
    norms = np.linalg.norm(X, axis=1)
    if radius is None:
        return max(float(norms.max()), np.finfo(float).tiny)
    radius = _validate.positive("radius", radius)
    if norms.max() > radius * (1 + 1e-12):
        raise ValueError(f"radius={radius} is smaller than the largest sample norm "
                         f"{norms.max():.6g}: mu must live on the ball B_r")
    return radius
