"""The vanishing-initialisation limit of the whole gradient-flow trajectory: saddle to saddle
(Pesme & Flammarion 2023, arXiv 2304.00488, Theorem 1 and Algorithm 1).

Gradient flow on L(beta) = sum_n (<beta, x_n> - y_n)^2 from w_+ = w_- = alpha * w0 is
beta(t) = b(X^T nu(t)) with nu' = kappa (y - X beta) (`_flow`). Rescale time and the dual:

- D = 2:  tau = t / log(1/alpha),  sigma = X^T nu / (2 log(1/alpha)).  Then
  beta_i = 2 A_i^2 sinh(X^T nu)_i ~ sign(sigma_i) w0_i^2 alpha^(2 - 2 |sigma_i|): as alpha -> 0,
  beta_i -> 0 while |sigma_i| < 1 and cannot stay bounded once |sigma_i| > 1.
- D >= 3 (derived here, not in the paper, which treats D = 2): tau = t alpha^(D-2),
  sigma = alpha^(D-2) X^T nu, beta_i = A_i^D h_D(w0_i^(D-2) sigma_i): beta_i -> 0 while
  |sigma_i| < lambda_i = w0_i^(2-D), and |sigma_i| can never exceed lambda_i.

In both cases d sigma / d tau = c X^T (y - X beta), c = kappa / 2 = 4 (D = 2) or
kappa = 2D(D-2) (D >= 3), so the limit alpha -> 0 is the process of Algorithm 1 (the paper's
"LARS-like" recursion, restated here in this normalisation): sigma moves linearly, with the
constant velocity c X^T (y - X beta_k) of the current saddle, until a coordinate reaches its
bound |sigma_i| = lambda_i; then beta jumps to the next saddle,

    beta_{k+1} = argmin ||X beta - y||^2  s.t.  beta_i = 0 where |sigma_i| < lambda_i,
                                               sigma_i beta_i >= 0 where |sigma_i| = lambda_i,

a sign-constrained least squares solved exactly (Lawson-Hanson NNLS, then the unconstrained
least squares on its support). It stops at a saddle whose residual correlations X^T (X beta - y)
vanish: the interpolator of minimum l1 norm (weighted by lambda for D >= 3) when X beta = y is
solvable. Time of the flow: t = tau log(1/alpha) (D = 2) or tau alpha^(2-D) (D >= 3).

Convergence as alpha -> 0: for D = 2 the thresholds are reached only up to
log(2 w0_i^2) / log(1/alpha), so jump times and plateaus carry O(1 / log(1/alpha)) errors
(asymptotic; measured in `kernelrich.papers.pesme2023`). The paper's own normalisation
(L = ||X beta - y||^2 / (2n), beta = u * v from u = sqrt(2) alpha, v = 0) rescales times by a
constant factor; the text of Algorithm 1 could not be read in full here, so the recursion
above is derived from the closed form of the flow and checked against `gradient_flow`.

Degenerate cases: ties (several coordinates reaching their bounds at once) are handled (all
join); a coordinate at its bound with zero residual correlation stays there (the limit process
does the same; it is listed in `SaddlePath.degenerate`); linearly dependent active columns
(the saddle may not be unique: data not in general position) raise `ValueError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize
from jaxtyping import Float

from .. import _validate


@dataclass(frozen=True)
class SaddlePath:
    """The alpha -> 0 limit of gradient flow: saddles beta_k visited on [t_k, t_{k+1}).

    **Fields:**
    - `times`: the jump times t_0 = 0 < t_1 < ... < t_K in rescaled time tau, shape (K+1,).
    - `betas`: the saddles beta_0 = 0, ..., beta_K (beta_K the limit), shape (K+1, d).
    - `sigma`: the rescaled dual sigma(t_k) at each jump, shape (K+1, d).
    - `velocity`: d sigma / d tau on [t_k, t_{k+1}), shape (K+1, d) (last row: zero).
    - `supports`: the indices where beta_k != 0, one tuple per saddle.
    - `losses`: sum_n (<beta_k, x_n> - y_n)^2, shape (K+1,).
    - `thresholds`: lambda_i, the bound of |sigma_i| (ones for D = 2), shape (d,).
    - `depth`: D.
    - `degenerate`: (k, i) pairs: coordinate i sat at its bound with zero residual
      correlation after saddle k (kept at the bound).
    """

    times: Float[np.ndarray, " K"]
    betas: Float[np.ndarray, "K d"]
    sigma: Float[np.ndarray, "K d"]
    velocity: Float[np.ndarray, "K d"]
    supports: tuple[tuple[int, ...], ...]
    losses: Float[np.ndarray, " K"]
    thresholds: Float[np.ndarray, " d"]
    depth: int
    degenerate: tuple[tuple[int, int], ...]

    def index(self, tau) -> np.ndarray:
        """The saddle index k with t_k <= tau < t_{k+1} for each rescaled time tau."""
        return np.searchsorted(self.times, np.asarray(tau, dtype=float), side="right") - 1

    def beta_at(self, tau) -> np.ndarray:
        """The piecewise-constant limit beta(tau), shape tau.shape + (d,)."""
        return self.betas[np.maximum(self.index(tau), 0)]

    def sigma_at(self, tau) -> np.ndarray:
        """The piecewise-linear rescaled dual sigma(tau), shape tau.shape + (d,)."""
        tau = np.asarray(tau, dtype=float)
        k = np.maximum(self.index(tau), 0)
        return self.sigma[k] + (tau - self.times[k])[..., None] * self.velocity[k]

    def loss_at(self, tau) -> np.ndarray:
        """The piecewise-constant limit of the training loss."""
        return self.losses[np.maximum(self.index(tau), 0)]

    def flow_time(self, tau, alpha: float) -> np.ndarray:
        """Gradient-flow time t of rescaled time tau at scale alpha: tau log(1/alpha) for
        D = 2, tau alpha^(2-D) for D >= 3."""
        alpha = _validate.positive("alpha", alpha)
        if alpha >= 1:
            raise ValueError(f"alpha must be < 1 for the vanishing-initialisation time scale, "
                             f"got {alpha}")
        tau = np.asarray(tau, dtype=float)
        if self.depth == 2:
            return tau * np.log(1 / alpha)
        return tau * np.exp((2 - self.depth) * np.log(alpha))

    def rescaled_dual(self, nu: np.ndarray, X: np.ndarray, alpha: float) -> np.ndarray:
        """sigma of a flow's dual variable nu (`FlowPath.nu`) at scale alpha (module
        docstring), comparable with `sigma_at`."""
        t = np.asarray(nu) @ np.asarray(X)
        if self.depth == 2:
            return t / (2 * np.log(1 / alpha))
        return t * np.exp((self.depth - 2) * np.log(alpha))


def rate(depth: int) -> float:
    """c in d sigma / d tau = c X^T (y - X beta): 4 for D = 2, 2D(D-2) for D >= 3."""
    return 4.0 if depth == 2 else 2.0 * depth * (depth - 2)


def _saddle(X: np.ndarray, y: np.ndarray, signs: np.ndarray, rtol: float) -> np.ndarray:
    """argmin ||X beta - y||^2 over beta_i = 0 (signs_i = 0), signs_i beta_i >= 0 (else)."""
    d = X.shape[1]
    active = np.flatnonzero(signs)
    beta = np.zeros(d)
    if active.size == 0:
        return beta
    M = X[:, active] * signs[active]
    rank = np.linalg.matrix_rank(M)
    if rank < active.size:
        raise ValueError(
            f"saddle_to_saddle: the {active.size} coordinates at their bounds "
            f"{active.tolist()[:10]}{'...' if active.size > 10 else ''} have linearly "
            f"dependent columns (rank {rank}): the next saddle need not be unique (X is not in "
            "general position); perturb X")
    b = scipy.optimize.nnls(M, y)[0]
    # Polish: on its support the NNLS solution solves the unconstrained least squares.
    on = b > 0
    if on.any():
        exact = np.linalg.lstsq(M[:, on], y, rcond=None)[0]
        if np.all(exact > 0):
            b = np.zeros_like(b)
            b[on] = exact
    # KKT of the sign-constrained least squares: gradient zero on the support, pointing
    # inward (>= 0 for min) on the zero coordinates.
    grad = M.T @ (M @ b - y)
    scale = max(np.abs(M.T @ y).max(), np.finfo(float).tiny)
    if np.any(np.abs(grad[b > 0]) > rtol * scale) or np.any(grad[b == 0] < -rtol * scale):
        raise RuntimeError("saddle_to_saddle: the sign-constrained least squares did not reach "
                           f"its KKT conditions to {rtol:g} (NNLS inaccurate)")
    beta[active] = signs[active] * b
    return beta


def saddle_to_saddle(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    rtol: float = 1e-9,
    max_saddles: int | None = None,
) -> SaddlePath:
    """The alpha -> 0 limit of the gradient-flow trajectory, in rescaled time.

    Pesme & Flammarion (2023), Theorem 1 and Algorithm 1, for D = 2 (module docstring):
    beta_alpha(tau log(1/alpha)) -> beta(tau), piecewise constant, jumping at t_k from the
    saddle beta_{k-1} to beta_k. For D >= 3 the same recursion with time tau alpha^(2-D) and
    thresholds w0^(2-D) (derived here, not the paper's). The init shape w0 does not change
    the D = 2 limit.

    **Arguments:**
    - `X`, `y`: the data, shapes (N, d) and (N,); any N and d (over- or underparametrised).
    - `depth`: D >= 2.
    - `w0`: the initialisation shape (positive, length d); default all ones.
    - `rtol`: relative tolerance of the KKT conditions of each saddle, and below which a
      residual correlation counts as zero.
    - `max_saddles`: the most saddles to visit (default 10 d + 10); more raise `RuntimeError`.

    **Returns:** a `SaddlePath`.

    **Raises:** `ValueError` for bad input or a non-unique saddle (dependent active columns).

    **Example:**

    X^T y = (1, 3/4, 7/4): sigma_3 reaches 1 first, at tau = 1 / (4 * 7/4) = 1/7, and beta
    jumps to the best fit on coordinate 3, (0, 0, 7/8); then sigma_1 reaches 1 at tau = 1
    and beta jumps to the minimum-l1 interpolator (1/4, 0, 3/4). The flow from alpha = 1e-8,
    at t = tau log(1/alpha), sits near those saddles:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import gradient_flow, saddle_to_saddle
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> path = saddle_to_saddle(X, y)
    >>> path.times.round(6)
    array([0.      , 0.142857, 1.      ])
    >>> path.betas
    array([[0.   , 0.   , 0.   ],
           [0.   , 0.   , 0.875],
           [0.25 , 0.   , 0.75 ]])
    >>> path.supports, path.losses
    (((), (2,), (0, 2)), array([1.5625 , 0.03125, 0.     ]))
    >>> tau = np.array([0.0, 0.5, 3.0])
    >>> flow = gradient_flow(X, y, 1e-8, times=path.flow_time(tau, 1e-8))
    >>> bool(np.allclose(flow.beta, path.beta_at(tau), rtol=0.0, atol=1e-3))
    True

    ```
    """
    X, y = _validate.design(X, y)
    depth = _validate.integer("depth", depth, minimum=2)
    d = X.shape[1]
    w0 = _validate.init_shape(w0, d)
    rtol = _validate.positive("rtol", rtol)
    if max_saddles is None:
        max_saddles = 10 * d + 10
    max_saddles = _validate.integer("max_saddles", max_saddles, minimum=1)
    lam = np.ones(d) if depth == 2 else w0 ** (2.0 - depth)
    c = rate(depth)
    scale = max(c * np.abs(X.T @ y).max(), np.finfo(float).tiny)

    sigma, signs, beta, t = np.zeros(d), np.zeros(d), np.zeros(d), 0.0
    times, betas, sigmas, velocities, degenerate = [0.0], [beta], [sigma.copy()], [], []
    while True:
        v = c * (X.T @ (y - X @ beta))
        support = beta != 0
        v[support] = 0.0  # zero up to rounding (checked by _saddle's KKT test)
        still = (np.abs(v) <= rtol * scale) & (signs != 0) & ~support
        degenerate.extend((len(times) - 1, int(i)) for i in np.flatnonzero(still))
        v[np.abs(v) <= rtol * scale] = 0.0
        velocities.append(v.copy())
        if not v.any():
            break
        if len(times) > max_saddles:
            raise RuntimeError(f"saddle_to_saddle: more than max_saddles={max_saddles} saddles")
        moving = np.flatnonzero(v)
        outward = signs[moving] * v[moving] > 0
        if outward.any():
            i = moving[np.argmax(outward)]
            raise RuntimeError(f"saddle_to_saddle: coordinate {i} at its bound moves outward "
                               f"(velocity {v[i]:.3e}): the saddle is not a KKT point")
        target = np.sign(v[moving]) * lam[moving]
        hit = (target - sigma[moving]) / v[moving]
        tau = float(hit.min())
        joining = moving[hit <= tau * (1 + 1e-12)]
        sigma = sigma + tau * v
        sigma[joining] = np.sign(v[joining]) * lam[joining]
        signs[moving] = 0.0  # inward-moving coordinates leave their bounds
        signs[support] = np.sign(sigma[support])
        signs[joining] = np.sign(v[joining])
        # coordinates at the bound that did not move (support or degenerate) keep their sign
        stay = (np.abs(sigma) == lam) & (v == 0)
        signs[stay] = np.sign(sigma[stay])
        t += tau
        beta = _saddle(X, y, signs, rtol)
        times.append(t), betas.append(beta), sigmas.append(sigma.copy())
    betas = np.array(betas)
    r = betas @ X.T - y
    return SaddlePath(np.array(times), betas, np.array(sigmas), np.array(velocities),
                      tuple(tuple(np.flatnonzero(b).tolist()) for b in betas),
                      np.sum(r * r, axis=1), lam, depth, tuple(degenerate))
