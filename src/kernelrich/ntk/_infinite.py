"""The infinite-width NNGP and NTK of a fully connected network (Jacot et al. 2018, Thm 1).

Depth L counts weight layers (L = 4: n_0 -> n -> n -> n -> 1). With beta the bias scale:
    Sigma^(1)(x, x') = x.x' / n_0 + beta^2,
    Sigma^(l+1)      = E_{f ~ GP(0, Sigma^(l))}[sigma(f(x)) sigma(f(x'))] + beta^2,
    Sigmadot^(l+1)   = E[sigma'(f(x)) sigma'(f(x'))],
    Theta^(1) = Sigma^(1),   Theta^(l+1) = Theta^(l) Sigmadot^(l+1) + Sigma^(l+1).
The NNGP is Sigma^(L), the NTK Theta^(L) (per output; the full kernel is Theta^(L) (x) Id).

This is the network stax.serial(Dense, sigma, Dense, ..., sigma, Dense) of `kernelrich.stax`
(NTK parameterisation, W_std = 1, b_std = beta), and the functions here are that network's
`kernel_fn` (one implementation): they add the argument names and checks of this module and
the `method` / `order` options.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .. import _validate, stax
from ..stax import _activations as _stax_activations  # a module: stax imports ntk's modules
from . import _inputs
from ._activations import Activation, activation
from ._blocks import BUDGET

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

    **Returns:** a float64 NumPy array of shape (n1, n2): the `kernel_fn` of
    `kernelrich.stax.serial(Dense(1, b_std=bias_std), act, ..., Dense(1, b_std=bias_std))`
    with `depth` Dense layers. Large requests are tiled so that temporaries stay near
    128 MB; only the result itself is allocated in full. With `X2=None` (or X2 equal to X1)
    the diagonal comes from the exact diagonal recursion (ReLU: theta = 0); a point present
    in both X1 and a different X2 goes through the angle of a rounded covariance, which for
    ReLU costs ~1e-8 relative accuracy at that entry (as in every arc-cosine
    implementation).

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
    beta = _inputs.nonnegative("bias_std", bias_std)
    act = _activation(activation)
    method = _inputs.choice("method", method, METHODS)
    order = _validate_order(order)
    if method == "closed_form" and not act.closed_form:
        raise ValueError("method='closed_form' needs activation relu, abs, erf or gelu, got "
                         f"{act.name!r}")
    quad = method == "quadrature" or not act.closed_form
    kernel_fn = _network(depth, act, beta, quad, order)[2]
    get = ("nngp", "ntk") if want == "both" else want
    out = kernel_fn(A, None if symmetric else B, get=get, memory_bytes=BUDGET)
    return tuple(out) if want == "both" else out


@functools.lru_cache(maxsize=64)
def _network(depth: int, act: Activation, beta: float, quad: bool, order: int | None):
    """stax.serial(Dense(1, b_std=beta), sigma, ..., Dense(1, b_std=beta)) with L = `depth`
    weight layers (the hidden width does not enter the NTK parameterisation's kernels); kept,
    so that its compiled passes serve the next call."""
    layers = []
    for _ in range(depth - 1):
        layers += [stax.Dense(1, W_std=1.0, b_std=beta),
                   _stax_activations.ntk_activation(act, quadrature=quad, order=order)]
    return stax.serial(*layers, stax.Dense(1, W_std=1.0, b_std=beta))


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
