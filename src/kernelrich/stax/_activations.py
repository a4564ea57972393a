"""Elementwise nonlinearities: `Relu`, `LeakyRelu`, `ABRelu`, `Abs`, `Erf`, `Gelu`, `Sign`,
`Sin`, `Cos`, `Rbf`, `Elementwise`, `ElementwiseNumerical` (neural-tangents' names and
defaults; the dual kernels are in `kernelrich.stax._duals`).

In the infinite-width limit the input of a nonlinearity must be Gaussian. Two activations in a
row (phi_2(phi_1(u)), with nothing in between) are still an elementwise function of one
Gaussian, so the second is folded into the first: exactly for ABReLUs (a composition of
ABReLUs is one), by quadrature of the composition otherwise. Anything else that is not
Gaussian (the input itself, a `Dropout` output, a concatenation, a flattened nonlinear
tensor) is refused with the layer named.
"""

from __future__ import annotations

import numpy as np

from ..ntk._activations import activation
from . import _duals
from ._layer import Layer, require_gaussian
from ._spec import Spec, fail
from ._state import (
    Ctx,
    State,
    broadcast_variances,
    pointwise,
    set_spatial_diagonal,
)


class Activation(Layer):
    """An elementwise nonlinearity with its dual kernel."""

    def __init__(self, name: str, dual: _duals.Dual):
        self.name, self.dual = name, dual

    def apply(self, params, x, *, rng=None, **kwargs):
        return self.dual.fn(x)

    def run(self, state, spec: Spec, ctx: Ctx, where: str):
        where = self.label(where)
        if spec.form == "nonlinear" and spec.chain:
            chain = spec.chain + (self,)
            base = None if state is None else state.pre
            if any(isinstance(a.dual, _duals.User) for a in chain):
                raise fail(where, f"{spec.origin} and this nonlinearity follow each other; "
                                  "their composition needs fn for quadrature, and an "
                                  "Elementwise layer with only nngp_fn has none")
            dual = _duals.compose(tuple(a.dual for a in chain))
        else:
            require_gaussian(spec, where, "a nonlinearity")
            chain, base, dual = (self,), state, self.dual
        if ctx.static:
            ctx.plan.quadrature |= dual.quadrature
            if dual.user:
                ctx.plan.user_dual.append(where)
        out = spec.but(form="nonlinear", fresh=False, chain=chain, origin=where)
        if state is None:
            return None, out
        return elementwise(base, ctx, len(spec.spatial), dual), out

    def structure(self):
        if not _duals.by_value(self.dual):
            return None
        return (type(self), self.name, self.dual, getattr(self, "nodes", None))


def elementwise(state: State, ctx: Ctx, ns: int, dual: _duals.Dual) -> State:
    """The kernels after phi: E[phi phi] and Theta E[phi' phi'] (Jacot et al. 2018, Thm 1)."""
    var1, var2 = ctx.variances(state, ns)
    if ctx.mode == "self" and pointwise(ctx, ns):
        value, slope = dual.diagonal(state.nngp, ctx)
    else:
        s11, s22 = broadcast_variances(var1, var2, ctx, ns)
        value, slope = dual.pair(s11, s22, state.nngp, ctx)
        if ctx.mode == "self":  # p = p' of one input: the exact diagonal formula
            on_value, on_slope = dual.diagonal(var1, ctx)
            value = set_spatial_diagonal(value, on_value, ns)
            slope = set_spatial_diagonal(slope + 0 * value, on_slope, ns)
    ntk = None if (state.ntk is None or not ctx.ntk) else state.ntk * slope
    return State(value, ntk, pre=state)


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def ABRelu(a: float, b: float, do_stabilize: bool = False):
    """a min(x, 0) + b max(x, 0), with its closed-form kernels (Cho & Saul 2009).

    `do_stabilize` is accepted for neural-tangents compatibility and has no effect: the
    closed form here is computed from the angle, which needs no rescaling.

    **Example:**

    For u ~ N(0, q), phi(u) phi(-u) = -ab u^2 whatever the sign of u, so the NNGP of opposite
    inputs is -ab q, and that of an input with itself (a^2 + b^2) q / 2; the NTK likewise
    (phi'(u) phi'(-u) = ab). After `Dense(1)`, q = <x, x'> / d:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.ABRelu(-0.5, 2.0))
    >>> k = kernel_fn(X)
    >>> k.nngp.round(6)  # 4.25 q / 2 on the diagonal, -ab q_11 = 0.5 at x_1, x_3
    array([[1.0625  , 1.169234, 0.5     ],
           [1.169234, 2.125   , 0.606734],
           [0.5     , 0.606734, 1.0625  ]])
    >>> k.ntk.round(6)  # q (a^2 + b^2) / 2 on the diagonal, q_13 ab = 0.5 at x_1, x_3
    array([[1.0625  , 0.671875, 0.5     ],
           [0.671875, 2.125   , 0.109375],
           [0.5     , 0.109375, 1.0625  ]])

    ```
    """
    dual = _duals.ABRelu(_number("a", a), _number("b", b))
    return Activation(f"ABRelu({dual.a:g}, {dual.b:g})", dual).triple()


def Relu(do_stabilize: bool = False):
    """max(x, 0): the arc-cosine kernel of `kernelrich.ntk._gaussian.relu_dual`.

    **Example:**

    After `Dense(1)` the pre-activations have covariance q = <x, x'> / d; for inputs at angle
    theta the NNGP is sqrt(q_11 q_22) (sin theta + (pi - theta) cos theta) / (2 pi) (Cho &
    Saul 2009) and the NTK q_12 (pi - theta) / (2 pi):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Relu())
    >>> k = kernel_fn(X)
    >>> np.diag(k.nngp)  # E[relu(u)^2] = q / 2
    array([0.25, 0.5 , 0.25])
    >>> q = X @ X.T / 2
    >>> s = np.sqrt(np.outer(np.diag(q), np.diag(q)))
    >>> theta = np.arccos(np.clip(q / s, -1, 1))
    >>> nngp = s * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)
    >>> bool(np.allclose(k.nngp, nngp, rtol=0, atol=1e-12))
    True
    >>> bool(np.allclose(k.ntk, q * (np.pi - theta) / (2 * np.pi), rtol=0, atol=1e-12))
    True

    ```

    The opposite inputs x_1, x_3 are at angle exactly pi: the angle's sine is taken from the
    determinant s11 s22 - s12^2 (here exactly 0), not from a rounded cosine.
    """
    return Activation("Relu", _duals.Closed(activation("relu"), False)).triple()


def LeakyRelu(alpha: float, do_stabilize: bool = False):
    """alpha min(x, 0) + max(x, 0).

    **Example:**

    The NNGP of x with itself is (1 + alpha^2) q / 2, of opposite inputs -alpha q
    (`ABRelu(alpha, 1)`); `LeakyRelu(1.0)` is the identity, which leaves `Dense`'s kernel
    q = <x, x'> / d as it is:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, leaky = stax.serial(stax.Dense(1), stax.LeakyRelu(0.1))
    >>> leaky(X, get="nngp").round(6)  # 1.01 q / 2 on the diagonal, -0.1 q_11 at x_1, x_3
    array([[ 0.2525  ,  0.266333, -0.05    ],
           [ 0.266333,  0.505   , -0.036167],
           [-0.05    , -0.036167,  0.2525  ]])
    >>> _, _, linear = stax.serial(stax.Dense(1), stax.LeakyRelu(1.0))
    >>> linear(X, get="nngp")  # q
    array([[ 0.5,  0.5, -0.5],
           [ 0.5,  1. , -0.5],
           [-0.5, -0.5,  0.5]])

    ```
    """
    return ABRelu(alpha, 1.0)


def Abs(do_stabilize: bool = False):
    """|x|: `kernelrich.ntk._gaussian.abs_dual`.

    **Example:**

    Since |x| = relu(x) + relu(-x), for inputs at angle theta (covariance q = <x, x'> / d
    after `Dense(1)`) the NNGP is 2 sqrt(q_11 q_22) (sin theta + (pi / 2 - theta) cos theta)
    / pi, the same for x and -x, and the NTK q_12 E[sign u sign v] = q_12 (1 - 2 theta / pi):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Abs())
    >>> k = kernel_fn(X)
    >>> k.nngp.round(6)  # E[u^2] = q on the diagonal and at x_1, x_3
    array([[0.5    , 0.56831, 0.5    ],
           [0.56831, 1.     , 0.56831],
           [0.5    , 0.56831, 0.5    ]])
    >>> q = X @ X.T / 2
    >>> s = np.sqrt(np.outer(np.diag(q), np.diag(q)))
    >>> theta = np.arccos(np.clip(q / s, -1, 1))
    >>> nngp = 2 * s * (np.sin(theta) + (np.pi / 2 - theta) * np.cos(theta)) / np.pi
    >>> bool(np.allclose(k.nngp, nngp, rtol=0, atol=1e-12))
    True
    >>> bool(np.allclose(k.ntk, q * (1 - 2 * theta / np.pi), rtol=0, atol=1e-12))
    True

    ```
    """
    return Activation("Abs", _duals.Closed(activation("abs"), False)).triple()


def Sign():
    """sign(x). Its derivative is zero almost everywhere, so no NTK flows through it (as in
    the finite network's autodiff, and neural-tangents).

    **Example:**

    E[sign u sign v] = 1 - 2 theta / pi for inputs at angle theta:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Sign())
    >>> k = kernel_fn(X)
    >>> k.nngp.round(6)  # 1/2 at 45 degrees, -1/2 at 135, -1 for opposite inputs
    array([[ 1. ,  0.5, -1. ],
           [ 0.5,  1. , -0.5],
           [-1. , -0.5,  1. ]])
    >>> bool(np.all(k.ntk == 0))
    True

    ```
    """
    return Activation("Sign", _duals.Sign()).triple()


def Erf(a: float = 1.0, b: float = 1.0, c: float = 0.0):
    """a erf(b x) + c (Williams 1997).

    **Example:**

    After `Dense(1)` (covariance q = <x, x'> / d) the NNGP is Williams' arcsine kernel
    (2 / pi) arcsin(2 q_12 / sqrt((1 + 2 q_11) (1 + 2 q_22))), and the NTK q_12 times
    E[erf'(u) erf'(v)] = (4 / pi) / sqrt((1 + 2 q_11) (1 + 2 q_22) - 4 q_12^2):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Erf())
    >>> k = kernel_fn(X)
    >>> k.nngp.round(6)  # (2 / pi) arcsin(1 / 2) = 1 / 3 for x_1 with itself
    array([[ 0.333333,  0.26772 , -0.333333],
           [ 0.26772 ,  0.464559, -0.26772 ],
           [-0.333333, -0.26772 ,  0.333333]])
    >>> q = X @ X.T / 2
    >>> d = np.outer(1 + 2 * np.diag(q), 1 + 2 * np.diag(q))
    >>> bool(np.allclose(k.nngp, 2 / np.pi * np.arcsin(2 * q / np.sqrt(d)), rtol=0, atol=1e-12))
    True
    >>> ntk = q * 4 / np.pi / np.sqrt(d - 4 * q**2)
    >>> bool(np.allclose(k.ntk, ntk, rtol=0, atol=1e-12))
    True

    ```
    """
    a, b, c = _number("a", a), _number("b", b), _number("c", c)
    if (a, b, c) == (1.0, 1.0, 0.0):
        return Activation("Erf", _duals.Closed(activation("erf"), False)).triple()
    return Activation(f"Erf({a:g}, {b:g}, {c:g})", _duals.Erf(a, b, c)).triple()


def Gelu(approximate: bool = False):
    """x Phi(x), with the closed forms of `kernelrich.ntk._gaussian.gelu_dual`.

    As in neural-tangents, `approximate=True` changes only the finite network (tanh
    approximation); the kernels are those of the exact gelu.

    **Example:**

    gelu(u) = u / 2 + (an even function of u), so for u ~ N(0, q) the NNGP of x with itself
    and that of x with -x differ by E[u^2] / 2 = q / 2 (here q = 1/2 after `Dense(1)`):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Gelu())
    >>> nngp = kernel_fn(X, get="nngp")
    >>> nngp.round(6)
    array([[ 0.189557,  0.20029 , -0.060443],
           [ 0.20029 ,  0.425221, -0.04971 ],
           [-0.060443, -0.04971 ,  0.189557]])
    >>> round(float(nngp[0, 0] - nngp[0, 2]), 12)  # q_11 / 2
    0.25

    ```
    """
    if not approximate:
        return Activation("Gelu", _duals.Closed(activation("gelu"), False)).triple()
    return Activation("Gelu(approximate)", _duals.Gelu(True)).triple()


def Sin(a: float = 1.0, b: float = 1.0, c: float = 0.0):
    """a sin(b x + c).

    **Example:**

    For (u, v) Gaussian with covariance q (q = <x, x'> / d after `Dense(1)`),
    E[sin u sin v] = exp(-(q_11 + q_22) / 2) sinh(q_12), and the NTK is q_12 times
    E[cos u cos v] = exp(-(q_11 + q_22) / 2) cosh(q_12):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Sin())
    >>> k = kernel_fn(X)
    >>> k.nngp.round(6)  # odd: x_3 = -x_1 flips the sign
    array([[ 0.31606 ,  0.246148, -0.31606 ],
           [ 0.246148,  0.432332, -0.246148],
           [-0.31606 , -0.246148,  0.31606 ]])
    >>> q = X @ X.T / 2
    >>> damp = np.exp(-np.add.outer(np.diag(q), np.diag(q)) / 2)
    >>> bool(np.allclose(k.nngp, damp * np.sinh(q), rtol=0, atol=1e-12))
    True
    >>> bool(np.allclose(k.ntk, q * damp * np.cosh(q), rtol=0, atol=1e-12))
    True

    ```
    """
    dual = _duals.Sin(_number("a", a), _number("b", b), _number("c", c))
    return Activation(f"Sin({dual.a:g}, {dual.b:g}, {dual.c:g})", dual).triple()


def Cos(a: float = 1.0, b: float = 1.0, c: float = 0.0):
    """a cos(b x + c) = a sin(b x + c + pi / 2).

    **Example:**

    E[cos u cos v] = exp(-(q_11 + q_22) / 2) cosh(q_12) for (u, v) Gaussian with covariance q
    (q = <x, x'> / d after `Dense(1)`), and the NTK is q_12 times
    E[sin u sin v] = exp(-(q_11 + q_22) / 2) sinh(q_12):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Cos())
    >>> k = kernel_fn(X)
    >>> k.nngp.round(6)  # even: x_1 and x_3 = -x_1 are alike
    array([[0.68394 , 0.532653, 0.68394 ],
           [0.532653, 0.567668, 0.532653],
           [0.68394 , 0.532653, 0.68394 ]])
    >>> q = X @ X.T / 2
    >>> damp = np.exp(-np.add.outer(np.diag(q), np.diag(q)) / 2)
    >>> bool(np.allclose(k.nngp, damp * np.cosh(q), rtol=0, atol=1e-12))
    True
    >>> bool(np.allclose(k.ntk, q * damp * np.sinh(q), rtol=0, atol=1e-12))
    True

    ```
    """
    dual = _duals.Sin(_number("a", a), _number("b", b), _number("c", c) + np.pi / 2)
    return Activation(f"Cos({a:g}, {b:g}, {c:g})", dual).triple()


def Rbf(gamma: float = 1.0):
    """sqrt(2) sin(sqrt(2 gamma) x + pi / 4): the NNGP becomes exp(-gamma (q11 + q22 - 2 q12))
    (random Fourier features of the Gaussian kernel).

    **Example:**

    After `Dense(1)`, q_11 + q_22 - 2 q_12 = |x - x'|^2 / d, so the NNGP is the Gaussian
    kernel exp(-gamma |x - x'|^2 / d):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])  # x_3 = -x_1
    >>> _, _, kernel_fn = stax.serial(stax.Dense(1), stax.Rbf(gamma=0.5))
    >>> nngp = kernel_fn(X, get="nngp")
    >>> nngp.round(6)  # exp(-1/4) at |x_1 - x_2| = 1, exp(-1) at |x_1 - x_3| = 2
    array([[1.      , 0.778801, 0.367879],
           [0.778801, 1.      , 0.286505],
           [0.367879, 0.286505, 1.      ]])
    >>> squared = ((X[:, None] - X[None]) ** 2).sum(-1)
    >>> bool(np.allclose(nngp, np.exp(-0.5 * squared / 2), rtol=0, atol=1e-12))
    True

    ```
    """
    gamma = _number("gamma", gamma)
    if gamma <= 0:
        raise ValueError(f"gamma must be > 0, got {gamma}")
    dual = _duals.Sin(float(np.sqrt(2.0)), float(np.sqrt(2 * gamma)), np.pi / 4)
    return Activation(f"Rbf({gamma:g})", dual).triple()


def Elementwise(fn=None, nngp_fn=None, d_nngp_fn=None):
    """Any elementwise `fn`. With `nngp_fn(cov12, var1, var2) = E[fn(u) fn(v)]` (and
    optionally `d_nngp_fn`, else its autodiff derivative in cov12), as neural-tangents;
    without it, by quadrature (neural-tangents raises there).

    **Arguments:**

    - `fn`: the activation, elementwise on JAX arrays (`None`: kernels only).
    - `nngp_fn`, `d_nngp_fn`: scalar functions of (cov12, var1, var2).

    **Example:**

    sin with its Gaussian integral E[sin u sin v] = exp(-(var1 + var2) / 2) sinh(cov12) gives
    `Sin`'s kernels; the NTK uses the derivative of `nngp_fn` in cov12 (Price's theorem:
    E[cos u cos v]), here by autodiff:

    ```pycon
    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> def sin_nngp(cov12, var1, var2):
    ...     return jnp.exp(-(var1 + var2) / 2) * jnp.sinh(cov12)
    >>> _, _, user = stax.serial(stax.Dense(1), stax.Elementwise(jnp.sin, sin_nngp))
    >>> _, _, exact = stax.serial(stax.Dense(1), stax.Sin())
    >>> k, k_exact = user(X), exact(X)
    >>> bool(np.allclose(k.nngp, k_exact.nngp, rtol=0, atol=1e-14))
    True
    >>> bool(np.allclose(k.ntk, k_exact.ntk, rtol=0, atol=1e-14))
    True

    ```
    """
    if fn is None and nngp_fn is None:
        raise ValueError("Elementwise needs fn, nngp_fn or both, got neither")
    if nngp_fn is None:
        return ElementwiseNumerical(fn)
    return Activation(f"Elementwise({getattr(fn or nngp_fn, '__name__', 'fn')})",
                      _duals.User(fn, nngp_fn, d_nngp_fn)).triple()


def ElementwiseNumerical(fn, deg: int | None = None, df=None):
    """Any elementwise `fn` by quadrature, accurate whatever the input variance
    (`kernelrich.ntk._quadrature`: ~1e-11 for functions analytic in a strip, such as tanh;
    kinked functions converge only algebraically).

    **Arguments:**

    - `fn`: the activation, elementwise on JAX arrays.
    - `deg`: neural-tangents' Gauss-Hermite degree, accepted so that ported code runs, and
      not used: the nodes are chosen from the largest variance the layer sees (a fixed
      Gauss-Hermite rule loses accuracy as the variance grows).
    - `df`: fn's derivative (default: a forward-mode JVP).

    **Example:**

    sin by quadrature against `Sin`'s closed form (an analytic function: the gap is at the
    level of rounding):

    ```pycon
    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> _, _, numerical = stax.serial(stax.Dense(1), stax.ElementwiseNumerical(jnp.sin))
    >>> _, _, exact = stax.serial(stax.Dense(1), stax.Sin())
    >>> k, k_exact = numerical(X), exact(X)
    >>> bool(np.allclose(k.nngp, k_exact.nngp, rtol=0, atol=1e-10))  # measured: 2e-15
    True
    >>> bool(np.allclose(k.ntk, k_exact.ntk, rtol=0, atol=1e-10))
    True

    ```
    """
    if not callable(fn):
        raise ValueError(f"fn must be an elementwise callable, got {fn!r}")
    if df is not None and not callable(df):
        raise ValueError(f"df must be callable or None, got {df!r}")
    activation(fn, name="fn")  # refuses a callable that is not elementwise
    if deg is not None and (isinstance(deg, bool) or not isinstance(deg, int | np.integer)
                            or deg < 1):
        raise ValueError(f"deg must be a positive integer or None, got {deg!r}")
    name = getattr(fn, "__name__", "fn")
    return Activation(f"ElementwiseNumerical({name})", _duals.Quadrature(fn, df, name)).triple()


class _Numerical(Activation):
    """A quadrature activation whose nodes may be fixed by the user."""

    def __init__(self, name, dual, nodes):
        super().__init__(name, dual)
        self.nodes = nodes

    def run(self, state, spec, ctx, where):
        if ctx.static and self.nodes is not None:
            fixed = ctx.plan.nodes_fixed
            ctx.plan.nodes_fixed = self.nodes if fixed is None else tuple(
                max(a, b) for a, b in zip(fixed, self.nodes, strict=True))
        return super().run(state, spec, ctx, where)


def ntk_activation(act, *, quadrature: bool, order: int | None = None):
    """The layer of a `kernelrich.ntk` activation (the `activation`, `method` and `order` of
    `kernelrich.ntk.infinite_ntk`): its closed form, or with `quadrature` (or when it has
    none) the quadrature, on `order` x `order` nodes when `order` is given, else on nodes
    chosen from the largest variance."""
    dual = _duals.Closed(act, quadrature)
    if order is None:
        return Activation(act.name, dual).triple()
    return _Numerical(act.name, dual, (order, order)).triple()
