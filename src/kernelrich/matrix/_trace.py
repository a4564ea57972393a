"""The min-nuclear-norm solution of commuting (diagonal) sensing, by a linear program.

With A_i = diag(x_i), a PSD X that fits A(X) = y and minimises ||X||_* = trace X can be
taken diagonal, X = diag(beta) with beta >= 0: argmin sum beta s.t. X beta = y, beta >= 0
(Gunasekar et al. 2017, Theorem 1 and Corollary 2). It is min-l1 when min-l1 is
nonnegative; otherwise it is the nonnegative point that the U U^T flow can reach.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from jaxtyping import Float

from .. import _validate


def min_trace_diagonal(X: Float[np.ndarray, "m n"], y: Float[np.ndarray, " m"]
                       ) -> Float[np.ndarray, " n"]:
    """argmin sum_j beta_j s.t. X beta = y, beta >= 0 (module docstring).

    HiGHS (through SciPy) solves the LP on X / max|X|, y / max|y|; the vertex is then
    polished on its support S by solving X_S beta_S = y, so that it is accurate to machine
    precision rather than to the LP's tolerance.

    **Arguments:**
    - `X`, `y`: the design (m, n) and measurements (m,).

    **Returns:** beta, shape (n,).

    **Raises:** `RuntimeError` with the solver's message if the LP is not solved to
    optimality (infeasible: y outside the cone {X beta : beta >= 0}).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import min_trace_diagonal
    >>> min_trace_diagonal(np.array([[1.0, 2.0]]), np.array([2.0])).round(6)
    array([0., 1.])
    >>> min_trace_diagonal(np.array([[1.0, -1.0, 2.0]]), np.array([1.0])).round(6)
    array([0. , 0. , 0.5])

    ```
    """
    X, y = _validate.design(X, y)
    sx, sy = np.abs(X).max(), np.abs(y).max()
    if sy == 0:
        return np.zeros(X.shape[1])
    if sx == 0:
        raise ValueError("X must not be all zeros when y is not")
    res = scipy.optimize.linprog(
        np.ones(X.shape[1]), A_eq=X / sx, b_eq=y / sy, bounds=(0, None), method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        raise RuntimeError(f"min_trace_diagonal: the LP solver failed: {res.message}")
    beta = (sy / sx) * res.x
    support = beta > 1e-9 * beta.max()
    if support.sum() <= X.shape[0]:
        polished = np.zeros_like(beta)
        polished[support] = np.linalg.lstsq(X[:, support], y, rcond=None)[0]
        if (np.linalg.norm(X @ polished - y) <= 1e-12 * np.linalg.norm(y)
                and np.all(polished[support] > 0)):
            return polished
    return beta
