"""Elementwise nonlinearities sigma and their derivatives sigma', by name or user-supplied.

ReLU, abs, erf and gelu have closed-form Gaussian expectations (`kernelrich.ntk._gaussian`);
tanh, sigmoid and user functions go through the quadrature of `kernelrich.ntk._quadrature`.
Derivatives come from a forward-mode JVP with unit tangent, which is exact for an elementwise
function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np


def _relu(x):
    return jnp.maximum(x, 0.0)


def _gelu(x):
    return jax.nn.gelu(x, approximate=False)


_BUILTIN: dict[str, Callable] = {
    "relu": _relu,
    "abs": jnp.abs,
    "erf": jss.erf,
    "tanh": jnp.tanh,
    "gelu": _gelu,
    "sigmoid": jax.nn.sigmoid,
}

CLOSED_FORMS = ("relu", "abs", "erf", "gelu")
"""Activations whose Gaussian expectations are known in closed form."""


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity.

    **Arguments:**

    - `name`: `"relu"`, `"abs"`, `"erf"`, `"gelu"` (exact gelu, x Phi(x)), `"tanh"`,
      `"sigmoid"`, or the name of a user function.
    - `fn`: the function, elementwise on JAX arrays.
    """

    name: str
    fn: Callable

    def __call__(self, x):
        return self.fn(x)

    def derivative(self, x):
        """sigma'(x), elementwise (ReLU: 1 for x > 0, else 0)."""
        if self.name == "relu" and self.fn is _relu:
            return (x > 0).astype(x.dtype)
        return jax.jvp(self.fn, (x,), (jnp.ones_like(x),))[1]

    def value_and_derivative(self, x):
        """(sigma(x), sigma'(x)) in one pass."""
        if self.name == "relu" and self.fn is _relu:
            return _relu(x), (x > 0).astype(x.dtype)
        return jax.jvp(self.fn, (x,), (jnp.ones_like(x),))

    @property
    def closed_form(self) -> bool:
        """Whether the Gaussian expectations of this activation are known in closed form."""
        return self.name in CLOSED_FORMS and self.fn is _BUILTIN[self.name]


def activation(spec: str | Callable | Activation, *, name: str = "activation") -> Activation:
    """The `Activation` named by `spec` (a name, an elementwise callable, or an `Activation`).

    Raises `ValueError` naming the argument for an unknown name or a callable that is not
    elementwise (it must map an array to a finite array of the same shape).

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.ntk import activation
    >>> x = jnp.array([0.0, 0.5])
    >>> tanh = activation("tanh")
    >>> tanh.derivative(x).round(6)  # 1 - tanh(x)^2
    Array([1.      , 0.786448], dtype=float64)
    >>> tanh.closed_form, activation("ReLU").closed_form  # ReLU's Gaussian integrals are known
    (False, True)
    >>> square = activation(lambda v: v**2)  # a user function, differentiated by forward mode
    >>> square.derivative(x)
    Array([0., 1.], dtype=float64)
    >>> activation("softplus")
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of [...] or an elementwise callable, got 'softplus'

    ```
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        key = spec.lower()
        if key not in _BUILTIN:
            raise ValueError(
                f"{name} must be one of {sorted(_BUILTIN)} or an elementwise callable, "
                f"got {spec!r}"
            )
        return Activation(key, _BUILTIN[key])
    if not callable(spec):
        raise ValueError(f"{name} must be a name or an elementwise callable, got {spec!r}")
    probe = jnp.linspace(-3.0, 3.0, 7)
    try:
        out = np.asarray(spec(probe))
    except Exception as err:
        raise ValueError(f"{name} callable failed on a test array: {err}") from err
    if out.shape != probe.shape or not np.all(np.isfinite(out)):
        raise ValueError(
            f"{name} must be elementwise (same shape, finite values), got shape {out.shape} "
            f"for input shape {probe.shape}"
        )
    return Activation(getattr(spec, "__name__", "custom"), spec)
