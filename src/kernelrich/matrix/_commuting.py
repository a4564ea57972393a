"""The limit of gradient flow on X = U U^T when the sensing matrices are diagonal
(Gunasekar et al. 2017, Theorem 1 and Corollary 2), exactly.

With A_i = diag(x_i) (rows of a design X in R^{m x n}) and U(0) = alpha I, U stays diagonal,
U = diag(u), and diag(U U^T) = u^2 =: beta follows the "single positive weight" diagonal
network: d u_j / dt = -c (X^T r(t))_j u_j, so beta_j(t) = alpha^2 exp((X^T nu(t))_j) with
nu = -2c int_0^t r. If the flow interpolates, its limit is beta = alpha^2 exp(X^T nu) with
X beta = y, the minimiser of the entropy sum_j beta_j log(beta_j / alpha^2) - beta_j over
{X beta = y, beta >= 0}; as alpha -> 0 this tends to the min-l1 (= min-trace) solution on
the nonnegative orthant. Its dual phi(nu) = alpha^2 sum_j exp((X^T nu)_j) - y.nu is convex;
damped Newton solves it (in logs, so that alpha may be 1e-150), with an Armijo test on the
change of phi computed without cancellation (`_newton`), Hessian eigenvalues floored below
its rounding (`_solve`) and a continuation in alpha (`_continuation`). The accuracy reached
is the relative residual ||X beta - y|| / ||y|| <= tol, unless float64 cannot represent
it: the exponent's rounding makes the floor about eps |log alpha^2| (1e-13 at alpha =
1e-100), and then the error says which tol can be reached.

Woodworth et al.'s two-sided network beta = w_+^2 - w_-^2 from w_+ = w_- = alpha has the
link beta = 2 alpha^2 sinh(X^T nu) instead (`kernelrich.diagonal`): the two limits differ at
finite alpha and meet at min-l1 as alpha -> 0 whenever min-l1 is nonnegative.
"""

from __future__ import annotations

import math

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
    - `tol`: the relative residual ||X beta - y|| / ||y|| to reach; `max_iter`: Newton
      steps allowed per stage of the continuation in alpha.

    **Returns:** beta = alpha^2 exp(X^T nu), shape (n,), with X beta = y to `tol`.

    **Raises:** `RuntimeError` if Newton does not reach `tol`, saying the residual it
    reached and why: `tol` below float64's rounding floor for this instance (the message
    gives the floor), or no step lowers the dual any more / `max_iter` (y outside the open
    cone X R^n_{>0}).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import commuting_limit
    >>> X, y = np.array([[1.0, 2.0]]), np.array([2.0])
    >>> commuting_limit(X, y, alpha=1e-3).round(4)  # near min_trace_diagonal: [0, 1]
    array([0.001 , 0.9995])
    >>> beta = commuting_limit(X, y, alpha=10.0)
    >>> beta.round(4), bool(np.isclose(X @ beta, y).all())
    (array([1.9258, 0.0371]), True)

    ```
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
    nu, residual, floor, why = _continuation(X / s, y / t, log_a2, tol, max_iter)
    y_norm = max(np.linalg.norm(y / t), np.finfo(float).tiny)
    if residual > tol * y_norm:
        reason = {
            "floor": ("no Newton step lowers it further, float64's rounding floor of X beta "
                      f"- y here (estimated <= {floor / y_norm:.1e}: beta = exp(log alpha^2 + "
                      f"X^T nu) carries the rounding of its exponent); pass tol >= "
                      f"{1.1 * residual / y_norm:.1e}"),
            "stalled": ("no Newton step lowers the dual any more; y may lie outside the cone "
                        "{X beta : beta > 0}"),
            "max_iter": (f"not within max_iter={max_iter} Newton steps; y may lie outside the "
                         "cone {X beta : beta > 0}"),
        }[why]
        raise RuntimeError(f"commuting_limit: Newton reached the relative residual "
                           f"{residual / y_norm:.2e}, not tol={tol:.1e}, at alpha={alpha:.3e}: "
                           f"{reason}")
    with np.errstate(over="ignore"):
        beta = np.exp(log_a2 + X.T @ nu / s) * (t / s)
    return _validate.finite_result(beta, names="X and y", what="the commuting limit beta")


def _continuation(X, y, log_a2, tol, max_iter) -> tuple[np.ndarray, float, float, str]:
    """nu at log(alpha^2) = `log_a2`, by continuation from alpha = 1 in factors of 100 (the
    intermediate stages to relative residual 1e-8, the last to `tol`). Each stage starts
    from the tangent predictor nu - dL H^+ y (implicit differentiation of X beta = y in
    L = log alpha^2: H dnu/dL = -X beta), so that Newton starts in its quadratic phase
    instead of damping through a factor 1e4 in every beta. Returns nu, the residual
    ||X beta - y||, its rounding floor and why Newton stopped (`_newton`)."""
    y_norm = max(np.linalg.norm(y), np.finfo(float).tiny)
    jump = 2 * np.log(100.0)
    path = np.arange(0.0, log_a2, -jump if log_a2 < 0 else jump)[1:]
    nu, previous = np.zeros(len(y)), 0.0
    for target in path:
        nu = _predict(X, y, nu, target - previous, previous)
        nu = _newton(X, y, nu, target, max(tol, 1e-8) * y_norm, max_iter)[0]
        previous = target
    nu = _predict(X, y, nu, log_a2 - previous, previous)
    return _newton(X, y, nu, log_a2, tol * y_norm, max_iter)


def _predict(X, y, nu, step, log_a2) -> np.ndarray:
    """nu - step H^+ X beta, kept only if it lowers the residual at the new alpha (else nu)."""
    if step == 0.0:
        return nu
    beta = np.exp(log_a2 + X.T @ nu)
    hessian = (X * beta) @ X.T
    guess = nu - step * _solve(hessian, X @ beta)
    target = log_a2 + step
    with np.errstate(over="ignore", invalid="ignore"):
        new = np.linalg.norm(X @ np.exp(target + X.T @ guess) - y)
        old = np.linalg.norm(X @ np.exp(target + X.T @ nu) - y)
    return guess if np.isfinite(new) and new < old else nu


def _solve(hessian, rhs) -> np.ndarray:
    """(H + mu I)^-1 rhs for the Hessian H = X diag(beta) X^T, Jacobi-scaled, its
    eigenvalues floored at mu = 1e-14 lambda_max: a direction that only exponentially small
    beta_j reach (an eigenvalue below H's rounding) keeps a finite, large component instead
    of being dropped, and the line search of `_newton` bounds the step along it."""
    scale = 1 / np.sqrt(np.maximum(np.diag(hessian), np.finfo(float).tiny))
    values, vectors = np.linalg.eigh(hessian * scale[:, None] * scale)
    values = np.maximum(values, 1e-14 * values[-1])
    with np.errstate(over="ignore", invalid="ignore"):  # every beta underflowed: not finite
        return scale * (vectors @ ((vectors.T @ (scale * rhs)) / values))


def _floor(X, y, nu, beta, log_a2) -> float:
    """The rounding floor of ||X beta - y|| in float64: beta_j = exp(log_a2 + x_j^T nu)
    carries the absolute rounding error of its exponent, eps (|log_a2| + |x_j|^T |nu|), as
    a relative error (at alpha = 1e-100, |log_a2| = 460: 1e-13), and X beta - y its own."""
    exponent = 2 + abs(log_a2) + np.abs(X).T @ np.abs(nu)
    return float(2 * np.finfo(float).eps
                 * np.linalg.norm(np.abs(X) @ (beta * exponent) + np.abs(y)))


def _excess(x: np.ndarray) -> np.ndarray:
    """expm1(x) - x, to full relative accuracy (Taylor series for |x| < 0.1, where the
    subtraction would cancel)."""
    out = np.empty_like(x)
    small = np.abs(x) < 0.1
    xs, series = x[small], np.zeros(np.count_nonzero(small))
    for k in range(16, 1, -1):  # sum_{k >= 2} x^k / k!, by Horner
        series = series * xs + 1 / math.factorial(k)
    out[small] = xs * xs * series
    with np.errstate(over="ignore"):
        out[~small] = np.expm1(x[~small]) - x[~small]
    return out


def _newton(X, y, nu, log_a2, target, max_iter) -> tuple[np.ndarray, float, float, str]:
    """Damped Newton on phi(nu) = sum exp(log_a2 + X^T nu) - y.nu from nu.

    The Armijo test uses the change of phi along the step, computed as
    phi(nu + s d) - phi(nu) = sum_j beta_j (expm1(s z_j) - s z_j) + s g.d (z = X^T d,
    g = X beta - y), not as the difference of two values of phi: near the solution that
    difference is far below phi's rounding error (|phi| ~ 1e2, change ~ 1e-20), and a test
    on it accepts or rejects steps at random, so that Newton stalls at a residual (1e-11 on
    one instance at alpha = 1e-30) that depends on the BLAS's rounding.

    **Returns:** nu, ||X beta - y||, its rounding floor (`_floor`), and why it stopped:
    "converged" (residual <= target), "floor" (at the rounding floor, above target),
    "stalled" (no step lowers phi) or "max_iter".
    """
    why, best, stale = "max_iter", (nu, np.inf, np.inf), 0
    for k in range(max_iter + 1):
        beta = np.exp(log_a2 + X.T @ nu)
        grad = X @ beta - y
        residual, floor = np.linalg.norm(grad), _floor(X, y, nu, beta, log_a2)
        if residual < best[1]:
            best, stale = (nu, residual, floor), 0
        else:
            stale += 1
        if residual <= target:
            why = "converged"
            break
        if residual <= floor and stale >= 2:  # at the floor: two steps without a gain
            nu, residual, floor = best
            why = "floor"
            break
        if k == max_iter:
            break
        direction = -_solve((X * beta) @ X.T, grad)
        if not np.all(np.isfinite(direction)):
            why = "stalled"
            break
        decrease, z = grad @ direction, X.T @ direction
        # at most a change of 30 in any exponent per step (a factor e^30 in beta)
        step = first = min(1.0, 30 / max(np.abs(z).max(), np.finfo(float).tiny))
        while decrease < 0 and step >= 1e-12 * first:
            with np.errstate(over="ignore", invalid="ignore"):
                change = np.sum(beta * _excess(step * z)) + step * decrease
            if change <= 0.25 * step * decrease:
                break
            step /= 2
        if not decrease < 0 or step < 1e-12 * first:
            why = "stalled"
            break
        nu = nu + step * direction
    return nu, residual, floor, why
