"""`LayerNorm` and `Dropout` (neural-tangents' `stax.LayerNorm`, `stax.Dropout`).

LayerNorm over the channel axis (and optionally spatial axes) divides each activation by its
empirical standard deviation, which in the infinite-width limit is deterministic: with
v(x)[p] = eps + (mean over the normalised spatial axes of) K(x, x)[p, p],

    K'(x, x')[p, p'] = K(x, x')[p, p'] / sqrt(v(x)[p] v(x')[p']),

the same for the NTK (the layer has no parameters). The input must be Gaussian (centred),
as in neural-tangents; eps enters as in the finite network.

Dropout keeps each activation with probability `rate` (neural-tangents' keep rate) and
scales it by 1 / rate. Masks are independent across inputs and positions, so only the
covariance of an activation with itself changes: K(x, x)[p, p] / rate; every other entry is
unchanged (the kernel of training mode; `mode="test"` is the identity).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ._layer import Layer, require_gaussian
from ._spec import Spec, fail
from ._state import Ctx, State, broadcast_variances, pointwise, scale_spatial_diagonal


class LayerNormLayer(Layer):
    def __init__(self, axis, eps):
        self.axis = axis if isinstance(axis, tuple | list) else (axis,)
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in self.axis):
            raise fail("LayerNorm", f"axis must be an integer or a tuple of them, got {axis!r}")
        if isinstance(eps, bool) or not isinstance(eps, int | float) or not eps >= 0 \
                or not np.isfinite(eps):
            raise fail("LayerNorm", f"eps must be a finite number >= 0, got {eps!r}")
        self.eps = float(eps)
        self.name = f"LayerNorm({axis})"

    def _axes(self, ndim: int, where: str) -> tuple[int, ...]:
        axes = sorted({a % ndim for a in self.axis if -ndim <= a < ndim})
        if len(axes) != len(set(self.axis)):
            raise fail(where, f"axis {self.axis} is out of range for inputs of rank {ndim}")
        if ndim - 1 not in axes:
            raise fail(where, f"axis must include the channel axis ({ndim - 1} or -1) for the "
                              f"infinite-width limit to exist, got {self.axis}")
        if 0 in axes:
            raise fail(where, "axis must not include the batch axis 0")
        return tuple(axes)

    def apply(self, params, x, *, rng=None, **kwargs):
        axes = self._axes(x.ndim, self.name)
        mean = jnp.mean(x, axes, keepdims=True)
        var = jnp.mean((x - mean) ** 2, axes, keepdims=True)
        return (x - mean) / jnp.sqrt(self.eps + var)

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        ndim = len(spec.shape) + 1
        axes = self._axes(ndim, where)
        require_gaussian(spec, where, "LayerNorm")
        out = spec.but(chain=(), origin=where)
        if state is None:
            return None, out
        ns = len(spec.spatial)
        spatial_axes = tuple(a for a in axes if a != ndim - 1)  # 1..ns, batch axis first

        def normaliser(var):
            if spatial_axes:
                var = jnp.broadcast_to(jnp.mean(var, axis=spatial_axes, keepdims=True),
                                       var.shape)
            return self.eps + var

        var1, var2 = (normaliser(v) for v in ctx.variances(state, ns))
        if ctx.mode == "self" and pointwise(ctx, ns):
            scale = 1 / var1
        else:
            s11, s22 = broadcast_variances(var1, var2, ctx, ns)
            scale = 1 / jnp.sqrt(s11 * s22)
        ntk = None if state.ntk is None else state.ntk * scale
        return State(state.nngp * scale, ntk), out


class DropoutLayer(Layer):
    def __init__(self, rate, mode):
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
            raise fail("Dropout", f"rate (the keep probability) must be in (0, 1], got "
                                  f"{rate!r}")
        if mode not in ("train", "test"):
            raise fail("Dropout", f"mode must be 'train' or 'test', got {mode!r}")
        self.rate, self.mode = float(rate), mode
        self.name = f"Dropout({self.rate:g})"

    def apply(self, params, x, *, rng=None, **kwargs):
        if self.mode == "test":
            return x
        if rng is None:
            raise ValueError(f"{self.name} in train mode needs apply_fn(params, x, rng=key)")
        keep = jax.random.bernoulli(rng, self.rate, x.shape)
        return jnp.where(keep, x / self.rate, 0)

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        if self.mode == "test":
            return state, spec
        if spec.form == "input":
            raise fail(where, "Dropout cannot be applied to the network's input (as in "
                              "neural-tangents): put a Dense or Conv layer before it")
        out = spec.but(form="other", chain=(), origin=where)
        if state is None or ctx.mode != "self":
            return state, out
        ns = len(spec.spatial)

        def scale(K):
            return scale_spatial_diagonal(K, 1 / self.rate, ns, pointwise(ctx, ns))

        return state.map(scale), out


def LayerNorm(axis=-1, eps: float = 1e-12):
    """Layer normalisation over `axis` (must include the channel axis -1).

    **Example:**

    Each activation is divided by its own standard deviation, so the NNGP after `Dense` is
    the correlation q_12 / sqrt(q_11 q_22): the cosine of the inputs' angle, whatever W_std:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1, W_std=2.0), stax.LayerNorm())
    >>> kernel_fn(X, get="nngp").round(6)  # cos 45 degrees, cos 180 degrees, cos 135 degrees
    array([[ 1.      ,  0.707107, -1.      ],
           [ 0.707107,  1.      , -0.707107],
           [-1.      , -0.707107,  1.      ]])

    ```
    """
    return LayerNormLayer(axis, eps).triple()


def Dropout(rate: float, mode: str = "train"):
    """Dropout with keep probability `rate` (neural-tangents' convention: `rate=1` keeps
    everything); `apply_fn(params, x, rng=key)` draws the masks.

    **Example:**

    Keeping half of the activations, scaled by 2, doubles the variance of each and leaves
    the covariance of distinct inputs as it was (`Dense(1)`'s <x, x'> / d):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Dropout(0.5))
    >>> kernel_fn(X, get="nngp")  # 2 <x, x> / 2 on the diagonal
    array([[ 1. ,  0.5, -0.5],
           [ 0.5,  2. , -0.5],
           [-0.5, -0.5,  1. ]])
    >>> kernel_fn(X[:1], X[1:], get="nngp")  # distinct inputs: <x, x'> / 2
    array([[ 0.5, -0.5]])

    ```
    """
    return DropoutLayer(rate, mode).triple()
