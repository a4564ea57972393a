"""Random instances: low-rank ground truths, Gaussian sensing, uniform completion and
commuting (diagonal) sensing, as in Gunasekar et al. (2017) and Arora et al. (2019)."""

from __future__ import annotations

import numpy as np
from jaxtyping import Float

from .. import _validate
from ._problems import Completion, Sensing, completion, sensing


def low_rank_truth(seed: int, n: int, rank: int, *, m: int | None = None,
                   psd: bool = False) -> Float[np.ndarray, "n m"]:
    """A random rank-`rank` ground truth with entries of RMS 1 (||W||_F^2 = n m).

    Arora et al. (2019), appendix (their code): W = U V^T / sqrt(r), U, V Gaussian, then
    rescaled so that ||W||_F = sqrt(n m) (= n when square). With `psd`, W = U U^T / sqrt(r)
    (square, symmetric PSD: the setting of Gunasekar et al. 2017), rescaled the same way.

    **Arguments:**
    - `seed`: NumPy seed.
    - `n`, `m`: the shape (m = n by default; `psd` needs m = n).
    - `rank`: 1 <= rank <= min(n, m).

    **Returns:** the (n, m) matrix.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import low_rank_truth
    >>> W = low_rank_truth(0, 4, 1)
    >>> W.shape, int(np.linalg.matrix_rank(W)), round(float(np.sum(W**2)), 6)
    ((4, 4), 1, 16.0)

    ```
    """
    n = _validate.integer("n", n, minimum=1)
    m = n if m is None else _validate.integer("m", m, minimum=1)
    if psd and m != n:
        raise ValueError(f"m must equal n={n} for a PSD truth, got m={m}")
    rank = _validate.integer("rank", rank, minimum=1)
    if rank > min(n, m):
        raise ValueError(f"rank must be <= min(n, m) = {min(n, m)}, got {rank}")
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((n, rank))
    V = U if psd else rng.standard_normal((m, rank))
    W = U @ V.T / np.sqrt(rank)
    return W * np.sqrt(n * m) / np.linalg.norm(W)


def gaussian_sensing(seed: int, truth: Float[np.ndarray, "n1 n2"], m: int, *,
                     symmetric: bool = False) -> Sensing:
    """m Gaussian sensing matrices A_i = G_i / n (Arora et al. 2019: randn(n, n) / n), or
    their symmetrisation (G_i + G_i^T) / (2 n) with `symmetric` (Gunasekar et al. 2017,
    who need symmetric A_i; then `truth` must be symmetric). y_i = <A_i, truth>.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import gaussian_sensing, low_rank_truth
    >>> truth = low_rank_truth(0, 3, 1)
    >>> problem = gaussian_sensing(1, truth, m=5)
    >>> problem.A.shape, problem.shape
    ((5, 3, 3), (3, 3))
    >>> bool(np.allclose(problem.measure(truth), problem.y))
    True

    ```
    """
    truth = _validate.finite_array("truth", truth, ndim=2)
    m = _validate.integer("m", m, minimum=1)
    n1, n2 = truth.shape
    if symmetric and (n1 != n2 or not np.allclose(truth, truth.T, rtol=0, atol=1e-12 *
                                                  np.abs(truth).max())):
        raise ValueError(f"truth must be symmetric when symmetric=True, got shape "
                         f"{truth.shape}")
    G = np.random.default_rng(seed).standard_normal((m, n1, n2))
    A = (G + G.transpose(0, 2, 1)) / 2 if symmetric else G
    A = A / n1
    return sensing(A, np.einsum("mij,ij->m", A, truth), truth, symmetric=symmetric)


def random_completion(seed: int, truth: Float[np.ndarray, "n1 n2"], m: int) -> Completion:
    """m entries of `truth` drawn uniformly without replacement (Arora et al. 2019).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import random_completion
    >>> truth = np.arange(6.0).reshape(2, 3)
    >>> problem = random_completion(0, truth, m=4)
    >>> len(problem.y), problem.shape
    (4, (2, 3))
    >>> bool(np.all(problem.y == truth[problem.rows, problem.cols]))
    True

    ```
    """
    truth = _validate.finite_array("truth", truth, ndim=2)
    m = _validate.integer("m", m, minimum=1)
    n1, n2 = truth.shape
    if m > n1 * n2:
        raise ValueError(f"m must be <= n1 * n2 = {n1 * n2} (entries of truth), got {m}")
    flat = np.random.default_rng(seed).choice(n1 * n2, size=m, replace=False)
    rows, cols = flat // n2, flat % n2
    return completion(rows, cols, (n1, n2), truth[rows, cols], truth)


def diagonal_sensing(X: Float[np.ndarray, "m n"], y: Float[np.ndarray, " m"],
                     truth_diagonal: Float[np.ndarray, " n"] | None = None) -> Sensing:
    """Commuting sensing matrices A_i = diag(X_i) (Gunasekar et al. 2017, Theorem 1 and
    Corollary 2): <A_i, X> = sum_j X_ij X_jj, the regression y = X diag(X) of a diagonal
    network on the same data (Woodworth et al. 2020).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import diagonal_sensing
    >>> problem = diagonal_sensing(np.array([[1.0, 2.0]]), np.array([2.0]))
    >>> problem.A[0]
    array([[1., 0.],
           [0., 2.]])
    >>> problem.measure(np.diag([0.0, 1.0]))
    Array([2.], dtype=float64)

    ```
    """
    X, y = _validate.design(X, y)
    A = np.zeros((X.shape[0], X.shape[1], X.shape[1]))
    idx = np.arange(X.shape[1])
    A[:, idx, idx] = X
    truth = None if truth_diagonal is None else np.diag(
        _validate.finite_array("truth_diagonal", truth_diagonal, ndim=1))
    return sensing(A, y, truth, symmetric=True)
