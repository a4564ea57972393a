"""Theorem 2 of Woodworth et al. (2020): how small (large) alpha must be for the flow's
limit to be within a factor (1 + eps) of the min-l1 (min-l2) solution, for w0 = 1, D = 2."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate
from ._references import min_l1, min_l2


def _eps(eps, d: int) -> float:
    eps = _validate.positive("eps", eps)
    if eps >= d:
        raise ValueError(f"eps must satisfy 0 < eps < d = {d}, got {eps}")
    return eps


def rich_alpha_threshold(eps: float, X: Float[np.ndarray, "N d"], y: Float[np.ndarray, " N"],
                         *, log: bool = False) -> float:
    """alpha_rich(eps) = min{(2 (1 + eps) ||beta_l1||_1)^(-(2 + eps) / (2 eps)),
    exp(-d / (eps ||beta_l1||_1))}: any alpha <= alpha_rich gives
    ||beta_alpha||_1 <= (1 + eps) ||beta_l1||_1  (Theorem 2).

    The threshold is exponentially small; with `log=True` its natural log is returned
    (it underflows to 0 in floating point when d / (eps ||beta_l1||_1) > 745).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import rich_alpha_threshold
    >>> X, y = np.array([[1.0, 2.0]]), np.array([2.0])
    >>> round(rich_alpha_threshold(0.5, X, y, log=True), 6)
    -4.0
    >>> round(rich_alpha_threshold(0.5, X, y), 6)
    0.018316

    ```
    """
    X, y = _validate.design(X, y)
    eps = _eps(eps, X.shape[1])
    l1 = float(np.abs(min_l1(X, y)).sum())
    log_alpha = min(-(2 + eps) / (2 * eps) * np.log(2 * (1 + eps) * l1),
                    -X.shape[1] / (eps * l1))
    return log_alpha if log else float(np.exp(log_alpha))


def kernel_alpha_threshold(eps: float, X: Float[np.ndarray, "N d"],
                           y: Float[np.ndarray, " N"]) -> float:
    """alpha_kernel(eps) = sqrt(2 (1 + eps) (1 + 2 / eps) ||beta_l2||_2): any alpha >= it
    gives ||beta_alpha||_2^2 <= (1 + eps) ||beta_l2||_2^2  (Theorem 2).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import kernel_alpha_threshold
    >>> X, y = np.array([[1.0, 2.0]]), np.array([2.0])
    >>> round(kernel_alpha_threshold(0.5, X, y), 6)
    3.662842
    >>> bool(np.isclose(kernel_alpha_threshold(0.5, X, y), np.sqrt(2 * 1.5 * 5 * np.sqrt(0.8))))
    True

    ```
    """
    X, y = _validate.design(X, y)
    eps = _eps(eps, X.shape[1])
    with np.errstate(all="ignore"):  # out of float64's range: refused below, by name
        l2 = float(np.linalg.norm(min_l2(X, y)))
        value = float(np.sqrt(2 * (1 + eps) * (1 + 2 / eps) * l2))
    return _validate.finite_result(value, names="X and y", what="kernel_alpha_threshold")
