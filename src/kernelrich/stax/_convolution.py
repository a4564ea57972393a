"""`Conv`: a convolution over 1, 2 or 3 spatial axes, NHWC (neural-tangents' `stax.Conv`).

With weights shared over positions, z(x)[p] = sum_d W[d] y(x)[s p + d] / sqrt(|F| C), the
covariance of two outputs averages the input covariance along the *same* filter offset on
both sides (Novak et al. 2019, eq. 6; Arora et al. 2019, eq. 7):

    Sigma'[p, p'] = W_std^2 / |F| sum_{d in F} Sigma[s p + d, s p' + d] + b_std^2,

and Theta' = Sigma' + W_std^2 (same average of Theta) in the NTK parameterisation (standard:
Theta' = |F| C (average of Sigma) + W_std^2 (average of Theta) + 1 with a bias). The average
is a sum of |F| strided slices of the padded covariance: zero padding for SAME (the padded
inputs are zero), periodic for CIRCULAR. On the diagonal layout (no pooling anywhere) only
p = p' entries are kept and the same formula holds with one set of axes.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np

from ._dense import affine
from ._layer import Layer, parameterization, width
from ._spec import Spec, fail, finite_std, padding_name, positive_ints, window_pads, windowed
from ._state import Ctx, pointwise


def pad_axes(K, axes: list[int], pads: list[tuple[int, int]], padding: str):
    """K padded on `axes` (zeros for SAME, periodic for CIRCULAR)."""
    if padding == "VALID" or not any(lo or hi for lo, hi in pads):
        return K
    width_ = [(0, 0)] * K.ndim
    for axis, pad in zip(axes, pads, strict=True):
        width_[axis] = pad
    return jnp.pad(K, width_, mode="wrap" if padding == "CIRCULAR" else "constant")


def taps(K, groups: list[list[int]], window, strides, out_sizes):
    """sum over offsets d in the window of K[..., s o + d, ...], the same d on every group of
    axes (one group: pooling one side; two: a convolution's diagonal average)."""
    total = None
    for offset in itertools.product(*(range(w) for w in window)):
        index = [slice(None)] * K.ndim
        for axes in groups:
            for axis, d, s, o in zip(axes, offset, strides, out_sizes, strict=True):
                index[axis] = slice(d, d + s * (o - 1) + 1, s)
        piece = K[tuple(index)]
        total = piece if total is None else total + piece
    return total


def spatial_groups(ctx: Ctx, ns: int) -> list[list[int]]:
    """The axes of x1's and (full layout) x2's positions in the current arrays."""
    first = list(range(ctx.lead, ctx.lead + ns))
    if pointwise(ctx, ns):
        return [first]
    return [first, list(range(ctx.lead + ns, ctx.lead + 2 * ns))]


class ConvLayer(Layer):
    def __init__(self, out_chan, filter_shape, strides, padding, W_std, b_std, param):
        where = "Conv"
        self.out_chan = width(where, "out_chan", out_chan)
        self.filter = positive_ints(where, "filter_shape", filter_shape)
        if len(self.filter) > 3:
            raise fail(where, f"filter_shape must have 1 to 3 entries, got {filter_shape!r}")
        ns = len(self.filter)
        self.strides = positive_ints(where, "strides", strides, ns) if strides else (1,) * ns
        self.padding = padding_name(where, padding)
        self.W_std = finite_std(where, "W_std", W_std)
        self.b_std = finite_std(where, "b_std", b_std, allow_none=True)
        self.param = parameterization(where, param)
        self.name = f"Conv({self.out_chan}, {self.filter})"

    @property
    def _numbers(self):
        letters = "HWD"[:len(self.filter)]
        return ("N" + letters + "C", letters + "IO", "N" + letters + "C")

    def _pads(self, spatial):
        return [window_pads(n, f, s, self.padding) for n, f, s in
                zip(spatial, self.filter, self.strides, strict=True)]

    def init(self, key, input_shape):
        input_shape = tuple(input_shape)
        spec = Spec(tuple(input_shape[1:]))
        out = windowed(self.name, spec, self.filter, self.strides, self.padding, "filter")
        k1, k2 = jax.random.split(key)
        fan_in = spec.channels * int(np.prod(self.filter))
        W = jax.random.normal(k1, self.filter + (spec.channels, self.out_chan))
        b = None if self.b_std is None else jax.random.normal(
            k2, (1,) * (len(self.filter) + 1) + (self.out_chan,))
        if self.param == "standard":
            W = W * (self.W_std / np.sqrt(fan_in))
            b = None if b is None else b * self.b_std
        return (input_shape[0],) + out + (self.out_chan,), (W, b)

    def apply(self, params, x, *, rng=None, **kwargs):
        W, b = params
        padding = self.padding
        if padding == "CIRCULAR":
            pads = self._pads(x.shape[1:-1])
            x = jnp.pad(x, [(0, 0)] + pads + [(0, 0)], mode="wrap")
            padding = "VALID"
        out = jax.lax.conv_general_dilated(x, W, self.strides, padding,
                                           dimension_numbers=self._numbers)
        if self.param == "ntk":
            fan_in = x.shape[-1] * int(np.prod(self.filter))
            out = out * (self.W_std / np.sqrt(fan_in))
            return out if b is None else out + self.b_std * b
        return out if b is None else out + b

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        out_spatial = windowed(where, spec, self.filter, self.strides, self.padding, "filter")
        out = spec.but(shape=out_spatial + (self.out_chan,), form="gaussian", fresh=True,
                       chain=(), origin=where)
        if ctx.static:
            ctx.plan.see(spec)
            ctx.plan.see(out)
        W_std, b_std = ctx.weight_scales(self.W_std, self.b_std)
        if state is None:
            return None, out
        ns = len(self.filter)
        groups = spatial_groups(ctx, ns)
        pads = self._pads(spec.spatial)
        size = float(np.prod(self.filter))

        def average(K):
            K = pad_axes(K, sum(groups, []), pads * len(groups), self.padding)
            return taps(K, groups, self.filter, self.strides, out_spatial) / size

        fan_in = spec.channels * int(size)
        return affine(state, ctx, W_std, b_std, self.param, fan_in, average), out


def Conv(out_chan: int, filter_shape, strides=None, padding: str = "VALID",
         W_std: float = 1.0, b_std: float | None = None, dimension_numbers=None,
         parameterization: str = "ntk"):
    """A convolution with weights shared over positions, on NHWC inputs.

    **Arguments:**

    - `out_chan`: output channels (in the kernels only in the standard parameterisation).
    - `filter_shape`: e.g. `(3, 3)`; 1 to 3 spatial axes.
    - `strides`: default 1 on every axis.
    - `padding`: `"VALID"`, `"SAME"` or `"CIRCULAR"` (periodic).
    - `W_std`, `b_std`: weight and bias standard deviations (`b_std=None`: no bias).
    - `dimension_numbers`: only `None` (NHWC / HWIO, neural-tangents' default).
    - `parameterization`: `"ntk"` or `"standard"`.

    **Returns:** `(init_fn, apply_fn, kernel_fn)`; parameters `(W, b)`, W of shape
    (*filter_shape, C_in, out_chan) as in neural-tangents.

    **Example:**

    A filter as large as the image (VALID padding) sees all of it at one output position:
    the kernels are those of `Dense` on the flattened images, with one 1x1 position left
    (neural-tangents' layout (n1, n2, H, H', W, W')):

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> images = np.arange(18.0).reshape(2, 3, 3, 1) / 10  # two 3x3 images, one channel
    >>> init_fn, apply_fn, conv = stax.Conv(1, (3, 3), W_std=2.0, b_std=0.5)
    >>> _, _, dense = stax.Dense(1, W_std=2.0, b_std=0.5)
    >>> k = conv(images)
    >>> k.nngp.shape
    (2, 2, 1, 1, 1, 1)
    >>> flat = images.reshape(2, 9)
    >>> bool(np.allclose(k.nngp.reshape(2, 2), dense(flat, get="nngp"), rtol=1e-14))
    True
    >>> bool(np.allclose(k.ntk.reshape(2, 2), dense(flat, get="ntk"), rtol=1e-14))
    True
    >>> shape, (W, b) = init_fn(jax.random.key(0), (-1, 3, 3, 1))
    >>> shape, W.shape, apply_fn((W, b), images).shape
    ((-1, 1, 1, 1), (3, 3, 1, 1), (2, 1, 1, 1))

    ```
    """
    if dimension_numbers is not None:
        raise fail("Conv", f"only NHWC inputs are supported (dimension_numbers=None), got "
                           f"{dimension_numbers!r}")
    return ConvLayer(out_chan, filter_shape, strides, padding, W_std, b_std,
                     parameterization).triple()
