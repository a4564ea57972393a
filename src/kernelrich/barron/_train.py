"""Plain least-squares training of an n-unit sigmoidal network, the usual alternative to the
greedy construction (Barron 1994 §2: the estimator minimises the empirical squared error).

All parameters (a_k, b_k, c_k, c_0) are fitted jointly by L-BFGS (SciPy) on
sum_i w_i (f_n(x_i) - y_i)^2 with the exact gradient in NumPy, from `restarts` random
starts; nothing bounds sum |c_k|, which is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np
import scipy.optimize

from .. import _validate
from ._network import SigmoidalNetwork, evaluate, probabilities, radius_of, samples
from ._search import initial_units


@dataclass(frozen=True)
class TrainResult:
    """The best least-squares fit over the restarts.

    **Arguments:**

    - `network`: the trained `SigmoidalNetwork`.
    - `error`: ||f - f_n||^2 in L2(mu).
    - `coef_l1`: sum_k |c_k|.
    - `iterations`: L-BFGS iterations of the best restart.
    - `converged`: whether that restart met L-BFGS's tolerance within `max_iter`.
    """

    network: SigmoidalNetwork
    error: float
    coef_l1: float
    iterations: int
    converged: bool


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def _loss_and_grad(params, X, y, w, n):
    d = X.shape[1]
    A = params[: n * d].reshape(n, d)
    b, c, c0 = params[n * d: n * d + n], params[n * d + n: n * d + 2 * n], params[-1]
    V = _sigmoid(X @ A.T + b)
    res = V @ c + c0 - y
    wr = w * res
    G = 2 * wr[:, None] * c[None, :] * V * (1 - V)
    grad = np.concatenate([(G.T @ X).ravel(), G.sum(axis=0), 2 * V.T @ wr, [2 * wr.sum()]])
    return float(wr @ res), grad


def train_network(f: Callable, X, n: int, *, weights=None, restarts: int = 2,
                  max_iter: int = 1000, seed: int = 0) -> TrainResult:
    """Least-squares training of f_n(x) = sum_k c_k sigma(a_k . x + b_k) + c_0.

    **Arguments:**

    - `f`: the target, `(N, d)` points to `(N,)` values (or a `Target`).
    - `X`: `(N, d)` samples; mu is their empirical measure (weighted by `weights`).
    - `n`: number of units, >= 1.
    - `restarts`, `max_iter`: random starts and L-BFGS iterations per start.
    - `seed`: the only source of randomness (the starts).

    **Returns:**

    The `TrainResult` of the best restart.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import GaussianBump, train_network, uniform_ball
    >>> X = uniform_ball(64, 2, seed=0)
    >>> result = train_network(GaussianBump(np.zeros(2)), X, n=2, restarts=1, max_iter=200)
    >>> round(result.error, 4), result.network.a.shape
    (0.007, (2, 2))

    ```
    """
    X = samples(X)
    y, _ = evaluate(f, X)
    return train_on_values(X, y, n, weights=weights, restarts=restarts, max_iter=max_iter,
                           seed=seed)


def train_on_values(X, y, n: int, *, weights=None, restarts: int = 2, max_iter: int = 1000,
                    seed: int = 0) -> TrainResult:
    """`train_network` for given values y = f(X) (noisy or not).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import train_on_values, uniform_ball
    >>> X = uniform_ball(64, 2, seed=0)
    >>> result = train_on_values(X, np.tanh(3 * X[:, 0]), n=1, restarts=1, max_iter=200)
    >>> bool(result.error < 1e-6), round(result.coef_l1, 4)
    (True, 2.0)

    ```
    """
    X = samples(X)
    y = _validate.bounded("y", _validate.finite_array("y", y, ndim=1))
    n = _validate.integer("n", n, minimum=1)
    restarts = _validate.integer("restarts", restarts, minimum=1)
    max_iter = _validate.integer("max_iter", max_iter, minimum=1)
    w = probabilities(weights, X.shape[0])
    r = radius_of(X, None)
    Xs = X / r
    rng = np.random.default_rng(seed)
    spread = float(np.sqrt(w @ (y - w @ y) ** 2)) + 1e-12
    best = None
    for _ in range(restarts):
        units = initial_units(rng, Xs, n, (1.0, 10.0))
        c = rng.normal(0, spread / np.sqrt(n), n)
        p0 = np.concatenate([units[:, :-1].ravel(), units[:, -1], c, [w @ y]])
        out = scipy.optimize.minimize(_loss_and_grad, p0, args=(Xs, y, w, n), jac=True,
                                      method="L-BFGS-B",
                                      options={"maxiter": max_iter, "gtol": 1e-10})
        if best is None or out.fun < best.fun:
            best = out
    d = X.shape[1]
    p = best.x
    with np.errstate(over="ignore"):
        A = p[: n * d].reshape(n, d) / r
    _validate.finite_result(np.append(A, p), names="X and y",
                            what="the trained network (overflow for badly scaled data)")
    net = SigmoidalNetwork(jnp.asarray(A), jnp.asarray(p[n * d: n * d + n]),
                           jnp.asarray(p[n * d + n: n * d + 2 * n]), jnp.asarray(p[-1]))
    return TrainResult(net, float(best.fun), float(np.abs(p[n * d + n: n * d + 2 * n]).sum()),
                       int(best.nit), bool(best.success))
