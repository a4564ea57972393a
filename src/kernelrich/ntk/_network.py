"""Fully connected networks in the NTK parametrisation (Jacot et al. 2018) and the standard one.

NTK parametrisation, weights and biases N(0, 1):
    a^(1) = W^(0) x / sqrt(n_0) + beta b^(0),
    a^(l+1) = W^(l) sigma(a^(l)) / sqrt(n_l) + beta b^(l),   f = a^(L).
Standard parametrisation, W ~ N(0, 1/n_l), b ~ N(0, beta^2): a^(l+1) = W^(l) sigma(a^(l)) + b^(l).
Both give the same function distribution at initialisation; their gradients (hence their
NTKs and training dynamics) differ by the width factors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _random, _validate
from ._activations import Activation, activation
from ._inputs import nonnegative

PARAMETRIZATIONS = ("ntk", "standard")


class MLP(eqx.Module):
    """A fully connected network `widths[0] -> ... -> widths[-1]` (depth = len(widths) - 1).

    **Arguments:**

    - `widths`: layer widths (n_0, ..., n_L), n_0 the input dimension, n_L the outputs.
    - `key`: a `jax.random` key for the N(0, 1) initialisation.
    - `activation`: a name (`"relu"`, `"erf"`, `"tanh"`, `"gelu"`, `"sigmoid"`) or an
      elementwise callable.
    - `beta`: the bias scale beta (Jacot's beta; 0 turns biases off in effect).
    - `parametrization`: `"ntk"` (Jacot) or `"standard"`.

    Calling the network on `x` of shape (N, n_0) returns shape (N, n_L).
    """

    weights: list[Float[Array, "out inp"]]
    biases: list[Float[Array, " out"]]
    activation: Activation = eqx.field(static=True)
    beta: float = eqx.field(static=True)
    parametrization: str = eqx.field(static=True)

    def __init__(
        self,
        widths: Sequence[int],
        *,
        key: Array,
        activation: str | Callable | Activation = "relu",
        beta: float = 0.1,
        parametrization: str = "ntk",
    ):
        widths = _widths(widths)
        if parametrization not in PARAMETRIZATIONS:
            raise ValueError(
                f"parametrization must be one of {PARAMETRIZATIONS}, got {parametrization!r}"
            )
        self.beta = nonnegative("beta", beta)
        self.activation = _activation_of(activation)
        self.parametrization = parametrization
        keys = jax.random.split(key, 2 * (len(widths) - 1))
        ws, bs = [], []
        for layer, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            w = _random.normal(keys[2 * layer], (n_out, n_in), jnp.float64)
            b = _random.normal(keys[2 * layer + 1], (n_out,), jnp.float64)
            if parametrization == "standard":
                w, b = w / np.sqrt(n_in), b * self.beta
            ws.append(w)
            bs.append(b)
        self.weights, self.biases = ws, bs

    @property
    def widths(self) -> tuple[int, ...]:
        """(n_0, ..., n_L)."""
        return (self.weights[0].shape[1],) + tuple(w.shape[0] for w in self.weights)

    @property
    def depth(self) -> int:
        """L, the number of weight layers."""
        return len(self.weights)

    def layer_scales(self) -> tuple[list[float], float]:
        """(s_l, c): layer l computes s_l W h + c b (NTK: 1/sqrt(n_l), beta; standard: 1, 1)."""
        if self.parametrization == "ntk":
            return [1.0 / np.sqrt(w.shape[1]) for w in self.weights], self.beta
        return [1.0] * self.depth, 1.0

    def preactivations(self, x: Float[Array, "N n0"]) -> list[Float[Array, "N _"]]:
        """[a^(1), ..., a^(L)] for a batch x."""
        scales, bias = self.layer_scales()
        h, out = x, []
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            a = scales[layer] * (h @ w.T) + bias * b
            out.append(a)
            h = self.activation(a)
        return out

    def __call__(self, x: Float[Array, "N n0"]) -> Float[Array, "N nL"]:
        return self.preactivations(x)[-1]


def apply_mlp(model: MLP, x: Float[Array, "N n0"]) -> Float[Array, "N nL"]:
    """`model(x)`: the `apply(params, x)` of an `MLP` (its parameters are the model itself).

    **Example:**

    A network of depth 1 in the NTK parametrisation is f(x) = W x / sqrt(n_0) + beta b:

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.ntk import MLP, apply_mlp
    >>> model = MLP([2, 1], key=jax.random.key(0), beta=0.1)
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> apply_mlp(model, X).shape
    (2, 1)
    >>> W, b = np.asarray(model.weights[0]), np.asarray(model.biases[0])
    >>> bool(np.allclose(apply_mlp(model, X), X @ W.T / np.sqrt(2) + 0.1 * b, rtol=1e-14))
    True

    ```
    """
    return model(x)


def _widths(widths: Sequence[int]) -> tuple[int, ...]:
    try:
        widths = tuple(widths)
    except TypeError as err:
        raise ValueError(f"widths must be a sequence of integers, got {widths!r}") from err
    if len(widths) < 2:
        raise ValueError(f"widths must list at least (n_0, n_L) (depth >= 1), got {widths!r}")
    return tuple(_validate.integer(f"widths[{i}]", n, minimum=1) for i, n in enumerate(widths))


def _activation_of(spec) -> Activation:
    return activation(spec, name="activation")
