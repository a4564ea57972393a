"""Two-layer networks as particle models: phi(theta): x -> sigma(a . x (+ c)), weight w = b
(Chizat & Bach 2018, Section 2.1 and Section 4.2)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _validate
from ._model import ParticleModel

ACTIVATIONS = ("relu", "sigmoid")


def check_activation(activation: object) -> str:
    """`activation` if it is one of `ACTIVATIONS`, else a `ValueError` naming it."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    return activation


def activate(activation: str, z: Array) -> Array:
    """sigma(z) for `activation` in `ACTIVATIONS`."""
    return jax.nn.relu(z) if activation == "relu" else jax.nn.sigmoid(z)


class TwoLayerNet(ParticleModel):
    """The two-layer network f(x) = m^-gamma sum_i b_i sigma(a_i . x (+ c_i)) on data (X, y).

    Chizat & Bach (2018), Section 2.1: theta = (a, c) in R^(d (+1)), phi(theta): x ->
    sigma(a . x + c), the weight w = b (partially 1-homogeneous lifting), and the square loss
    R(f) = (1 / 2n) sum_k (f(x_k) - y_k)^2 (the mean over the samples; our normalisation). With
    ReLU (and with or without bias) phi is positively 1-homogeneous in theta, so
    (b, theta) -> b phi(theta) is 2-homogeneous.

    **Arguments:**

    - `X`: inputs, shape (n, d).
    - `y`: targets, shape (n,).
    - `activation`: `"relu"` or `"sigmoid"`.
    - `bias`: whether theta carries a bias c (last coordinate).
    """

    X: Float[Array, "n d"]
    y: Float[Array, " n"]
    activation: str = eqx.field(static=True)
    bias: bool = eqx.field(static=True)

    def __init__(self, X, y, activation: str = "relu", bias: bool = False):
        X, y = _validate.design(X, y)
        self.X, self.y = jnp.asarray(X), jnp.asarray(y)
        self.activation = check_activation(activation)
        if not isinstance(bias, bool | np.bool_):
            raise ValueError(f"bias must be True or False, got {bias!r}")
        self.bias = bool(bias)

    @property
    def dim(self) -> int:
        """p, the dimension of theta: d, plus one with a bias."""
        return self.X.shape[1] + int(self.bias)

    @property
    def homogeneity(self) -> int:
        return 1 if self.activation == "relu" else 0

    def feature(self, theta: Float[Array, " p"]) -> Float[Array, " n"]:
        return activate(self.activation, self.preactivation(theta))

    def preactivation(self, theta: Float[Array, " p"]) -> Float[Array, " n"]:
        """a . x_k (+ c) for every sample."""
        d = self.X.shape[1]
        z = self.X @ theta[:d]
        return z + theta[d] if self.bias else z

    def risk(self, f: Float[Array, " n"]) -> Float[Array, ""]:
        r = f - self.y
        return 0.5 * jnp.mean(r * r)

    def evaluate(self, X: Float[Array, "k d"], w: Float[Array, " m"],
                 theta: Float[Array, "m p"], gamma: float = 1.0) -> Float[Array, " k"]:
        """The network at new inputs X: m^-gamma sum_i w_i sigma(a_i . x (+ c_i))."""
        d = X.shape[1]
        z = theta[:, :d] @ X.T + (theta[:, d:] if self.bias else 0.0)
        return (w / w.shape[0] ** gamma) @ activate(self.activation, z)
