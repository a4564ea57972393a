"""The two ends of the implicit-bias path: min-l1 (rich limit) and min-l2 (kernel limit)
interpolating solutions of X beta = y."""

from __future__ import annotations

import numpy as np
import scipy.optimize
from jaxtyping import Float

from .. import _validate


def min_l2(X: Float[np.ndarray, "N d"], y: Float[np.ndarray, " N"]) -> Float[np.ndarray, " d"]:
    """argmin ||beta||_2 s.t. X beta = y (the alpha -> infinity limit), by LAPACK's
    minimum-norm least squares.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import min_l2
    >>> min_l2(np.array([[1.0, 2.0]]), np.array([2.0])).round(6)
    array([0.4, 0.8])

    ```
    """
    X, y = _validate.design(X, y)
    return _validate.feasible(X, y)


def min_l1(X: Float[np.ndarray, "N d"], y: Float[np.ndarray, " N"]) -> Float[np.ndarray, " d"]:
    """argmin ||beta||_1 s.t. X beta = y (the alpha -> 0 limit), as a linear program.

    HiGHS (through SciPy) solves the LP in beta = u - v, u, v >= 0; the answer is then
    polished on its support S by solving X_S beta_S = y exactly, so that it is accurate to
    machine precision rather than to the LP tolerance (the vertex is determined by S).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import min_l1
    >>> min_l1(np.array([[1.0, 2.0]]), np.array([2.0])).round(6)
    array([0., 1.])

    ```
    """
    X, y = _validate.design(X, y)
    _validate.bounded("X", X)
    _validate.feasible(X, y)
    N, d = X.shape
    # The LP runs on X / sx and y / sy (entries of order 1), so that its absolute tolerances
    # mean the same at every scale; beta = (sy / sx) beta_scaled.
    sx, sy = np.abs(X).max(), np.abs(y).max()
    if sy == 0:
        return np.zeros(d)
    ratio = _validate.finite_result(sy / sx, names="X and y", what="min_l1's scale |y| / |X|")
    res = scipy.optimize.linprog(
        np.ones(2 * d), A_eq=np.hstack([X, -X]) / sx, b_eq=y / sy, bounds=(0, None),
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:
        raise RuntimeError(f"min_l1: the LP solver failed: {res.message}")
    beta = ratio * (res.x[:d] - res.x[d:])
    support = np.abs(beta) > 1e-9 * max(np.abs(beta).max(), 1e-300)
    if support.sum() <= N:
        polished = np.zeros(d)
        polished[support] = np.linalg.lstsq(X[:, support], y, rcond=None)[0]
        if (np.linalg.norm(X @ polished - y) <= 1e-12 * max(np.linalg.norm(y), 1e-300)
                and np.all(np.sign(polished[support]) == np.sign(beta[support]))):
            return polished
    return beta
