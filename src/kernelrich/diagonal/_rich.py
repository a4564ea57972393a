"""The deep rich regime of depth D >= 3: the weighted-l1 vertex as the flow limit, with a
KKT certificate (Woodworth et al. 2020, Theorem 3 as alpha -> 0).

For D >= 3 and small alpha, Q_D(beta) = sum_i w0_i^(2-D) |beta_i| - O(alpha^(D-2)), so the
limit tends to argmin sum_i w0_i^(2-D) |beta_i| s.t. X beta = y, a linear program, at the
rate alpha^(D-2): on its support the gap 1 - |z| ~ alpha^(D-2) is soon below float64
resolution, and there Newton on the KKT system has nothing left to resolve. The vertex,
polished on its support, with the LP's dual certificate polished so that |z| = 1 there
exactly, and beta_i = b((X^T nu)_i) off it, is then a KKT point to rounding; `_solver`
accepts it only if its relative KKT residual is below tol (otherwise alpha is not small
enough for the vertex to be the limit).
"""

from __future__ import annotations

import numpy as np
import scipy.optimize

from .. import _validate


def weighted_l1(X: np.ndarray, y: np.ndarray, weights: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """argmin sum_i weights_i |beta_i| s.t. X beta = y by HiGHS (through SciPy), and the
    dual lam of the equality constraints (|X^T lam| <= weights; = weights_i sign(beta_i)
    on the support).

    The LP runs on X / sx and y / sy (entries of order 1), so that its absolute
    tolerances mean the same at every scale. A HiGHS status other than optimal raises a
    RuntimeError that names it. beta is polished on its support S by solving X_S beta_S =
    y exactly when that keeps its signs, so that it is accurate to machine precision
    rather than to the LP tolerance (the vertex is determined by S).
    """
    N, d = X.shape
    sx, sy = np.abs(X).max(), np.abs(y).max()
    if sy == 0:
        return np.zeros(d), np.zeros(N)
    ratio = _validate.finite_result(sy / sx, names="X and y", what="the l1 LP's scale |y| / |X|")
    res = scipy.optimize.linprog(
        np.concatenate([weights, weights]), A_eq=np.hstack([X, -X]) / sx, b_eq=y / sy,
        bounds=(0, None), method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:
        raise RuntimeError(f"the l1 linear program was not solved to optimality: HiGHS "
                           f"status {res.status} ({res.message})")
    beta = ratio * (res.x[:d] - res.x[d:])
    lam = res.eqlin.marginals / sx
    support = np.abs(beta) > 1e-9 * max(np.abs(beta).max(), 1e-300)
    if support.sum() <= N:
        polished = np.zeros(d)
        polished[support] = np.linalg.lstsq(X[:, support], y, rcond=None)[0]
        if (np.linalg.norm(X @ polished - y) <= 1e-12 * max(np.linalg.norm(y), 1e-300)
                and np.all(np.sign(polished[support]) == np.sign(beta[support]))):
            beta = polished
    return beta, lam


def vertex_certificate(X: np.ndarray, beta: np.ndarray, lam: np.ndarray, weights: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """The support S of the vertex and the dual mu (|X^T mu| <= weights) corrected by the
    least change that makes (X^T mu)_S = weights_S sign(beta_S) to rounding; None if the
    correction leaves the dual infeasible off S."""
    support = beta != 0
    if not support.any():
        return None
    XS = X[:, support]
    target = weights[support] * np.sign(beta[support])
    mu = lam + np.linalg.lstsq(XS.T, target - XS.T @ lam, rcond=None)[0]
    z = (X.T @ mu) / weights
    if np.any(np.abs(z[~support]) >= 1):
        return None
    return support, mu
