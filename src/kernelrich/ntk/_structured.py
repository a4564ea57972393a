"""The empirical NTK of an `MLP` from forward activations and backward signals.

For layer l with input h_l (post-activation, or x for l = 0), output pre-activation a^(l+1),
weight scale s_l and bias scale c (NTK parametrisation: s_l = 1/sqrt(n_l), c = beta;
standard: s_l = 1, c = 1) and backward signal delta_l = d f / d a^(l+1) (one column per
output), the parameter gradients are outer products, so

    Theta_{k k'}(x, x') = sum_l (s_l^2 h_l(x).h_l(x') + c^2) delta_l(x)[:, k].delta_l(x')[:, k'].

Each term is a product of two Gram matrices: no Jacobian is ever formed, so the cost is
O(N n^2 L) for the signals plus O(N^2 n L) for the Grams, and width 10000 fits easily.
"""

from __future__ import annotations

import functools

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ._blocks import BUDGET, block_gram
from ._network import MLP


@eqx.filter_jit
def layer_signals(model: MLP, X):
    """[(s_l h_l, delta_l)] for l = 0..L-1: h_l of shape (N, n_l), delta_l of (N, n_{l+1}, O).

    **Example:**

    The signals of a network of depth 2, and its NTK from them by the module docstring's
    formula (beta = 0.1, so c^2 = 0.01):

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.ntk import MLP, apply_mlp, empirical_ntk, layer_signals
    >>> model = MLP([2, 2, 1], key=jax.random.key(0), beta=0.1)
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> signals = [(np.asarray(h), np.asarray(d)) for h, d in layer_signals(model, X)]
    >>> [(h.shape, d.shape) for h, d in signals]
    [((2, 2), (2, 2, 1)), ((2, 2), (2, 1, 1))]
    >>> signals[0][0] * np.sqrt(2)  # s_0 h_0 = x / sqrt(n_0)
    array([[1., 0.],
           [1., 1.]])
    >>> signals[1][1][:, :, 0]  # delta_1 = d f / d a^(2) = 1
    array([[1.],
           [1.]])
    >>> K = sum((h @ h.T + 0.01) * (d[:, :, 0] @ d[:, :, 0].T) for h, d in signals)
    >>> bool(np.allclose(K, empirical_ntk(apply_mlp, model, X, method="jacobian"), rtol=1e-12))
    True

    ```
    """
    scales, _ = model.layer_scales()
    pre = model.preactivations(X)
    inputs = [X] + [model.activation(a) for a in pre[:-1]]
    n_out = pre[-1].shape[1]
    delta = jnp.broadcast_to(jnp.eye(n_out), (X.shape[0], n_out, n_out))
    deltas = [delta]
    for layer in range(model.depth - 1, 0, -1):
        back = jnp.einsum("bik,ij->bjk", delta, model.weights[layer]) * scales[layer]
        delta = back * model.activation.derivative(pre[layer - 1])[:, :, None]
        deltas.append(delta)
    deltas.reverse()
    return [(s * h, d) for s, h, d in zip(scales, inputs, deltas, strict=True)]


@functools.partial(eqx.filter_jit)
def _pair(fa, fb, bias2, outputs):
    total = 0.0
    for (ha, da), (hb, db) in zip(fa, fb, strict=True):
        weight = ha @ hb.T + bias2
        if outputs == "full":
            total = total + weight[:, :, None, None] * jnp.einsum("aik,bil->abkl", da, db)
        else:
            total = total + weight * jnp.einsum("aik,bik->ab", da, db)
    return total


def structured_ntk(model: MLP, A: np.ndarray, B: np.ndarray, *, outputs: str, symmetric: bool,
                   batch_size: int | None) -> np.ndarray:
    """Theta(A, B) of `model`: (n1, n2) summed over outputs, or (n1, n2, O, O) if "full"."""
    n_out = model.widths[-1]
    per_row = 8 * sum(n * (n_out + 1) for n in model.widths[1:]) + 8 * model.widths[0]
    size = batch_size or max(1, BUDGET // per_row)
    _, c = model.layer_scales()

    def features(X):
        return layer_signals(model, X)

    def pair(fa, fb):
        return _pair(fa, fb, c * c, outputs)

    tail = (n_out, n_out) if outputs == "full" else ()
    return block_gram(features, features, pair, A, B, size=size, symmetric=symmetric,
                      tail=tail, swap_tail=outputs == "full")
