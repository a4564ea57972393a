"""Combinators: `serial`, `parallel`, `FanOut`, `FanInSum`, `FanInConcat`, `Identity`
(neural-tangents' and `jax.example_libraries.stax`'s conventions: parameters of `serial` are a
list, one entry per layer; `parallel` maps a list of inputs to a list of outputs).

Kernels of branches: after `FanOut` every branch sees the same input. `FanInSum` adds the
branches' kernels, which is the kernel of the sum only if the branches are uncorrelated:
every branch but at most one must go through a weight layer after the fan-out (a residual
block's main path does; its shortcut need not). Otherwise `FanInSum` refuses. The sum of
Gaussian branches is Gaussian. `FanInConcat` on the channel axis averages the kernels
weighted by the branches' widths (the next weight layer sums over channels).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._layer import Layer, layer_of
from ._spec import Spec, fail
from ._state import Ctx, State


class Serial(Layer):
    def __init__(self, layers):
        self.layers = tuple(layer_of(obj, f"serial argument {i}") for i, obj in
                            enumerate(layers))
        self.name = f"serial({', '.join(repr(layer) for layer in self.layers)})"

    def init(self, key, input_shape):
        params, shape = [], input_shape
        for layer in self.layers:
            key, sub = jax.random.split(key)
            shape, p = layer.init(sub, shape)
            params.append(p)
        return shape, params

    def apply(self, params, x, *, rng=None, **kwargs):
        if len(params) != len(self.layers):
            raise ValueError(f"params must have one entry per layer ({len(self.layers)}), got "
                             f"{len(params)}")
        rngs = (jax.random.split(rng, len(self.layers)) if rng is not None
                else (None,) * len(self.layers))
        for layer, p, r in zip(self.layers, params, rngs, strict=True):
            x = layer.apply(p, x, rng=r, **kwargs)
        return x

    def run(self, state, spec, ctx: Ctx, where: str):
        for i, layer in enumerate(self.layers):
            state, spec = layer.run(state, spec, ctx, f"{where}layer {i}" if not where
                                    else f"{where} > layer {i}")
            if ctx.static:
                for s in spec if isinstance(spec, list) else [spec]:
                    ctx.plan.see(s)
        return state, spec

    def structure(self):
        parts = tuple(layer.structure() for layer in self.layers)
        return None if any(p is None for p in parts) else (type(self), parts)


class Parallel(Layer):
    def __init__(self, layers):
        self.layers = tuple(layer_of(obj, f"parallel argument {i}") for i, obj in
                            enumerate(layers))
        self.name = f"parallel({', '.join(repr(layer) for layer in self.layers)})"

    def _branches(self, values, where: str, what: str):
        if not isinstance(values, list | tuple) or len(values) != len(self.layers):
            got = len(values) if isinstance(values, list | tuple) else "one"
            raise fail(where, f"parallel of {len(self.layers)} layers needs {len(self.layers)} "
                              f"{what} (from FanOut({len(self.layers)})), got {got}")
        return values

    def init(self, key, input_shape):
        shapes = self._branches(input_shape, self.name, "input shapes")
        keys = jax.random.split(key, len(self.layers))
        out = [layer.init(k, s) for layer, k, s in zip(self.layers, keys, shapes, strict=True)]
        return [o[0] for o in out], tuple(o[1] for o in out)

    def apply(self, params, x, *, rng=None, **kwargs):
        xs = self._branches(x, self.name, "inputs")
        rngs = (jax.random.split(rng, len(self.layers)) if rng is not None
                else (None,) * len(self.layers))
        return [layer.apply(p, xi, rng=r, **kwargs)
                for layer, p, xi, r in zip(self.layers, params, xs, rngs, strict=True)]

    def run(self, state, spec, ctx: Ctx, where: str):
        specs = self._branches(spec, self.label(where), "inputs")
        states = state if state is not None else [None] * len(specs)
        outs = [layer.run(st, sp, ctx, f"{where} > branch {i}" if where else f"branch {i}")
                for i, (layer, st, sp) in enumerate(zip(self.layers, states, specs,
                                                        strict=True))]
        new_states = None if state is None else [o[0] for o in outs]
        return new_states, [o[1] for o in outs]


class _FanOut(Layer):
    def __init__(self, num):
        if isinstance(num, bool) or not isinstance(num, int) or num < 1:
            raise ValueError(f"FanOut: num must be an integer >= 1, got {num!r}")
        self.num = num
        self.name = f"FanOut({num})"

    def init(self, key, input_shape):
        return [tuple(input_shape)] * self.num, ()

    def apply(self, params, x, *, rng=None, **kwargs):
        return [x] * self.num

    def run(self, state, spec, ctx: Ctx, where: str):
        if isinstance(spec, list):
            raise fail(self.label(where), "FanOut needs one input, got a list of branches")
        out = spec.but(fresh=False)
        return (None if state is None else [state] * self.num), [out] * self.num


def _fan_in(specs, where: str, name: str) -> list[Spec]:
    if not isinstance(specs, list) or not specs:
        raise fail(where, f"{name} needs a list of branches (after FanOut and parallel), got "
                          "one input")
    return specs


class _FanInSum(Layer):
    name = "FanInSum"

    def init(self, key, input_shape):
        return tuple(input_shape[0]), ()

    def apply(self, params, x, *, rng=None, **kwargs):
        out = x[0]
        for xi in x[1:]:
            out = out + xi
        return out

    def run(self, state, spec, ctx: Ctx, where: str):
        where = self.label(where)
        specs = _fan_in(spec, where, "FanInSum")
        shapes = [s.shape for s in specs]
        if any(s != shapes[0] for s in shapes):
            raise fail(where, f"all branches must have the same shape, got per-example "
                              f"shapes {shapes}")
        correlated = [i for i, s in enumerate(specs) if not s.fresh]
        if len(correlated) > 1:
            raise fail(where, f"branches {correlated} are correlated (none of them passes "
                              "through a Dense or Conv layer after the FanOut), so the kernel "
                              "of their sum is not the sum of their kernels")
        gaussian = all(s.form == "gaussian" for s in specs)
        out = specs[0].but(form="gaussian" if gaussian else "other", chain=(),
                           fresh=all(s.fresh for s in specs), origin=where)
        if state is None:
            return None, out
        nngp = sum(s.nngp for s in state[1:]) + state[0].nngp
        ntks = [s.ntk for s in state if s.ntk is not None]
        return State(nngp, sum(ntks[1:], ntks[0]) if ntks else None), out


class _FanInConcat(Layer):
    def __init__(self, axis):
        self.axis = axis
        self.name = f"FanInConcat({axis})"

    def init(self, key, input_shape):
        shapes = [tuple(s) for s in input_shape]
        return shapes[0][:-1] + (sum(s[-1] for s in shapes),), ()

    def apply(self, params, x, *, rng=None, **kwargs):
        return jnp.concatenate(x, axis=self.axis)

    def run(self, state, spec, ctx: Ctx, where: str):
        where = self.label(where)
        specs = _fan_in(spec, where, "FanInConcat")
        ndim = len(specs[0].shape) + 1
        if self.axis not in (-1, ndim - 1):
            raise fail(where, f"only concatenation along the channel axis (-1) is supported, "
                              f"got axis={self.axis}")
        rest = [s.shape[:-1] for s in specs]
        if any(r != rest[0] for r in rest):
            raise fail(where, f"branches must agree on every axis but the channels, got "
                              f"per-example shapes {[s.shape for s in specs]}")
        widths = [s.channels for s in specs]
        total = sum(widths)
        single = len(specs) == 1
        out = specs[0].but(shape=rest[0] + (total,), form=specs[0].form if single else "other",
                           fresh=all(s.fresh for s in specs),
                           chain=specs[0].chain if single else (), origin=where)
        if state is None:
            return None, out
        nngp = sum(w / total * s.nngp for w, s in zip(widths, state, strict=True))
        ntk = None
        if any(s.ntk is not None for s in state):
            ntk = sum(w / total * (s.ntk if s.ntk is not None else 0.0 * s.nngp)
                      for w, s in zip(widths, state, strict=True))
        return State(nngp, ntk), out


class _Identity(Layer):
    name = "Identity"

    def init(self, key, input_shape):
        return input_shape, ()

    def apply(self, params, x, *, rng=None, **kwargs):
        return x

    def run(self, state, spec, ctx: Ctx, where: str):
        return state, spec


def serial(*layers):
    """Layers in sequence: `serial(Dense(512), Relu(), Dense(1))`.

    **Example:**

    Two linear layers: the NNGP multiplies by W_std^2 at each (2^2 3^2 = 36 times the input's
    q = <x, x'> / d), and the NTK follows Theta' = Sigma' + W_std^2 Theta
    (36 q + 9 (4 q) = 72 q):

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> init_fn, apply_fn, kernel_fn = stax.serial(stax.Dense(4, W_std=2.0),
    ...                                            stax.Dense(1, W_std=3.0))
    >>> shape, params = init_fn(jax.random.key(0), (-1, 2))  # a list, one entry per layer
    >>> shape, [W.shape for W, b in params], apply_fn(params, X).shape
    ((-1, 1), [(2, 4), (4, 1)], (3, 1))
    >>> q = X @ X.T / 2
    >>> k = kernel_fn(X)
    >>> bool(np.allclose(k.nngp, 36 * q, rtol=1e-15)), bool(np.allclose(k.ntk, 72 * q, rtol=1e-15))
    (True, True)

    ```
    """
    return Serial(layers).triple()


def parallel(*layers):
    """Layers side by side, one per branch of a list of inputs (from `FanOut`).

    **Example:**

    A list of inputs to a list of outputs (the kernels of branches: `FanOut`, `FanInSum`):

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> init_fn, apply_fn, _ = stax.parallel(stax.Dense(3), stax.Identity())
    >>> shapes, params = init_fn(jax.random.key(0), [(-1, 2), (-1, 2)])
    >>> shapes
    [(-1, 3), (-1, 2)]
    >>> out = apply_fn(params, [X, 2 * X])
    >>> [y.shape for y in out], bool(np.array_equal(out[1], 2 * X))
    ([(3, 3), (3, 2)], True)

    ```
    """
    return Parallel(layers).triple()


def FanOut(num: int):
    """`num` copies of the input, for `parallel` branches.

    **Example:**

    A residual block x + Dense(x) on top of `Dense(1)` (kernel q = <x, x'> / d): the branch
    through `Dense(1, W_std=2.0)` is independent of the shortcut, so the NNGP is
    4 q + q = 5 q, and the NTK (8 q on the branch, q on the shortcut) 9 q:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> init_fn, apply_fn, _ = stax.FanOut(2)
    >>> init_fn(None, (-1, 2)), len(apply_fn((), X))
    (([(-1, 2), (-1, 2)], ()), 2)
    >>> _, _, kernel_fn = stax.serial(
    ...     stax.Dense(1), stax.FanOut(2),
    ...     stax.parallel(stax.Dense(1, W_std=2.0), stax.Identity()), stax.FanInSum())
    >>> q = X @ X.T / 2
    >>> k = kernel_fn(X)
    >>> bool(np.allclose(k.nngp, 5 * q, rtol=1e-15)), bool(np.allclose(k.ntk, 9 * q, rtol=1e-15))
    (True, True)

    ```
    """
    return _FanOut(num).triple()


def FanInSum():
    """The sum of the branches (module doc: they must be uncorrelated).

    **Example:**

    Two independent `Dense` layers of the input, with W_std 1 and 2: the kernel of the sum is
    the sum of the kernels, (1 + 4) <x, x'> / d. Two branches that see the same tensor (here
    the input twice: x + x, whose kernel is 4 <x, x'> / d) are refused:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> _, _, kernel_fn = stax.serial(
    ...     stax.FanOut(2), stax.parallel(stax.Dense(1), stax.Dense(1, W_std=2.0)),
    ...     stax.FanInSum())
    >>> k = kernel_fn(X)
    >>> k.nngp  # 5 <x, x'> / 2
    array([[ 2.5,  2.5, -2.5],
           [ 2.5,  5. , -2.5],
           [-2.5, -2.5,  2.5]])
    >>> bool(np.array_equal(k.ntk, k.nngp))
    True
    >>> _, _, same = stax.serial(
    ...     stax.FanOut(2), stax.parallel(stax.Identity(), stax.Identity()), stax.FanInSum())
    >>> same(X)
    Traceback (most recent call last):
    ...
    kernelrich.stax._spec.NetworkError: layer 2 (FanInSum): branches [0, 1] are correlated ...

    ```
    """
    return _FanInSum().triple()


def FanInConcat(axis: int = -1):
    """The concatenation of the branches along the channel axis.

    **Example:**

    The kernels are averaged with the branches' widths as weights: 3 channels of
    `Dense(3, W_std=2.0)` (kernel 4 q, q = <x, x'> / d) and the 2 of the input (q) give
    (3 (4 q) + 2 q) / 5 = 2.8 q:

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> init_fn, apply_fn, kernel_fn = stax.serial(
    ...     stax.FanOut(2), stax.parallel(stax.Dense(3, W_std=2.0), stax.Identity()),
    ...     stax.FanInConcat())
    >>> init_fn(jax.random.key(0), (-1, 2))[0]
    (-1, 5)
    >>> q = X @ X.T / 2
    >>> bool(np.allclose(kernel_fn(X, get="nngp"), 2.8 * q, rtol=1e-15))
    True

    ```
    """
    return _FanInConcat(axis).triple()


def Identity():
    """The identity layer (kernels unchanged).

    **Example:**

    On the input it returns the input's kernel <x, x'> / d, and no NTK (no parameters):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> _, apply_fn, kernel_fn = stax.Identity()
    >>> bool(np.array_equal(apply_fn((), X), X))
    True
    >>> k = kernel_fn(X)
    >>> k.nngp  # X X^T / 2
    array([[ 0.5,  0.5, -0.5],
           [ 0.5,  1. , -0.5],
           [-0.5, -0.5,  0.5]])
    >>> bool(np.all(k.ntk == 0))
    True

    ```
    """
    return _Identity().triple()
