"""The change of the tangent kernel along training, the lazy regime's signature (Chizat et
al. 2019, Section 2: lazy training keeps Dh, hence the kernel Dh Dh^T, near its initial
value)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from ._problem import check_problem


def kernel_change(apply, params0, params, X, *, batched: bool = False):
    """The relative Frobenius change ||K(w) - K(w0)||_F / ||K(w0)||_F of the empirical tangent
    kernel K(w)[i, j, o, o'] = <d h_o(w, x_i) / dw, d h_o'(w, x_j) / dw> on the inputs X (all
    output pairs: the same kernel as `kernelrich.ntk.empirical_ntk(..., outputs="full")`, which
    the tests compare against; here it is one compiled program vmapped over trained points).

    **Arguments:**

    - `apply`: the model `apply(params, X)`.
    - `params0`: the initial parameters w0.
    - `params`: trained parameters of the same structure; with `batched=True` every leaf has
      leading axes to vmap over (e.g. (B, A) from a sweep).
    - `X`: inputs (n, d).

    **Returns:** the relative change, a float (or an array of the leading shape if `batched`).

    **Example:**

    The diagonal network's kernel on X = I is diagonal, K_ii = 4 (w_+i^2 + w_-i^2): 8 I at
    w_+ = w_- = 1, diag(20, 8) at w_+ = (2, 1), w_- = (1, 1), a relative change of
    12 / ||8 I||_F = 12 / (8 sqrt(2)):

    ```pycon
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import diagonal_init, diagonal_net, kernel_change
    >>> w0 = diagonal_init(2)
    >>> w = {"plus": jnp.array([2.0, 1.0]), "minus": jnp.array([1.0, 1.0])}
    >>> round(kernel_change(diagonal_net, w0, w, jnp.eye(2)), 6)
    1.06066
    >>> both = jax.tree_util.tree_map(lambda u, v: jnp.stack([u, v]), w0, w)  # leading axis 2
    >>> kernel_change(diagonal_net, w0, both, jnp.eye(2), batched=True).round(6)
    array([0.     , 1.06066])

    ```
    """
    X, _ = check_problem(apply, params0, X)
    lead = ()
    if batched:
        leaf, leaf0 = jax.tree_util.tree_leaves(params)[0], jax.tree_util.tree_leaves(params0)[0]
        lead = leaf.shape[: leaf.ndim - leaf0.ndim]
    check_problem(apply, jax.tree_util.tree_map(lambda v: v[(0,) * len(lead)], params), X)
    if not batched:
        K0 = _gram(apply)(params0, X)
        return float(jnp.linalg.norm(_gram(apply)(params, X) - K0) / jnp.linalg.norm(K0))
    flat = jax.tree_util.tree_map(lambda v: v.reshape((-1,) + v.shape[len(lead):]), params)
    return np.asarray(_changes(apply)(params0, flat, X)).reshape(lead)


@functools.lru_cache(maxsize=32)
def _changes(apply):
    @jax.jit
    def changes(params0, flat, X):
        K0 = _gram(apply)(params0, X)
        diff = jax.lax.map(lambda p: jnp.linalg.norm(_gram(apply)(p, X) - K0), flat)
        return diff / jnp.linalg.norm(K0)

    return changes


@functools.lru_cache(maxsize=32)
def _gram(apply):
    @jax.jit
    def gram(params, X):
        def single(p, x):
            return jnp.reshape(apply(p, x[None]), (-1,))

        jac = jax.vmap(jax.jacrev(single), in_axes=(None, 0))(params, X)  # leaves (n, O, ...)
        return sum(jnp.einsum("aop,bqp->aboq", j.reshape(j.shape[:2] + (-1,)),
                              j.reshape(j.shape[:2] + (-1,)))
                   for j in jax.tree_util.tree_leaves(jac))

    return gram
