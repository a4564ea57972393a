"""Factorised models: the symmetric X = U U^T (Gunasekar et al. 2017) and the depth-N
product W = W_N ... W_1 (Arora et al. 2019), with their initialisations."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _validate

INITS = ("gaussian", "balanced")


class Factorisation(eqx.Module):
    """A factorised matrix: U U^T (`symmetric`, one factor U of shape (n, d)) or
    W_N ... W_1 (`factors` = (W_1, ..., W_N), applied right to left).

    **Fields:**
    - `factors`: the factor matrices, a tuple.
    - `symmetric`: static; True for U U^T.
    """

    factors: tuple
    symmetric: bool = eqx.field(static=True)

    @property
    def depth(self) -> int:
        """N, the number of factors (2 for U U^T, which is W_2 W_1 with W_2 = W_1^T)."""
        return 2 if self.symmetric else len(self.factors)

    def matrix(self) -> Float[Array, "n1 n2"]:
        """The end-to-end matrix U U^T or W_N ... W_1."""
        if self.symmetric:
            (U,) = self.factors
            return U @ U.T
        W = self.factors[0]
        for factor in self.factors[1:]:
            W = factor @ W
        return W


def symmetric_factor(seed: int, n: int, d: int, scale: float, init: str = "gaussian"
                     ) -> Factorisation:
    """U(0) = alpha U0 for X = U U^T (Gunasekar et al. 2017, section 1).

    **Arguments:**
    - `seed`: NumPy seed (unused for "balanced").
    - `n`, `d`: U is n x d, 1 <= d <= n (d = n: full dimensional).
    - `scale`: alpha > 0.
    - `init`: "gaussian" (U0 with iid N(0, 1 / n) entries, so ||U0 U0^T||_F ~ sqrt(n d)/n)
      or "balanced" (U0 = the first d columns of the identity, X(0) = alpha^2 diag(1_d, 0)).

    **Example:**

    ```pycon
    >>> from kernelrich.matrix import symmetric_factor
    >>> model = symmetric_factor(0, n=3, d=3, scale=0.1, init="balanced")
    >>> model.depth, model.factors[0].shape
    (2, (3, 3))
    >>> model.matrix().round(6)
    Array([[0.01, 0.  , 0.  ],
           [0.  , 0.01, 0.  ],
           [0.  , 0.  , 0.01]], dtype=float64)

    ```
    """
    n, d, scale = _sizes(n, d, scale)
    if init == "balanced":
        U0 = np.eye(n, d)
    elif init == "gaussian":
        U0 = np.random.default_rng(seed).standard_normal((n, d)) / np.sqrt(n)
    else:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return Factorisation((jnp.asarray(scale * U0),), True)


def deep_factors(seed: int, n: int, depth: int, scale: float, init: str = "gaussian"
                 ) -> Factorisation:
    """W_j(0) for W = W_N ... W_1, all n x n (Arora et al. 2019, section 3 and their code).

    **Arguments:**
    - `seed`: NumPy seed (unused for "balanced").
    - `n`: the size; every factor is n x n.
    - `depth`: N >= 1.
    - `scale`: the init scale s > 0.
    - `init`: "gaussian" (iid N(0, s^(2/N) / n) entries per layer: the end-to-end matrix
      has ||W(0)||_F about s sqrt(n)) or "balanced" (W_j = s^(1/N) I, so W(0) = s I and
      W_{j+1}^T W_{j+1} = W_j W_j^T: the balanced init of Theorem 3).

    **Example:**

    ```pycon
    >>> from kernelrich.matrix import deep_factors
    >>> model = deep_factors(0, n=2, depth=3, scale=8.0, init="balanced")
    >>> model.depth, model.factors[0].round(6)
    (3, Array([[2., 0.],
           [0., 2.]], dtype=float64))
    >>> model.matrix().round(6)
    Array([[8., 0.],
           [0., 8.]], dtype=float64)

    ```
    """
    n, _, scale = _sizes(n, n, scale)
    depth = _validate.integer("depth", depth, minimum=1)
    layer = scale ** (1 / depth)
    if init == "balanced":
        factors = tuple(jnp.asarray(layer * np.eye(n)) for _ in range(depth))
    elif init == "gaussian":
        rng = np.random.default_rng(seed)
        factors = tuple(jnp.asarray(layer / np.sqrt(n) * rng.standard_normal((n, n)))
                        for _ in range(depth))
    else:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return Factorisation(factors, False)


def _sizes(n, d, scale):
    n = _validate.integer("n", n, minimum=1)
    d = _validate.integer("d", d, minimum=1)
    if d > n:
        raise ValueError(f"d must be <= n={n}, got {d}")
    return n, d, _validate.positive("scale", scale)
