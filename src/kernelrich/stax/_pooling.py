"""Pooling and flattening: `AvgPool`, `SumPool`, `GlobalAvgPool`, `GlobalSumPool`, `Flatten`.

All are linear maps of the activations, so each kernel is the same map applied on both sides:
    AvgPool:  K'[o, o'] = sum_{v, v' in window} K[s o + v, s o' + v'] / |window|^2
(zero padding for SAME, normalised by the full window unless `normalize_edges`, as in
neural-tangents; periodic for CIRCULAR), GlobalAvgPool: the mean of K over every pair of
positions (Arora et al. 2019, the CNTK with global average pooling), Flatten: the mean of K
over the diagonal p = p' (the next weight layer sees all positions as features; Novak et al.
2019's CNN-GP without pooling). Pooling mixes positions, so a network with it keeps the full
position-position covariances; without it only their diagonal is computed.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ._convolution import pad_axes, spatial_groups, taps
from ._layer import Layer
from ._spec import Spec, fail, padding_name, positive_ints, window_pads, windowed
from ._state import Ctx, pointwise


def _pooled_form(spec: Spec) -> str:
    return "gaussian" if spec.form == "gaussian" else ("input" if spec.form == "input"
                                                        else "other")


class PoolLayer(Layer):
    def __init__(self, kind, window_shape, strides, padding, normalize_edges):
        self.kind = kind
        where = "AvgPool" if kind == "avg" else "SumPool"
        self.window = positive_ints(where, "window_shape", window_shape)
        ns = len(self.window)
        self.strides = positive_ints(where, "strides", strides, ns) if strides else (1,) * ns
        self.padding = padding_name(where, padding)
        self.normalize_edges = bool(normalize_edges)
        self.name = f"{where}({self.window})"

    def _pads(self, spatial):
        return [window_pads(n, w, s, self.padding) for n, w, s in
                zip(spatial, self.window, self.strides, strict=True)]

    def init(self, key, input_shape):
        input_shape = tuple(input_shape)
        out = windowed(self.name, Spec(input_shape[1:]), self.window, self.strides,
                       self.padding, "window")
        return (input_shape[0],) + out + (input_shape[-1],), ()

    def apply(self, params, x, *, rng=None, **kwargs):
        pads = self._pads(x.shape[1:-1])
        padded = pad_axes(x, list(range(1, x.ndim - 1)), pads, self.padding)
        out_sizes = windowed(self.name, Spec(x.shape[1:]), self.window, self.strides,
                             self.padding, "window")
        total = taps(padded, [list(range(1, x.ndim - 1))], self.window, self.strides,
                     out_sizes)
        return total if self.kind == "sum" else total / self._counts(x.shape[1:-1])

    def _counts(self, spatial):
        """The divisor of each output position: the window size, or with
        `normalize_edges` and SAME padding the number of real (unpadded) inputs in it."""
        if not (self.normalize_edges and self.padding == "SAME"):
            return float(np.prod(self.window))
        counts = np.ones(())
        for n, w, s, (lo, hi) in zip(spatial, self.window, self.strides, self._pads(spatial),
                                     strict=True):
            inside = np.pad(np.ones(n), (lo, hi))
            out = (n + lo + hi - w) // s + 1
            per_axis = np.array([inside[s * o:s * o + w].sum() for o in range(out)])
            counts = np.multiply.outer(counts, per_axis)
        return jnp.asarray(counts[..., None])

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        out_spatial = windowed(where, spec, self.window, self.strides, self.padding, "window")
        out = spec.but(shape=out_spatial + (spec.channels,), form=_pooled_form(spec), chain=(),
                       origin=where)
        if ctx.static:
            ctx.plan.pooling = True
            ctx.plan.see(spec)
        if state is None:
            return None, out
        ns = len(self.window)
        pads = self._pads(spec.spatial)
        counts = self._counts(spec.spatial)
        if not np.isscalar(counts):
            counts = counts[..., 0]

        def pool(K):
            for group in spatial_groups(ctx, ns):
                K = taps(pad_axes(K, group, pads, self.padding), [group], self.window,
                         self.strides, out_spatial)
                if self.kind == "avg":
                    K = K / _on_axes(counts, group, K.ndim)
            return K

        return state.map(pool), out


def _on_axes(counts, axes: list[int], ndim: int):
    if np.isscalar(counts) or np.ndim(counts) == 0:
        return counts
    shape = [1] * ndim
    for axis, n in zip(axes, np.shape(counts), strict=True):
        shape[axis] = n
    return jnp.reshape(counts, shape)


class GlobalPoolLayer(Layer):
    def __init__(self, kind):
        self.kind = kind
        self.name = "GlobalAvgPool" if kind == "avg" else "GlobalSumPool"

    def init(self, key, input_shape):
        return (input_shape[0], input_shape[-1]), ()

    def apply(self, params, x, *, rng=None, **kwargs):
        axes = tuple(range(1, x.ndim - 1))
        return jnp.mean(x, axes) if self.kind == "avg" else jnp.sum(x, axes)

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        if not spec.spatial:
            raise fail(where, f"needs an input with spatial axes, got per-example shape "
                              f"{spec.shape}")
        out = spec.but(shape=(spec.channels,), form=_pooled_form(spec), chain=(),
                       origin=where)
        if ctx.static:
            ctx.plan.pooling = True
        if state is None:
            return None, out
        ns = len(spec.spatial)
        axes = tuple(a for g in spatial_groups(ctx, ns) for a in g)
        reduce = jnp.mean if self.kind == "avg" else jnp.sum
        return state.map(lambda K: reduce(K, axis=axes)), out


class FlattenLayer(Layer):
    name = "Flatten"

    def init(self, key, input_shape):
        return (input_shape[0], int(np.prod(input_shape[1:]))), ()

    def apply(self, params, x, *, rng=None, **kwargs):
        return x.reshape(x.shape[0], -1)

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        ns = len(spec.spatial)
        size = int(np.prod(spec.shape))
        if ns == 0:
            return state, spec
        form = spec.form if spec.form == "input" else "flattened"
        out = spec.but(shape=(size,), form=form, chain=(), origin=where)
        if state is None:
            return None, out
        positions = int(np.prod(spec.spatial))

        def trace(K):
            if pointwise(ctx, ns):
                return jnp.mean(K, axis=tuple(range(ctx.lead, ctx.lead + ns)))
            flat = K.reshape(K.shape[:ctx.lead] + (positions, positions))
            return jnp.trace(flat, axis1=-2, axis2=-1) / positions

        return state.map(trace), out


def AvgPool(window_shape, strides=None, padding: str = "VALID",
            normalize_edges: bool = False):
    """Average pooling (default stride 1, as neural-tangents); `normalize_edges` divides by
    the number of unpadded inputs in each window (SAME padding).

    **Example:**

    Pooling the input itself is a fixed linear map, so the kernel is the input kernel of the
    pooled images, y(x)[p] y(x')[p'] / C at every pair of positions:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> images = np.arange(18.0).reshape(2, 3, 3, 1) / 10  # two 3x3 images, one channel
    >>> _, apply_fn, kernel_fn = stax.AvgPool((2, 2))
    >>> pooled = np.asarray(apply_fn((), images))
    >>> pooled[0, :, :, 0]  # means of the 2x2 windows of [[0, .1, .2], [.3, .4, .5], ...]
    array([[0.2, 0.3],
           [0.5, 0.6]])
    >>> expected = np.einsum("ahwc,bHWc->abhHwW", pooled, pooled)  # (n1, n2, H, H', W, W')
    >>> bool(np.allclose(kernel_fn(images, get="nngp"), expected, rtol=1e-14))
    True

    ```
    """
    return PoolLayer("avg", window_shape, strides, padding, normalize_edges).triple()


def SumPool(window_shape, strides=None, padding: str = "VALID"):
    """Sum pooling.

    **Example:**

    With SAME padding (zeros outside the image), the kernel of the pooled input is again the
    input kernel of the pooled images:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> images = np.arange(18.0).reshape(2, 3, 3, 1) / 10  # two 3x3 images, one channel
    >>> _, apply_fn, kernel_fn = stax.SumPool((2, 2), padding="SAME")
    >>> pooled = np.asarray(apply_fn((), images))
    >>> pooled[0, :, :, 0]  # sums of the 2x2 windows, the last row and column padded
    array([[0.8, 1.2, 0.7],
           [2. , 2.4, 1.3],
           [1.3, 1.5, 0.8]])
    >>> expected = np.einsum("ahwc,bHWc->abhHwW", pooled, pooled)
    >>> bool(np.allclose(kernel_fn(images, get="nngp"), expected, rtol=1e-14))
    True

    ```
    """
    return PoolLayer("sum", window_shape, strides, padding, False).triple()


def GlobalAvgPool():
    """The mean over all spatial positions (removes the spatial axes).

    **Example:**

    After a convolution, the kernel is the mean of the position-position covariance over
    every pair of positions (Arora et al. 2019):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> images = np.arange(18.0).reshape(2, 3, 3, 1) / 10  # two 3x3 images, one channel
    >>> _, _, conv = stax.Conv(1, (2, 2))
    >>> _, _, pooled = stax.serial(stax.Conv(1, (2, 2)), stax.GlobalAvgPool())
    >>> K = conv(images, get="nngp")
    >>> K.shape  # a 2x2 output: (n1, n2, H, H', W, W')
    (2, 2, 2, 2, 2, 2)
    >>> bool(np.allclose(pooled(images, get="nngp"), K.mean(axis=(2, 3, 4, 5)), rtol=1e-14))
    True

    ```
    """
    return GlobalPoolLayer("avg").triple()


def GlobalSumPool():
    """The sum over all spatial positions.

    **Example:**

    On the input: the kernel of the per-channel sums, s(x) s(x') / C:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> images = np.arange(18.0).reshape(2, 3, 3, 1) / 10  # two 3x3 images, one channel
    >>> _, apply_fn, kernel_fn = stax.GlobalSumPool()
    >>> sums = np.asarray(apply_fn((), images))
    >>> sums  # 0 + 0.1 + ... + 0.8 and 0.9 + ... + 1.7
    array([[ 3.6],
           [11.7]])
    >>> bool(np.allclose(kernel_fn(images, get="nngp"), sums @ sums.T, rtol=1e-14))
    True

    ```
    """
    return GlobalPoolLayer("sum").triple()


def Flatten():
    """Flatten every axis but the batch one.

    **Example:**

    The next weight layer sees every position as a feature: `Flatten` then `Dense` is `Dense`
    on the flattened images (the kernel: the mean of the p = p' covariances):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> images = np.arange(18.0).reshape(2, 3, 3, 1) / 10  # two 3x3 images, one channel
    >>> _, apply_fn, _ = stax.Flatten()
    >>> apply_fn((), images).shape
    (2, 9)
    >>> _, _, flat_dense = stax.serial(stax.Flatten(), stax.Dense(1, W_std=2.0))
    >>> _, _, dense = stax.Dense(1, W_std=2.0)
    >>> nngp = flat_dense(images, get="nngp")
    >>> nngp.round(6)  # 4 <x, x'> / 9
    array([[0.906667, 2.346667],
           [2.346667, 7.026667]])
    >>> bool(np.allclose(nngp, dense(images.reshape(2, 9), get="nngp"), rtol=1e-14))
    True

    ```
    """
    return FlattenLayer().triple()

