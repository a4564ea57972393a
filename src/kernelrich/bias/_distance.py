"""R_{alpha, w0}: the implicit bias that gradient flow on the D = 2 diagonal network does
NOT have (Woodworth et al. 2020, section 1.7): the squared l2 distance from the
initialisation in parameter space, pushed forward to beta."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate
from ..diagonal import _links


def R(beta: Float[np.ndarray, " d"], alpha: float, w0: Float[np.ndarray, " d"] | None = None
      ) -> float:
    """R_{alpha, w0}(beta) = min ||w - alpha w0||^2 s.t. w_+^2 - w_-^2 = beta  (section 1.7).

    Separable: with a = alpha w0_i and b = beta_i, Lagrange gives w_+ = a / (1 - lam),
    w_- = a / (1 + lam), where (1 - lam)^(-2) - (1 + lam)^(-2) = b / a^2, i.e.
    lam = h_4^{-1}(b / a^2) (the depth-4 link of Theorem 3). Then the coordinate's cost is
    a^2 lam^2 [(1 - |lam|)^(-2) + (1 + |lam|)^(-2)], evaluated from the complement
    1 - |lam| so that alpha -> 0 (where R -> ||beta||_1) stays accurate.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import R
    >>> beta = np.array([1.0, -0.5, 0.0])
    >>> round(R(beta, alpha=1.0), 6)
    0.149134
    >>> round(R(beta, alpha=1e-6), 6)  # alpha -> 0: R -> ||beta||_1 = 1.5
    1.499997

    ```
    """
    beta = _validate.finite_array("beta", beta, ndim=1)
    alpha = _validate.positive("alpha", alpha)
    w0 = _validate.init_shape(w0, beta.shape[0])
    log_a = np.log(alpha) + np.log(w0)
    with np.errstate(all="ignore"):  # out of float64's range: refused below, by name
        u = np.sign(beta) * np.exp(np.log(np.abs(beta) + (beta == 0)) - 2 * log_a)
        lam, e = _links.h_inverse(np.where(beta == 0, 0.0, u), 4)
        lam = np.abs(lam)
        near = np.exp(2 * (log_a - np.log(e))) + np.exp(2 * log_a) / (2 - e) ** 2
        value = float(np.sum(lam**2 * near))
    return _validate.finite_result(value, names="beta, alpha and w0", what="R")
