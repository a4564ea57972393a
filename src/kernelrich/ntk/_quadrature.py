"""Gaussian expectations of an activation by quadrature, accurate whatever the variance.

For (u, v) ~ N(0, [[s11, s12], [s12, s22]]) this computes E[sigma(u) sigma(v)] and
E[sigma'(u) sigma'(v)] (the dual activations of Jacot et al. 2018, Thm 1) for activations
without a closed form. Whitening, u = r1 z1, v = r2 (rho z1 + c z2) with r = sqrt(s),
c = sqrt(1 - rho^2), z1, z2 ~ N(0, 1), the expectation is nested:
    E = int phi(z1) sigma(r1 z1) [int phi(z2) sigma(r2 (rho z1 + c z2)) dz2] dz1.
With a large variance, sigma(r z) changes on the scale 1/r in z near the point where its
argument vanishes (z1 = 0 outside, z2 = -rho z1 / c inside): a fixed Gauss-Hermite rule misses
that layer, and its error grows with r (1e-2 at s = 10 for tanh with 64 nodes). Each integral
here is a trapezoid rule in t after the change of variables z = b + x(t) centred on that point
b, with
    x'(t) = eps cosh t / (1 + (eps / lam) cosh t),
spacing eps (the activation's scale 1/r) near b, growing geometrically, and lam (the Gaussian's
scale) far from b. The map is analytic in |Im t| < pi, so for an activation analytic in a strip
around the real axis (tanh, sigmoid, softplus, ...) the trapezoid rule converges exponentially in
the step, and the step is fixed: the node count grows only like log(r). Measured against an
adaptive QUADPACK reference (tests/test_ntk_quadrature.py): below 1e-11 relative to the
kernel's scale for tanh and sigmoid, s from 1e-2 to 1e6, every correlation. Kinked activations
(relu as a callable) converge only algebraically; erf, gelu, relu and abs have closed forms
(`kernelrich.ntk._gaussian`).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ._activations import Activation

TRUNCATION = 8.5
"""|z| <= 8.5: the Gaussian mass left out is 2 Phi(-8.5) = 1.9e-17."""
SCALE = 1.5
"""lam, the node spacing (per unit step) far from the centre, in units of the Gaussian's."""
STEP = 0.24
"""The trapezoid step in t; the error falls like exp(-2 pi d / STEP), d ~ pi/2 for tanh."""
KAPPA_MAX = 0.9
"""eps / lam is capped below 1, where the map stops clustering (small variances)."""
_TINY = 1e-300


def node_counts(variance_max: float) -> tuple[int, int]:
    """(outer, inner) node counts for variances up to `variance_max` (multiples of 8).

    The outer rule covers |x| <= TRUNCATION around 0, the inner one x in [-Z, 2Z] around a
    centre clamped to [-Z, Z] (so one grid per entry serves every outer node).
    """
    eps = 1.0 / max(1.0, float(np.sqrt(max(variance_max, 0.0))))
    c0 = float(_reach(np.minimum(eps / SCALE, KAPPA_MAX)))
    outer = (2 * TRUNCATION / SCALE + 2 * c0) / STEP + 1
    inner = (3 * TRUNCATION / SCALE + 2 * c0) / STEP + 1
    return tuple(int(8 * np.ceil(n / 8)) for n in (outer, inner))


def _constants(kappa):
    """(C, a) of x(t) = lam (t - C atanh(a tanh(t / 2))), the integral of x'(t)."""
    return 2 / jnp.sqrt(1 - kappa * kappa), jnp.sqrt((1 - kappa) / (1 + kappa))


def _reach(kappa):
    """c0 = C atanh(a): x(t) >= lam (t - c0) for t >= 0, so t = x / lam + c0 reaches x."""
    C, a = _constants(kappa)
    return C * jnp.arctanh(a)


def _grid(eps, lo: float, hi: float, n: int):
    """Nodes x and weights h x'(t) of the trapezoid rule covering x in [lo Z, hi Z].

    `eps` has the batch shape (...); the result has shape (..., n).
    """
    kappa = jnp.minimum(eps / SCALE, KAPPA_MAX)[..., None]
    C, a = _constants(kappa)
    c0 = C * jnp.arctanh(a)
    t_lo = lo * TRUNCATION / SCALE - c0
    t_hi = hi * TRUNCATION / SCALE + c0
    h = (t_hi - t_lo) / (n - 1)
    t = t_lo + h * jnp.arange(n)
    x = SCALE * (t - C * jnp.arctanh(a * jnp.tanh(t / 2)))
    dx = SCALE / (1 + 1 / (kappa * jnp.cosh(jnp.clip(t, -700, 700))))
    return x, h * dx


def _density(z):
    return jnp.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)


def _whiten(s11, s22, s12):
    r1, r2 = jnp.sqrt(s11), jnp.sqrt(s22)
    positive = (r1 > 0) & (r2 > 0)
    rho = jnp.where(positive, s12 / jnp.where(positive, r1 * r2, 1.0), 0.0)
    rho = jnp.clip(rho, -1.0, 1.0)
    return r1, r2, rho, jnp.sqrt(jnp.maximum(1 - rho * rho, 0.0))


def quadrature_dual(act: Activation, s11, s22, s12, nodes: tuple[int, int]):
    """(E[sigma(u) sigma(v)], E[sigma'(u) sigma'(v)]) by the nested trapezoid rule.

    **Arguments:**

    - `act`: the activation.
    - `s11`, `s22`, `s12`: variances and covariance, broadcastable arrays.
    - `nodes`: (outer, inner) node counts, from `node_counts` of the largest variance.

    **Returns:** two arrays of the broadcast shape. Memory is outer x inner times that shape
    (call it on blocks).
    """
    n_outer, n_inner = nodes
    s11, s22, s12 = jnp.broadcast_arrays(*(jnp.asarray(s, dtype=jnp.float64)
                                           for s in (s11, s22, s12)))
    r1, r2, rho, c = _whiten(s11, s22, s12)
    tau = r2 * c  # the inner activation's argument is r2 rho z1 + tau z2
    # outer scale: sigma(r1 z1) and the inner integral (a function of r2 rho z1, smoothed by tau)
    eps_out = 1 / jnp.maximum(jnp.maximum(1.0, r1), r2 * jnp.abs(rho) / jnp.maximum(tau, 1.0))
    z1, w1 = _grid(eps_out, -1.0, 1.0, n_outer)  # centred on z1 = 0
    w1 = w1 * _density(z1)
    f, df = act.value_and_derivative(r1[..., None] * z1)
    x2, w2 = _grid(1 / jnp.maximum(1.0, tau), -1.0, 2.0, n_inner)
    centre = -rho[..., None] * z1 / jnp.maximum(c, _TINY)[..., None]  # where v = 0
    centre = jnp.clip(centre, -TRUNCATION, TRUNCATION)
    side = jnp.where(centre > 0, -1.0, 1.0)  # the grid's long arm points across the origin
    z2 = centre[..., None] + side[..., None] * x2[..., None, :]
    w2 = w2[..., None, :] * _density(z2)
    v = r2[..., None, None] * (rho[..., None, None] * z1[..., None] + c[..., None, None] * z2)
    g, dg = act.value_and_derivative(v)
    value = jnp.sum(w1 * f * jnp.sum(w2 * g, axis=-1), axis=-1)
    slope = jnp.sum(w1 * df * jnp.sum(w2 * dg, axis=-1), axis=-1)
    return value, slope


def quadrature_diagonal(act: Activation, q, nodes: tuple[int, int]):
    """(E[sigma(u)^2], E[sigma'(u)^2]) for u ~ N(0, q), by the outer rule alone."""
    r = jnp.sqrt(jnp.asarray(q, dtype=jnp.float64))
    z, w = _grid(1 / jnp.maximum(1.0, r), -1.0, 1.0, nodes[0])
    w = w * _density(z)
    f, df = act.value_and_derivative(r[..., None] * z)
    return jnp.sum(w * f * f, axis=-1), jnp.sum(w * df * df, axis=-1)
