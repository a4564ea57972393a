"""Arora et al. (2019), Theorem 3: the singular values of the end-to-end matrix under
gradient flow from a balanced initialisation move as

    d sigma_r / dt = -N (sigma_r^2)^(1 - 1/N) <grad l(W), u_r v_r^T>,

where l is the loss as a function of W = W_N ... W_1 and (sigma_r, u_r, v_r) its singular
triplets (signed singular values for N = 1; for N >= 2 they stay >= 0)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from . import _checks
from ._problems import Completion, Sensing


def end_to_end_loss(W, problem: Sensing | Completion, scale: float):
    """l(W) = scale * ||A(W) - y||^2, the loss of the end-to-end matrix.

    Called on concrete values, the arguments are checked (ValueErrors naming them); traced
    inside jit / grad, they are not."""
    if not _checks.traced(W, problem, scale):
        problem = _checks.problem(problem)
        W = jnp.asarray(_checks.matrix("W", W, problem.shape))
        scale = _validate.positive("scale", scale)
        return _validate.finite_result(_loss(W, problem, scale), names="W, problem, scale",
                                       what="the loss")
    return _loss(W, problem, scale)


def _loss(W, problem, scale):
    r = problem.measure(W) - problem.y
    return scale * jnp.sum(r * r)


def singular_value_rates(problem: Sensing | Completion, W: Float[np.ndarray, "n1 n2"],
                         depth: int, *, loss: str = "mean") -> Float[np.ndarray, " k"]:
    """The right-hand side of Theorem 3 (module docstring) for every singular value of W.

    **Arguments:**
    - `problem`: the measurements defining l.
    - `W`: the end-to-end matrix (distinct singular values, so that u_r, v_r are defined).
    - `depth`: N >= 1.
    - `loss`: "mean" or "sum", as in the flow.

    **Returns:** d sigma_r / dt, in the order of `numpy.linalg.svd` (decreasing sigma).
    """
    problem = _checks.problem(problem)
    W = _checks.matrix("W", W, problem.shape)
    depth = _validate.integer("depth", depth, minimum=1)
    if loss not in ("sum", "mean"):
        raise ValueError(f"loss must be 'sum' or 'mean', got {loss!r}")
    scale = 1.0 if loss == "sum" else 1.0 / len(problem.y)
    grad = np.asarray(jax.grad(_loss)(jnp.asarray(W), problem, scale))
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    projections = np.einsum("ir,ij,rj->r", U, grad, Vt)
    with np.errstate(over="ignore", invalid="ignore"):
        rates = -depth * (s**2) ** (1 - 1 / depth) * projections
    return _validate.finite_result(rates, names="W and problem",
                                   what="d sigma / dt (Theorem 3)")
