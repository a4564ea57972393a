"""The two models of the paper's experiments, as `apply(params, X)` with pytree params, and
the authors' two initialisations of the two-layer network.

- two-layer ReLU network h(w)(x) = sum_j b_j max(a_j . x, 0), no bias, no 1/m factor (the
  authors' Julia code; the scale is alpha, or the init scale tau of this 2-homogeneous model);
  initialised by `two_layer_init` (unit rows, U[0, 1] output weights: the authors'
  `illustration.jl`) or `two_layer_gaussian_init` (N(0, 1) entries: `test_vs_scale.jl`,
  `test_vs_m.jl`);
- diagonal linear network h(w)(x) = <w_+^2 - w_-^2, x> (Woodworth et al. 2020), centred at
  w_+ = w_- (`kernelrich.diagonal` integrates its flow exactly).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _random, _validate


def two_layer(params: dict, X: Float[Array, "n d"]) -> Float[Array, " n"]:
    """h(w)(x) = sum_j b_j max(a_j . x, 0) with params `{"a": (m, d), "b": (m,)}`."""
    return jax.nn.relu(X @ params["a"].T) @ params["b"]


def smooth_two_layer(params: dict, X: Float[Array, "n d"]) -> Float[Array, " n"]:
    """h(w)(x) = sum_j b_j tanh(a_j . x): the same parameters as `two_layer`, with a smooth
    activation so that Dh is locally Lipschitz, as Theorems 2.2 and 2.4 assume (ReLU's Dh is
    not, and an adaptive ODE solver crawls across its kinks)."""
    return jnp.tanh(X @ params["a"].T) @ params["b"]


def two_layer_init(key, m: int, d: int, *, tau: float = 1.0, symmetrised: bool = True) -> dict:
    """The initialisation of the authors' `illustration.jl` (the two-dimensional figure),
    times tau: rows a_j uniform on the unit sphere, output weights b_j ~ U[0, 1].
    `symmetrised`: m must be even and the second half copies the first with negated output
    weights, so that h(w0) = 0 (Chizat et al. 2019, Section 2.2).

    **Returns:** `{"a": (m, d), "b": (m,)}` float64.
    """
    half, tau = _sizes(m, d, tau, symmetrised)
    ka, kb = jax.random.split(key)
    a = _random.normal(ka, (half, d), dtype=jnp.float64)
    a = a / jnp.linalg.norm(a, axis=1, keepdims=True)
    b = jax.random.uniform(kb, (half,), dtype=jnp.float64)
    return _scaled(a, b, tau, symmetrised)


def two_layer_gaussian_init(key, m: int, d: int, *, tau: float = 1.0,
                            symmetrised: bool = True) -> dict:
    """The initialisation of the authors' `test_vs_scale.jl` and `test_vs_m.jl`, times tau:
    every entry of (a_j, b_j) ~ N(0, 1) (`randn(m, d+1)`: rows a_j of norm about sqrt(d)).
    `symmetrised` (`test_vs_scale.jl`; `test_vs_m.jl` does not): m must be even, the first
    half's output weights are |b_j| and the second half copies the first half's a_j with
    output weight -|b_j|, so that h(w0) = 0.

    **Returns:** `{"a": (m, d), "b": (m,)}` float64.
    """
    half, tau = _sizes(m, d, tau, symmetrised)
    ka, kb = jax.random.split(key)
    a = _random.normal(ka, (half, d), dtype=jnp.float64)
    b = _random.normal(kb, (half,), dtype=jnp.float64)
    return _scaled(a, jnp.abs(b) if symmetrised else b, tau, symmetrised)


def _sizes(m, d, tau, symmetrised: bool) -> tuple[int, float]:
    m = _validate.integer("m", m, minimum=2 if symmetrised else 1)
    _validate.integer("d", d, minimum=1)
    tau = _validate.positive("tau", tau)
    if symmetrised and m % 2:
        raise ValueError(f"m must be even when symmetrised, got m={m}")
    return (m // 2 if symmetrised else m), tau


def _scaled(a, b, tau: float, symmetrised: bool) -> dict:
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
