"""Block-pair evaluation of a Gram matrix with bounded memory.

A kernel K(a, b) = pair(features(A_i), features(B_j)) is assembled from row blocks of A and
column blocks of B. Blocks have one fixed size (the last is padded) so each jitted function
compiles once per call; a Gram smaller than one block is padded up to the next of a few block
sizes (`bucket`: four per octave), so that problems of nearby sizes share a compiled program
rather than compiling one per size; column features are cached while they fit in the budget;
a symmetric request computes the upper block triangle only and mirrors it. Blocks go to the
device by `jax.device_put` (`jnp.asarray` on a host array compiles a staging program per
shape).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import numpy as np

BUDGET = 2**27
"""Bytes allowed for one block's features (or temporaries)."""


def bucket(n: int) -> int:
    """The block size for n rows: the smallest c 2^k >= n with c in {4, 5, 6, 7} (at least
    8), so at most 25% of a block's rows are padding.

    **Example:**

    ```pycon
    >>> from kernelrich.ntk._blocks import bucket
    >>> [bucket(n) for n in (1, 8, 9, 10, 11, 50, 100, 1000)]
    [8, 8, 10, 10, 12, 56, 112, 1024]

    ```
    """
    n = max(int(n), 8)
    k = max(n.bit_length() - 3, 0)
    c = -(-n // (1 << k))
    return c << k


def padded(M: np.ndarray, start: int, size: int) -> np.ndarray:
    """Rows start:start+size of M, padded by repeating the last row (one compiled shape)."""
    block = M[start:start + size]
    if block.shape[0] == size:
        return block
    pad = np.repeat(block[-1:], size - block.shape[0], axis=0)
    return np.concatenate([block, pad], axis=0)


def block_gram(
    features_a: Callable, features_b: Callable, pair: Callable, A: np.ndarray, B: np.ndarray,
    *, size: int, symmetric: bool, tail: tuple[int, ...] = (), swap_tail: bool = False,
):
    """K of shape (n1, n2, *tail) from `pair(features_a(A_i), features_b(B_j))` blocks.

    **Arguments:**

    - `features_a`, `features_b`: block (size, d) -> features (any pytree).
    - `pair`: (features of a row block, features of a column block) -> (size, size, *tail),
      or a tuple of such blocks (several kernels of one pass, e.g. the NNGP and the NTK:
      returned separately, a jitted function computes their shared terms once, where
      stacking them would make XLA's fusion recompute them for each).
    - `size`: rows per block.
    - `symmetric`: A is B and K(a, b) = K(b, a)^T: only blocks j >= i are computed.
    - `tail`: trailing shape of each entry; `swap_tail`: the mirror of an entry swaps its two
      trailing axes (K(b, a)[k, k'] = K(a, b)[k', k], the full multi-output kernel).

    **Returns:** the array K, or a tuple of them when `pair` returns a tuple.
    """
    n1, n2 = A.shape[0], B.shape[0]
    size = int(max(1, min(size, bucket(max(n1, n2)))))
    if symmetric:  # smaller blocks skip more of the lower triangle
        size = min(size, max(256, -(-n1 // 6)))
    outs: list[np.ndarray] = []
    several = False
    cache: dict[int, object] = {}
    n_col_blocks = -(-n2 // size)
    cache_ok = n_col_blocks <= 4  # column features are kept when they fit in ~4 budgets

    def place(pending) -> None:
        nonlocal several
        result, i, j = pending
        several = isinstance(result, tuple)
        blocks = [np.asarray(b) for b in (result if several else (result,))]
        if not outs:
            outs.extend(np.empty((n1, n2, *tail)) for _ in blocks)
        r, c = min(size, n1 - i), min(size, n2 - j)
        for out, block in zip(outs, blocks, strict=True):
            out[i:i + r, j:j + c] = block[:r, :c]
            if symmetric and j > i:
                out[j:j + c, i:i + r] = _mirror(block[:r, :c], swap_tail)
            elif symmetric:  # a diagonal block: its lower triangle from its upper one
                tile = out[i:i + r, j:j + c]
                lower = np.tril_indices(r, -1)
                tile[lower] = _mirror(tile, swap_tail)[lower]

    pending = None
    for i in range(0, n1, size):
        fa = features_a(jax.device_put(padded(A, i, size)))
        for j in range(i if symmetric else 0, n2, size):
            if symmetric and j == i:
                fb = fa if features_a is features_b else features_b(
                    jax.device_put(padded(B, j, size)))
            elif j in cache:
                fb = cache[j]
            else:
                fb = features_b(jax.device_put(padded(B, j, size)))
                if cache_ok:
                    cache[j] = fb
            dispatched = (pair(fa, fb), i, j)  # asynchronous: the previous block is copied
            if pending is not None:           # out while this one computes
                place(pending)
            pending = dispatched
    if pending is not None:
        place(pending)
    if not outs:  # an empty Gram
        return np.empty((n1, n2, *tail))
    return tuple(outs) if several else outs[0]


def _mirror(block: np.ndarray, swap_tail: bool) -> np.ndarray:
    block = np.swapaxes(block, 0, 1)
    return np.swapaxes(block, -1, -2) if swap_tail else block
