"""Gradient flow and gradient descent of depth-D diagonal networks on the exponential and
logistic losses, to any training loss (Moroshko, Gunasekar, Woodworth, Lee, Srebro & Soudry
2020, arXiv 2007.06738), in the log domain.

With z_n = y_n x_n (rows of Z), margins m = Z beta and L = sum_n l(m_n) (l(m) = e^(-m), or
log(1 + e^(-m))), the flow w' = -grad L from w_+ = w_- = alpha w0 integrates exactly as for the
square loss (`_flow`): beta(t) = b(Z^T nu(t)) with the same link b (`_links`) and
nu' = (kappa / 2) g(m), g = -l' > 0 (so nu >= 0 grows). Hence, exactly, beta(t) minimises
Q_alpha over the predictors with its own margins Z beta = m(t) (`flow_limit(Z, m(t), alpha)`).

The loss falls to 1e-300 only at times t ~ 1e300, so the flow is integrated not in t but in
the log-loss lambda = -log L, which increases along it:

    d nu / d lambda = p / (p^T Z diag(b') Z^T p),  p = g / L  (softmax(-m) for e^(-m)),

with p and L formed from logs (logsumexp), so nothing under- or overflows at any loss; the
time is kept as t = v e^lambda with dv/dlambda = 2 / (kappa q) - v. The independent variable
is s with ds = d lambda + |d nu|_1 (bounded slopes even where alpha is tiny and nu must grow
by log(1/alpha^2) before the loss moves; written without dividing by q, which underflows for
alpha below ~1e-154); SciPy's LSODA integrates it, with an event at each
requested loss (LSODA: it agrees with Radau and BDF to 1e-7 in angle at a third of
their cost). `classification_descent` runs GD on log L (the same path as GD on L with the
step gamma / L), so that its steps stay macroscopic as L -> 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.integrate
import scipy.special
from jaxtyping import Float

from .. import _validate
from . import _links
from ._flow import kappa

LOSSES = ("exponential", "logistic")
ALPHA_MIN = 1e-200  # alpha^2 = 1e-400 underflows and is handled; much below, exp overflows


@dataclass(frozen=True)
class ClassificationPath:
    """A classification flow or GD run saved at given training losses.

    **Fields:**
    - `losses`: the training losses L = sum_n l(y_n <x_n, beta>) at which it was saved,
      decreasing, shape (T,).
    - `beta`: beta at each, shape (T, d).
    - `nu`: the dual variable (flow) or NaN (GD), shape (T, N).
    - `margin`: min_n y_n <x_n, beta> at each, shape (T,).
    - `log_time`: log of the flow time t (flow), or of the GD step count (GD), shape (T,).
    - `num_steps`: solver (or GD) steps taken.
    - `loss`: "exponential" or "logistic".
    - `method`: how it was computed.
    """

    losses: Float[np.ndarray, " T"]
    beta: Float[np.ndarray, "T d"]
    nu: Float[np.ndarray, "T N"]
    margin: Float[np.ndarray, " T"]
    log_time: Float[np.ndarray, " T"]
    num_steps: int
    loss: str
    method: str


def log_terms(m: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """(log l(m_n), log g(m_n)), g = -l', accurate for any margin (no under/overflow)."""
    m = np.asarray(m, dtype=float)
    if loss == "exponential":
        return -m, -m
    pos = m > 0
    # For m > 0, log(log1p(e^-m)) = -m + log(log1p(u) / u) with u = e^-m in (0, 1), and
    # log1p(u) / u -> 1 where u underflows; for m <= 0, log1p(e^-m) >= log 2.
    u = np.exp(-np.where(pos, m, 0.0))
    safe = np.where(u > 0, u, 1.0)
    ratio = np.where(u > 0, np.log1p(safe) / safe, 1.0)
    log_l = np.where(pos, -m + np.log(ratio), np.log(np.logaddexp(0.0, -np.where(pos, 0.0, m))))
    return log_l, -np.logaddexp(0.0, m)


def _inputs(X, y, alpha, depth, w0, losses, loss):
    X, y = _validate.design(X, y)
    if not np.all(np.isin(y, (-1.0, 1.0))):
        i = int(np.argmax(~np.isin(y, (-1.0, 1.0))))
        raise ValueError(f"y must hold labels -1 or +1, got y[{i}]={y[i]}")
    alpha = _validate.positive("alpha", alpha)
    if alpha < ALPHA_MIN:
        raise ValueError(f"alpha must be >= {ALPHA_MIN:g}, got {alpha:g}: the dual must grow by "
                         f"log(1/alpha^2) = {-2 * np.log(alpha):.0f} before the loss moves, "
                         "and the exponentials of the solver's trial steps overflow float64")
    depth = _validate.integer("depth", depth, minimum=2)
    w0 = _validate.init_shape(w0, X.shape[1])
    loss = _validate.choice("loss", loss, LOSSES)
    targets = _validate.finite_array("losses", np.atleast_1d(losses), ndim=1)
    start = len(y) * (1.0 if loss == "exponential" else np.log(2.0))
    if np.any(targets <= 0) or np.any(targets >= start) or np.any(np.diff(targets) >= 0):
        raise ValueError(f"losses must be decreasing, > 0 and below the initial loss {start:g} "
                         f"(N {'e^0' if loss == 'exponential' else 'log 2'}), got "
                         f"{targets.tolist()}")
    if targets.min() < 1e-307:
        raise ValueError(f"losses must be >= 1e-307 (float64's normal range), got "
                         f"{targets.min():g}")
    Z = X * y[:, None]
    from ..bias._margins import check_separable  # here: bias imports diagonal at import time

    check_separable(Z)
    return Z, alpha, depth, w0, loss, targets


def classification_flow(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float,
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    losses: Float[np.ndarray, " T"],
    loss: str = "exponential",
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> ClassificationPath:
    """Gradient flow of the depth-D diagonal network on the exponential or logistic loss,
    saved where the training loss reaches each of `losses` (down to 1e-307).

    Moroshko et al. (2020): the flow from w_+ = w_- = alpha w0 on
    L(w) = sum_n l(y_n <w_+^D - w_-^D, x_n>), by its exact N-dimensional reduction in the
    log-loss (module docstring).

    **Arguments:**
    - `X`, `y`: the data, shapes (N, d) and (N,), labels in {-1, +1}; separable through the
      origin (else the loss stalls and a `RuntimeError` names it).
    - `alpha`: the initialisation scale, in [1e-200, inf).
    - `depth`: D >= 2.
    - `w0`: the initialisation shape (positive, length d); default all ones.
    - `losses`: decreasing training losses at which to save, in (1e-307, L(0)).
    - `loss`: "exponential" or "logistic".
    - `rtol`, `atol`: LSODA's tolerances.

    **Returns:** a `ClassificationPath`.

    **Example:**

    With x_1 = (1, 0, 1), x_2 = (0, 1, 1), both labelled +1, the l1-max-margin predictor is
    (0, 0, 1) and the l2-max-margin one (1/3, 1/3, 2/3). As the loss -> 0, beta / margin
    tends to the first from any alpha, but the loss this takes grows with alpha (Moroshko et
    al. 2020): from alpha = 1e-3 it is near the first already at loss 1e-2, from alpha = 1e3
    it stays within 1e-8 of the second down to loss 1e-300 (the kernel regime), and from
    alpha = 1 it moves between them. The first coordinate of beta / margin at each loss:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import classification_flow
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 1.0])
    >>> for alpha in (1e-3, 1.0, 1e3):
    ...     path = classification_flow(X, y, alpha, losses=[1e-2, 1e-10, 1e-300])
    ...     print((path.beta[:, 0] / path.margin).round(4))
    [0.0004 0.0002 0.    ]
    [0.2852 0.177  0.0373]
    [0.3333 0.3333 0.3333]

    ```
    """
    Z, alpha, depth, w0, loss, targets = _inputs(X, y, alpha, depth, w0, losses, loss)
    rtol = _validate.positive("rtol", rtol)
    atol = _validate.positive("atol", atol)
    log_a = np.log(alpha) + np.log(w0)
    N = Z.shape[0]
    rate = kappa(depth)
    levels = -np.log(targets)

    def parts(nu):
        t = Z.T @ nu
        beta = _links.beta_of_dual(t, log_a, depth)
        log_l, log_g = log_terms(Z @ beta, loss)
        log_L = scipy.special.logsumexp(log_l)
        p = np.exp(log_g - log_L)
        zp = Z.T @ p
        q = float(zp @ (_links.beta_slope_of_dual(t, log_a, depth) * zp))
        return beta, log_L, p, q

    def field(s, state):
        nu, v = state[:N], state[N + 1]
        _, _, p, q = parts(nu)
        # (d nu, d lambda, d v) / d s, multiplied through by q so that a q that underflows
        # (alpha^2 below float64's range, before the loss moves) divides nothing.
        den = q + np.abs(p).sum()
        return np.concatenate([p, [q], [2.0 / rate - v * q]]) / den

    def level_event(k):
        def event(s, state):
            return state[N] - levels[k]
        event.terminal = k == len(levels) - 1
        event.direction = 1.0
        return event

    start = np.zeros(N + 2)
    start[N] = -parts(np.zeros(N))[1]
    # In s, lambda grows at a rate in (0, 1]; bound the span generously by the needed lambda
    # plus the growth of nu (tens of log(1/alpha)).
    span = 1e3 * (levels[-1] - start[N] + 10.0) * (1 + abs(np.log(alpha)))
    sol = scipy.integrate.solve_ivp(field, (0.0, span), start, method="LSODA", rtol=rtol,
                                    atol=atol, events=[level_event(k) for k in range(len(levels))])
    if sol.status != 1 or any(len(e) == 0 for e in sol.y_events):
        reached = float(np.exp(-sol.y[N, -1]))
        raise RuntimeError(f"classification_flow: stopped at loss {reached:.3e} before "
                           f"{targets[-1]:.3e} ({sol.message}); are the data separable?")
    states = np.array([e[0] for e in sol.y_events])
    nus = states[:, :N]
    beta = np.array([parts(nu)[0] for nu in nus])
    log_time = np.log(np.maximum(states[:, N + 1], 1e-320)) + states[:, N]
    return ClassificationPath(targets, beta, nus, (Z @ beta.T).min(axis=0), log_time,
                              int(sol.nfev), loss,
                              f"reduced N-dim ODE in the log-loss (SciPy LSODA, rtol={rtol:g}, "
                              f"atol={atol:g})")


def classification_descent(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float,
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    step: float,
    losses: Float[np.ndarray, " T"],
    loss: str = "exponential",
    max_steps: int = 1_000_000,
) -> ClassificationPath:
    """Gradient descent on log L: w <- w - step grad log L(w) = w - (step / L) grad L(w), saved
    at the first step whose training loss is at or below each of `losses`.

    A step on log L is the GD step on L scaled by 1 / L (normalised GD), which keeps the
    steps macroscopic as L -> 0; both follow the gradient-flow path as step -> 0 (the flow of
    log L is the flow of L in the time d tau = L dt). Everything is formed from logs.

    **Arguments:** as `classification_flow`, with `step` > 0 the step on log L and
    `max_steps` the most steps (more raise `RuntimeError`).

    **Returns:** a `ClassificationPath` (`log_time`: log of the step count; `nu`: NaN).

    **Example:**

    The direction beta / margin follows `classification_flow`'s, closer for a smaller step
    (it is saved at the first step at or below each loss, so part of the gap is that
    overshoot):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import classification_descent, classification_flow
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 1.0])
    >>> flow = classification_flow(X, y, 1.0, losses=[1e-2, 1e-5])
    >>> for step in (0.1, 0.01):
    ...     run = classification_descent(X, y, 1.0, step=step, losses=[1e-2, 1e-5])
    ...     gap = run.beta / run.margin[:, None] - flow.beta / flow.margin[:, None]
    ...     print(run.num_steps, f"{np.abs(gap).max():.1e}")
    7 8.5e-03
    57 1.2e-03

    ```
    """
    Z, alpha, depth, w0, loss, targets = _inputs(X, y, alpha, depth, w0, losses, loss)
    step = _validate.positive("step", step)
    max_steps = _validate.integer("max_steps", max_steps, minimum=1)
    wp, wm = alpha * w0, alpha * w0
    out, k, level = [], 0, 0
    log_targets = np.log(targets)
    while level < len(targets):
        beta = wp**depth - wm**depth
        log_l, log_g = log_terms(Z @ beta, loss)
        log_L = scipy.special.logsumexp(log_l)
        while level < len(targets) and log_L <= log_targets[level]:
            out.append((beta, k))
            level += 1
        if level == len(targets):
            break
        if k == max_steps or not np.isfinite(log_L):
            raise RuntimeError(f"classification_descent: loss {np.exp(log_L):.3e} after {k} "
                               f"steps, above {targets[level]:.3e} (step={step:g}; "
                               + ("max_steps reached)" if k == max_steps else "diverged)"))
        zp = Z.T @ np.exp(log_g - log_L)  # -grad_beta log L
        wp = wp + step * depth * wp ** (depth - 1) * zp
        wm = wm - step * depth * wm ** (depth - 1) * zp
        k += 1
    beta = np.array([b for b, _ in out])
    return ClassificationPath(targets, beta, np.full((len(out), Z.shape[0]), np.nan),
                              (Z @ beta.T).min(axis=0),
                              np.log(np.maximum([s for _, s in out], 1)), k, loss,
                              f"GD on log L, step {step:g}")
