"""The closed-form link between the N-dimensional dual variable and beta.

Woodworth et al. (2020), Theorems 1 and 3. Along gradient flow on the depth-D diagonal
network beta = w_+^D - w_-^D started at w_+ = w_- = A := alpha * w0, every coordinate is a
function of t = X^T nu for one nu in R^N (nu is, up to a constant, the integrated residual):

- D = 2:  beta_i = 2 A_i^2 sinh(t_i)                            (the sinh link)
- D >= 3: beta_i = A_i^D h_D(A_i^(D-2) t_i),  |A_i^(D-2) t_i| < 1  (the h_D link)

with h_D(z) = (1 - z)^(-p) - (1 + z)^(-p), p = D / (D - 2). The limit of the flow is the
nu solving X beta(nu) = y; it minimises the convex dual
phi(nu) = sum_i Qstar_i(t_i) - y.nu, where Qstar_i' = beta_i.

Everything is computed from log(A) so that alpha down to 1e-100 (D = 2) neither
underflows nor overflows, and near |z| -> 1 from the complement e = 1 - |z|.
`xp` may be `numpy` or `jax.numpy` for the forward maps.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np

from .._roots import solve_increasing

LOG_HUGE = 700.0  # exp(LOG_HUGE) ~ 1e304: room left for the factors of beta and its slope


def exponent(depth: int) -> float:
    """p = D / (D - 2), the exponent of h_D (D >= 3)."""
    return depth / (depth - 2)


# --- h_D and its relatives, on z in (-1, 1) -------------------------------------------


def h(z, depth: int, xp: ModuleType = np):
    """h_D(z) = (1 - z)^(-p) - (1 + z)^(-p), accurate for all |z| < 1."""
    p = exponent(depth)
    a = xp.abs(z)
    small = xp.minimum(a, 0.5)
    # |z| <= 1/2: 2 exp(-p/2 log(1 - z^2)) sinh(p atanh z) has no cancellation.
    near0 = 2 * xp.exp(-0.5 * p * xp.log1p(-small * small)) * xp.sinh(p * xp.arctanh(small))
    big = xp.maximum(a, 0.5)
    far = (1 - big) ** (-p) - (1 + big) ** (-p)
    return xp.sign(z) * xp.where(a <= 0.5, near0, far)


def h_slope(z, depth: int, xp: ModuleType = np):
    """h_D'(z) = p [(1 - z)^(-p-1) + (1 + z)^(-p-1)]."""
    p = exponent(depth)
    return p * ((1 - z) ** (-p - 1) + (1 + z) ** (-p - 1))


def h_integral(z: np.ndarray, depth: int, e: np.ndarray | None = None) -> np.ndarray:
    """H_D(z) = int_0^z h_D = [(1 - z)^(1-p) + (1 + z)^(1-p) - 2] / (p - 1).

    `e = 1 - |z|` may be given for accuracy near |z| = 1.
    """
    p = exponent(depth)
    a = np.abs(z)
    if e is None:
        e = 1 - a
    small = np.minimum(a, 0.5)
    m = 0.5 * (1 - p) * np.log1p(-small * small)
    delta = (p - 1) * np.arctanh(small)
    near0 = 2 * (np.expm1(m) * np.cosh(delta) + 2 * np.sinh(delta / 2) ** 2) / (p - 1)
    e_far = np.minimum(e, 0.5)
    far = (e_far ** (1 - p) + (2 - e_far) ** (1 - p) - 2) / (p - 1)
    return np.where(a <= 0.5, near0, far)


def h_inverse(u: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """z = h_D^{-1}(u) in (-1, 1) and its complement e = 1 - |z|, both accurate.

    Small |u|: Newton on z from z0 = |u| / (2p) (h convex, h'(0) = 2p, so z0 is right of
    the root). Large |u|: Newton on log e for log(e^(-p) - (2 - e)^(-p)) = log|u| from
    e0 = (1 + |u|)^(-1/p) (left of the root); no power of e is formed, so |u| up to
    1e300 does not overflow.
    """
    p = exponent(depth)
    u = np.asarray(u, dtype=np.float64)
    a = np.abs(u)
    small = a <= 1.0

    def h_and_slope(z):
        return h(z, depth), h_slope(z, depth)

    a_small = np.where(small, a, 0.0)
    z_small = solve_increasing(h_and_slope, a_small, 0.0, np.minimum(a_small / (2 * p), 1.0),
                               a_small / (2 * p))

    def minus_g(x):  # x = log e;  -log(e^-p - (2-e)^-p) is increasing in x
        e = np.exp(x)
        r = e / (2 - e)
        rp = r**p
        value = p * x - np.log1p(-rp)
        slope = p + e * p * rp / r * 2 / (2 - e) ** 2 / (1 - rp)
        return value, slope

    a_big = np.where(small, 2.0, a)
    x0 = -np.log1p(a_big) / p
    e_big = np.exp(solve_increasing(minus_g, -np.log(a_big), x0, 0.0, x0))
    e = np.where(small, 1 - z_small, e_big)
    z = np.sign(u) * np.where(small, z_small, 1 - e_big)
    return z, e


# --- the per-coordinate link beta(t) and its dual potential ---------------------------


def beta_of_dual(t, log_a, depth: int, xp: ModuleType = np):
    """beta_i as a function of t_i = (X^T nu)_i (module docstring)."""
    if depth == 2:
        s = xp.abs(t)
        return xp.sign(t) * xp.exp(2 * log_a + s) * (-xp.expm1(-2 * s))
    z = xp.exp((depth - 2) * log_a) * t
    return xp.exp(depth * log_a) * h(z, depth, xp)


def beta_slope_of_dual(t, log_a, depth: int, xp: ModuleType = np):
    """d beta_i / d t_i > 0: the diagonal of the dual Hessian X diag(.) X^T."""
    if depth == 2:
        s = xp.abs(t)
        return xp.exp(2 * log_a + s) * (1 + xp.exp(-2 * s))
    z = xp.exp((depth - 2) * log_a) * t
    return xp.exp((2 * depth - 2) * log_a) * h_slope(z, depth, xp)


def beta_and_slope(t, log_a, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """`beta_of_dual` and `beta_slope_of_dual` together (NumPy; one exponential for D = 2;
    `log_a` broadcasts to the shape of `t`)."""
    if depth == 2:  # in place where it can be: this runs a few times per Newton step
        s = np.abs(t)
        big = np.multiply(log_a, 2.0, out=np.empty_like(s))
        big += s
        np.exp(big, out=big)
        s *= -2.0
        m = np.expm1(s, out=s)  # exp(-2s) - 1, accurate where s is tiny (the kernel regime)
        m *= big  # -|beta|
        big *= 2.0
        big += m
        return np.copysign(m, t, out=m), big
    return beta_of_dual(t, log_a, depth), beta_slope_of_dual(t, log_a, depth)


def dual_potential(t: np.ndarray, log_a: np.ndarray, depth: int) -> np.ndarray:
    """Qstar_i(t_i) = int_0^t beta_i: the dual objective's separable part; +inf outside
    `dual_radius` (the domain |A^(D-2) t| < 1 when D >= 3; for D = 2 where it exceeds
    the float64 range)."""
    if depth == 2:
        s = np.abs(t)
        exponent = 2 * log_a + s
        if np.max(exponent) < LOG_HUGE:  # the common case, without the masking below
            return np.exp(exponent) * np.square(np.expm1(-s))
        finite = exponent < LOG_HUGE
        return np.where(finite, np.exp(np.minimum(exponent, LOG_HUGE)) * np.expm1(-s) ** 2,
                        np.inf)
    z = np.exp((depth - 2) * log_a) * t
    inside = np.abs(z) < 1
    zc = np.where(inside, z, 0.0)
    return np.where(inside, np.exp(2 * log_a) * h_integral(zc, depth), np.inf)


def dual_radius(log_a: np.ndarray, depth: int) -> np.ndarray:
    """The domain of t_i: |t_i| < A_i^(2-D) for D >= 3; for D = 2 (defined everywhere)
    |t_i| < LOG_HUGE - 2 log A_i, where beta_i, its slope and Qstar_i are below
    exp(LOG_HUGE) ~ 1e304 and finite in float64."""
    if depth == 2:
        return LOG_HUGE - 2 * log_a
    return np.exp((2 - depth) * log_a)


def dual_of_beta(beta: np.ndarray, log_a: np.ndarray, depth: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The inverse link: t_i = (grad Q)_i(beta_i), and d beta_i / d t_i there.

    This is the primal side of the KKT system; it stays accurate where the dual link
    beta(t) is ill-conditioned (tiny alpha, |z| -> 1 for D >= 3).
    """
    beta = np.asarray(beta, dtype=np.float64)
    if depth == 2:
        top, low = float(np.max(np.abs(beta), initial=0.0)), -2 * float(np.min(log_a))
        wide = max(abs(low), 2 * abs(float(np.max(log_a))))
        if wide < LOG_HUGE and (top == 0 or math.log(top) + low < LOG_HUGE):
            # the common case, A^-2 and |beta| / A^2 below exp(LOG_HUGE) (checked without
            # forming them): t = arcsinh(beta / (2 A^2)) directly (arcsinh is accurate for
            # any finite argument)
            scale = np.exp(-2 * log_a)
            return np.arcsinh(0.5 * scale * beta), np.hypot(beta, 2 / scale)
        # t = arcsinh(beta / (2 A^2)), in logs so that A^2 may underflow.
        lx = np.log(np.abs(beta) + (beta == 0)) - np.log(2.0) - 2 * log_a
        x = np.exp(np.minimum(lx, 700.0))
        t_big = lx + np.log(2.0) + np.log1p(np.exp(-2 * np.maximum(lx, 20.0)) / 4)
        t = np.sign(beta) * np.where(lx > 20, t_big, np.arcsinh(x))
        slope = np.hypot(beta, 2 * np.exp(2 * log_a))  # 2 A^2 cosh t
        return t, slope
    p = exponent(depth)
    u = np.sign(beta) * np.exp(np.log(np.abs(beta) + (beta == 0)) - depth * log_a)
    u = np.where(beta == 0, 0.0, u)
    z, e = h_inverse(u, depth)
    t = z * np.exp((2 - depth) * log_a)
    log_hp = np.log(p) - (p + 1) * np.log(e) + np.log1p((e / (2 - e)) ** (p + 1))
    slope = np.exp((2 * depth - 2) * log_a + log_hp)
    return t, slope
