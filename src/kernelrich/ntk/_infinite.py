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
from ._blocks import BUDGET, block_gram
from ._gaussian import DEFAULT_ORDER, dual

METHODS = ("auto", "closed_form", "quadrature")
MAX_ORDER = 300


def infinite_nngp(
    X1, X2=None, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    method: str = "auto", order: int = DEFAULT_ORDER,
) -> np.ndarray:
    """The limiting NNGP kernel Sigma^(L)(X1, X2) of Jacot et al. (2018), eq. of Thm 1's proof.

    **Arguments:** as `infinite_ntk`.

    **Returns:** a float64 NumPy array of shape (n1, n2).
    """
    return _kernels(X1, X2, depth, activation, bias_std, method, order, want="nngp")


def infinite_ntk(
    X1, X2=None, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    method: str = "auto", order: int = DEFAULT_ORDER,
) -> np.ndarray:
    """The limiting neural tangent kernel Theta^(L)(X1, X2) (Jacot et al. 2018, Thm 1).

    **Arguments:**

    - `X1`: inputs, shape (n1, n_0).
    - `X2`: inputs, shape (n2, n_0), same dtype as `X1`; `None` means `X1`.
    - `depth`: L >= 1, the number of weight layers.
    - `activation`: `"relu"`, `"erf"` (closed forms), `"tanh"`, `"gelu"`, `"sigmoid"` or an
      elementwise callable (Gauss-Hermite quadrature).
    - `bias_std`: beta >= 0.
    - `method`: `"auto"` (closed form when there is one), `"closed_form"` or `"quadrature"`.
    - `order`: Gauss-Hermite nodes per axis for the quadrature.

    **Returns:** a float64 NumPy array of shape (n1, n2). Large requests are tiled so that
    temporaries stay near 128 MB; only the result itself is allocated in full. With
    `X2=None` the diagonal comes from the exact diagonal recursion (ReLU: theta = 0); a point
    present in both X1 and X2 goes through arccos of a rounded cosine, which for ReLU costs
    ~1e-8 relative accuracy at that entry (as in every arc-cosine implementation).
    """
    return _kernels(X1, X2, depth, activation, bias_std, method, order, want="ntk")


def infinite_kernels(
    X1, X2=None, *, depth: int, activation: str | Callable = "relu", bias_std: float = 0.1,
    method: str = "auto", order: int = DEFAULT_ORDER,
) -> tuple[np.ndarray, np.ndarray]:
    """(NNGP, NTK) = (Sigma^(L), Theta^(L)) in one pass; arguments as `infinite_ntk`."""
    return _kernels(X1, X2, depth, activation, bias_std, method, order, want="both")


def _kernels(X1, X2, depth, activation, bias_std, method, order, *, want):
    A, B, symmetric = _inputs.gram_inputs(X1, X2)
    depth = _inputs.depth(depth)
    beta2 = _inputs.nonnegative("bias_std", bias_std) ** 2
    act = _activation(activation)
    method = _inputs.choice("method", method, METHODS)
    order = _validate_order(order)
    if method == "closed_form" and not act.closed_form:
        raise ValueError(f"method='closed_form' needs activation relu or erf, got {act.name!r}")
    quad = method == "quadrature" or not act.closed_form
    run = functools.partial(_tile, depth=depth, beta2=jnp.asarray(beta2), act=act, quad=quad,
                            order=order, want=want)
    qa, nngp_diag, ntk_diag = _diagonal(A, depth, beta2, act, quad, order)
    qb = qa if symmetric else _diagonal(B, depth, beta2, act, quad, order)[0]
    per_entry = 8 * (3 * order * order + 8 if quad else 8)
    out = _tiled(run, A, B, qa, qb, per_entry, symmetric, want == "both")
    diagonals = {"nngp": [nngp_diag], "ntk": [ntk_diag], "both": [nngp_diag, ntk_diag]}[want]
    kernels = [np.ascontiguousarray(out[..., k]) for k in range(2)] if want == "both" else [out]
    for K, diag in zip(kernels, diagonals, strict=True):
        if symmetric:  # x.x from the Gram's matmul may differ from |x|^2 by an ulp: use the latter
            np.fill_diagonal(K, diag)
    return tuple(kernels) if want == "both" else kernels[0]


def _activation(spec) -> Activation:
    return activation(spec, name="activation")


def _validate_order(order) -> int:
    order = _validate.integer("order", order, minimum=2)
    if order > MAX_ORDER:
        raise ValueError(f"order must be <= {MAX_ORDER} (NumPy's Hermite rule overflows above), "
                         f"got {order}")
    return order


def _diagonal(X, depth, beta2, act, quad, order) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sigma^(l)(x, x) for l = 1..L-1 stacked as (L-1, n) (what each layer's dual needs), and
    the diagonals Sigma^(L)(x, x), Theta^(L)(x, x), with theta = 0 exactly for ReLU."""
    q = np.sum(X * X, axis=1) / X.shape[1] + beta2
    theta, out = q, []
    for _ in range(depth - 1):
        out.append(q)
        if act.closed_form and act.name == "relu" and not quad:
            value, slope = q / 2, 0.5  # E relu(u)^2 = q / 2, E relu'(u)^2 = 1/2
        else:
            value, slope = (np.asarray(v) for v in dual(
                act, jnp.asarray(q), jnp.asarray(q), jnp.asarray(q), quadrature=quad,
                order=order))
        q = value + beta2
        theta = theta * slope + q
    stacked = np.stack(out) if out else np.zeros((0, X.shape[0]))
    return stacked, q, theta


@functools.partial(jax.jit, static_argnames=("depth", "act", "quad", "order", "want"))
def _tile(A, B, qa, qb, *, depth, beta2, act, quad, order, want):
    sigma = A @ B.T / A.shape[1] + beta2
    theta = sigma
    for layer in range(depth - 1):
        value, slope = dual(act, qa[layer][:, None], qb[layer][None, :], sigma,
                            quadrature=quad, order=order)
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
    return lambda index: (jnp.asarray(X[np.asarray(index)]), jnp.asarray(qt[np.asarray(index)]))
