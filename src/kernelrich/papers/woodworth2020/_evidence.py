"""What the Woodworth et al. (2020) checks share: their instances (one set of constants, from
which `ASSUMPTIONS` is derived), and the NaN-aware pieces their judges are made of."""

from __future__ import annotations

import numpy as np
import scipy.optimize

from ...datasets import sparse_regression
from ...experiments import Param

KEY = "woodworth2020"
NOISE_STD = 0.1  # the checks' instances use Figure 1's noise (variance 0.01, section 1.5)
SPARSITY = 3
W0_RANGE = (0.5, 2.0)  # a general init shape w0 with no zero entries (Theorem 1, section 1.6)
SIZES = {"limits": (40, 10), "trajectory": (30, 8), "gd": (30, 8), "theorem2": (30, 10)}
ALPHAS = {"kkt": 0.1, "trajectory": 0.3, "gd": 0.5, "kernel": 1e3, "rich": 1e-8}
EPS = 0.5  # Theorem 2's eps in its two checks
FEASIBLE = 1e-9  # the largest ||X beta - y|| / ||y|| accepted as X beta = y

ASSUMPTIONS = [
    Param.choice("checks: data", f"x_n ~ N(0, I_d), y_n = <beta*, x_n> + N(0, {NOISE_STD:g}^2), "
                 f"beta* {SPARSITY}-sparse with entries 1/sqrt({SPARSITY})",
                 "Figure 1's design (section 1.5) at a size where every check runs in seconds"),
    Param.choice("checks: (d, N)", {k: list(v) for k, v in SIZES.items()},
                 "N << d (underdetermined, as the theorems assume); small enough for the "
                 "2d-dimensional parameter ODE and GD to 1e-26"),
    Param.choice("checks: w0", f"uniform on [{W0_RANGE[0]:g}, {W0_RANGE[1]:g}]^d",
                 "Theorems 1 and 3 hold for any w0 with no zero entries; the KKT and trajectory "
                 "checks use a non-constant one"),
    Param.choice("checks: alpha", ALPHAS,
                 "inside the transition for KKT / trajectory / GD; far into each regime for the "
                 "kernel (1e3) and rich (1e-8, D = 3) limits"),
    Param.choice("checks: Theorem 2 eps", EPS, "a middle value of the experiment's eps grid"),
    Param.choice("checks: feasibility tolerance", FEASIBLE,
                 "X beta = y is the hypothesis of Theorems 1-3; float64 Newton reaches ~1e-14"),
]


def instance(kind: str, seed: int, shaped: bool = False):
    """(X, y, w0) of one check: `SIZES[kind]`, the sparse design, w0 = 1 or uniform."""
    d, N = SIZES[kind]
    X, y, _ = sparse_regression(d, N, SPARSITY, NOISE_STD, seed)
    w0 = (np.random.default_rng(seed + 100).uniform(*W0_RANGE, d) if shaped else np.ones(d))
    return X, y, w0


def non_finite(**arrays) -> list[str]:
    """`"<name> has non-finite entries"` for every array holding a NaN or an Inf."""
    return [f"{name} has non-finite entries" for name, a in arrays.items()
            if not np.all(np.isfinite(np.asarray(a, dtype=float)))]


def relative(a, b) -> float:
    """||a - b|| / ||b||."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(b))


def infeasibility(X, y, beta) -> float:
    """||X beta - y|| / ||y||: 0 for an interpolator."""
    return float(np.linalg.norm(X @ beta - y) / np.linalg.norm(y))


def null_direction(X) -> np.ndarray:
    """A unit vector v with X v = 0: the normalised sum of the right singular vectors of X
    beyond its rank (X has N < d rows)."""
    _, s, vt = np.linalg.svd(X)
    rank = int(np.sum(s > s[0] * max(X.shape) * np.finfo(float).eps))
    v = vt[rank:].sum(axis=0)
    return v / np.linalg.norm(v)


def shifted(X, beta, size: float) -> np.ndarray:
    """beta + size ||beta|| v, v in the null space of X: still an interpolator if beta is,
    but off the flow's limit by `size` relative."""
    return beta + size * np.linalg.norm(beta) * null_direction(X)


def violating(X, beta, norm, bound: float) -> np.ndarray:
    """An interpolator beta + t v (v in the null space of X) with norm(beta + t v) = bound:
    a feasible point that breaks a guarantee norm(beta) <= bound (t > 0 by Brent's method)."""
    v = null_direction(X)
    if norm(beta) >= bound:
        return beta
    hi = 1.0
    while norm(beta + hi * v) <= bound:
        hi *= 2.0
    t = scipy.optimize.brentq(lambda s: norm(beta + s * v) - bound, 0.0, hi, xtol=1e-14)
    return beta + t * v
