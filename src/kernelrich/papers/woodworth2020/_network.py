"""The unbiased two-layer ReLU network of the neural-network experiment (`_nn`), its data, its
tangent kernel in closed form, and gradient descent on its linearisation in closed form.

f(w, x) = g(w_1, x) - g(w_2, x), g(u, x) = sum_j b_j relu(a_j . x) (no biases: f is
2-homogeneous in w), from w_1 = w_2 = alpha w0 (`kernelrich.lazy.antisymmetric`), so f = 0 at
the init for every alpha, as the diagonal network's beta(0) = 0 (Woodworth et al. 2020).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ... import _random, lazy
from ..._extras import require


class Unbiased(eqx.Module):
    """f(w, x) = g(w_1, x) - g(w_2, x) as an equinox model (what `ntk.train_gd` trains)."""

    params: tuple

    def __call__(self, X):
        return _APPLY(self.params, X)


_APPLY, _ = lazy.antisymmetric(lazy.two_layer, {"a": jnp.zeros((1, 1)), "b": jnp.zeros(1)})


def init(seed: int, width: int, d: int) -> dict:
    """w0 of g: a_jk ~ N(0, 2) (He for inputs of unit norm), b_j ~ N(0, 1 / width)."""
    ka, kb = jax.random.split(jax.random.key(seed))
    return {"a": _random.normal(ka, (width, d)) * np.sqrt(2.0),
            "b": _random.normal(kb, (width,)) / np.sqrt(width)}


def model(g0: dict, alpha: float) -> Unbiased:
    """The network at w_1 = w_2 = alpha w0."""
    scaled = jax.tree_util.tree_map(lambda v: alpha * v, g0)
    _, params = lazy.antisymmetric(lazy.two_layer, scaled)
    return Unbiased(params)


def digits(seed: int, n_train: int):
    """scikit-learn's digits as the binary task 0-4 (+1) vs 5-9 (-1): pixels / 16, centred by
    the training mean and scaled to mean squared norm 1 on the training set; a random split of
    `n_train` training images (seed), the rest for testing."""
    load_digits = require("sklearn.datasets", "the digits data set").load_digits

    X, labels = load_digits(return_X_y=True)
    perm = np.random.default_rng(seed).permutation(len(X))
    X, labels = X[perm] / 16.0, labels[perm]
    X = X - X[:n_train].mean(axis=0)
    X = X / np.sqrt(np.mean(np.sum(X[:n_train] ** 2, axis=1)))
    y = np.where(labels < 5, 1.0, -1.0)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def tangent_kernel(g0: dict, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """The tangent kernel of f at w_1 = w_2 = w0 (alpha = 1), closed form:
    2 [(x . x') sum_j b_j^2 1(a_j x > 0) 1(a_j x' > 0) + sum_j relu(a_j x) relu(a_j x')]
    (twice g's: the two copies). At alpha it is alpha^2 times this (2-homogeneity)."""
    a, b = np.asarray(g0["a"]), np.asarray(g0["b"])
    za, zb = A @ a.T, B @ a.T
    gates = ((za > 0) * b) @ ((zb > 0) * b).T
    return 2.0 * (gates * (A @ B.T) + np.maximum(za, 0) @ np.maximum(zb, 0).T)


def linear_gd(K: np.ndarray, K_test: np.ndarray, y: np.ndarray, rate: float, steps: int
              ) -> np.ndarray:
    """Test predictions of GD on the linearised model (mean loss (1/2n) sum (f - y)^2, f = 0
    at the init) after `steps` steps, in closed form: K_test K^{-1} (I - (I - rate K / n)^k) y,
    by the eigendecomposition of K (rate = the step times alpha^2 for the kernel at alpha = 1).
    `steps = None` gives the interpolant K_test K^{-1} y, the alpha -> infinity flow limit."""
    lam, Q = np.linalg.eigh(K)
    lam = np.maximum(lam, lam[-1] * np.finfo(float).eps)
    filt = 1.0 / lam
    if steps is not None:  # 1 - (1 - x)^k per eigenvalue; x = 1 is reached in one step
        x = rate * lam / len(y)
        if np.any(x > 1.0 + 1e-12):
            raise ValueError(f"rate must satisfy rate * lambda_max(K) / n <= 1 (GD on the "
                             f"linearisation converges monotonically), got {x.max():.3g}")
        x = np.minimum(x, 1.0)
        inside = x < 1.0
        shrink = -np.expm1(steps * np.log1p(-np.where(inside, x, 0.0)))
        filt = filt * np.where(inside, shrink, 1.0)
    return K_test @ (Q @ (filt * (Q.T @ y)))
