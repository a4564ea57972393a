"""The l1 and l2 max-margin directions of linearly separable data, exactly (the rich and kernel
limits of diagonal networks on the exponential loss; Moroshko et al. 2020, arXiv 2007.06738).

For labels y_n in {-1, +1} and z_n = y_n x_n (the rows of Z), the max-margin problems through
the origin are, in their minimum-norm form,

- l1: argmin ||beta||_1 s.t. Z beta >= 1, a linear program (HiGHS through SciPy, in
  beta = u - v), then polished on its support and its tight constraints;
- l2: argmin ||beta||_2 s.t. Z beta >= 1, by its dual, the nonnegative quadratic program
  min 1/2 lam^T Z Z^T lam - 1^T lam over lam >= 0, solved exactly by a Lawson-Hanson active
  set (beta = Z^T lam), then polished on the support vectors;

and the max-margin directions are these divided by their norm. Data that no beta separates
(Z beta >= 1 infeasible, checked by the LP) get a `ValueError`. `q_max_margin` interpolates
between the two: the minimiser of the diagonal network's potential Q_alpha (Woodworth et al.
2020, Theorems 1 and 3) under the margin constraints, Moroshko et al.'s characterisation of
the direction reached at a given initialisation scale and training loss.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from jaxtyping import Float

from .. import _validate


def _labelled(X, y) -> np.ndarray:
    X, y = _validate.design(X, y)
    if not np.all(np.isin(y, (-1.0, 1.0))):
        i = int(np.argmax(~np.isin(y, (-1.0, 1.0))))
        raise ValueError(f"y must hold labels -1 or +1, got y[{i}]={y[i]}")
    return X * y[:, None]


def _l1_lp(Z: np.ndarray):
    N, d = Z.shape
    scale = np.abs(Z).max()
    res = scipy.optimize.linprog(
        np.ones(2 * d), A_ub=-np.hstack([Z, -Z]) / scale, b_ub=-np.ones(N) / scale,
        bounds=(0, None), method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    return res


def _separable(Z: np.ndarray, res) -> None:
    if res.status == 2:
        raise ValueError(f"the data are not linearly separable through the origin: no beta has "
                         f"y_n <x_n, beta> > 0 for all n (X.shape={Z.shape}); the max-margin "
                         "problems have no solution")
    if res.status != 0:
        raise RuntimeError(f"l1_max_margin: the LP solver failed: {res.message}")


def check_separable(Z: np.ndarray) -> None:
    """Raise `ValueError` unless Z beta >= 1 is feasible (rows z_n = y_n x_n)."""
    _separable(Z, _l1_lp(Z))


def l1_max_margin(X: Float[np.ndarray, "N d"], y: Float[np.ndarray, " N"]
                  ) -> Float[np.ndarray, " d"]:
    """argmin ||beta||_1 s.t. y_n <x_n, beta> >= 1 for all n; the l1 max-margin direction is
    beta / ||beta||_1 (margin 1 / ||beta||_1).

    HiGHS solves the LP; the vertex is then recomputed on its support S and tight set T
    (|S| = |T|) by one linear solve, so that it is exact to rounding, and accepted if it stays
    feasible with the LP's signs.

    **Raises:** `ValueError` if the data are not linearly separable through the origin.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import l1_max_margin
    >>> l1_max_margin(np.array([[1.0, 2.0]]), np.array([1.0])).round(6)  # the larger feature only
    array([0. , 0.5])

    ```
    """
    Z = _labelled(X, y)
    d = Z.shape[1]
    res = _l1_lp(Z)
    _separable(Z, res)
    beta = res.x[:d] - res.x[d:]
    top = max(np.abs(beta).max(), 1e-300)
    support = np.abs(beta) > 1e-9 * top
    tight = np.abs(Z @ beta - 1) <= 1e-8
    if support.sum() == tight.sum() and support.any():
        try:
            exact = np.linalg.solve(Z[np.ix_(tight, support)], np.ones(tight.sum()))
        except np.linalg.LinAlgError:
            return beta
        polished = np.zeros(d)
        polished[support] = exact
        if (np.all(np.sign(exact) == np.sign(beta[support]))
                and np.all(Z @ polished >= 1 - 1e-12)):
            return polished
    return beta


def _nnqp(K: np.ndarray, c: np.ndarray, tol: float = 1e-13, max_iter: int | None = None
          ) -> np.ndarray:
    """argmin 1/2 lam^T K lam - c^T lam over lam >= 0 (K positive semidefinite), by the
    Lawson-Hanson active set: the passive set grows by the coordinate of steepest descent,
    each inner step solves the unconstrained problem on it and backtracks to stay >= 0."""
    n = len(c)
    lam, passive = np.zeros(n), np.zeros(n, bool)
    scale = max(np.abs(c).max(), np.finfo(float).tiny)
    for _ in range(max_iter or 3 * n + 10):
        w = c - K @ lam
        free = ~passive & (w > tol * scale)
        if not free.any():
            return lam
        passive[np.argmax(np.where(free, w, -np.inf))] = True
        while True:
            s = np.zeros(n)
            idx = np.flatnonzero(passive)
            s[idx] = np.linalg.lstsq(K[np.ix_(idx, idx)], c[idx], rcond=None)[0]
            if np.all(s[idx] > 0):
                lam = s
                break
            bad = idx[s[idx] <= 0]
            step = np.min(lam[bad] / (lam[bad] - s[bad]))
            lam = lam + step * (s - lam)
            passive &= lam > tol * lam.max(initial=0.0)
            lam[~passive] = 0.0
            if not passive.any():
                break
    raise RuntimeError("l2_max_margin: the active-set QP did not converge")


def l2_max_margin(X: Float[np.ndarray, "N d"], y: Float[np.ndarray, " N"]
                  ) -> Float[np.ndarray, " d"]:
    """argmin ||beta||_2 s.t. y_n <x_n, beta> >= 1 for all n (the hard-margin SVM through the
    origin); the l2 max-margin direction is beta / ||beta||_2.

    By the dual nonnegative QP over lam >= 0 (Lawson-Hanson active set, exact on its final
    support-vector set), beta = Z^T lam; its KKT conditions are verified to 1e-9.

    **Raises:** `ValueError` if the data are not linearly separable through the origin;
    `RuntimeError` if the KKT conditions are not met.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import l2_max_margin
    >>> l2_max_margin(np.array([[1.0, 2.0]]), np.array([1.0])).round(6)  # x / |x|^2
    array([0.2, 0.4])

    ```
    """
    Z = _labelled(X, y)
    _separable(Z, _l1_lp(Z))
    scale = np.abs(Z).max()
    Zs = Z / scale
    lam = _nnqp(Zs @ Zs.T, np.ones(len(Z)))
    beta = Zs.T @ lam / scale
    margins = Z @ beta
    sv = lam > 0
    if not (np.all(margins >= 1 - 1e-9) and np.all(np.abs(margins[sv] - 1) <= 1e-9)):
        raise RuntimeError(f"l2_max_margin: KKT conditions not met (smallest margin "
                           f"{margins.min():.3e}, support vectors' {margins[sv].min():.3e} to "
                           f"{margins[sv].max():.3e})")
    return beta


def angle_between(a: Float[np.ndarray, " d"], b: Float[np.ndarray, " d"]) -> float:
    """The angle between two nonzero vectors, in radians, accurate for tiny angles:
    2 atan2(|a^ - b^|, |a^ + b^|) with a^ = a / |a|.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import angle_between
    >>> round(angle_between(np.array([1.0, 0.0]), np.array([1.0, 1.0])), 6)  # pi / 4
    0.785398
    >>> angle_between(np.array([1.0, 0.0]), np.array([1.0, 1e-12]))
    1e-12

    ```
    """
    a = _validate.finite_array("a", a, ndim=1)
    b = _validate.finite_array("b", b, ndim=1)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        raise ValueError("angle_between: both vectors must be nonzero")
    u, v = a / na, b / nb
    return float(2 * np.arctan2(np.linalg.norm(u - v), np.linalg.norm(u + v)))


def q_max_margin(X: Float[np.ndarray, "N d"], y: Float[np.ndarray, " N"], alpha: float,
                 margin: float = 1.0, depth: int = 2, w0: Float[np.ndarray, " d"] | None = None,
                 *, tol: float = 1e-12, max_iter: int = 100) -> Float[np.ndarray, " d"]:
    """argmin Q_alpha(beta) s.t. y_n <x_n, beta> >= margin for all n: the Q-max-margin
    predictor at scale `margin` (Q the potential of Theorem 1 / 3 of Woodworth et al.; D >= 3:
    Q_D), Moroshko et al.'s characterisation of the classification flow at loss ~ e^-margin.

    KKT: beta = b(Z^T lam) with the flow's link b, lam >= 0, Z beta >= margin, lam_n = 0 off
    the support vectors A; on A it is the interpolation problem min Q s.t. Z_A beta = margin,
    solved exactly by `diagonal.flow_limit`. An active set: drop the support vector with the
    most negative multiplier (lam_A from grad Q(beta) = Z_A^T lam_A), add the most violated
    constraint, until both are clean to `tol`.

    **Raises:** `ValueError` for non-separable data; `RuntimeError` if the active set cycles.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import q_max_margin
    >>> X, y = np.array([[1.0, 2.0]]), np.array([1.0])
    >>> q_max_margin(X, y, 1e-8).round(4)  # small alpha: the l1 max margin
    array([0. , 0.5])
    >>> q_max_margin(X, y, 0.1).round(4)  # in between
    array([0.0669, 0.4666])
    >>> q_max_margin(X, y, 1e3).round(4)  # large alpha: the l2 max margin
    array([0.2, 0.4])

    ```
    """
    from ..diagonal import _links, flow_limit

    Z = _labelled(X, y)
    check_separable(Z)
    alpha = _validate.positive("alpha", alpha)
    margin = _validate.positive("margin", margin)
    depth = _validate.integer("depth", depth, minimum=2)
    w0 = _validate.init_shape(w0, Z.shape[1])
    log_a = np.log(alpha) + np.log(w0)
    N = len(Z)
    active = np.zeros(N, bool)
    active[np.argsort(Z @ l2_max_margin(X, y))[: min(N, Z.shape[1])]] = True
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        beta = flow_limit(Z[idx], np.full(idx.size, margin), alpha, depth, w0, tol=tol)
        t, _ = _links.dual_of_beta(beta, log_a, depth)
        lam = np.linalg.lstsq(Z[idx].T, t, rcond=None)[0]
        slack = Z @ beta - margin
        worst_lam, worst_slack = lam.min(), np.where(active, np.inf, slack).min()
        if worst_lam >= -tol * np.abs(lam).max() and worst_slack >= -tol * margin:
            return beta
        if worst_lam < -tol * np.abs(lam).max():
            active[idx[np.argmin(lam)]] = False
        else:
            active[np.argmin(np.where(active, np.inf, slack))] = True
    raise RuntimeError(f"q_max_margin: the active set did not settle in {max_iter} iterations")
