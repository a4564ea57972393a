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
    """
    dual = _duals.ABRelu(_number("a", a), _number("b", b))
    return Activation(f"ABRelu({dual.a:g}, {dual.b:g})", dual).triple()


def Relu(do_stabilize: bool = False):
    """max(x, 0): the arc-cosine kernel of `kernelrich.ntk._gaussian.relu_dual`."""
    return Activation("Relu", _duals.Closed(_duals.activation("relu"), False)).triple()


def LeakyRelu(alpha: float, do_stabilize: bool = False):
    """alpha min(x, 0) + max(x, 0)."""
    return ABRelu(alpha, 1.0)


def Abs(do_stabilize: bool = False):
    """|x|: `kernelrich.ntk._gaussian.abs_dual`."""
    return Activation("Abs", _duals.Closed(_duals.activation("abs"), False)).triple()


def Sign():
    """sign(x). Its derivative is zero almost everywhere, so no NTK flows through it (as in
    the finite network's autodiff, and neural-tangents)."""
    return Activation("Sign", _duals.Sign()).triple()


def Erf(a: float = 1.0, b: float = 1.0, c: float = 0.0):
    """a erf(b x) + c (Williams 1997)."""
    a, b, c = _number("a", a), _number("b", b), _number("c", c)
    if (a, b, c) == (1.0, 1.0, 0.0):
        return Activation("Erf", _duals.Closed(_duals.activation("erf"), False)).triple()
    return Activation(f"Erf({a:g}, {b:g}, {c:g})", _duals.Erf(a, b, c)).triple()


def Gelu(approximate: bool = False):
    """x Phi(x), with the closed forms of `kernelrich.ntk._gaussian.gelu_dual`.

    As in neural-tangents, `approximate=True` changes only the finite network (tanh
    approximation); the kernels are those of the exact gelu.
    """
    if not approximate:
        return Activation("Gelu", _duals.Closed(_duals.activation("gelu"), False)).triple()
    return Activation("Gelu(approximate)", _duals.Gelu(True)).triple()


def Sin(a: float = 1.0, b: float = 1.0, c: float = 0.0):
    """a sin(b x + c)."""
    dual = _duals.Sin(_number("a", a), _number("b", b), _number("c", c))
    return Activation(f"Sin({dual.a:g}, {dual.b:g}, {dual.c:g})", dual).triple()


def Cos(a: float = 1.0, b: float = 1.0, c: float = 0.0):
    """a cos(b x + c) = a sin(b x + c + pi / 2)."""
    dual = _duals.Sin(_number("a", a), _number("b", b), _number("c", c) + np.pi / 2)
    return Activation(f"Cos({a:g}, {b:g}, {c:g})", dual).triple()


def Rbf(gamma: float = 1.0):
    """sqrt(2) sin(sqrt(2 gamma) x + pi / 4): the NNGP becomes exp(-gamma (q11 + q22 - 2 q12))
    (random Fourier features of the Gaussian kernel)."""
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
    """
    if not callable(fn):
        raise ValueError(f"fn must be an elementwise callable, got {fn!r}")
    if df is not None and not callable(df):
        raise ValueError(f"df must be callable or None, got {df!r}")
    _duals.activation(fn, name="fn")  # refuses a callable that is not elementwise
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
