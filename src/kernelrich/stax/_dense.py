"""`Dense`: a fully connected layer on the channel axis (neural-tangents' `stax.Dense`).

NTK parameterisation (Jacot et al. 2018), W, b ~ N(0, 1):
    f = W_std / sqrt(n_in) x W + b_std b,
    Sigma' = W_std^2 Sigma + b_std^2,   Theta' = Sigma' + W_std^2 Theta.
Standard parameterisation (Sohl-Dickstein et al. 2020), W ~ N(0, W_std^2 / n_in),
b ~ N(0, b_std^2): f = x W + b, the same Sigma', and
    Theta' = n_in Sigma + W_std^2 Theta + [b_std is not None],
which grows with the (finite) input width n_in, as in neural-tangents.
On inputs with spatial axes the layer acts on each position (the kernels entrywise).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ._layer import Layer, parameterization, width
from ._spec import Spec, fail, finite_std
from ._state import Ctx, State


class DenseLayer(Layer):
    def __init__(self, out_dim, W_std, b_std, param):
        where = "Dense"
        self.out_dim = width(where, "out_dim", out_dim)
        self.W_std = finite_std(where, "W_std", W_std)
        self.b_std = finite_std(where, "b_std", b_std, allow_none=True)
        self.param = parameterization(where, param)
        self.name = f"Dense({self.out_dim})"

    def init(self, key, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 2:
            raise fail(self.name, f"input_shape must be (batch, ..., channels), got "
                                  f"{input_shape}")
        n_in = int(input_shape[-1])
        k1, k2 = jax.random.split(key)
        W = jax.random.normal(k1, (n_in, self.out_dim))
        b = None
        if self.b_std is not None:
            b = jax.random.normal(k2, (1,) * (len(input_shape) - 1) + (self.out_dim,))
        if self.param == "standard":
            W = W * (self.W_std / np.sqrt(n_in))
            b = None if b is None else b * self.b_std
        return input_shape[:-1] + (self.out_dim,), (W, b)

    def apply(self, params, x, *, rng=None, **kwargs):
        W, b = params
        out = x @ W
        if self.param == "ntk":
            out = out * (self.W_std / np.sqrt(x.shape[-1]))
            return out if b is None else out + self.b_std * b
        return out if b is None else out + b

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        out = spec.but(shape=spec.spatial + (self.out_dim,), form="gaussian", fresh=True,
                       chain=(), origin=where)
        if ctx.static:
            ctx.plan.see(out)
        W_std, b_std = ctx.weight_scales(self.W_std, self.b_std)
        if state is None:
            return None, out
        return affine(state, ctx, W_std, b_std, self.param, spec.channels), out

    def structure(self):
        return (type(self), self.out_dim, self.param, self.b_std is None)


def affine(state: State, ctx: Ctx, W_std: float, b_std: float | None, param: str,
           fan_in: int, mixed=None) -> State:
    """The kernels after a weight layer; `mixed` (a linear map of the kernels, e.g. a
    convolution's patch average) is applied first, the identity for `Dense`."""
    def op(K):
        return K if mixed is None else mixed(K)

    bias2 = 0.0 if b_std is None else b_std ** 2
    sigma = op(state.nngp)
    nngp = W_std ** 2 * sigma + bias2
    if not ctx.ntk:
        return State(nngp)
    theta = 0.0 if state.ntk is None else W_std ** 2 * op(state.ntk)
    if param == "ntk":
        return State(nngp, theta + nngp)
    ntk = fan_in * sigma + theta + (0.0 if b_std is None else 1.0)
    return State(nngp, ntk + jnp.zeros_like(nngp))


def Dense(out_dim: int, W_std: float = 1.0, b_std: float | None = None,
          parameterization: str = "ntk"):
    """A fully connected layer on the last (channel) axis.

    **Arguments:**

    - `out_dim`: output width (it enters the kernels only in the standard parameterisation).
    - `W_std`, `b_std`: weight and bias standard deviations (`b_std=None`: no bias).
    - `parameterization`: `"ntk"` or `"standard"` (module doc).

    **Returns:** `(init_fn, apply_fn, kernel_fn)`. Parameters `(W, b)` with W of shape
    (n_in, out_dim), as in neural-tangents. Its `batch_axis`, `channel_axis` and `s` options
    are not offered (batch first, channels last).

    **Example:**

    On inputs x in R^d the NNGP is W_std^2 <x, x'> / d + b_std^2, and in the NTK
    parameterisation a first layer's NTK is the same. In the standard one, f = x W + b, whose
    gradients in W and b are x and 1, so the NTK is <x, x'> + 1:

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> init_fn, apply_fn, kernel_fn = stax.Dense(1, W_std=2.0, b_std=0.5)
    >>> k = kernel_fn(X)
    >>> k.nngp  # 4 <x, x'> / 2 + 0.25
    array([[ 2.25,  2.25, -1.75],
           [ 2.25,  4.25, -1.75],
           [-1.75, -1.75,  2.25]])
    >>> bool(np.array_equal(k.ntk, k.nngp))
    True
    >>> shape, (W, b) = init_fn(jax.random.key(0), (-1, 2))
    >>> shape, W.shape, b.shape, apply_fn((W, b), X).shape
    ((-1, 1), (2, 1), (1, 1), (3, 1))
    >>> _, _, standard = stax.Dense(1, W_std=2.0, b_std=0.5, parameterization="standard")
    >>> standard(X, get="ntk")  # <x, x'> + 1
    array([[2., 2., 0.],
           [2., 3., 0.],
           [0., 0., 2.]])

    ```
    """
    return DenseLayer(out_dim, W_std, b_std, parameterization).triple()
