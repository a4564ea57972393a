"""The minimum-nuclear-norm baseline (Gunasekar et al. 2017; Arora et al. 2019), by cvxpy.

    min ||X||_*  s.t.  A(X) = y            (`tol=0`: exact, Gunasekar's conjecture)
    min ||X||_*  s.t.  |A(X)_i - y_i| <= tol  (Arora et al.'s code: tol = 1e-3, SCS)

With `psd`, X is constrained PSD and ||X||_* = trace(X).
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
from jaxtyping import Float

from .. import _validate
from .._extras import require
from . import _checks
from ._problems import Completion, Sensing

SOLVERS = ("CLARABEL", "SCS")


@dataclass(frozen=True)
class NuclearNormResult:
    """The outcome of `min_nuclear_norm`.

    **Fields:**
    - `X`: the solution, shape (n1, n2).
    - `nuclear_norm`: ||X||_* of the returned X (from its singular values).
    - `residual`: max_i |A(X)_i - y_i|.
    - `status`: the solver's status: "optimal", or "optimal_inaccurate" when allowed
      (Clarabel reaches only its reduced tolerances, about 1e-7 here, on some PSD
      problems whose solution is low rank).
    - `solver`: "CLARABEL" or "SCS".
    - `multiplier`: the Lagrange multiplier lambda of the measurement constraints, in the
      convention of `kkt_residuals` (the solver's dual, unscaled).
    - `psd`, `tol`: the problem solved.
    """

    X: Float[np.ndarray, "n1 n2"]
    nuclear_norm: float
    residual: float
    status: str
    solver: str
    multiplier: Float[np.ndarray, " m"]
    psd: bool
    tol: float


def _row_scales(problem: Sensing | Completion) -> np.ndarray:
    """1 / ||A_i||_F for sensing (ones for completion)."""
    if isinstance(problem, Completion):
        return np.ones(len(problem.y))
    A = np.asarray(problem.A).reshape(len(problem.y), -1)
    return 1 / np.maximum(np.linalg.norm(A, axis=1), np.finfo(float).tiny)


def _scaled_residual(problem: Sensing | Completion, X) -> tuple[object, np.ndarray]:
    """(A(X) - y) / ||A_i||_F row by row, and the row scales 1 / ||A_i||_F. Equilibrating
    the rows matters: with A_i = G_i / n, Clarabel stops at "optimal_inaccurate" on PSD
    problems that it solves to 1e-9 once the rows have unit norm."""
    n1, n2 = problem.shape
    y = np.asarray(problem.y)
    cp = require("cvxpy", "min_nuclear_norm")
    vec = cp.vec(X, order="C")  # row-major: entry (i, j) at i * n2 + j
    if isinstance(problem, Completion):
        return vec[np.asarray(problem.rows) * n2 + np.asarray(problem.cols)] - y, np.ones_like(y)
    A = np.asarray(problem.A).reshape(len(y), n1 * n2)
    scale = 1 / np.maximum(np.linalg.norm(A, axis=1), np.finfo(float).tiny)
    return (A * scale[:, None]) @ vec - scale * y, scale


def min_nuclear_norm(problem: Sensing | Completion, *, psd: bool = False, tol: float = 0.0,
                     solver: str = "CLARABEL", allow_inaccurate: bool = True,
                     **solver_options) -> NuclearNormResult:
    """argmin ||X||_* subject to the measurements, exactly or within `tol` per entry.

    **Arguments:**
    - `problem`: a `Sensing` or `Completion` problem.
    - `psd`: restrict to symmetric PSD X (then ||X||_* = trace X; Gunasekar et al.).
    - `tol`: 0 for A(X) = y, else |A(X)_i - y_i| <= tol (Arora et al.: 1e-3).
    - `solver`: "CLARABEL" (interior point) or "SCS" (first-order, Arora et al.'s choice).
    - `allow_inaccurate`: accept the status "optimal_inaccurate" (it is recorded in the
      result's `status`); if False it raises like any other status.
    - `solver_options`: passed to `cvxpy.Problem.solve` (e.g. `eps=1e-9` for SCS).

    **Returns:** a `NuclearNormResult`.

    **Raises:** `RuntimeError` naming the solver's status if it is not "optimal" (or
    "optimal_inaccurate" with `allow_inaccurate`): infeasible, unbounded or failed.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, min_nuclear_norm
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.array([2.0, 1.0, 1.0]))
    >>> result = min_nuclear_norm(problem)
    >>> result.status, result.X.round(6), round(result.nuclear_norm, 6)
    ('optimal', array([[2. , 1. ],
           [1. , 0.5]]), 2.5)

    ```
    """
    problem = _checks.problem(problem)
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    if tol != 0.0:
        tol = _validate.positive("tol", tol)
    n1, n2 = problem.shape
    # min ||X||_* s.t. A(X) = y is homogeneous in y: badly scaled data (|y_i| / ||A_i||
    # beyond 2^+-20) is solved for y / t, t an exact power of two, and X scaled back
    t = _checks.power_of_two(float(np.max(np.abs(np.asarray(problem.y)) * _row_scales(problem))))
    if t != 1.0:
        small = min_nuclear_norm(dataclasses.replace(problem, y=np.asarray(problem.y) / t),
                                 psd=psd, tol=tol / t, solver=solver,
                                 allow_inaccurate=allow_inaccurate, **solver_options)
        with np.errstate(over="ignore"):
            out = dataclasses.replace(small, X=small.X * t, nuclear_norm=small.nuclear_norm * t,
                                      residual=small.residual * t, tol=tol)
        _validate.finite_result([out.X.max(), out.nuclear_norm, out.residual],
                                names="problem.A and problem.y", what="the minimiser X")
        return out
    if psd and n1 != n2:
        raise ValueError(f"psd=True needs a square problem, got shape {problem.shape}")
    cp = require("cvxpy", "min_nuclear_norm")
    X = cp.Variable((n1, n2), PSD=True) if psd else cp.Variable((n1, n2))
    objective = cp.trace(X) if psd else cp.normNuc(X)
    residual, scale = _scaled_residual(problem, X)
    if tol == 0.0:
        constraints = [residual == 0]
    else:
        constraints = [residual <= tol * scale, -residual <= tol * scale]
    prob = cp.Problem(cp.Minimize(objective), constraints)
    try:
        with warnings.catch_warnings():  # the status is returned instead
            warnings.filterwarnings("ignore", "Solution may be inaccurate")
            prob.solve(solver=solver, **solver_options)
    except cp.error.SolverError as err:
        raise RuntimeError(f"min_nuclear_norm: {solver} failed ({err})") from err
    accepted = (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) if allow_inaccurate else (cp.OPTIMAL,)
    if prob.status not in accepted or X.value is None:
        raise RuntimeError(f"min_nuclear_norm: {solver} returned status {prob.status!r}")
    value = np.asarray(X.value)
    fit = np.asarray(problem.measure(value))
    duals = [np.asarray(c.dual_value, dtype=float).reshape(-1) for c in constraints]
    multiplier = -scale * (duals[0] if tol == 0.0 else duals[0] - duals[1])
    return NuclearNormResult(value, float(np.linalg.svd(value, compute_uv=False).sum()),
                             float(np.abs(fit - np.asarray(problem.y)).max()), prob.status,
                             solver, multiplier, psd, tol)
