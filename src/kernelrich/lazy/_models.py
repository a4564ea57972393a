"""The two models of the paper's experiments, as `apply(params, X)` with pytree params.

- two-layer ReLU network h(w)(x) = sum_j b_j max(a_j . x, 0), no bias, no 1/m factor (the
  authors' Julia code; the scale is alpha, or the init scale tau of this 2-homogeneous model);
- diagonal linear network h(w)(x) = <w_+^2 - w_-^2, x> (Woodworth et al. 2020), centred at
  w_+ = w_- (`kernelrich.diagonal` integrates its flow exactly).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _validate


def two_layer(params: dict, X: Float[Array, "n d"]) -> Float[Array, " n"]:
    """h(w)(x) = sum_j b_j max(a_j . x, 0) with params `{"a": (m, d), "b": (m,)}`."""
    return jax.nn.relu(X @ params["a"].T) @ params["b"]


def smooth_two_layer(params: dict, X: Float[Array, "n d"]) -> Float[Array, " n"]:
    """h(w)(x) = sum_j b_j tanh(a_j . x): the same parameters as `two_layer`, with a smooth
    activation so that Dh is locally Lipschitz, as Theorems 2.2 and 2.4 assume (ReLU's Dh is
    not, and an adaptive ODE solver crawls across its kinks)."""
    return jnp.tanh(X @ params["a"].T) @ params["b"]


def two_layer_init(key, m: int, d: int, *, tau: float = 1.0, symmetrised: bool = True) -> dict:
    """The authors' initialisation, times tau: rows a_j uniform on the unit sphere, output
    weights b_j ~ U[0, 1]. `symmetrised`: m must be even and the second half copies the
    first with negated output weights, so that h(w0) = 0 (Chizat et al. 2019, Section 2.2).

    **Returns:** `{"a": (m, d), "b": (m,)}` float64.
    """
    m = _validate.integer("m", m, minimum=2 if symmetrised else 1)
    d = _validate.integer("d", d, minimum=1)
    tau = _validate.positive("tau", tau)
    if symmetrised and m % 2:
        raise ValueError(f"m must be even when symmetrised, got m={m}")
    half = m // 2 if symmetrised else m
    ka, kb = jax.random.split(key)
    a = jax.random.normal(ka, (half, d), dtype=jnp.float64)
    a = a / jnp.linalg.norm(a, axis=1, keepdims=True)
    b = jax.random.uniform(kb, (half,), dtype=jnp.float64)
    if symmetrised:
        a, b = jnp.concatenate([a, a]), jnp.concatenate([b, -b])
    return {"a": tau * a, "b": tau * b}


def diagonal_net(params: dict, X: Float[Array, "n d"]) -> Float[Array, " n"]:
    """h(w)(x) = <w_+^2 - w_-^2, x> with params `{"plus": (d,), "minus": (d,)}`."""
    return X @ (params["plus"] ** 2 - params["minus"] ** 2)


def diagonal_init(d: int, *, scale: float = 1.0) -> dict:
    """w_+ = w_- = scale * 1, so that h(w0) = 0."""
    d = _validate.integer("d", d, minimum=1)
    scale = _validate.positive("scale", scale)
    w = jnp.full((d,), scale, dtype=jnp.float64)
    return {"plus": w, "minus": w}
