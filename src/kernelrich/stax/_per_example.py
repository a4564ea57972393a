"""The empirical NNGP and NTK of a `kernelrich.stax` network one example at a time.

No stax layer mixes examples (`LayerNorm` refuses the batch axis; there is no batch norm), so
example i's outputs f(x_i) (O,) and Jacobian J(x_i) = d f(x_i) / d theta (O, parameters)
come from the network applied to x_i alone: O backward passes per example, n O in all,
where a vjp of the whole batch per basis cotangent costs n^2 O example-backward passes.
The Gram is then contracted in blocks of examples under a memory budget
(`kernelrich.ntk._blocks.block_gram`; a block's padding rows, repeats of its last example,
are dropped rather than evaluated, so a block may be shorter than the block size):

    NNGP(x_i, x_j) = f(x_i) . f(x_j) / O,    NTK(x_i, x_j) = <J(x_i), J(x_j)> / O.

Each example is its own compiled call, not a `jax.vmap` over examples: on XLA's CPU backend
the vmapped per-example weight gradient of a convolution is a grouped convolution, whose cost
grows with the number of groups (measured on a width-64 CNN of 8x8 digits, 10 outputs: 10 ms
per example one at a time, 213 ms per example vmapped over 30), and a `lax.map` over the
examples runs the convolutions slower than the same program compiled on its own (78 ms).

`Dropout` masks: example i draws with `jax.random.fold_in(rng, i)`, i its row in
[x1; x2], so masks are independent across examples, fixed by `rng`, shared by the NNGP and
the NTK of one call, and a cross block is the block of the joint Gram.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from ..ntk._blocks import BUDGET, block_gram


def per_example_kernels(apply_fn, diff, static, X: np.ndarray, n1: int, names, rng,
                        symmetric: bool) -> list[np.ndarray]:
    """The kernels `names` of rows [0, n1) of X against rows [n1, n) (all of X if
    `symmetric`), averaged over output channels.

    **Arguments:**

    - `apply_fn`: a stax network's `apply_fn`; `diff`, `static`: its parameters split by
      `partition` (the inexact leaves are differentiated).
    - `X`: float64 inputs (n, ...); `n1`: the number of rows of x1.
    - `names`: a tuple of "nngp" / "ntk"; `rng`: the `Dropout` key or None.

    **Returns:** float64 arrays (n1, n2), one per name.
    """
    ntk = "ntk" in names
    one = _compiled_example(apply_fn, static, ntk)
    probe = jax.eval_shape(lambda d, x: one(d, x, 0, rng), diff, X[:1])
    n_out, n_params = probe[0].shape[0], (probe[1].shape[1] if ntk else 0)
    per_example = 8 * n_out * (n_params + 1)

    def features(rows):  # a block of row indices (size, 1), padded by repeating the last
        parts = [one(diff, X[i:i + 1], i, rng) for i in dict.fromkeys(rows[:, 0].tolist())]
        return tuple(jnp.stack([p[k] for p in parts]) for k in range(2 if ntk else 1))

    pair = _compiled_pair(tuple(names))
    index = np.arange(X.shape[0])[:, None]
    rows, cols = (index, index) if symmetric else (index[:n1], index[n1:])
    K = block_gram(features, features, pair, rows, cols, size=max(1, BUDGET // per_example),
                   symmetric=symmetric, tail=(len(names),))
    return [np.ascontiguousarray(K[..., k]) for k in range(len(names))]


_EXAMPLES: dict = {}


def _compiled_example(apply_fn, static, ntk: bool):
    """jit of (diff, x (1, ...), i, rng) -> (f(x) (O,), J(x) (O, parameters)), one per network,
    static part of its parameters and `ntk` (the last 32 kept)."""
    key = cache_key(apply_fn, static, ntk)
    if key not in _EXAMPLES:
        while len(_EXAMPLES) >= 32:
            _EXAMPLES.pop(next(iter(_EXAMPLES)))
        _EXAMPLES[key] = jax.jit(functools.partial(_example, apply_fn, static, ntk))
    return _EXAMPLES[key]


def cache_key(apply_fn, static, ntk: bool) -> tuple:
    """A hashable key of (network, the parameters' static part, ntk) for compiled programs."""
    tree, leaves = static
    return (apply_fn, tree, ntk, tuple(None if s is None else (
        np.asarray(s).dtype.str, np.shape(s), np.asarray(s).tobytes()) for s in leaves))


def _example(apply_fn, static, ntk, diff, x, i, rng):
    key = None if rng is None else jax.random.fold_in(rng, i)

    def f(p):
        out = apply_fn(combine(p, static), x, rng=key)
        if out.ndim != 2:
            raise ValueError(f"apply_fn must return (n, outputs), got shape {out.shape}")
        return out[0], out[0]

    if not ntk:
        return (f(diff)[0],)
    jac, out = jax.jacrev(f, has_aux=True)(diff)
    leaves = [leaf.reshape(out.shape[0], -1) for leaf in jax.tree_util.tree_leaves(jac)]
    return out, (jnp.concatenate(leaves, axis=1) if leaves else jnp.zeros((out.shape[0], 0)))


@functools.lru_cache(maxsize=4)
def _compiled_pair(names: tuple[str, ...]):
    """jit of (features of a row block, of a column block) -> (rows, cols, len(names))."""

    def pair(fa, fb):
        n_out = fa[0].shape[1]
        kernels = {"nngp": fa[0] @ fb[0].T / n_out}
        if "ntk" in names:
            ja, jb = (j.reshape(j.shape[0], -1) for j in (fa[1], fb[1]))
            kernels["ntk"] = ja @ jb.T / n_out
        return jnp.stack([kernels[name] for name in names], axis=-1)

    return jax.jit(pair)


def partition(params):
    """(diff, static): the inexact leaves of `params` (None elsewhere), and (tree, the other
    leaves), which stay fixed."""
    leaves, tree = jax.tree_util.tree_flatten(params, is_leaf=lambda x: x is None)
    diff = [leaf if _inexact(leaf) else None for leaf in leaves]
    static = tuple(None if _inexact(leaf) else leaf for leaf in leaves)
    return diff, (tree, static)


def combine(diff, static):
    """The parameters back from `partition`'s two parts."""
    tree, rest = static
    leaves = [d if d is not None else s for d, s in zip(diff, rest, strict=True)]
    return jax.tree_util.tree_unflatten(tree, leaves)


def _inexact(leaf) -> bool:
    return hasattr(leaf, "dtype") and jnp.issubdtype(leaf.dtype, jnp.inexact)
