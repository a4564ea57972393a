"""The limit of gradient flow on a diagonal network, exactly (Woodworth et al. 2020,
Theorems 1 and 3): Newton's method on the N-dimensional dual along a path of alphas.

The flow from alpha * w0 interpolates and its limit is beta = b(X^T nu) for the nu
solving X b(X^T nu) = y (`_links`); `_solver` finds it for one alpha, `_newton` (NumPy,
BLAS) or `_device` (JAX, any device) does the linear algebra. A path of alphas is solved
from large to small, each alpha warm-started from the previous one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import threadpoolctl
from jaxtyping import Float

from .. import _validate
from . import _newton, _solver

#: The smallest `tol` accepted: below it the KKT residual is under the rounding of
#: X beta - y and of grad Q(beta) in float64 on ordinary problems.
MIN_TOL = 1e-14

#: (alpha w0)^k must stay within [1 / BIG, BIG] for k = D and 2D - 2 (the scales of beta
#: and of the dual Hessian), so that no intermediate leaves the float64 range.
_LOG_BIG = np.log(1e300)


@dataclass(frozen=True)
class FlowLimit:
    """`flow_limit`'s answer with its certificate (`full_output=True`).

    **Fields:**
    - `beta`: the limits, shape (K, d), rows in the order of `alpha`.
    - `nu`: the dual variables, shape (K, N): grad Q(beta) = X^T nu at the limit.
    - `residual`: the relative KKT residual of each row, shape (K,):
      max(||X beta - y|| / ||y||, ||grad Q(beta) - X^T nu||_inf / ||grad Q(beta)||_inf),
      each <= `tol`.
    - `iterations`: Newton steps taken for each row (both stages), shape (K,).
    - `primal_dual`: whether each row needed the primal-dual stage, shape (K,).
    - `factorisations`: Hessians X diag(s) X^T formed over the whole path.
    """

    beta: Float[np.ndarray, "K d"]
    nu: Float[np.ndarray, "K N"]
    residual: Float[np.ndarray, " K"]
    iterations: np.ndarray
    primal_dual: np.ndarray
    factorisations: int


def alpha_range(depth: int, w0: np.ndarray | None = None) -> tuple[float, float]:
    """The alphas `flow_limit` accepts at this depth and init shape: (alpha w0_i)^k within
    [1e-300, 1e300] for k = D and 2D - 2 (for w0 = 1: D = 2 from 1e-150 to 1e150,
    D = 3 from 1e-75 to 1e75, D = 4 from 1e-50 to 1e50).

    **Example:**

    The bounds are 1e300^(-+1 / (2D - 2)), divided by the largest / smallest w0_i:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import alpha_range
    >>> [f"{a:.3g}" for a in alpha_range(2)]  # 1e300^(-1/2), 1e300^(1/2)
    ['1e-150', '1e+150']
    >>> [f"{a:.3g}" for a in alpha_range(4, np.array([0.1, 10.0]))]  # 1e-50 / 0.1, 1e50 / 10
    ['1e-49', '1e+49']

    ```
    """
    depth = _validate.integer("depth", depth, minimum=2)
    lo = 0.0 if w0 is None else float(np.log(np.min(w0)))
    hi = 0.0 if w0 is None else float(np.log(np.max(w0)))
    k = 2 * depth - 2
    return float(np.exp(-_LOG_BIG / k - lo)), float(np.exp(_LOG_BIG / k - hi))


def _not_tiny(name: str, arr: np.ndarray, limit: float = 1e-150) -> None:
    """Refuse a nonzero array whose entries are all below `limit` in magnitude: its
    squares (norms, Gram matrices) underflow float64."""
    top = float(np.max(np.abs(arr)))
    if 0 < top < limit:
        raise ValueError(f"{name} has entries only up to {top:.3e} in magnitude; their "
                         f"squares underflow float64 (limit {limit:.0e}): rescale {name}")


def _alphas(alpha, depth, w0) -> tuple[np.ndarray, bool]:
    scalar = np.ndim(alpha) == 0
    alphas = (np.array([_validate.positive("alpha", alpha)]) if scalar
              else _validate.positive("alpha", alpha, allow_array=True))
    lo, hi = alpha_range(depth, w0)
    bad = (alphas < lo) | (alphas > hi)
    if bad.any():
        raise ValueError(
            f"alpha must be within [{lo:.3e}, {hi:.3e}] for depth={depth} and this w0 "
            f"(alpha_range: (alpha w0)^(2D-2) within [1e-300, 1e300]), got "
            f"{alphas[bad][0]:.3e}")
    return alphas, scalar


def _path(log_alphas: np.ndarray, beta_l2: np.ndarray, max_gap: float = 2 * np.log(10)
          ) -> list[float]:
    """The continuation path, from large to small alpha: the distinct requested
    log-alphas plus stepping stones, so that consecutive points are at most a factor 100
    apart and the path starts where Newton from nu = 0 converges (alpha^2 above the size
    of the min-l2 solution: the nearly quadratic kernel regime)."""
    targets = np.unique(log_alphas)[::-1]
    start = max(targets[0], 0.5 * np.log(max(np.abs(beta_l2).max(), 1e-300)) + np.log(10))
    path, current = ([start] if start > targets[0] else []), start
    for target in targets:
        while current - target > max_gap:
            current -= max_gap
            path.append(current)
        path.append(float(target))
        current = target
    return path


def flow_limit(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float | Float[np.ndarray, " K"],
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 100,
    backend: str = "numpy",
    full_output: bool = False,
) -> Float[np.ndarray, " d"] | Float[np.ndarray, "K d"] | FlowLimit:
    """The limit beta_{alpha, w0}^infty of gradient flow on the depth-D diagonal network.

    Woodworth et al. (2020), Theorem 1 (D = 2) and Theorem 3 (D >= 3): the limit is
    argmin Q(beta) s.t. X beta = y, computed by Newton's method on its N-dimensional dual
    (and on the KKT system where the dual cannot resolve it: `_solver`).

    **Arguments:**
    - `X`, `y`: the data, shapes (N, d) and (N,); X beta = y must be solvable.
    - `alpha`: the initialisation scale, a number or a 1-D array of numbers (solved along
      one path from large to small alpha with warm starts); within `alpha_range(depth,
      w0)`.
    - `depth`: D >= 2, the order of homogeneity.
    - `w0`: the initialisation shape (positive, length d); default all ones.
    - `tol`: the relative KKT residual every answer must reach (see `FlowLimit`), in
      [1e-14, 1e-2]; a RuntimeError says so when float64 cannot reach it. The distance to
      the exact limit is about tol times the condition of the KKT system.
    - `max_iter`: Newton steps allowed per stage and alpha.
    - `backend`: "numpy" (BLAS, one thread; forms a Hessian only when CG preconditioned
      with the last one would cost more) or "jax" (the N x N and N x d algebra in JAX on
      its default device, a GPU if there is one: a Hessian per Newton step).
    - `full_output`: return a `FlowLimit` with the dual variables and residuals.

    **Returns:** beta of shape (d,) for a scalar alpha, (K, d) for K alphas (rows in the
    order of `alpha`); a `FlowLimit` if `full_output`.

    **Example:**

    With x_1 = (1, 0, 1), x_2 = (0, 1, 1) and y = (1, 3/4), the interpolators are
    (1 - c, 3/4 - c, c). Small alpha (Q ~ the l1 norm) gives the minimum-l1 one, c = 3/4;
    large alpha (Q ~ the squared l2 norm) the minimum-l2 one, X^T (X X^T)^{-1} y =
    (5/12, 1/6, 7/12):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import flow_limit
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> beta = flow_limit(X, y, np.array([1e-4, 1e2]))  # one row per alpha
    >>> beta.round(6)
    array([[0.25    , 0.      , 0.75    ],
           [0.416667, 0.166667, 0.583333]])
    >>> bool(np.allclose(beta[0], [0.25, 0.0, 0.75], rtol=0.0, atol=1e-7))  # min-l1
    True
    >>> min_l2 = np.linalg.lstsq(X, y, rcond=None)[0]
    >>> bool(np.allclose(beta[1], min_l2, rtol=0.0, atol=1e-10))  # min-l2
    True
    >>> result = flow_limit(X, y, 1.0, full_output=True)  # with its certificate
    >>> bool(result.residual[0] <= 1e-12), bool(np.allclose(X @ result.beta[0], y))
    (True, True)

    ```
    """
    X, y = _validate.design(X, y)
    _not_tiny("y", y)
    depth = _validate.integer("depth", depth, minimum=2)
    w0 = _validate.init_shape(w0, X.shape[1])
    alphas, scalar = _alphas(alpha, depth, w0)
    tol = _validate.positive("tol", tol)
    if not MIN_TOL <= tol <= 1e-2:
        raise ValueError(f"tol must be within [{MIN_TOL:.0e}, 1e-2], got {tol:.3e}")
    max_iter = _validate.integer("max_iter", max_iter, minimum=1)
    backend = _validate.choice("backend", backend, ("numpy", "jax"))
    # The NumPy algebra is N x N and N x d: BLAS threads only cost (they spin when the
    # cores are shared: 10-100x slowdowns measured on 2 busy cores): one thread.
    with _blas_threads().limit(limits=1, user_api="blas"):
        if backend == "numpy":
            design = _newton.Design(X)
        else:
            from . import _device

            design = _device.Design(X)
        beta_l2, gram = _feasible(design, X, y)
        result = _solve_path(design, X, y, alphas, depth, w0, tol, max_iter, beta_l2, gram)
    if full_output:
        return result
    return result.beta[0] if scalar else result.beta


@functools.cache
def _blas_threads() -> threadpoolctl.ThreadpoolController:
    """One controller for the process: building one inspects the loaded libraries (0.3 ms,
    a third of the time budget of one alpha at N = 100)."""
    return threadpoolctl.ThreadpoolController()


def _feasible(design, X, y):
    """The minimum-norm solution of X beta = y and the factorised X X^T, from one
    Hessian formation: beta = X^T (X X^T)^{-1} y when that interpolates to 1e-9 (the
    Gram matrix then preconditions the first Newton system, which is a multiple of it
    for w0 = 1); otherwise LAPACK's least squares, which refuses an infeasible system."""
    gram = design.factor(np.ones(X.shape[1]))
    if gram.cholesky is not None:
        beta = design.rmatvec(gram.solve(y))
        if np.linalg.norm(design.matvec(beta) - y) <= 1e-9 * np.linalg.norm(y):
            return beta, gram
    return _validate.feasible(X, y), None


def _solve_path(design, X, y, alphas, depth, w0, tol, max_iter, beta_l2, gram) -> FlowLimit:
    K, (N, d) = len(alphas), X.shape
    beta, nu = np.zeros((K, d)), np.zeros((K, N))
    residual, iterations, primal_dual = np.zeros(K), np.zeros(K, int), np.zeros(K, bool)
    if np.any(y != 0):
        problem = _solver.Problem(design, y, depth, w0, tol, max_iter)
        log_alphas = np.log(alphas)
        history = []
        for log_alpha in _path(log_alphas, beta_l2):
            point = problem.solve(log_alpha, history, gram)
            history = history[-2:] + [point]
            rows = log_alphas == log_alpha
            beta[rows], nu[rows], residual[rows] = point.beta, point.nu, point.residual
            iterations[rows], primal_dual[rows] = point.iterations, point.primal_dual
    return FlowLimit(beta, nu, residual, iterations, primal_dual,
                     getattr(design, "factorisations", 0))
