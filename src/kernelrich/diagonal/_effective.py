"""The effective initialisation of a (stochastic) gradient-descent run on a D = 2 diagonal
network, and the limit it predicts (Even, Pesme, Gunasekar & Flammarion 2023, arXiv
2302.08982, Theorem 1; Pesme, Pillaud-Vivien & Flammarion 2021, arXiv 2106.09524).

A step on a batch is multiplicative: w_+ <- w_+ (1 - x_k), w_- <- w_- (1 + x_k) with
x_k = 2 gamma_k grad_beta L_{B_k}(beta_k) = X^T (4 gamma_k s m_k * r_k) in the row space of X
(`_sgd`). Splitting log|1 -+ x| = -+ x + [log|1 -+ x| +- x] gives, after K steps and exactly,

    w_+- = alpha_+- exp(-+ X^T mu),  log alpha_+- = log alpha w0 + sum_k [log|1 -+ x_k| +- x_k],

so beta = alpha_+^2 e^(-2 X^T mu) - alpha_-^2 e^(2 X^T mu). If the run converges to an
interpolator, its limit is therefore the unique beta with

    beta = alpha_+^2 e^t - alpha_-^2 e^(-t),  t = X^T nu,  X beta = y,

i.e. argmin_{X beta = y} D_psi(beta, beta~_0), the Bregman divergence of the hyperbolic entropy
psi with the *effective initialisation* alpha_inf = sqrt(alpha_+ alpha_-) =
alpha w0 prod_k |1 - x_k^2|^(1/2) = alpha w0 exp(-(1/2) sum_k q(x_k)),
q(x) = -log((1 - x^2)^2) / 2 (the paper's q; its x is gamma grad L in its own normalisation),
centred at the *shift*
beta~_0 = alpha_+^2 - alpha_-^2 (= 2 alpha_inf^2 sinh(log(alpha_+ / alpha_-))). Gradient flow
has alpha_+ = alpha_- = alpha w0 (no gain, no shift): the prediction that ignores the step is
`flow_limit(X, y, alpha, 2, w0)`.

The theorem's text could not be read in full here; the identity above is derived from the
update rule and is exact for any step, batch and schedule (no sign condition: |1 -+ x| in
logs). The predicted limit is computed from (alpha_+, alpha_-, X, y) alone, by damped Newton on
the N-dimensional convex dual phi(nu) = sum_i [alpha_+i^2 e^(t_i) + alpha_-i^2 e^(-t_i)] - y.nu,
in logs, from nu = 0; it does not use the run's iterate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from jaxtyping import Float

from .. import _validate
from ._descent import GDResult

_LOG_LIMIT = 300.0
"""Largest log alpha_+- accepted: exp(2 log alpha) stays inside float64 (e^600 < 1.8e308)."""


@dataclass(frozen=True)
class EffectiveInit:
    """The effective initialisation of a D = 2 (S)GD run and its predicted limit.

    **Fields:**
    - `alpha_plus`, `alpha_minus`: alpha_+-, shape (d,) each.
    - `alpha_eff`: alpha_inf = sqrt(alpha_+ alpha_-), the effective initialisation, (d,).
    - `alpha`: the run's initial alpha * w0, (d,).
    - `shift`: beta~_0 = alpha_+^2 - alpha_-^2, (d,).
    - `predicted`: the predicted limit argmin_{X beta = y} D_psi(beta, beta~_0), (d,).
    - `residual`: ||X predicted - y|| / ||y||.
    - `iterations`: Newton steps taken.
    """

    alpha_plus: Float[np.ndarray, " d"]
    alpha_minus: Float[np.ndarray, " d"]
    alpha_eff: Float[np.ndarray, " d"]
    alpha: Float[np.ndarray, " d"]
    shift: Float[np.ndarray, " d"]
    predicted: Float[np.ndarray, " d"]
    residual: float
    iterations: int

    @property
    def gain(self) -> Float[np.ndarray, " d"]:
        """log(alpha / alpha_inf) per coordinate (>= 0 when every |x_k| < sqrt 2)."""
        return np.log(self.alpha) - np.log(self.alpha_eff)


def _beta(t, lp, lm):
    """alpha_+^2 e^t - alpha_-^2 e^-t and its derivative, from the logs lp, lm."""
    a, b = np.exp(2 * lp + t), np.exp(2 * lm - t)
    return a - b, a + b


def bregman_limit(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    log_alpha_plus: Float[np.ndarray, " d"],
    log_alpha_minus: Float[np.ndarray, " d"],
    *,
    tol: float = 1e-13,
    max_iter: int = 500,
) -> tuple[np.ndarray, int]:
    """The interpolator beta = alpha_+^2 e^t - alpha_-^2 e^(-t), t = X^T nu, X beta = y: the
    minimiser of D_psi_{alpha_inf}(beta, beta~_0) over X beta = y (module docstring), by
    damped Newton on its N-dimensional dual from nu = 0 (Armijo backtracking; the Hessian
    X diag(alpha_+^2 e^t + alpha_-^2 e^-t) X^T factorised by Cholesky).

    **Arguments:**
    - `X`, `y`: the data; X beta = y must be solvable.
    - `log_alpha_plus`, `log_alpha_minus`: log alpha_+-, shape (d,), finite.
    - `tol`: stop when ||X beta - y|| <= tol ||y|| after a full Newton step.
    - `max_iter`: Newton steps allowed; more raise `RuntimeError`.

    **Returns:** (beta, Newton steps).

    **Example:**

    Without a shift (alpha_+ = alpha_- = alpha) the link is alpha^2 (e^t - e^-t) =
    2 alpha^2 sinh(t), that of the D = 2 flow: the limit is `flow_limit`'s. A shift
    beta~_0 that itself interpolates is its own limit (D_psi(beta~_0, beta~_0) = 0):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import bregman_limit, flow_limit
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> log_a = np.full(3, np.log(0.1))
    >>> beta, _ = bregman_limit(X, y, log_a, log_a)
    >>> bool(np.allclose(beta, flow_limit(X, y, 0.1), rtol=0.0, atol=1e-12))
    True
    >>> shift = np.array([0.25, 0.0, 0.75])  # X shift = y
    >>> beta, _ = bregman_limit(X, y, 0.5 * np.log(0.01 + shift), np.full(3, np.log(0.1)))
    >>> bool(np.allclose(beta, shift, rtol=0.0, atol=1e-12))
    True

    ```
    """
    X, y = _validate.design(X, y)
    _validate.feasible(X, y)
    lp = _validate.finite_array("log_alpha_plus", log_alpha_plus, ndim=1)
    lm = _validate.finite_array("log_alpha_minus", log_alpha_minus, ndim=1)
    if lp.shape != (X.shape[1],) or lm.shape != lp.shape:
        raise ValueError(f"log_alpha_plus and log_alpha_minus must have length d={X.shape[1]}, "
                         f"got {lp.shape} and {lm.shape}")
    y_norm = max(np.linalg.norm(y), np.finfo(float).tiny)

    def phi(nu):  # +inf where a trial step overflows (rejected by the line search)
        t = X.T @ nu
        with np.errstate(over="ignore"):
            value = np.sum(np.exp(2 * lp + t) + np.exp(2 * lm - t)) - y @ nu
        return value if np.isfinite(value) else np.inf

    nu = np.zeros(len(y))
    for it in range(1, max_iter + 1):
        beta, slope = _beta(X.T @ nu, lp, lm)
        grad = X @ beta - y
        M = (X * slope) @ X.T
        scale = 1 / np.sqrt(np.maximum(np.diag(M), np.finfo(float).tiny))
        direction = -scale * scipy.linalg.solve((M * scale[:, None]) * scale[None, :],
                                                scale * grad, assume_a="pos")
        value, decrease, s = phi(nu), grad @ direction, 1.0
        while phi(nu + s * direction) > value + 0.25 * s * decrease + 1e-15 * abs(value):
            s /= 2
            if s < 1e-12:
                break
        nu = nu + s * direction
        beta, _ = _beta(X.T @ nu, lp, lm)
        if s == 1.0 and np.linalg.norm(X @ beta - y) <= tol * y_norm:
            return beta, it
    raise RuntimeError(f"bregman_limit: Newton did not converge in {max_iter} steps "
                       f"(residual {np.linalg.norm(X @ beta - y) / y_norm:.2e})")


def effective_initialisation(run: GDResult, X: Float[np.ndarray, "N d"],
                             y: Float[np.ndarray, " N"], *, tol: float = 1e-13) -> EffectiveInit:
    """The effective initialisation of a D = 2 (S)GD run and the limit it predicts.

    Even et al. (2023), Theorem 1 (module docstring): the limit of a converging run is
    argmin_{X beta = y} D_psi_{alpha_inf}(beta, beta~_0) with alpha_inf = sqrt(alpha_+ alpha_-)
    and beta~_0 = alpha_+^2 - alpha_-^2 accumulated along the run; for a run that has not
    converged, the prediction is the limit of the run continued by gradient flow (which
    leaves alpha_+- unchanged).

    **Arguments:**
    - `run`: a `gradient_descent` result of depth 2 (any step schedule and batch size).
    - `X`, `y`: the data it ran on.
    - `tol`: the prediction's relative residual ||X beta - y|| / ||y||.

    **Returns:** an `EffectiveInit`.

    **Raises:** `ValueError` for a run of depth D >= 3 (no such characterisation) or one
    whose alpha_+ or alpha_- reached 0 (a step with |x_k| = 1).

    **Example:**

    The first step from beta = 0 (loss "sum") has x_0 = -4 gamma X^T y, so after it
    alpha_inf = alpha sqrt(1 - x_0^2). A run to convergence ends at the predicted limit,
    which is not the flow's: the large step shrank the initialisation unevenly (most on the
    third coordinate, whose gradient is largest):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import effective_initialisation, flow_limit, gradient_descent
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> one = effective_initialisation(gradient_descent(X, y, 0.1, step=0.1, steps=1), X, y)
    >>> bool(np.allclose(one.alpha_eff, 0.1 * np.sqrt(1 - (0.4 * X.T @ y) ** 2), rtol=1e-12))
    True
    >>> run = gradient_descent(X, y, 0.1, step=0.1, steps=1000, stop_loss=1e-20)
    >>> e = effective_initialisation(run, X, y)
    >>> run.converged, bool(np.allclose(run.beta, e.predicted, rtol=0.0, atol=1e-9))
    (True, True)
    >>> e.alpha_eff.round(4)  # alpha = 0.1
    array([0.0745, 0.086 , 0.0355])
    >>> e.predicted.round(4), flow_limit(X, y, 0.1).round(4)
    (array([0.2878, 0.0378, 0.7122]), array([0.2729, 0.0229, 0.7271]))

    ```
    """
    if not isinstance(run, GDResult):
        raise ValueError(f"run must be a GDResult of gradient_descent, got {type(run).__name__}")
    if run.log_alpha_plus is None:
        raise ValueError("effective_initialisation needs a depth-2 run: for D >= 3 the step "
                         "is not multiplicative and no effective initialisation is defined")
    X, y = _validate.design(X, y)
    lp, lm = np.asarray(run.log_alpha_plus), np.asarray(run.log_alpha_minus)
    if not (np.all(np.isfinite(run.beta)) and np.all(np.isfinite(run.losses))):
        raise ValueError("run diverged (its beta or losses are not finite): no effective "
                         "initialisation")
    if not (np.all(np.isfinite(lp)) and np.all(np.isfinite(lm))):
        i = int(np.argmax(~(np.isfinite(lp) & np.isfinite(lm))))
        raise ValueError(f"the run's alpha_+- is 0 or not finite at coordinate {i} (a step "
                         "with |x_k| = 1 sets w exactly to 0): no effective initialisation")
    huge = np.maximum(lp, lm)
    if np.any(huge > _LOG_LIMIT):
        i = int(np.argmax(huge))
        raise ValueError(f"the run's log alpha_+- = {huge[i]:.3g} at coordinate {i} "
                         f"exceeds {_LOG_LIMIT:g} (exp(2 log alpha) overflows float64): the run "
                         "diverged or left the range where an effective initialisation is "
                         "computable")
    beta, iterations = bregman_limit(X, y, lp, lm, tol=tol)
    return EffectiveInit(np.exp(lp), np.exp(lm), np.exp(0.5 * (lp + lm)), np.asarray(run.init),
                         np.exp(2 * lp) - np.exp(2 * lm), beta,
                         float(np.linalg.norm(X @ beta - y) / np.linalg.norm(y)), iterations)
