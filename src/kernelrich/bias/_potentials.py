"""The potentials Q minimised by the limit of gradient flow (Woodworth et al. 2020)."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate
from ..diagonal import _links


def q(z: Float[np.ndarray, "..."]) -> Float[np.ndarray, "..."]:
    """q(z) = int_0^z arcsinh(u / 2) du = 2 - sqrt(4 + z^2) + z arcsinh(z / 2)  (Theorem 1).

    Evaluated as z arcsinh(z/2) - z * z / (sqrt(4 + z^2) + 2), which has no cancellation
    at small |z| and no overflow at large |z| (accurate to 1e-14 relative for
    1e-150 <= |z| <= 1e300).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import q
    >>> np.round(q(np.array([0.0, 2.0, -2.0])), 6)
    array([0.     , 0.93432, 0.93432])
    >>> bool(np.isclose(q(2.0), 2 - np.sqrt(8) + 2 * np.arcsinh(1)))
    True

    ```
    """
    z = _validate.finite_values("z", z)
    return z * np.arcsinh(z / 2) - z * (z / (np.hypot(z, 2.0) + 2.0))


def _scales(beta, alpha, w0, depth):
    beta = _validate.finite_array("beta", beta)
    if beta.ndim != 1:
        raise ValueError(f"beta must be 1-dimensional, got shape {beta.shape}")
    alpha = _validate.positive("alpha", alpha)
    w0 = _validate.init_shape(w0, beta.shape[0])
    return beta, np.log(alpha) + np.log(w0), w0


def Q(beta: Float[np.ndarray, " d"], alpha: float, w0: Float[np.ndarray, " d"] | None = None
      ) -> float:
    """Q_{alpha, w0}(beta) = sum_i alpha^2 w0_i^2 q(beta_i / (alpha^2 w0_i^2))  (Theorem 1).

    With c = alpha^2 w0^2 this is sum_i beta_i arcsinh(beta_i / 2c) - beta_i^2 / (sqrt(beta_i^2
    + 4c^2) + 2c), computed from log(alpha): no overflow of sinh/cosh and no division by an
    underflowing alpha^2, down to alpha = 1e-300.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import Q, q
    >>> beta = np.array([1.0, -0.5, 0.0])
    >>> round(Q(beta, 1.0), 6)
    0.307324
    >>> bool(np.isclose(Q(beta, 1.0), q(beta).sum()))
    True
    >>> round(Q(beta, 1e3) * 4 * 1e3**2, 6)  # alpha -> inf: Q ~ ||beta||_2^2 / (4 alpha^2)
    1.25

    ```
    """
    beta, log_a, _ = _scales(beta, alpha, w0, 2)
    with np.errstate(all="ignore"):  # out of float64's range: refused below, by name
        t, _ = _links.dual_of_beta(beta, log_a, 2)  # arcsinh(beta / 2c), in logs
        c2 = 2 * np.exp(2 * log_a)
        value = float(np.sum(beta * t - beta * (beta / (np.hypot(beta, c2) + c2
                                                        + (beta == 0)))))
    return _validate.finite_result(value, names="beta, alpha and w0", what="Q")


def q_D(u: Float[np.ndarray, "..."], depth: int) -> Float[np.ndarray, "..."]:
    """q_D(u) = int_0^u h_D^{-1}(v) dv  (Theorem 3), for D >= 3.

    By parts, q_D(u) = u z - H_D(z) with z = h_D^{-1}(u) and H_D = int h_D in closed form;
    z and its complement 1 - |z| come from `h_inverse`, so |u| up to 1e300 is fine.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import q_D
    >>> np.round(q_D(np.array([0.0, 0.5, -0.5]), depth=3), 6)
    array([0.      , 0.020601, 0.020601])

    ```
    """
    depth = _validate.integer("depth", depth, minimum=3)
    u = _validate.finite_values("u", u)
    z, e = _links.h_inverse(u, depth)
    return u * z - _links.h_integral(z, depth, e)


def Q_D(beta: Float[np.ndarray, " d"], alpha: float, depth: int,
        w0: Float[np.ndarray, " d"] | None = None) -> float:
    """Q^D_{alpha, w0}(beta) = alpha^D sum_i w0_i^2 q_D(beta_i / (alpha w0_i)^D)  (Theorem 3).

    For w0 = 1 this is the seed's alpha^D sum_i q_D(beta_i / alpha^D). The weights w0_i^2
    (not w0_i^D) are what make the flow limit its minimiser for a general shape w0: the
    KKT condition of this Q_D is exactly beta_i = (alpha w0_i)^D h_D((alpha w0_i)^(D-2)
    (X^T nu)_i), the closed form of the flow. `depth = 2` gives `Q`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.bias import Q, Q_D
    >>> beta = np.array([1.0, -0.5, 0.0])
    >>> round(Q_D(beta, alpha=0.5, depth=3), 6)
    0.467023
    >>> bool(np.isclose(Q_D(beta, 0.5, depth=2), Q(beta, 0.5)))
    True

    ```
    """
    depth = _validate.integer("depth", depth, minimum=2)
    if depth == 2:
        return Q(beta, alpha, w0)
    beta, log_a, w0 = _scales(beta, alpha, w0, depth)
    with np.errstate(all="ignore"):  # out of float64's range: refused below, by name
        u = np.sign(beta) * np.exp(np.log(np.abs(beta) + (beta == 0)) - depth * log_a)
        u = np.where(beta == 0, 0.0, u)
    _validate.finite_result(u, names="beta, alpha and w0", what="beta / (alpha w0)^D")
    with np.errstate(all="ignore"):
        value = float(alpha**depth * np.sum(w0**2 * q_D(u, depth)))
    return _validate.finite_result(value, names="beta, alpha and w0", what="Q_D")
