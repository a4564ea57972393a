"""The scaled objective F_alpha(w) = R(alpha h(w)) / alpha^2 and the linearised model
hbar(w) = h(w0) + Dh(w0)(w - w0) of any JAX model `apply(params, X)` (Chizat, Oyallon, Bach
2019, Section 2).

Throughout, the model is h: w -> (apply(w, x_i))_i in F = R^{n x O} with the empirical norm
||f||_F^2 = (1/n) sum_i |f(x_i)|^2, and R(f) = (1/2) ||f - y*||_F^2 (the square loss
(1/2n) sum_i |f(x_i) - y_i|^2).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _validate


def check_problem(apply, params, X, y=None, names=("X", "y")):
    """Validate `X` (n, ...) (any per-example shape: (n, d) vectors, (n, H, W, C) images) and
    `y` ((n,) or (n, O)) against `apply(params, X)`; returns
    float64 JAX arrays `(X, y)` (y None if not given). Raises `ValueError` naming the
    argument (`names`) whose shape does not fit."""
    nx, ny = names
    X = _validate.finite_array(nx, X)
    if X.ndim < 2:
        raise ValueError(f"{nx} must have shape (n, ...) with a batch axis and per-example "
                         f"features, got shape {X.shape}")
    try:
        out = jax.eval_shape(apply, params, jnp.asarray(X))
    except Exception as err:
        raise ValueError(f"apply(params, {nx}) failed for {nx} of shape {X.shape} (do the "
                         f"params match {nx}?): {type(err).__name__}: {err}") from err
    if out.ndim not in (1, 2) or out.shape[0] != X.shape[0]:
        raise ValueError(f"apply(params, {nx}) must return shape (n,) or (n, O) with n = "
                         f"{X.shape[0]}, got {out.shape}")
    if y is None:
        return jnp.asarray(X), None
    y = _validate.finite_array(ny, y)
    if y.shape != out.shape:
        raise ValueError(f"{ny} must have the model's output shape {out.shape}, got {y.shape}")
    return jnp.asarray(X), jnp.asarray(y)


def check_alpha(alpha, *, allow_2d: bool = False) -> np.ndarray:
    """`alpha` as a 1-D float64 array of positive scales (a scalar gives shape (1,)); with
    `allow_2d`, a 2-D array (one row of scales per initialisation) is kept as it is."""
    if allow_2d and np.ndim(alpha) == 2:
        arr = _validate.finite_array("alpha", alpha, ndim=2)
        if (arr <= 0).any():
            raise ValueError(f"alpha must be > 0, got {arr.min()}")
        return arr
    arr = _validate.positive("alpha", alpha, allow_array=True)
    return np.atleast_1d(np.asarray(arr, dtype=np.float64))


def square_loss(f: Float[Array, "n ..."], y: Float[Array, "n ..."]) -> Array:
    """R(f) = (1/2n) sum_i |f(x_i) - y_i|^2 = (1/2) ||f - y*||_F^2."""
    return 0.5 * jnp.sum((f - y) ** 2) / f.shape[0]


def f_norm(f: Float[Array, "n ..."]) -> Array:
    """The empirical norm ||f||_F = sqrt((1/n) sum_i |f(x_i)|^2)."""
    return jnp.sqrt(jnp.sum(f**2) / f.shape[0])


def linearize(apply, params0):
    """The linearised model hbar(w, X) = h(w0, X) + Dh(w0)(w - w0) (Chizat et al. 2019,
    Section 1), by one `jax.jvp` per call: the Jacobian is never formed.

    **Arguments:**

    - `apply`: the model `apply(params, X)`.
    - `params0`: the linearisation point w0 (any pytree of arrays).

    **Returns:** `apply_bar(params, X)`, with the same signature as `apply`.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import diagonal_init, diagonal_net, linearize
    >>> w0 = diagonal_init(2)  # w_+ = w_- = 1
    >>> w = {"plus": jnp.array([2.0, 1.0]), "minus": jnp.array([1.0, 1.0])}
    >>> X = jnp.eye(2)
    >>> diagonal_net(w, X)  # h(w) = w_+^2 - w_-^2 = (3, 0)
    Array([3., 0.], dtype=float64)
    >>> linearize(diagonal_net, w0)(w, X)  # hbar(w) = 2 (w_+ - 1) - 2 (w_- - 1) = (2, 0)
    Array([2., 0.], dtype=float64)

    ```

    The gap, (w_+ - 1)^2 = 1 in the first coordinate, is the second-order term that lazy
    training neglects.
    """

    def apply_bar(params, X):
        tangent = jax.tree_util.tree_map(jnp.subtract, params, params0)
        out, dout = jax.jvp(lambda p: apply(p, X), (params0,), (tangent,))
        return out + dout

    return apply_bar


def linear_model(apply, params0, X):
    """`w -> hbar(w)(X)` on fixed inputs X, with h(w0, X) and the residuals of Dh(w0) computed
    once (`jax.linearize`): each call then costs one tangent evaluation, and its gradient one
    transposed one (no primal recomputation). Same values as `linearize(apply, params0)`."""
    h0, push = jax.linearize(lambda p: apply(p, X), params0)

    def bar(params):
        return h0 + push(tree_sub(params, params0))

    return bar


def scaled_objective(apply, X, y, alpha: float):
    """F_alpha(w) = R(alpha h(w)) / alpha^2 (Chizat et al. 2019, Section 2.2, the objective
    whose gradient flow is lazy for large alpha).

    **Arguments:**

    - `apply`: the model `apply(params, X)`.
    - `X`, `y`: training inputs (n, d) and targets of the model's output shape.
    - `alpha`: the output scale, > 0.

    **Returns:** the function `params -> F_alpha(params)` (JAX-traceable).

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import diagonal_init, diagonal_net, scaled_objective
    >>> X, y = jnp.eye(2), jnp.array([1.0, 1.0])
    >>> F = scaled_objective(diagonal_net, X, y, alpha=2.0)
    >>> float(F(diagonal_init(2)))  # h(w0) = 0: R(0) / alpha^2 = ((1 + 1) / 4) / 4
    0.125
    >>> w = {"plus": jnp.array([2.0, 1.0]), "minus": jnp.array([1.0, 1.0])}
    >>> float(F(w))  # alpha h(w) = (6, 0): ((25 + 1) / 4) / 4
    1.625

    ```
    """
    alpha = _validate.positive("alpha", alpha)
    X, y = jnp.asarray(X), jnp.asarray(y)

    def objective(params):
        return square_loss(alpha * apply(params, X), y) / alpha**2

    return objective


def tree_norm(tree) -> Array:
    """The Euclidean norm of a pytree of arrays (all leaves flattened together)."""
    return jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in jax.tree_util.tree_leaves(tree)))


def tree_sub(a, b):
    return jax.tree_util.tree_map(jnp.subtract, a, b)
