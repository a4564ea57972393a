"""Dual activations: for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) the pair
(E[phi(u) phi(v)], E[phi'(u) phi'(v)]), and its diagonal for u = v ~ N(0, q).

Every closed form of `kernelrich.ntk._gaussian` is used as it is (one implementation); the
others are built from it or are new here:

- ABReLU phi = a min(x, 0) + b max(x, 0) = b relu(x) - a relu(-x): with k(c) the arc-cosine
  pair of `relu_dual` at covariance c,
      E[phi phi] = (a^2 + b^2) k(s12) - 2ab k(-s12),  E[phi' phi'] likewise with + 2ab
  (Cho & Saul 2009; neural-tangents' closed form, rewritten on `relu_dual`). ReLU is (0, 1)
  and abs (-1, 1), for which `relu_dual` and `abs_dual` are used directly; a composition of
  two ABReLUs is an ABReLU (`compose`).
- sign: E[sign u sign v] = 1 - 2 theta / pi, the slope of `abs_dual`; its derivative is zero
  almost everywhere, so (as in the finite network's autodiff and neural-tangents) no NTK
  flows through it.
- a erf(b x) + c: a^2 E[erf(bu) erf(bv)] + c^2 from `erf_dual` at b^2 s.
- a sin(b x + c): with m = b^2 (s11 + s22) / 2, E = a^2 / 2 (e^(-m + b^2 s12) -
  e^(-m - b^2 s12) cos 2c), slope a^2 b^2 / 2 (the same with +); cos and the RBF features
  sqrt(2) sin(sqrt(2 gamma) x + pi / 4) (kernel exp(-gamma (s11 + s22 - 2 s12))) are sines.
- any other function: the quadrature of `kernelrich.ntk._quadrature`, in chunks so that its
  (entries x nodes) temporaries fit the memory budget.
"""

from __future__ import annotations

import abc
import dataclasses
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..ntk._activations import Activation
from ..ntk._gaussian import abs_dual, erf_dual, gelu_dual, relu_dual
from ..ntk._quadrature import quadrature_diagonal, quadrature_dual


class Dual(abc.ABC):
    """An activation's Gaussian expectations (`pair`, `diagonal`), and its function `fn`."""

    quadrature = False
    user = False

    @abc.abstractmethod
    def fn(self, x):
        """The activation phi, elementwise."""

    @abc.abstractmethod
    def pair(self, s11, s22, s12, ctx):
        """`(E[phi(u) phi(v)], E[phi'(u) phi'(v)])` for (u, v) ~ N(0, [[s11, s12], [s12,
        s22]])."""

    @abc.abstractmethod
    def diagonal(self, q, ctx):
        """`(E[phi(u)^2], E[phi'(u)^2])` for u ~ N(0, q)."""


@dataclass(frozen=True)
class ABRelu(Dual):
    a: float
    b: float

    def fn(self, x):
        return self.a * jnp.minimum(x, 0) + self.b * jnp.maximum(x, 0)

    def pair(self, s11, s22, s12, ctx):
        a, b = self.a, self.b
        if (a, b) == (0.0, 1.0):
            return relu_dual(s11, s22, s12)
        if (a, b) == (-1.0, 1.0):
            return abs_dual(s11, s22, s12)
        plus, minus = relu_dual(s11, s22, s12), relu_dual(s11, s22, -s12)
        square, cross = a * a + b * b, 2 * a * b
        return square * plus[0] - cross * minus[0], square * plus[1] + cross * minus[1]

    def diagonal(self, q, ctx):
        half = (self.a ** 2 + self.b ** 2) / 2
        return half * q, half + 0 * q


@dataclass(frozen=True)
class Sign(Dual):
    def fn(self, x):
        return jnp.sign(x)

    def pair(self, s11, s22, s12, ctx):
        return abs_dual(s11, s22, s12)[1], 0.0 * s12

    def diagonal(self, q, ctx):
        return (q > 0).astype(q.dtype), 0.0 * q


@dataclass(frozen=True)
class Erf(Dual):
    a: float = 1.0
    b: float = 1.0
    c: float = 0.0

    def fn(self, x):
        return self.a * jax.scipy.special.erf(self.b * x) + self.c

    def pair(self, s11, s22, s12, ctx):
        b2 = self.b ** 2
        value, slope = erf_dual(b2 * s11, b2 * s22, b2 * s12)
        return self.a ** 2 * value + self.c ** 2, self.a ** 2 * b2 * slope

    def diagonal(self, q, ctx):
        return self.pair(q, q, q, ctx)


@dataclass(frozen=True)
class Gelu(Dual):
    approximate: bool = False

    def fn(self, x):
        return jax.nn.gelu(x, approximate=self.approximate)

    def pair(self, s11, s22, s12, ctx):
        return gelu_dual(s11, s22, s12)

    def diagonal(self, q, ctx):
        return gelu_dual(q, q, q)


@dataclass(frozen=True)
class Sin(Dual):
    a: float = 1.0
    b: float = 1.0
    c: float = 0.0

    def fn(self, x):
        return self.a * jnp.sin(self.b * x + self.c)

    def pair(self, s11, s22, s12, ctx):
        b2, half = self.b ** 2, self.a ** 2 / 2
        mean = -b2 * (s11 + s22) / 2
        same = jnp.exp(mean + b2 * s12)
        opposite = jnp.exp(mean - b2 * s12) * np.cos(2 * self.c)
        return half * (same - opposite), half * b2 * (same + opposite)

    def diagonal(self, q, ctx):
        b2, half = self.b ** 2, self.a ** 2 / 2
        opposite = jnp.exp(-2 * b2 * q) * np.cos(2 * self.c)
        return half * (1 - opposite), half * b2 * (1 + opposite)


@dataclass(frozen=True)
class Linear(Dual):
    """phi(x) = x (an `Identity` between two activations of a chain)."""

    def fn(self, x):
        return x

    def pair(self, s11, s22, s12, ctx):
        return s12, 1.0 + 0 * s12

    def diagonal(self, q, ctx):
        return q, 1.0 + 0 * q


class _Differentiated:
    """An elementwise function with its derivative (given, or by a unit-tangent JVP)."""

    def __init__(self, fn, df=None):
        self.fn, self.df = fn, df

    def value_and_derivative(self, x):
        if self.df is None:
            return jax.jvp(self.fn, (x,), (jnp.ones_like(x),))
        return self.fn(x), self.df(x)


class Quadrature(Dual):
    """Any elementwise function, by the variance-robust quadrature of
    `kernelrich.ntk._quadrature` (exponential convergence for functions analytic in a strip,
    algebraic for kinked ones)."""

    quadrature = True

    def __init__(self, fn, df=None, name: str | None = None):
        self._fn = fn
        self.act = fn if isinstance(fn, Activation) else _Differentiated(fn, df)
        self.name = name or getattr(fn, "__name__", "fn")

    def fn(self, x):
        return self._fn(x)

    def pair(self, s11, s22, s12, ctx):
        def run(a, b, c):
            return quadrature_dual(self.act, a, b, c, ctx.nodes)
        return chunked(run, (s11, s22, s12), ctx.chunk)

    def diagonal(self, q, ctx):
        def run(a):
            return quadrature_diagonal(self.act, a, ctx.nodes)
        return chunked(run, (q,), ctx.chunk)


class Closed(Dual):
    """An activation of `kernelrich.ntk` (`relu`, `erf`, `tanh`, ...), through its
    `kernelrich.ntk._gaussian.dual` (closed form, or quadrature when asked or needed)."""

    def __init__(self, act: Activation, quadrature: bool):
        self.act = act
        self.quadrature = quadrature or not act.closed_form
        self._inner = Quadrature(act) if self.quadrature else None

    def fn(self, x):
        return self.act(x)

    def __eq__(self, other):
        return (type(other) is Closed and (self.act, self.quadrature)
                == (other.act, other.quadrature))

    def __hash__(self):
        return hash((Closed, self.act, self.quadrature))

    def pair(self, s11, s22, s12, ctx):
        if self._inner is not None:
            return self._inner.pair(s11, s22, s12, ctx)
        return _CLOSED[self.act.name].pair(s11, s22, s12, ctx)

    def diagonal(self, q, ctx):
        if self._inner is not None:
            return self._inner.diagonal(q, ctx)
        return _CLOSED[self.act.name].diagonal(q, ctx)


_CLOSED = {"relu": ABRelu(0.0, 1.0), "abs": ABRelu(-1.0, 1.0), "erf": Erf(), "gelu": Gelu()}


class User(Dual):
    """A user's `nngp_fn(cov12, var1, var2)` (neural-tangents' `Elementwise`), its derivative
    in cov12 by autodiff when `d_nngp_fn` is not given (Price's theorem)."""

    user = True

    def __init__(self, fn, nngp_fn, d_nngp_fn=None):
        self._fn = fn
        self.nngp_fn = jnp.vectorize(nngp_fn)
        self.d_nngp_fn = jnp.vectorize(d_nngp_fn or jax.grad(nngp_fn, argnums=0))

    def fn(self, x):
        if self._fn is None:
            raise ValueError("this Elementwise layer has no fn: its finite network is undefined")
        return self._fn(x)

    def pair(self, s11, s22, s12, ctx):
        s11, s22, s12 = jnp.broadcast_arrays(s11, s22, s12)
        return self.nngp_fn(s12, s11, s22), self.d_nngp_fn(s12, s11, s22)

    def diagonal(self, q, ctx):
        return self.nngp_fn(q, q, q), self.d_nngp_fn(q, q, q)


def by_value(dual: Dual) -> bool:
    """Whether `dual` compares by value, everything its kernels trace being in its fields
    (the dataclasses and `Closed`), so that equal duals may share compiled programs."""
    return isinstance(dual, Closed) or (dataclasses.is_dataclass(dual)
                                        and type(dual).__hash__ is not None)


def chunked(fn, arrays, chunk: int):
    """`fn(*arrays)` (broadcast together) evaluated `chunk` entries at a time."""
    arrays = jnp.broadcast_arrays(*(jnp.asarray(a, dtype=jnp.float64) for a in arrays))
    shape, size = arrays[0].shape, arrays[0].size
    if size <= chunk:
        return fn(*arrays)
    pad = (-size) % chunk
    rows = tuple(jnp.pad(a.reshape(-1), (0, pad), mode="edge").reshape(-1, chunk)
                 for a in arrays)
    out = jax.lax.map(lambda r: fn(*r), rows)
    return tuple(o.reshape(-1)[:size].reshape(shape) for o in out)


def compose(duals: tuple[Dual, ...]) -> Dual:
    """The dual of phi_k o ... o phi_1 (a chain of activations of one Gaussian): closed when
    every map is an ABReLU (or the identity), else by quadrature of the composition."""
    duals = tuple(d for d in duals if not isinstance(d, Linear)) or (Linear(),)
    if len(duals) == 1:
        return duals[0]
    if all(_abrelu(d) is not None for d in duals):
        a, b = 1.0, 1.0
        for d in duals:
            a2, b2 = _abrelu(d)
            a, b = a * (b2 if a <= 0 else a2), b * (b2 if b >= 0 else a2)
        return ABRelu(float(a), float(b))
    fns = [d.fn for d in duals]

    def composite(x):
        for f in fns:
            x = f(x)
        return x

    return Quadrature(composite, name=" o ".join(getattr(d, "name", type(d).__name__)
                                                   for d in reversed(duals)))


def _abrelu(dual: Dual):
    if isinstance(dual, ABRelu):
        return dual.a, dual.b
    if isinstance(dual, Closed) and not dual.quadrature and dual.act.name in ("relu", "abs"):
        return (0.0, 1.0) if dual.act.name == "relu" else (-1.0, 1.0)
    return None
