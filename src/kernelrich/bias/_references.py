"""The two ends of the implicit-bias path: min-l1 (rich limit) and min-l2 (kernel limit)
interpolating solutions of X beta = y."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate
from ..diagonal._rich import weighted_l1


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
    A solver status other than optimal raises a RuntimeError naming it, and so does an
    answer that does not satisfy X beta = y to 1e-9 relative.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import min_l1
    >>> min_l1(np.array([[1.0, 2.0]]), np.array([2.0])).round(6)
    array([0., 1.])

    ```
    """
    X, y = _validate.design(X, y)
    _validate.feasible(X, y)
    beta, _ = weighted_l1(X, y, np.ones(X.shape[1]))
    residual = np.linalg.norm(X @ beta - y) / max(np.linalg.norm(y), np.finfo(float).tiny)
    if not residual <= 1e-9:
        raise RuntimeError(f"min_l1: the LP's answer does not interpolate (relative residual "
                           f"{residual:.2e} > 1e-9)")
    return beta
