"""Making h(w0) = 0 (Chizat et al. 2019, Section 2.2: "strategies by which to ensure
h(w0) = 0"), and the warning a theorem that needs it gives when it does not hold.

- `antisymmetric`: f(w, x) = g(w1, x) - g(w2, x) with w1 = w2 = w0 at init (for a two-layer
  network this is the same as duplicating each unit with the opposite output weight,
  `kernelrich.lazy.two_layer_init(..., symmetrised=True)`);
- `subtract_initial`: f(w, x) = g(w, x) - g(w0, x) with a frozen copy of the initial network
  (the centring of the paper's CNN experiments).
"""

from __future__ import annotations

import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from ._problem import check_problem, f_norm


class UncentredWarning(UserWarning):
    """A theorem that assumes h(w0) = 0 was applied to a model with h(w0) != 0."""


def antisymmetric(apply, params0):
    """The antisymmetric construction f(w, x) = g(w1, x) - g(w2, x), w = (w1, w2).

    **Arguments:**

    - `apply`: the network g, `apply(params, X)`.
    - `params0`: its initialisation w0.

    **Returns:** `(apply_f, (params0, params0))`: f and its initialisation w1 = w2 = w0, at
    which f = 0 identically. f has twice the parameters; its tangent kernel at init is twice
    that of g.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import antisymmetric, diagonal_net
    >>> from kernelrich.ntk import empirical_ntk
    >>> g0 = {"plus": jnp.array([1.0, 2.0]), "minus": jnp.array([0.0, 1.0])}
    >>> X = jnp.eye(2)
    >>> diagonal_net(g0, X)  # g(w0) = w_+^2 - w_-^2 != 0
    Array([1., 3.], dtype=float64)
    >>> f, w0 = antisymmetric(diagonal_net, g0)
    >>> f(w0, X)
    Array([0., 0.], dtype=float64)
    >>> empirical_ntk(f, w0, X)  # twice g's kernel, diag(4 (w_+^2 + w_-^2)) = diag(4, 20)
    array([[ 8.,  0.],
           [ 0., 40.]])

    ```
    """

    copy = jax.tree_util.tree_map(jnp.array, params0)
    return _difference(apply), (params0, copy)


def subtract_initial(apply, params0):
    """The centred model f(w, x) = g(w, x) - g(w0, x) with a frozen copy of the initial
    network (Chizat et al. 2019, Section 3, CNN experiments).

    **Arguments:**

    - `apply`: the network g, `apply(params, X)`.
    - `params0`: its initialisation w0.

    **Returns:** `(apply_f, (params0, params0))`: parameters are `(w, w0_frozen)`; the
    frozen half enters through `jax.lax.stop_gradient`, so it has zero gradient, never moves
    and does not change the tangent kernel. Keeping it in the parameters (instead of a
    closure) lets sweeps vmap over initialisations.

    **Example:**

    ```pycon
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import diagonal_net, subtract_initial
    >>> g0 = {"plus": jnp.array([1.0, 2.0]), "minus": jnp.array([0.0, 1.0])}
    >>> X = jnp.eye(2)
    >>> f, w0 = subtract_initial(diagonal_net, g0)
    >>> f(w0, X)  # g(w0) - g(w0)
    Array([0., 0.], dtype=float64)
    >>> w = ({"plus": jnp.array([2.0, 2.0]), "minus": jnp.array([0.0, 1.0])}, w0[1])
    >>> f(w, X)  # g(w) - g(w0) = (4, 3) - (1, 3)
    Array([3., 0.], dtype=float64)
    >>> grad = jax.grad(lambda p: f(p, X).sum())(w)
    >>> grad[0]["plus"], grad[1]["plus"]  # 2 w_+ for the live half, 0 for the frozen one
    (Array([4., 4.], dtype=float64), Array([0., 0.], dtype=float64))

    ```
    """

    copy = jax.tree_util.tree_map(jnp.array, params0)
    return _frozen_difference(apply), (params0, copy)


# One function object per `apply`, so that compiled sweeps are reused across calls.
@functools.lru_cache(maxsize=64)
def _difference(apply):
    def apply_f(params, X):
        return apply(params[0], X) - apply(params[1], X)

    return apply_f


@functools.lru_cache(maxsize=64)
def _frozen_difference(apply):
    def apply_f(params, X):
        frozen = jax.tree_util.tree_map(jax.lax.stop_gradient, params[1])
        return apply(params[0], X) - apply(frozen, X)

    return apply_f


def check_centred(apply, params0, X, *, theorem: str, atol: float = 1e-10) -> float:
    """Warn (`UncentredWarning`) if ||h(w0)||_F > `atol`, stating the norm and how to centre.

    **Arguments:**

    - `apply`, `params0`, `X`: the model, its initialisation and the inputs.
    - `theorem`: what assumes h(w0) = 0 (named in the warning).
    - `atol`: the largest ||h(w0)||_F treated as zero.

    **Returns:** ||h(w0)||_F (empirical norm over the inputs).

    **Example:**

    ```pycon
    >>> import warnings
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import check_centred, diagonal_init, diagonal_net
    >>> X = jnp.array([[1.0, 0.0], [3.0, 0.0]])
    >>> check_centred(diagonal_net, diagonal_init(2), X, theorem="Theorem 2.2")
    0.0
    >>> w0 = {"plus": jnp.array([1.0, 0.0]), "minus": jnp.array([0.0, 0.0])}  # h(w0) = x_1
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     norm = check_centred(diagonal_net, w0, X, theorem="Theorem 2.2")
    >>> round(norm, 6)  # sqrt((1^2 + 3^2) / 2) = sqrt(5)
    2.236068
    >>> caught[0].category.__name__
    'UncentredWarning'
    >>> print(caught[0].message)
    Theorem 2.2 assumes h(w0) = 0, but ||h(w0)||_F = 2.236e+00 on these inputs; centre ...

    ```
    """
    X, _ = check_problem(apply, params0, X)
    norm = float(f_norm(apply(params0, X)))
    if not np.isfinite(norm) or norm > atol:
        warnings.warn(
            f"{theorem} assumes h(w0) = 0, but ||h(w0)||_F = {norm:.3e} on these inputs; "
            "centre the model with kernelrich.lazy.antisymmetric (f = g(w1) - g(w2), w1 = w2 "
            "at init), kernelrich.lazy.subtract_initial (subtract a frozen copy of the "
            "initial network) or two_layer_init(..., symmetrised=True)",
            UncentredWarning, stacklevel=3)
    return norm
