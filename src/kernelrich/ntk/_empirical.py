"""The empirical NTK Theta(x, x') = J(x) J(x')^T of any model `apply(params, x)`.

Strategies (all only public JAX API, all batched over inputs so memory stays bounded):
- `"jacobian"`: per-example Jacobians by reverse mode, contracted leaf by leaf.
- `"ntvp"`: NTK-vector products: the rows of J(x') (a vjp per output) pushed through a jvp of
  the model on the x batch, Theta e_j = J (J^T e_j); J(x) is never formed.
- `"structured"`: for `MLP` models, per-layer Grams of activations and backward signals
  (`kernelrich.ntk._structured`), no Jacobian at all.
"""

from __future__ import annotations

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from . import _inputs
from ._blocks import BUDGET, block_gram
from ._network import MLP, apply_mlp
from ._structured import structured_ntk

METHODS = ("auto", "jacobian", "ntvp", "structured")
OUTPUTS = ("trace", "mean", "full")


def empirical_ntk(
    apply, params, X1, X2=None, *, method: str = "auto", outputs: str = "trace",
    batch_size: int | None = None,
) -> np.ndarray:
    """The empirical neural tangent kernel of `apply` at `params` (Jacot et al. 2018, eq. 3).

    **Arguments:**

    - `apply`: `apply(params, X)` maps a batch (N, ...) to (N,) or (N, O) outputs.
    - `params`: any pytree; its inexact-array leaves are the trained parameters. An `MLP`
      with `apply=apply_mlp` (or `MLP.__call__`) may use the structured route.
    - `X1`, `X2`: inputs (n1, ...), (n2, ...) of one dtype and one per-example shape (vectors
      (n, d), or images (n, H, W, C) for a CNN such as `kernelrich.stax`'s `apply_fn`, no
      flattening); `X2=None` means X1 (symmetric).
    - `method`: `"auto"` (structured for an `MLP`, else `"jacobian"`), `"jacobian"`,
      `"ntvp"` or `"structured"`.
    - `outputs`: `"trace"` (sum over outputs, shape (n1, n2)), `"mean"` (trace / O; this is
      what converges to `infinite_ntk`) or `"full"` (shape (n1, n2, O, O)).
    - `batch_size`: inputs per block; default: what keeps a block's Jacobian (or signals)
      near 128 MB.

    **Returns:** a float64 NumPy array.

    **Example:**

    At depth 1 (f(x) = W x / sqrt(n_0) + beta b) the NTK is <x, x'> / n_0 + beta^2 whatever
    the weights, by the structured route (the default for an `MLP`) and the generic one:

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.ntk import MLP, apply_mlp, empirical_ntk
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> linear = MLP([2, 1], key=jax.random.key(0), beta=0.1)
    >>> empirical_ntk(apply_mlp, linear, X)  # <x, x'> / 2 + 0.01
    array([[0.51, 0.51],
           [0.51, 1.01]])
    >>> empirical_ntk(apply_mlp, linear, X, method="jacobian").round(12)
    array([[0.51, 0.51],
           [0.51, 1.01]])

    ```
    """
    A, B, symmetric = _inputs.gram_inputs(X1, X2, vectors=False)
    method = _inputs.choice("method", method, METHODS)
    outputs = _inputs.choice("outputs", outputs, OUTPUTS)
    if batch_size is not None:
        batch_size = _validate.integer("batch_size", batch_size, minimum=1)
    is_mlp = isinstance(params, MLP) and apply in (apply_mlp, MLP.__call__)
    if method == "structured" and not is_mlp:
        raise ValueError("method='structured' needs params an MLP and apply=apply_mlp, got "
                         f"params of type {type(params).__name__}")
    _validate.finite_leaves("params", params)
    n_out = _n_outputs(apply, params, A)
    if method == "structured" or (method == "auto" and is_mlp):
        if A.shape[1:] != (params.widths[0],):
            raise ValueError(f"X1 must have shape (n, {params.widths[0]}) for this MLP, got "
                             f"X1.shape={A.shape}")
        K = structured_ntk(params, A, B, outputs="full" if outputs == "full" else "trace",
                           symmetric=symmetric, batch_size=batch_size)
    else:
        K = _generic(apply, params, A, B, n_out, "ntvp" if method == "ntvp" else "jacobian",
                     outputs == "full", symmetric, batch_size)
    K = K / n_out if outputs == "mean" else K
    return _validate.finite_result(K, names="params, X1, X2", what="the empirical NTK")


def _n_outputs(apply, params, A: np.ndarray) -> int:
    try:
        out = jax.eval_shape(lambda p, x: apply(p, x), params, jnp.asarray(A[:2]))
    except Exception as err:
        raise ValueError(f"apply(params, X1[:2]) failed: {type(err).__name__}: {err}") from err
    if out.ndim not in (1, 2) or out.shape[0] != min(2, A.shape[0]):
        raise ValueError(f"apply(params, X) must return shape (N,) or (N, O), got {out.shape} "
                         f"for X of shape {A[:2].shape}")
    return 1 if out.ndim == 1 else out.shape[1]


def _generic(apply, params, A, B, n_out, method, full, symmetric, batch_size):
    diff, static = eqx.partition(params, eqx.is_inexact_array)
    n_params = sum(leaf.size for leaf in jax.tree_util.tree_leaves(diff))
    jacobian, contract, push = _programs(apply, static, n_out, full)
    size = batch_size or max(1, BUDGET // (8 * n_out * n_params))
    tail = (n_out, n_out) if full else ()
    features = functools.partial(jacobian, diff)
    if method == "jacobian":
        return block_gram(features, features, contract, A, B, size=size, symmetric=symmetric,
                          tail=tail, swap_tail=full)
    return block_gram(lambda X: X, features, functools.partial(push, diff), A, B, size=size,
                      symmetric=symmetric, tail=tail, swap_tail=full)


_PROGRAMS: dict = {}


def _programs(apply, static, n_out: int, full: bool):
    """The jitted (jacobian, contract, push) of one model: the parameters are an argument,
    so a new draw of them (or another call) reuses the compiled programs. Kept for the last
    16 models whose `apply` and static part are hashable; built afresh otherwise."""
    leaves, tree = jax.tree_util.tree_flatten(static)
    key = (apply, tree, tuple((type(leaf), leaf) for leaf in leaves), n_out, full)
    try:
        hash(key)
    except TypeError:
        return _build(apply, static, n_out, full)
    if key not in _PROGRAMS:
        while len(_PROGRAMS) >= 16:
            _PROGRAMS.pop(next(iter(_PROGRAMS)))
        _PROGRAMS[key] = _build(apply, static, n_out, full)
    return _PROGRAMS[key]


def _build(apply, static, n_out: int, full: bool):
    def batched(p, X):
        return jnp.reshape(apply(eqx.combine(p, static), X), (X.shape[0], n_out))

    def single(p, x):
        return batched(p, x[None])[0]

    @jax.jit
    def jacobian(diff, X):  # leaves of shape (B, O, *leaf)
        return jax.vmap(jax.jacrev(single), in_axes=(None, 0))(diff, X)

    @jax.jit
    def contract(Ja, Jb):
        spec = "aop,bqp->aboq" if full else "aop,bop->ab"
        leaves = zip(jax.tree_util.tree_leaves(Ja), jax.tree_util.tree_leaves(Jb), strict=True)
        return sum(jnp.einsum(spec, _flat(ja), _flat(jb)) for ja, jb in leaves)

    @jax.jit
    def push(diff, X, rows):  # Theta(X, x_j)[., ., k'] = J(X) rows_{j k'}: one jvp per row
        def jvp(t):
            return jax.jvp(lambda p: batched(p, X), (diff,), (t,))[1]
        cols = jax.vmap(jax.vmap(jvp))(rows)  # (Bb, O', Ba, O)
        cols = jnp.transpose(cols, (2, 0, 3, 1))  # (Ba, Bb, O, O')
        return cols if full else jnp.trace(cols, axis1=2, axis2=3)

    return jacobian, contract, push


def _flat(jac):
    """A Jacobian leaf (B, O, *shape) as (B, O, size)."""
    return jac.reshape(jac.shape[:2] + (-1,))
