"""The traced side of a network: covariance arrays and the pass that carries them.

A kernel is computed in two passes over a block of inputs (`kernelrich.stax._kernel_fn`):

- the **self** pass computes K(x, x) for each x of the block: arrays of shape
  (B, *S, *S), the covariance between positions p and p' of the *same* input (so that
  activations can use the exact diagonal formula at p = p', and `Dropout` rescales it);
- the **pair** pass computes K(x, x') for two blocks of *distinct* inputs: arrays of shape
  (B1, B2, *S, *S).

Activations need the variances K(x, x)[p, p]: the self pass records them (one array
(B, *S) per activation or normalisation, in the order the network visits them) and the pair
pass reads them back in the same order. When no layer mixes positions (no pooling), only
p = p' entries are ever needed and the arrays are (B, *S) and (B1, B2, *S) ("diagonal"
layout, as neural-tangents' `diagonal_spatial`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jax.numpy as jnp
import numpy as np


@dataclass(frozen=True)
class State:
    """The covariances of one tensor: `nngp` and `ntk` (`None` while the NTK is still zero,
    i.e. before the first weight layer, or when only the NNGP is wanted)."""

    nngp: object
    ntk: object = None
    pre: State | None = None  # the Gaussian before the current chain of activations

    def map(self, fn) -> State:
        """Apply a linear map (pooling, flattening, ...) to both kernels."""
        return State(fn(self.nngp), None if self.ntk is None else fn(self.ntk))


@dataclass
class Ctx:
    """What a pass knows besides the arrays.

    - `mode`: `"self"`, `"pair"` or `"static"` (shapes and forms only, no arrays).
    - `diagonal`: the diagonal layout (module doc).
    - `ntk`: whether the NTK is tracked.
    - `nodes`: quadrature nodes (outer, inner), static.
    - `chunk`: entries per chunk of a quadrature (its temporaries are entries x nodes).
    - `records`: self pass: the variances, appended; pair pass: (var1, var2) pairs, read.
    - `scales`: the weight layers' (W_std, b_std), a traced vector (`Plan.scales`).
    """

    mode: str
    diagonal: bool = False
    ntk: bool = True
    nodes: tuple[int, int] | None = None
    chunk: int = 4096
    records: list = field(default_factory=list)
    cursor: int = 0
    plan: object = None
    scales: object = None
    scale_cursor: int = 0

    @property
    def static(self) -> bool:
        return self.mode == "static"

    @property
    def lead(self) -> int:
        return 1 if self.mode == "self" else 2

    def weight_scales(self, W_std: float, b_std: float | None):
        """A weight layer's (W_std, b_std): the static pass records them in the plan, the
        others read them back, in the same order, from the traced `scales` (None stays
        None: no bias is a different network, not a value)."""
        if self.static:
            self.plan.scales.extend((W_std, 0.0 if b_std is None else b_std))
            return W_std, b_std
        W, b = self.scales[self.scale_cursor], self.scales[self.scale_cursor + 1]
        self.scale_cursor += 2
        return W, None if b_std is None else b

    def variances(self, state: State, ns: int):
        """(var1, var2) at the current layer: shapes (B1, *S), (B2, *S)."""
        if self.mode == "self":
            var = spatial_diagonal(state.nngp, ns, self.diagonal)
            self.records.append(var)
            return var, var
        pair = self.records[self.cursor]
        self.cursor += 1
        return pair


def pointwise(ctx: Ctx, ns: int) -> bool:
    """Whether the arrays hold one entry per position (diagonal layout, or no space)."""
    return ctx.diagonal or ns == 0


def spatial_diagonal(K, ns: int, diagonal: bool):
    """K[..., p, p] of a self-pass array (B, *S, *S) as (B, *S); the array itself if it is
    already pointwise."""
    if diagonal or ns == 0:
        return K
    shape = K.shape[1:1 + ns]
    size = int(np.prod(shape))
    flat = K.reshape(K.shape[0], size, size)
    return jnp.diagonal(flat, axis1=1, axis2=2).reshape(K.shape[0], *shape)


def broadcast_variances(var1, var2, ctx: Ctx, ns: int):
    """(s11, s22) broadcastable against the arrays of the current pass."""
    if ctx.mode == "self":  # (B, *S, *S)
        ones = (None,) * ns
        return (var1[(Ellipsis,) + ones], var2[(slice(None),) + ones])
    if pointwise(ctx, ns):  # (B1, B2, *S)
        return var1[:, None], var2[None, :]
    ones = (None,) * ns
    return (var1[(slice(None), None, Ellipsis) + ones],
            var2[(None, slice(None)) + ones + (Ellipsis,)])


def set_spatial_diagonal(K, values, ns: int):
    """A self-pass array (B, *S, *S) with its entries at p = p' replaced by `values`."""
    shape = K.shape[1:1 + ns]
    size = int(np.prod(shape))
    eye = np.eye(size, dtype=bool).reshape(shape + shape)
    return jnp.where(eye, values[(Ellipsis,) + (None,) * ns], K)


def scale_spatial_diagonal(K, factor: float, ns: int, diagonal: bool):
    """A self-pass array with its p = p' entries multiplied by `factor` (Dropout)."""
    if diagonal or ns == 0:
        return K * factor
    shape = K.shape[1:1 + ns]
    eye = np.eye(int(np.prod(shape)), dtype=bool).reshape(shape + shape)
    return jnp.where(eye, K * factor, K)


def input_kernel(xa, xb, ctx: Ctx):
    """x.x' / C at every pair of positions (neural-tangents' normalisation): shapes as the
    pass needs them. `xa`, `xb`: (B, *S, C); `xb` is ignored in the self pass."""
    ns = xa.ndim - 2
    channels = xa.shape[-1]
    letters = "hwdefg"[:ns]
    other = letters.upper()
    if ctx.mode == "self":
        if pointwise(ctx, ns):
            return jnp.sum(xa * xa, axis=-1) / channels
        spec = f"b{letters}c,b{other}c->b{letters}{other}"
        return jnp.einsum(spec, xa, xa) / channels
    if pointwise(ctx, ns):
        spec = f"a{letters}c,b{letters}c->ab{letters}"
    else:
        spec = f"a{letters}c,b{other}c->ab{letters}{other}"
    return jnp.einsum(spec, xa, xb) / channels
