"""Data sets the experiments generate (no downloads)."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from . import _validate


def sparse_regression(
    d: int, N: int, r: int, noise_std: float = 0.1, seed: int = 0
) -> tuple[Float[np.ndarray, "N d"], Float[np.ndarray, " N"], Float[np.ndarray, " d"]]:
    """The sparse regression of Woodworth et al. (2020), section 1.5 / Figure 1.

    x_n ~ N(0, I_d), y_n = <beta*, x_n> + N(0, noise_std^2), with beta* r-sparse, its nonzero
    entries equal to 1 / sqrt(r) (so ||beta*||_2 = 1) on the first r coordinates.

    **Returns:** (X, y, beta_star).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.datasets import sparse_regression
    >>> X, y, beta_star = sparse_regression(d=5, N=3, r=2, noise_std=0.0)
    >>> X.shape, y.shape, beta_star.round(6)
    ((3, 5), (3,), array([0.707107, 0.707107, 0.      , 0.      , 0.      ]))
    >>> bool(np.allclose(X @ beta_star, y)), round(float(np.linalg.norm(beta_star)), 6)
    (True, 1.0)

    ```
    """
    d = _validate.integer("d", d, minimum=1)
    N = _validate.integer("N", N, minimum=1)
    r = _validate.integer("r", r, minimum=0)
    if r > d:
        raise ValueError(f"r must be <= d = {d}, got {r}")
    if not (np.isfinite(noise_std) and noise_std >= 0):
        raise ValueError(f"noise_std must be finite and >= 0, got {noise_std}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, d))
    beta_star = np.zeros(d)
    beta_star[:r] = 1 / np.sqrt(r) if r else 0.0
    y = X @ beta_star + noise_std * rng.standard_normal(N)
    return X, y, beta_star
