"""Vectorised scalar root finding: safeguarded Newton on monotone functions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_EPS = np.finfo(np.float64).eps


def solve_increasing(
    f: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    target: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    x0: np.ndarray,
    *,
    max_iter: int = 200,
) -> np.ndarray:
    """Solve f(x) = target elementwise for f increasing on the bracket [lo, hi].

    Newton steps, replaced by a bisection of the current bracket (geometric when the
    bracket is positive, so tiny roots keep their relative accuracy) whenever a step
    leaves the bracket. Stops when every Newton step is below a few ulps.

    **Arguments:**
    - `f`: x -> (f(x), f'(x)), vectorised.
    - `target`, `lo`, `hi`, `x0`: arrays broadcastable to one shape; lo <= root <= hi.

    **Returns:** the roots, to a few ulps.
    """
    target, lo, hi, x = (np.array(a, dtype=np.float64) for a in np.broadcast_arrays(
        target, lo, hi, x0))
    for _ in range(max_iter):
        value, slope = f(x)
        resid = value - target
        lo = np.where(resid < 0, x, lo)
        hi = np.where(resid > 0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = resid / slope
        done = (resid == 0) | (np.abs(step) <= 4 * _EPS * np.abs(x))
        if np.all(done):
            return x
        x_new = x - step
        inside = np.isfinite(x_new) & (x_new >= lo) & (x_new <= hi)
        mid = np.where(lo > 0, np.sqrt(lo * hi), 0.5 * (lo + hi))
        x = np.where(done, x, np.where(inside, x_new, mid))
    return x
