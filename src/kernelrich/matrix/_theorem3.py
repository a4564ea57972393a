"""Arora et al. (2019), Theorem 3: the singular values of the end-to-end matrix under
gradient flow from a balanced initialisation move as

    d sigma_r / dt = -N (sigma_r^2)^(1 - 1/N) <grad l(W), u_r v_r^T>,

where l is the loss as a function of W = W_N ... W_1 and (sigma_r, u_r, v_r) its singular
triplets (signed singular values for N = 1; for N >= 2 they stay >= 0). The projections
<grad l(W), u_r v_r^T> are the diagonal of U^T grad l(W) V (`singular_basis_gradient`);
its off-diagonal entries move the singular vectors, and Arora et al.'s Figure 3 shows the
diagonal dominating them during training."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from . import _checks
from ._problems import Completion, Sensing


def end_to_end_loss(W, problem: Sensing | Completion, scale: float):
    """l(W) = scale * ||A(W) - y||^2, the loss of the end-to-end matrix.

    Called on concrete values, the arguments are checked (ValueErrors naming them); traced
    inside jit / grad, they are not.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, end_to_end_loss
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.ones(3))
    >>> round(float(end_to_end_loss(np.eye(2), problem, scale=1 / 3)), 6)
    0.666667
    >>> round(float(end_to_end_loss(np.ones((2, 2)), problem, scale=1 / 3)), 6)
    0.0

    ```
    """
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


def singular_basis_gradient(problem: Sensing | Completion, W: Float[np.ndarray, "n1 n2"], *,
                            loss: str = "mean") -> Float[np.ndarray, "k k"]:
    """U^T grad l(W) V with W = U diag(sigma) V^T (compact SVD, k = min(n1, n2)): its
    diagonal is Theorem 3's <grad l(W), u_r v_r^T> (Arora et al. 2019, Figure 3, right).

    **Arguments:**
    - `problem`: the measurements defining l; `W`: the end-to-end matrix.
    - `loss`: "mean" (l = (1/m) sum_i r_i^2) or "sum".

    **Returns:** the k x k matrix, rows and columns in the order of `numpy.linalg.svd`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, singular_basis_gradient
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.ones(3))
    >>> singular_basis_gradient(problem, np.diag([2.0, 1.0]), loss="sum").round(6)
    array([[ 2., -2.],
           [-2.,  0.]])
    >>> singular_basis_gradient(problem, np.ones((2, 2))).round(6)
    array([[0., 0.],
           [0., 0.]])

    ```
    """
    problem = _checks.problem(problem)
    W = _checks.matrix("W", W, problem.shape)
    if loss not in ("sum", "mean"):
        raise ValueError(f"loss must be 'sum' or 'mean', got {loss!r}")
    scale = 1.0 if loss == "sum" else 1.0 / len(problem.y)
    U, _, Vt = np.linalg.svd(W, full_matrices=False)
    return _validate.finite_result(U.T @ _gradient(problem, W, scale) @ Vt.T,
                                   names="W and problem", what="U^T grad l(W) V")


def _gradient(problem: Sensing | Completion, W: np.ndarray, scale: float) -> np.ndarray:
    """grad l(W) = 2 scale A*(A(W) - y), in NumPy (called at every logged step of a run,
    where JAX's op-by-op dispatch would cost more than the step itself)."""
    y = np.asarray(problem.y)
    if isinstance(problem, Completion):
        rows, cols = np.asarray(problem.rows), np.asarray(problem.cols)
        grad = np.zeros(problem.shape)
        np.add.at(grad, (rows, cols), 2 * scale * (W[rows, cols] - y))
        return grad
    A = np.asarray(problem.A)
    r = np.einsum("mij,ij->m", A, W) - y
    return 2 * scale * np.einsum("m,mij->ij", r, A)


def gradient_alignment(problem: Sensing | Completion, W: Float[np.ndarray, "n1 n2"], *,
                       loss: str = "mean") -> Float[np.ndarray, " 4"]:
    """Mean and standard deviation of the magnitudes |U^T grad l(W) V| on its diagonal and
    off it (Arora et al.'s code, main.py: diag/mean, diag/std, off_diag/mean, off_diag/std).

    **Returns:** [diagonal mean, diagonal std, off-diagonal mean, off-diagonal std].

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, gradient_alignment
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.ones(3))
    >>> gradient_alignment(problem, np.diag([2.0, 1.0]), loss="sum").round(6)
    array([1., 1., 2., 0.])

    ```
    """
    full = np.abs(singular_basis_gradient(problem, W, loss=loss))
    top = full.max() if full.max() > 0 else 1.0  # the statistics of full / top, rescaled,
    full = full / top  # so that the squares in the std do not overflow for huge entries
    diag = np.diag(full)
    off = full[~np.eye(len(full), dtype=bool)]
    stats = top * np.array([diag.mean(), diag.std(), off.mean() if off.size else 0.0,
                            off.std() if off.size else 0.0])
    return _validate.finite_result(stats, names="W and problem", what="|U^T grad l V|")


def singular_value_rates(problem: Sensing | Completion, W: Float[np.ndarray, "n1 n2"],
                         depth: int, *, loss: str = "mean") -> Float[np.ndarray, " k"]:
    """The right-hand side of Theorem 3 (module docstring) for every singular value of W.

    **Arguments:**
    - `problem`: the measurements defining l.
    - `W`: the end-to-end matrix (distinct singular values, so that u_r, v_r are defined).
    - `depth`: N >= 1.
    - `loss`: "mean" or "sum", as in the flow.

    **Returns:** d sigma_r / dt, in the order of `numpy.linalg.svd` (decreasing sigma).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, singular_value_rates
    >>> problem = completion([0, 0, 1], [0, 1, 1], (2, 2), np.ones(3))
    >>> singular_value_rates(problem, np.diag([2.0, 0.5]), depth=3, loss="sum").round(6)
    array([-15.119053,   1.190551])

    ```
    """
    depth = _validate.integer("depth", depth, minimum=1)
    projections = np.diag(singular_basis_gradient(problem, W, loss=loss))
    s = np.linalg.svd(np.asarray(W, dtype=float), compute_uv=False)
    with np.errstate(over="ignore", invalid="ignore"):
        rates = -depth * (s**2) ** (1 - 1 / depth) * projections
    return _validate.finite_result(rates, names="W and problem",
                                   what="d sigma / dt (Theorem 3)")
