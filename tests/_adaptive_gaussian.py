"""An independent reference for the infinite-width kernels: the dual activations by nested
adaptive QUADPACK integrals (scipy.integrate.quad) in whitened coordinates, and the NNGP / NTK
recursion of Jacot et al. (2018, Thm 1) written out in plain Python.

u = r1 z1, v = r2 (rho z1 + c z2): the outer integral over z1 has breakpoints at 0 and at
multiples of the scales on which the integrand changes (1/r1, 1/(r2 |rho|), c/|rho|), the inner
one over z2 at the point where v = 0 and multiples of 1/(r2 c) around it, so that QUADPACK
sees the layers of width 1/r of an activation at large variance. Scalar `math` functions only.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import integrate

_SQRT2PI = math.sqrt(2 * math.pi)
_Z = 12.0
_EPSREL, _EPSABS = 1e-13, 1e-22


def _phi(z: float) -> float:
    return math.exp(-0.5 * z * z) / _SQRT2PI


def _sech2(x: float) -> float:
    return 1.0 / math.cosh(x) ** 2 if abs(x) < 350 else 0.0


ACTIVATIONS = {
    "tanh": (math.tanh, _sech2),
    "sigmoid": (lambda x: 0.5 * (1 + math.tanh(0.5 * x)), lambda x: 0.25 * _sech2(0.5 * x)),
    "gelu": (lambda x: 0.5 * x * math.erfc(-x / math.sqrt(2)),
             lambda x: 0.5 * math.erfc(-x / math.sqrt(2)) + x * _phi(x)),
    "erf": (math.erf, lambda x: 2 / math.sqrt(math.pi) * math.exp(-x * x)),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "abs": (abs, lambda x: math.copysign(1.0, x) if x != 0 else 0.0),
}
"""name -> (sigma, sigma') as scalar functions."""


def _quad(fn, points) -> float:
    points = sorted({p for p in points if -_Z < p < _Z}) or None
    with warnings.catch_warnings():  # QUADPACK's "roundoff detected" at tolerances of 1e-13
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return integrate.quad(fn, -_Z, _Z, points=points, epsabs=_EPSABS, epsrel=_EPSREL,
                              limit=400)[0]


def expectation(f, g, s11: float, s22: float, s12: float) -> float:
    """E[f(u) g(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]])."""
    r1, r2 = math.sqrt(s11), math.sqrt(s22)
    rho = s12 / math.sqrt(s11 * s22) if r1 > 0 and r2 > 0 else 0.0
    if abs(rho) > 1 - 4e-16:  # a diagonal entry, up to the rounding of sqrt
        rho = math.copysign(1.0, rho)
    c = math.sqrt(max(0.0, 1 - rho * rho))
    if c == 0.0:
        return _quad(lambda z: f(r1 * z) * g(r2 * rho * z) * _phi(z),
                     [0.0] + [k / max(r1, r2, 1e-300) for k in (-10, -3, -1, 1, 3, 10)])
    scales = [1 / r1 if r1 > 0 else 1.0, 1 / (r2 * abs(rho)) if r2 * abs(rho) > 0 else 1.0,
              c / abs(rho) if rho != 0 else 1.0]
    outer = [0.0] + [k * s for s in scales for k in (-10, -3, -1, 1, 3, 10)]

    def inner(z1: float) -> float:
        mean, spread = r2 * rho * z1, r2 * c
        if spread == 0.0:
            return g(mean)
        centre = -mean / spread
        return _quad(lambda z2: g(mean + spread * z2) * _phi(z2),
                     [centre] + [centre + k / spread for k in (-10, -3, -1, 1, 3, 10)])

    return _quad(lambda z1: f(r1 * z1) * inner(z1) * _phi(z1), outer)


def dual(name: str, s11: float, s22: float, s12: float) -> tuple[float, float]:
    """(E[sigma(u) sigma(v)], E[sigma'(u) sigma'(v)]) of a named activation."""
    f, df = ACTIVATIONS[name]
    return expectation(f, f, s11, s22, s12), expectation(df, df, s11, s22, s12)


def kernels(X: np.ndarray, depth: int, name: str, beta: float) -> tuple[list, list]:
    """[Sigma^(1..depth)(X, X)] and [Theta^(1..depth)(X, X)], every entry by `dual`."""
    n = len(X)
    sigma = X @ X.T / X.shape[1] + beta**2
    theta = sigma.copy()
    nngp, ntk = [sigma.copy()], [theta.copy()]
    for _ in range(depth - 1):
        value, slope = np.empty((n, n)), np.empty((n, n))
        for i in range(n):
            for j in range(i, n):
                v, s = dual(name, sigma[i, i], sigma[j, j], sigma[i, j])
                value[i, j] = value[j, i] = v
                slope[i, j] = slope[j, i] = s
        sigma = value + beta**2
        theta = theta * slope + sigma
        nngp.append(sigma.copy())
        ntk.append(theta.copy())
    return nngp, ntk


def relative_error(K: np.ndarray, ref: np.ndarray) -> float:
    """max |K - ref| / sqrt(ref(x, x) ref(x', x')): relative on the diagonal, and relative to
    the kernel's scale off it (Cauchy-Schwarz bounds |ref(x, x')| by that scale)."""
    d = np.sqrt(np.abs(np.diag(ref)))
    return float(np.max(np.abs(K - ref) / np.outer(d, d)))


def inputs(norm: float, n0: int = 3, seed: int = 0) -> np.ndarray:
    """Four points with |x|^2 / n0 = norm (one at norm / 10): a random x, a near-parallel
    copy (correlation 1 - 5e-7), a near-antiparallel one, and a shorter random point."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n0)
    e = rng.standard_normal(n0)
    e -= (e @ x) / (x @ x) * x
    x, e = x / np.linalg.norm(x), e / np.linalg.norm(e)
    y = rng.standard_normal(n0)
    points = [x, np.cos(1e-3) * x + np.sin(1e-3) * e, -np.cos(0.02) * x + np.sin(0.02) * e,
              y / np.linalg.norm(y) / np.sqrt(10)]
    return np.sqrt(norm * n0) * np.stack(points)
