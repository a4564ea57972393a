"""The limit of gradient flow on X = U U^T when the sensing matrices are diagonal
(Gunasekar et al. 2017, Theorem 1 and Corollary 2), exactly.

With A_i = diag(x_i) (rows of a design X in R^{m x n}) and U(0) = alpha I, U stays diagonal,
U = diag(u), and diag(U U^T) = u^2 =: beta follows the "single positive weight" diagonal
network: d u_j / dt = -c (X^T r(t))_j u_j, so beta_j(t) = alpha^2 exp((X^T nu(t))_j) with
nu = -2c int_0^t r. If the flow interpolates, its limit is beta = alpha^2 exp(X^T nu) with
X beta = y, the minimiser of the entropy sum_j beta_j log(beta_j / alpha^2) - beta_j over
{X beta = y, beta >= 0}; as alpha -> 0 this tends to the min-l1 (= min-trace) solution on
the nonnegative orthant. Its dual phi(nu) = alpha^2 sum_j exp((X^T nu)_j) - y.nu is convex;
Newton's method with Armijo backtracking solves it, in logs so that alpha may be 1e-100.

Woodworth et al.'s two-sided network beta = w_+^2 - w_-^2 from w_+ = w_- = alpha has the
link beta = 2 alpha^2 sinh(X^T nu) instead (`kernelrich.diagonal`): the two limits differ at
finite alpha and meet at min-l1 as alpha -> 0 whenever min-l1 is nonnegative.
"""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate
from . import _checks


def commuting_limit(X: Float[np.ndarray, "m n"], y: Float[np.ndarray, " m"], alpha: float,
                    *, tol: float = 1e-12, max_iter: int = 500) -> Float[np.ndarray, " n"]:
    """diag of lim_{t -> infinity} U(t) U(t)^T for the flow on ||A(U U^T) - y||^2 with
    A_i = diag(X_i) from U(0) = alpha I (module docstring; any positive time scale c).

    **Arguments:**
    - `X`, `y`: the design (m, n) and measurements (m,); y must be X beta for some
      beta > 0 (else the flow does not interpolate and the dual is unbounded).
    - `alpha`: the initialisation scale > 0.
    - `tol`: relative accuracy of X beta = y; `max_iter`: Newton steps allowed.

    **Returns:** beta = alpha^2 exp(X^T nu), shape (n,).

    **Raises:** `RuntimeError` if Newton does not reach `tol` (y outside the open cone
    X R^n_{>0}, or too ill-conditioned).
    """
    X, y = _validate.design(X, y)
    log_a2 = 2 * np.log(_validate.positive("alpha", alpha))
    tol = _validate.positive("tol", tol)
    max_iter = _validate.integer("max_iter", max_iter, minimum=1)
    # Badly scaled data (|X| or |y| beyond 2^+-20) is solved as X / s, y / t with s, t exact
    # powers of two: beta' = beta s / t is the limit at alpha'^2 = alpha^2 s / t.
    s, t = _checks.power_of_two(np.abs(X).max()), _checks.power_of_two(np.abs(y).max())
    log_a2 = log_a2 + np.log(s) - np.log(t)
    if log_a2 > 2 * np.log(1e50):
        raise ValueError(f"alpha^2 max|X| / max|y| = exp({log_a2:.4g}) > 1e100 (alpha={alpha:.3e}"
                         f", max|X|={np.abs(X).max():.3e}, max|y|={np.abs(y).max():.3e}): the "
                         "limit is not resolved in float64 there; rescale X, y or alpha")
    nu, residual, y_norm = _continuation(X / s, y / t, log_a2, tol, max_iter)
    if residual > tol * y_norm:
        raise RuntimeError(
            f"commuting_limit: Newton did not reach tol={tol:.1e} in {max_iter} steps at "
            f"alpha={alpha:.3e} (relative residual {residual / y_norm:.2e}); y may lie "
            "outside the cone {X beta : beta > 0}")
    with np.errstate(over="ignore"):
        beta = np.exp(log_a2 + X.T @ nu / s) * (t / s)
    return _validate.finite_result(beta, names="X and y", what="the commuting limit beta")


def _continuation(X, y, log_a2, tol, max_iter) -> tuple[np.ndarray, float, float]:
    """nu at log(alpha^2) = `log_a2`, by continuation from alpha = 1 in factors of 100,
    warm-starting nu: from nu = 0 at alpha = 1e-100 the damped phase of Newton would take
    hundreds of steps."""
    y_norm = max(np.linalg.norm(y), np.finfo(float).tiny)
    jump = 2 * np.log(100.0)
    path = np.arange(0.0, log_a2, -jump if log_a2 < 0 else jump)[1:]
    nu = np.zeros(len(y))
    for target in [*path, log_a2]:
        nu, residual = _newton(X, y, nu, target, tol * y_norm, max_iter)
    return nu, residual, y_norm


def _newton(X, y, nu, log_a2, target, max_iter) -> tuple[np.ndarray, float]:
    """Damped Newton on phi(nu) = sum exp(log_a2 + X^T nu) - y.nu from nu; returns nu and
    ||X beta - y|| at the end."""

    def phi(nu):
        with np.errstate(over="ignore"):
            value = np.sum(np.exp(log_a2 + X.T @ nu)) - y @ nu
        return value if np.isfinite(value) else np.inf

    for _ in range(max_iter):
        beta = np.exp(log_a2 + X.T @ nu)
        grad = X @ beta - y
        residual = np.linalg.norm(grad)
        if residual <= target:
            break
        hessian = (X * beta) @ X.T
        scale = 1 / np.sqrt(np.maximum(np.diag(hessian), np.finfo(float).tiny))
        direction = -scale * np.linalg.lstsq(hessian * scale[:, None] * scale, scale * grad,
                                             rcond=None)[0]
        decrease, value, step = grad @ direction, phi(nu), 1.0
        while phi(nu + step * direction) > value + 0.25 * step * decrease and step > 1e-12:
            step /= 2
        nu = nu + step * direction
    return nu, residual
