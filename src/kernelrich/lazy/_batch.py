"""Shared by the flow and descent: broadcasting a sweep (initialisations x scales) to one flat
batch that a single compiled program vmaps over, and the recorded distances."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ._problem import f_norm, square_loss, tree_norm, tree_sub


def batch_size(params0, batched: bool) -> int:
    """B, the number of initialisations (1 if not `batched`)."""
    if not batched:
        return 1
    sizes = {leaf.shape[0] if np.ndim(leaf) else -1
             for leaf in jax.tree_util.tree_leaves(params0)}
    if len(sizes) != 1 or -1 in sizes:
        raise ValueError(f"params0 with batched=True needs every leaf to share a leading "
                         f"axis, got leading sizes {sorted(sizes)}")
    return sizes.pop()


def one(params0, batched: bool):
    """The first initialisation (for shape checks)."""
    return jax.tree_util.tree_map(lambda v: v[0], params0) if batched else params0


def flatten(params0, batched: bool, alphas: np.ndarray, extra: np.ndarray):
    """The (B x A) grid as flat arrays: params (B*A, ...), alpha (B*A,), extra (B*A,).
    `alphas` and `extra` are (A,) (shared by every initialisation) or (B, A) (one row each)."""
    B, A = batch_size(params0, batched), alphas.shape[-1]
    if alphas.ndim == 2 and alphas.shape[0] != B:
        raise ValueError(f"alpha of shape {alphas.shape} needs one row per initialisation "
                         f"(B = {B}) and batched=True")
    p = params0 if batched else jax.tree_util.tree_map(lambda v: jnp.asarray(v)[None], params0)
    p = jax.tree_util.tree_map(lambda v: jnp.repeat(jnp.asarray(v), A, axis=0), p)
    alphas, extra = np.broadcast_to(alphas, (B, A)), np.broadcast_to(extra, (B, A))
    return p, jnp.asarray(alphas.ravel()), jnp.asarray(extra.ravel()), (B, A)


def unflatten(value, shape, batched: bool):
    """(B*A, ...) -> (B, A, ...), or (A, ...) when not `batched`."""
    def fix(v):
        v = np.asarray(v).reshape(shape + np.shape(v)[1:])
        return v if batched else v[0]
    return jax.tree_util.tree_map(fix, value)


def metrics(apply, bar, X, y, alpha, w, wb, w0):
    """||w - w0||, ||w - wbar||, ||alpha h(w) - alpha hbar(wbar)||_F, R(alpha h(w)),
    R(alpha hbar(wbar)) (Chizat et al. 2019, Theorem 2.2's three distances and the losses);
    `bar(wb)` is hbar(wb) on X (`_problem.linear_model`)."""
    out, out_bar = alpha * apply(w, X), alpha * bar(wb)
    return {"dist_init": tree_norm(tree_sub(w, w0)),
            "dist_linear": tree_norm(tree_sub(w, wb)),
            "dist_output": f_norm(out - out_bar),
            "loss": square_loss(out, y), "loss_linear": square_loss(out_bar, y)}
