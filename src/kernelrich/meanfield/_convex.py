"""The convex reference for sparse deconvolution: J* on a fine grid of T, by a conic solver
(an independent route to the global minimum that particle descent should reach)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import Float

from .. import _validate
from .._extras import require
from ._deconvolution import SpikeDeconvolution, fourier_features


@dataclass(frozen=True)
class GridMinimum:
    """The minimiser of J over measures supported on a uniform grid of T.

    **Fields:**

    - `value`: min J over grid measures (>= the continuous J*, by O(h^2) for separated spikes).
    - `grid`: the grid points j / N, shape (N,).
    - `masses`: the minimiser's masses on the grid, shape (N,).
    - `method`: the solver and its tolerance.
    - `status`: the solver's status (cvxpy's `problem.status`); a value other than
      `"optimal"` (e.g. `"optimal_inaccurate"`) means `value` is not certified to `tol`, and
      a failed solve gives NaN masses and value.
    """

    value: float
    grid: Float[np.ndarray, " N"]
    masses: Float[np.ndarray, " N"]
    method: str
    status: str = "optimal"


def deconvolution_minimum(model: SpikeDeconvolution, grid_size: int = 2048,
                          tol: float = 1e-10) -> GridMinimum:
    """min over c in R^N of 1/2 |Phi c - y|^2 + lambda |c|_1, Phi = (phi(j / N))_j.

    Chizat & Bach (2018), eq. (1) restricted to measures on the grid {j / N}: a Lasso,
    solved as a second-order cone program by Clarabel (cvxpy) to `tol`. The grid value
    bounds the continuous J* from above; particle descent is not restricted to the grid.

    **Arguments:**

    - `model`: the deconvolution problem.
    - `grid_size`: N >= 1.
    - `tol`: Clarabel's absolute and relative gap and feasibility tolerances, > 0.

    **Returns:** a `GridMinimum`; check its `status` before trusting `value`.

    **Example:**

    ```pycon
    >>> from kernelrich.meanfield import SpikeDeconvolution, deconvolution_minimum, observe
    >>> model = SpikeDeconvolution(observe([0.25], [1.0], cutoff=3), cutoff=3, lam=0.01)
    >>> best = deconvolution_minimum(model, grid_size=16)
    >>> best.status, round(best.value, 6)
    ('optimal', 0.009993)
    >>> float(best.grid[best.masses.argmax()]), round(float(best.masses.max()), 6)
    (0.25, 0.998571)

    ```
    """
    cp = require("cvxpy", "deconvolution_minimum")

    if not isinstance(model, SpikeDeconvolution):
        raise ValueError(f"model must be a SpikeDeconvolution, got {type(model).__name__}")
    grid_size = _validate.integer("grid_size", grid_size, minimum=1)
    tol = _validate.positive("tol", tol)
    grid = np.arange(grid_size) / grid_size
    Phi = fourier_features(grid, model.cutoff, np).T
    y = np.asarray(model.observed)
    c = cp.Variable(grid_size)
    cost = 0.5 * cp.sum_squares(Phi @ c - y) + model.lam * cp.norm1(c)
    problem = cp.Problem(cp.Minimize(cost))
    try:
        problem.solve(solver=cp.CLARABEL, tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol)
    except cp.error.SolverError as e:
        status = f"solver error: {e}"
    else:
        status = str(problem.status)
    masses = np.full(grid_size, np.nan) if c.value is None else np.asarray(c.value, float)
    value = lasso_objective(model, grid, masses)
    method = (f"Lasso on a {grid_size}-point grid of T (cvxpy + Clarabel, tol {tol:g}, "
              f"status {status})")
    return GridMinimum(value, grid, masses, method, status)


def lasso_objective(model: SpikeDeconvolution, grid: Float[np.ndarray, " N"],
                    masses: Float[np.ndarray, " N"]) -> float:
    """J(sum_j masses_j delta_{grid_j}) = 1/2 |Phi c - y|^2 + lambda |c|_1 (NaN-propagating).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.meanfield import SpikeDeconvolution, lasso_objective, observe
    >>> model = SpikeDeconvolution(observe([0.25], [1.0], cutoff=3), cutoff=3, lam=0.01)
    >>> grid = np.arange(4) / 4
    >>> round(lasso_objective(model, grid, np.array([0.0, 1.0, 0.0, 0.0])), 6)
    0.01
    >>> round(lasso_objective(model, grid, np.zeros(4)), 6)
    3.5

    ```
    """
    Phi = fourier_features(np.asarray(grid, float), model.cutoff, np).T
    r = Phi @ np.asarray(masses, float) - np.asarray(model.observed)
    return 0.5 * float(r @ r) + model.lam * float(np.abs(masses).sum())
