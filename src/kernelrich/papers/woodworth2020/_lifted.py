"""The unbiased matrix factorisation X = U U^T - V V^T, U(0) = V(0) = alpha I, run with
`kernelrich.matrix` by lifting: Z = [U; V] gives Z Z^T = [[U U^T, U V^T], [V U^T, V V^T]], so
<A_i, U U^T - V V^T> = <diag(A_i, -A_i), Z Z^T>: a symmetric factorisation Z Z^T of a
2n x 2n sensing problem. X(0) = 0, as the diagonal network's beta(0) = 0 (Woodworth et al.
2020); with diagonal A_i it is the D = 2 diagonal network with w0 = 1.

As alpha -> infinity the limit is the kernel regime's: the tangent map at U = V = alpha I is
dX = alpha (dU + dU^T - dV - dV^T), whose RKHS norm is proportional to ||X||_F, so the limit
is min ||X||_F s.t. A(X) = y. As alpha -> 0 it is expected at min ||X||_* (Gunasekar et al.
2017's conjecture; a theorem for commuting A_i).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ... import matrix as km

# h = 1 / (s^2 max(16 alpha^2, 8 ||X_target||_2)): the Hessian of the sum loss is about
# 16 s^2 alpha^2 at the init (both blocks) and 8 s^2 ||X|| at a limit of norm ||X||
STEP_FACTORS = (16.0, 8.0)


def lift(problem: km.Sensing) -> km.Sensing:
    """The 2n x 2n problem with sensing matrices diag(A_i, -A_i) and the same y."""
    A = np.asarray(problem.A)
    m, n, _ = A.shape
    L = np.zeros((m, 2 * n, 2 * n))
    L[:, :n, :n], L[:, n:, n:] = A, -A
    return km.sensing(L, np.asarray(problem.y), symmetric=True)


def unbiased_init(n: int, alpha: float) -> km.Factorisation:
    """Z(0) = alpha [I; I], i.e. U(0) = V(0) = alpha I: X(0) = 0."""
    return km.Factorisation((jnp.asarray(alpha * np.vstack([np.eye(n), np.eye(n)])),), True)


def difference(M: np.ndarray) -> np.ndarray:
    """U U^T - V V^T from the lifted Z Z^T (its two diagonal blocks)."""
    n = M.shape[0] // 2
    return np.asarray(M[:n, :n] - M[n:, n:])


def min_frobenius(problem: km.Sensing) -> np.ndarray:
    """argmin ||X||_F s.t. A(X) = y (minimum-norm least squares on vec X): the kernel limit."""
    A = np.asarray(problem.A).reshape(len(problem.y), -1)
    X = np.linalg.lstsq(A, np.asarray(problem.y), rcond=None)[0]
    return X.reshape(problem.shape)


def steps_for(problem: km.Sensing, alphas, target: np.ndarray) -> np.ndarray:
    """GD step per alpha on the sum loss, 1 / (s^2 max(16 alpha^2, 8 ||X_target||_2)) with s
    the largest singular value of the measurement map: half the stability limit at either end."""
    s2 = np.linalg.svd(np.asarray(problem.A).reshape(len(problem.y), -1),
                       compute_uv=False)[0] ** 2
    init, end = STEP_FACTORS
    scale = np.maximum(init * np.asarray(alphas, float) ** 2, end * np.linalg.norm(target, 2))
    return 1.0 / (s2 * scale)


def descend(problem: km.Sensing, alphas, *, target: np.ndarray, max_steps: int,
            stop_loss: float, refine: float = 1.0) -> dict:
    """Plain GD on the lifted factorisation from every alpha at steps h and h/2 (one vmapped
    batch; h = `steps_for` / `refine`), each run to the sum loss `stop_loss`.

    **Returns:** `{"X": (A, n, n) at h/2, "X_coarse": at h, "steps": h per alpha,
    "converged": [bool] (both runs), "steps_run": [int] (the h/2 run)}`.
    """
    n = problem.shape[0]
    lifted = lift(problem)
    h = steps_for(problem, alphas, target) / refine
    models = [unbiased_init(n, a) for a in alphas]
    runs = km.gradient_descent_batch(lifted, models * 2, step=np.concatenate([h, h / 2]),
                                     steps=max_steps, loss="sum", stop_loss=stop_loss,
                                     chunk=1000)
    k = len(models)
    return {"X": np.array([difference(r.matrix) for r in runs[k:]]),
            "X_coarse": np.array([difference(r.matrix) for r in runs[:k]]),
            "steps": h.tolist(),
            "converged": [bool(a.converged and b.converged) for a, b in zip(runs[:k], runs[k:],
                                                                          strict=True)],
            "steps_run": [int(r.steps_run) for r in runs[k:]]}
