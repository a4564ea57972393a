"""Scalar summaries of a recovered matrix (Arora et al. 2019, section 3)."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate


def effective_rank(W: Float[np.ndarray, "n1 n2"]) -> float:
    """exp(H(p)) with p = sigma / sum(sigma), the entropy of the normalised singular values
    (Roy and Vetterli 2007; Arora et al. 2019, Figure 2). k equal nonzero singular values
    give exactly k; the zero matrix is refused.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import effective_rank
    >>> round(effective_rank(np.diag([2.0, 2.0, 0.0])), 6)
    2.0
    >>> round(effective_rank(np.diag([1.0, 0.1, 0.0])), 6)
    1.356131

    ```
    """
    W = _validate.finite_array("W", W, ndim=2)
    s = np.linalg.svd(W, compute_uv=False)
    if s.sum() <= 0:
        raise ValueError("W must not be the zero matrix (its effective rank is undefined)")
    p = s / s.sum()
    p = p[p > 0]
    return float(np.exp(-np.sum(p * np.log(p))))


def reconstruction_error(W: Float[np.ndarray, "n1 n2"], truth: Float[np.ndarray, "n1 n2"]
                         ) -> float:
    """The mean over all n1 n2 entries of (W - W*)^2 (Arora et al. 2019, section 3: the
    test error over observed and unobserved entries alike).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import reconstruction_error
    >>> round(reconstruction_error(np.zeros((2, 2)), np.array([[1.0, 0.0], [0.0, 1.0]])), 6)
    0.5

    ```
    """
    W, truth = _pair(W, truth)
    with np.errstate(over="ignore"):
        value = np.mean((W - truth) ** 2)
    return float(_validate.finite_result(value, names="W and truth",
                                         what="the mean squared error"))


def relative_error(W: Float[np.ndarray, "n1 n2"], truth: Float[np.ndarray, "n1 n2"]
                   ) -> float:
    """||W - W*||_F / ||W*||_F (Gunasekar et al. 2017, Figure 1).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import relative_error
    >>> round(relative_error(np.array([[1.0, 0.0], [0.0, 0.0]]), np.eye(2)), 6)
    0.707107

    ```
    """
    W, truth = _pair(W, truth)
    # both scaled by their largest entry, so that the norms neither overflow nor underflow
    top = max(np.abs(W).max(), np.abs(truth).max())
    with np.errstate(over="ignore"):
        diff = W / top - truth / top
    reference = np.linalg.norm(truth / top) if top > 0 else 0.0
    if reference == 0:
        raise ValueError("truth must not be the zero matrix (or negligible next to W), its "
                         "relative error is undefined")
    return float(_validate.finite_result(np.linalg.norm(diff) / reference,
                                         names="W and truth", what="the relative error"))


def nuclear_norm(W: Float[np.ndarray, "n1 n2"]) -> float:
    """||W||_* = sum of the singular values.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import nuclear_norm
    >>> round(nuclear_norm(np.array([[3.0, 0.0], [0.0, -4.0]])), 6)
    7.0

    ```
    """
    return float(np.linalg.svd(_validate.finite_array("W", W, ndim=2), compute_uv=False).sum())


def _pair(W, truth):
    W = _validate.finite_array("W", W, ndim=2)
    truth = _validate.finite_array("truth", truth, ndim=2)
    if W.shape != truth.shape:
        raise ValueError(f"W and truth must have the same shape, got {W.shape} and "
                         f"{truth.shape}")
    return W, truth
