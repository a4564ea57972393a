"""The positive semi-definiteness check of a symmetric Gram: Cauchy-Schwarz,
|K_ij| <= sqrt(K_ii K_jj), which every covariance satisfies, up to rounding."""

from __future__ import annotations

import warnings

import numpy as np


class KernelWarning(UserWarning):
    """A computed kernel that cannot be a covariance (it breaks Cauchy-Schwarz)."""


def warn_if_not_psd(kernels: dict, plan) -> None:
    """Warn when a symmetric Gram breaks Cauchy-Schwarz beyond rounding."""
    for name, K in kernels.items():
        if not _breaks_cauchy_schwarz(K):
            continue
        d = np.sqrt(np.clip(np.diag(K), 0, None))
        excess = np.abs(K) - (np.outer(d, d) * (1 + 1e-9) + 1e-300)
        i, j = np.unravel_index(np.argmax(excess), K.shape)
        cause = (f"the user-supplied nngp_fn of {', '.join(plan.user_dual)} is not the "
                 "covariance of a function of a Gaussian" if plan.user_dual else
                 "rounding in the recursion (please report it)")
        warnings.warn(f"the {name} Gram is not positive semi-definite: |K[{i}, {j}]| "
                      f"exceeds sqrt(K[{i}, {i}] K[{j}, {j}]) by {excess[i, j]:.3e}; "
                      f"cause: {cause}", KernelWarning, stacklevel=3)
        return


def _breaks_cauchy_schwarz(K: np.ndarray, rows: int = 128) -> bool:
    """Whether K has a negative diagonal entry or an entry with |K_ij| > sqrt(K_ii K_jj)
    (1 + 1e-9) + 1e-300; in row blocks that stay in cache (a quarter of the time of whole-
    matrix temporaries)."""
    diag = np.diag(K)
    if diag.min() < 0:
        return True
    d = np.sqrt(diag) * np.sqrt(1 + 1e-9)
    buffer = np.empty((min(rows, K.shape[0]), K.shape[1]))
    for start in range(0, K.shape[0], rows):
        block = K[start:start + rows]
        excess = buffer[:block.shape[0]]
        np.abs(block, out=excess)
        excess -= d[start:start + rows, None] * d
        if excess.max() > 1e-300:
            return True
    return False
