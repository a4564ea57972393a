"""Optimality (KKT) residuals of a min-nuclear-norm solution, from the solver's multiplier.

X minimises ||X||_* s.t. |A(X)_i - y_i| <= tol iff, with G = A*(lambda) (Watson 1992;
Recht, Fazel and Parrilo 2010, eq. (2.6)): G = U V^T + W with U^T W = 0, W V = 0,
||W||_2 <= 1 (X = U S V^T, compact SVD); lambda_i = 0 unless |A(X)_i - y_i| = tol, with the
sign of the residual's opposite. For PSD X (||X||_* = trace X): Z = I - G is PSD and ZX = 0.
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from . import _checks
from ._nuclear import NuclearNormResult
from ._problems import Completion, Sensing


def kkt_residuals(problem: Sensing | Completion, result: NuclearNormResult, *,
                  rank_tol: float = 1e-6) -> dict[str, float]:
    """The KKT residuals of `result` (module docstring); all are 0 at an exact optimum.

    **Arguments:**
    - `problem`: the problem `result` solved.
    - `result`: from `min_nuclear_norm` (its `multiplier` is lambda).
    - `rank_tol`: singular values of X below rank_tol * sigma_max count as zero.

    **Returns:** a dict: "primal" (constraint violation beyond tol), "slackness"
    (max |lambda_i| (tol - |r_i|)), and for general X "support" (max |U^T G V - I|),
    "cross" (||U^T G (I - VV^T)||_F + ||(I - UU^T) G V||_F), "dual_norm"
    (max(||(I - UU^T) G (I - VV^T)||_2 - 1, 0)); for PSD X "dual_psd"
    (max(-lambda_min(I - G), 0)) and "complementarity" (||(I - G) X||_F).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, kkt_residuals, min_nuclear_norm
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.array([2.0, 1.0, 1.0]))
    >>> residuals = kkt_residuals(problem, min_nuclear_norm(problem))
    >>> {name: round(value, 4) for name, value in residuals.items()}
    {'primal': 0.0, 'slackness': 0.0, 'support': 0.0, 'cross': 0.0, 'dual_norm': 0.0}

    ```
    """
    problem = _checks.problem(problem)
    if not isinstance(result, NuclearNormResult):
        raise ValueError(f"result must be a NuclearNormResult, got {type(result).__name__}")
    X = _checks.matrix("result.X", result.X, problem.shape)
    lam = _validate.bounded("result.multiplier",
                            _validate.finite_array("result.multiplier", result.multiplier, ndim=1))
    if lam.shape != np.shape(problem.y):
        raise ValueError(f"result.multiplier must have one entry per measurement "
                         f"{np.shape(problem.y)}, got shape {lam.shape}")
    rank_tol = _validate.positive("rank_tol", rank_tol)
    r = np.asarray(problem.measure(X)) - np.asarray(problem.y)
    G = np.asarray(problem.adjoint(lam))
    out = {"primal": float(max(np.abs(r).max() - result.tol, 0.0)),
           "slackness": float(np.max(np.abs(lam) * np.maximum(result.tol - np.abs(r), 0.0)))}
    if result.psd:
        Z = np.eye(len(X)) - (G + G.T) / 2
        out["dual_psd"] = float(max(-np.linalg.eigvalsh(Z).min(), 0.0))
        out["complementarity"] = float(np.linalg.norm(Z @ X))
        return _finite(out)
    U, s, Vt = np.linalg.svd(X)
    k = int(np.sum(s > rank_tol * s[0]))
    Uk, Vk = U[:, :k], Vt[:k].T
    P, Q = np.eye(len(U)) - Uk @ Uk.T, np.eye(len(Vt)) - Vk @ Vk.T
    out["support"] = float(np.abs(Uk.T @ G @ Vk - np.eye(k)).max())
    out["cross"] = float(np.linalg.norm(Uk.T @ G @ Q) + np.linalg.norm(P @ G @ Vk))
    out["dual_norm"] = float(max(np.linalg.norm(P @ G @ Q, 2) - 1, 0.0))
    return _finite(out)


def _finite(out: dict[str, float]) -> dict[str, float]:
    _validate.finite_result(list(out.values()), names="problem and result",
                            what="a KKT residual")
    return out
