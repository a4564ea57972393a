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
    """h(w)(x) = sum_j b_j max(a_j . x, 0) with params `{"a": (m, d), "b": (m,)}`.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import two_layer
    >>> params = {"a": jnp.eye(2), "b": jnp.array([1.0, -2.0])}
    >>> X = jnp.array([[1.0, 2.0], [-1.0, 1.0]])
    >>> two_layer(params, X)  # relu(1) - 2 relu(2) = -3 and relu(-1) - 2 relu(1) = -2
    Array([-3., -2.], dtype=float64)

    ```
    """
    return jax.nn.relu(X @ params["a"].T) @ params["b"]


def smooth_two_layer(params: dict, X: Float[Array, "n d"]) -> Float[Array, " n"]:
    """h(w)(x) = sum_j b_j tanh(a_j . x): the same parameters as `two_layer`, with a smooth
    activation so that Dh is locally Lipschitz, as Theorems 2.2 and 2.4 assume (ReLU's Dh is
    not, and an adaptive ODE solver crawls across its kinks).

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import smooth_two_layer
    >>> params = {"a": jnp.eye(2), "b": jnp.array([1.0, -2.0])}
    >>> X = jnp.array([[1.0, 2.0], [-1.0, 1.0]])
    >>> smooth_two_layer(params, X).round(6)  # tanh(1) - 2 tanh(2), tanh(-1) - 2 tanh(1)
    Array([-1.166461, -2.284782], dtype=float64)

    ```
    """
    return jnp.tanh(X @ params["a"].T) @ params["b"]


def two_layer_init(key, m: int, d: int, *, tau: float = 1.0, symmetrised: bool = True) -> dict:
    """The initialisation of the authors' `illustration.jl` (the two-dimensional figure),
    times tau: rows a_j uniform on the unit sphere, output weights b_j ~ U[0, 1].
    `symmetrised`: m must be even and the second half copies the first with negated output
    weights, so that h(w0) = 0 (Chizat et al. 2019, Section 2.2).

    **Returns:** `{"a": (m, d), "b": (m,)}` float64.

    **Example:**

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.lazy import two_layer, two_layer_init
    >>> params = two_layer_init(jax.random.key(0), m=4, d=3, tau=2.0)
    >>> a, b = np.asarray(params["a"]), np.asarray(params["b"])
    >>> a.shape, b.shape
    ((4, 3), (4,))
    >>> np.linalg.norm(a, axis=1).round(12)  # rows of norm tau
    array([2., 2., 2., 2.])
    >>> bool(np.all((0 <= b[:2]) & (b[:2] <= 2))), bool(np.all(b[2:] == -b[:2]))  # tau U[0, 1]
    (True, True)
    >>> two_layer(params, np.ones((2, 3)))  # units 3, 4 cancel units 1, 2: h(w0) = 0
    Array([0., 0.], dtype=float64)

    ```
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

    **Example:**

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.lazy import two_layer, two_layer_gaussian_init
    >>> key = jax.random.key(0)
    >>> params = two_layer_gaussian_init(key, m=4, d=3)
    >>> a, b = np.asarray(params["a"]), np.asarray(params["b"])  # units 3, 4 copy 1, 2 ...
    >>> bool(np.all(a[2:] == a[:2])), bool(np.all(b[:2] >= 0)), bool(np.all(b[2:] == -b[:2]))
    (True, True, True)
    >>> two_layer(params, np.ones((2, 3)))  # ... with output weights -|b_j|: h(w0) = 0
    Array([0., 0.], dtype=float64)
    >>> plain = two_layer_gaussian_init(key, m=2, d=3, symmetrised=False)  # test_vs_m.jl
    >>> bool(np.all(plain["a"] == a[:2])), bool(np.all(np.abs(plain["b"]) == b[:2]))
    (True, True)
    >>> bool(np.all(two_layer(plain, np.ones((2, 3))) != 0))  # not centred
    True

    ```
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
    """h(w)(x) = <w_+^2 - w_-^2, x> with params `{"plus": (d,), "minus": (d,)}`.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import diagonal_net
    >>> params = {"plus": jnp.array([2.0, 1.0]), "minus": jnp.array([1.0, 1.0])}
    >>> diagonal_net(params, jnp.array([[1.0, 5.0]]))  # beta = (4 - 1, 1 - 1) = (3, 0)
    Array([3.], dtype=float64)

    ```
    """
    return X @ (params["plus"] ** 2 - params["minus"] ** 2)


def diagonal_init(d: int, *, scale: float = 1.0) -> dict:
    """w_+ = w_- = scale * 1, so that h(w0) = 0.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.lazy import diagonal_init, diagonal_net
    >>> params = diagonal_init(2, scale=0.5)
    >>> params["plus"], params["minus"]
    (Array([0.5, 0.5], dtype=float64), Array([0.5, 0.5], dtype=float64))
    >>> diagonal_net(params, jnp.array([[1.0, 5.0]]))  # beta = w_+^2 - w_-^2 = 0
    Array([0.], dtype=float64)

    ```
    """
    d = _validate.integer("d", d, minimum=1)
    scale = _validate.positive("scale", scale)
    w = jnp.full((d,), scale, dtype=jnp.float64)
    return {"plus": w, "minus": w}
