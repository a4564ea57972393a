"""Gaussian draws outside `jit` without a compilation per shape.

`jax.random.normal(key, shape)` called eagerly compiles one XLA program per distinct shape:
in `reproduce --quick` that was the most frequent compilation (154 programs, from network
initialisations at each width, particle initialisations at each m, teachers at each size).
With JAX's partitionable Threefry (the default since JAX 0.5), the draw of entry i of a
flattened shape depends on the key and on i only, so the first n entries of a draw of P >= n
numbers are exactly the draw of n numbers. `normal` draws at P = the next power of two (at
least 2^12, so that every small draw shares one program) and slices on the host: the same
numbers, bit for bit. Above 2^20 numbers the draw itself dominates its compilation, and the
shape is drawn as asked (no padding, no extra memory).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

_SMALLEST, _LARGEST = 2**12, 2**20


def normal(key: jax.Array, shape: tuple[int, ...], dtype=jnp.float64) -> jax.Array:
    """`jax.random.normal(key, shape, dtype)`, the same numbers, from one compiled program per
    power of two of the size when called outside a trace (inside one, it is that call)."""
    shape = tuple(int(s) for s in shape)
    n = math.prod(shape)
    if (isinstance(key, jax.core.Tracer) or not jax.config.jax_threefry_partitionable
            or n > _LARGEST):
        return jax.random.normal(key, shape, dtype)
    size = max(_SMALLEST, 1 << max(n - 1, 0).bit_length())
    flat = np.asarray(jax.random.normal(key, (size,), dtype))
    return jax.device_put(flat[:n].reshape(shape))  # no program per shape
