"""The infinite-width NNGP and NTK of a fully connected network (Jacot et al. 2018, Thm 1).

Depth L counts weight layers (L = 4: n_0 -> n -> n -> n -> 1). With beta the bias scale:
    Sigma^(1)(x, x') = x.x' / n_0 + beta^2,
    Sigma^(l+1)      = E_{f ~ GP(0, Sigma^(l))}[sigma(f(x)) sigma(f(x'))] + beta^2,
    Sigmadot^(l+1)   = E[sigma'(f(x)) sigma'(f(x'))],
    Theta^(1) = Sigma^(1),   Theta^(l+1) = Theta^(l) Sigmadot^(l+1) + Sigma^(l+1).
The NNGP is Sigma^(L), the NTK Theta^(L) (per output; the full kernel is Theta^(L) (x) Id).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from . import _inputs
from ._activations import Activation, activation
from ._blocks import BUDGET, block_gram, bucket, padded
from ._gaussian import dual, dual_diagonal
from ._quadrature import node_counts

METHODS = ("auto", "closed_form", "quadrature")
MAX_ORDER = 1000


def infinite_nngp(
    X1, X2=None, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    method: str = "auto", order: int | None = None,
) -> np.ndarray:
    """The limiting NNGP kernel Sigma^(L)(X1, X2) of Jacot et al. (2018), eq. of Thm 1's proof.

    **Arguments:** as `infinite_ntk`.

    **Returns:** a float64 NumPy array of shape (n1, n2).

    **Example:**

    Depth 1 is the linear kernel x.x' / n_0 + beta^2. One ReLU layer (depth 2, no bias) gives
    the arc-cosine kernel of degree 1 (Cho & Saul 2009),
    |x| |x'| / n_0 (sin theta + (pi - theta) cos theta) / (2 pi) with theta the angle between
    x and x'; on the diagonal |x|^2 / (2 n_0):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.ntk import infinite_nngp
    >>> X = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 2.0]])  # n_0 = 2
    >>> bool(np.allclose(infinite_nngp(X, depth=1, bias_std=0.1), X @ X.T / 2 + 0.01))
    True
    >>> K = infinite_nngp(X, depth=2, bias_std=0.0)
    >>> K.round(6)
    array([[0.25    , 0.169387, 0.159155],
           [0.169387, 0.25    , 0.41356 ],
           [0.159155, 0.41356 , 1.      ]])
    >>> norms = np.linalg.norm(X, axis=1)
    >>> theta = np.arccos(np.clip(X @ X.T / np.outer(norms, norms), -1.0, 1.0))
    >>> arc_cosine = (np.outer(norms, norms) / 2
    ...               * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi))
    >>> bool(np.allclose(K, arc_cosine, rtol=0.0, atol=1e-12))
    True

    ```
    """
    return _kernels(X1, X2, depth, activation, bias_std, method, order, want="nngp")


def infinite_ntk(
    X1, X2=None, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    method: str = "auto", order: int | None = None,
) -> np.ndarray:
    """The limiting neural tangent kernel Theta^(L)(X1, X2) (Jacot et al. 2018, Thm 1).

    **Arguments:**

    - `X1`: inputs, shape (n1, n_0).
    - `X2`: inputs, shape (n2, n_0), same dtype as `X1`; `None` means `X1`.
    - `depth`: L >= 1, the number of weight layers.
    - `activation`: `"relu"`, `"abs"`, `"erf"`, `"gelu"` (closed forms), `"tanh"`,
      `"sigmoid"` or an elementwise callable (quadrature, `kernelrich.ntk._quadrature`:
      within ~1e-11 of an adaptive reference for tanh and sigmoid at any input norm; smooth
      callables converge exponentially, kinked ones only algebraically).
    - `bias_std`: beta >= 0.
    - `method`: `"auto"` (closed form when there is one), `"closed_form"` or `"quadrature"`.
    - `order`: nodes of each one-dimensional quadrature rule; `None` (default) chooses them
      from the largest variance in the recursion (about 64 x 88 nodes per entry for
      variances up to 1, 104 x 128 at 1e4).

    **Returns:** a float64 NumPy array of shape (n1, n2). Large requests are tiled so that
    temporaries stay near 128 MB; only the result itself is allocated in full. With
    `X2=None` the diagonal comes from the exact diagonal recursion (ReLU: theta = 0); a point
    present in both X1 and X2 goes through arccos of a rounded cosine, which for ReLU costs
    ~1e-8 relative accuracy at that entry (as in every arc-cosine implementation).

    **Example:**

    For one ReLU layer (depth 2, no bias), Theta^(2) = Sigma^(1) Sigmadot^(2) + Sigma^(2)
    with Sigma^(1) = x.x' / n_0, Sigmadot^(2) = (pi - theta) / (2 pi) (theta the angle
    between x and x') and Sigma^(2) the arc-cosine NNGP (`infinite_nngp`). Erf has a closed
    form too (Williams 1997), which the quadrature for activations without one reproduces:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.ntk import infinite_nngp, infinite_ntk
    >>> X = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 2.0]])  # n_0 = 2
    >>> norms = np.linalg.norm(X, axis=1)
    >>> theta = np.arccos(np.clip(X @ X.T / np.outer(norms, norms), -1.0, 1.0))
    >>> closed = X @ X.T / 2 * (np.pi - theta) / (2 * np.pi) + infinite_nngp(X, depth=2,
    ...                                                                      bias_std=0.0)
    >>> bool(np.allclose(infinite_ntk(X, depth=2, bias_std=0.0), closed, rtol=0.0, atol=1e-12))
    True
    >>> erf = infinite_ntk(X, depth=2, activation="erf")
    >>> by_quadrature = infinite_ntk(X, depth=2, activation="erf", method="quadrature")
    >>> bool(np.allclose(erf, by_quadrature, rtol=0.0, atol=1e-12))
    True

    ```
    """
    return _kernels(X1, X2, depth, activation, bias_std, method, order, want="ntk")


def infinite_kernels(
    X1, X2=None, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    method: str = "auto", order: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(NNGP, NTK) = (Sigma^(L), Theta^(L)) in one pass; arguments as `infinite_ntk`.

    **Example:**

    The same pair as `infinite_nngp` and `infinite_ntk`, and as `kernelrich.stax` gives for
    the network Dense -> ReLU -> Dense in the NTK parametrisation (weights of variance 1,
    biases of standard deviation `bias_std`; the hidden width is ignored):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich import stax
    >>> from kernelrich.ntk import infinite_kernels, infinite_nngp, infinite_ntk
    >>> X = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 2.0]])
    >>> nngp, ntk = infinite_kernels(X, depth=2, bias_std=0.1)
    >>> bool(np.allclose(nngp, infinite_nngp(X, depth=2, bias_std=0.1), rtol=0.0, atol=1e-15))
    True
    >>> bool(np.allclose(ntk, infinite_ntk(X, depth=2, bias_std=0.1), rtol=0.0, atol=1e-15))
    True
    >>> _, _, kernel_fn = stax.serial(stax.Dense(512, b_std=0.1), stax.Relu(),
    ...                               stax.Dense(1, b_std=0.1))
    >>> kernels = kernel_fn(X, X, get=("nngp", "ntk"))
    >>> bool(np.allclose(kernels.nngp, nngp, rtol=0.0, atol=1e-12))
    True
    >>> bool(np.allclose(kernels.ntk, ntk, rtol=0.0, atol=1e-12))
    True

    ```
    """
    return _kernels(X1, X2, depth, activation, bias_std, method, order, want="both")


def _kernels(X1, X2, depth, activation, bias_std, method, order, *, want):
    A, B, symmetric = _inputs.gram_inputs(X1, X2)
    depth = _inputs.depth(depth)
    beta2 = _inputs.nonnegative("bias_std", bias_std) ** 2
    act = _activation(activation)
    method = _inputs.choice("method", method, METHODS)
    order = _validate_order(order)
    if method == "closed_form" and not act.closed_form:
        raise ValueError("method='closed_form' needs activation relu, abs, erf or gelu, got "
                         f"{act.name!r}")
    quad = method == "quadrature" or not act.closed_form
    qa, nngp_diag, ntk_diag = _diagonal(A, depth, beta2, act, quad, order)
    qb = qa if symmetric else _diagonal(B, depth, beta2, act, quad, order)[0]
    nodes = _nodes(order, max(_largest(qa), _largest(qb)))
    run = functools.partial(_tile, depth=depth, beta2=jnp.asarray(beta2), act=act, quad=quad,
                            nodes=nodes, want=want)
    per_entry = 8 * (6 * nodes[0] * nodes[1] + 4 * nodes[0] + 8 if quad else 8)
    out = _tiled(run, A, B, qa, qb, per_entry, symmetric, want == "both")
    diagonals = {"nngp": [nngp_diag], "ntk": [ntk_diag], "both": [nngp_diag, ntk_diag]}[want]
    kernels = [np.ascontiguousarray(out[..., k]) for k in range(2)] if want == "both" else [out]
    for K, diag in zip(kernels, diagonals, strict=True):
        if symmetric:  # x.x from the Gram's matmul may differ from |x|^2 by an ulp: use the latter
            np.fill_diagonal(K, diag)
    return tuple(kernels) if want == "both" else kernels[0]


def _activation(spec) -> Activation:
    return activation(spec, name="activation")


def _validate_order(order) -> int | None:
    if order is None:
        return None
    order = _validate.integer("order", order, minimum=8)
    if order > MAX_ORDER:
        raise ValueError(f"order must be <= {MAX_ORDER} (memory grows like order^2 per entry), "
                         f"got {order}")
    return order


def _nodes(order: int | None, variance: float) -> tuple[int, int]:
    """(outer, inner) quadrature nodes: `order` for both, or chosen from the variance."""
    return node_counts(variance) if order is None else (order, order)


def _largest(q: np.ndarray) -> float:
    return float(q.max()) if q.size else 0.0


_dual_diagonal = jax.jit(dual_diagonal, static_argnames=("act", "quadrature", "nodes"))


def _diagonal(X, depth, beta2, act, quad, order) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sigma^(l)(x, x) for l = 1..L-1 stacked as (L-1, n) (what each layer's dual needs), and
    the diagonals Sigma^(L)(x, x), Theta^(L)(x, x), exact where there is a closed form
    (ReLU: theta = 0)."""
    q = np.sum(X * X, axis=1) / X.shape[1] + beta2
    theta, out = q, []
    for _ in range(depth - 1):
        out.append(q)
        value, slope = (np.asarray(v)[:q.size] for v in _dual_diagonal(
            act, jax.device_put(padded(q, 0, bucket(q.size))), quadrature=quad,
            nodes=_nodes(order, _largest(q))))
        q = value + beta2
        theta = theta * slope + q
    stacked = np.stack(out) if out else np.zeros((0, X.shape[0]))
    return stacked, q, theta


@functools.partial(jax.jit, static_argnames=("depth", "act", "quad", "nodes", "want"))
def _tile(A, B, qa, qb, *, depth, beta2, act, quad, nodes, want):
    sigma = A @ B.T / A.shape[1] + beta2
    theta = sigma
    for layer in range(depth - 1):
        value, slope = dual(act, qa[layer][:, None], qb[layer][None, :], sigma,
                            quadrature=quad, nodes=nodes)
        sigma = value + beta2
        theta = theta * slope + sigma
    if want == "both":
        return jnp.stack([sigma, theta], axis=-1)
    return sigma if want == "nngp" else theta


def _tiled(run, A, B, qa, qb, per_entry, symmetric, both):
    """The kernel(s) on tiles whose temporaries stay within the budget."""
    size = int(max(1, np.sqrt(BUDGET / per_entry)))

    def pair(fa, fb):
        return run(fa[0], fb[0], fa[1].T, fb[1].T)

    return block_gram(_with_diagonal(A, qa), _with_diagonal(B, qb), pair, np.arange(A.shape[0]),
                      np.arange(B.shape[0]), size=size, symmetric=symmetric,
                      tail=(2,) if both else ())


def _with_diagonal(X: np.ndarray, q: np.ndarray):
    """Block features: the rows of X and of q.T selected by an index block."""
    qt = np.ascontiguousarray(q.T)
    return lambda index: (jax.device_put(X[np.asarray(index)]),
                          jax.device_put(qt[np.asarray(index)]))
