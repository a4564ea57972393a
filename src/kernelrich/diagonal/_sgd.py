"""(Stochastic) gradient descent on depth-D diagonal networks: one compiled, vmapped engine for
a single run (`gradient_descent`) and for sweeps over step sizes, batch sizes and seeds
(`sgd_sweep`).

A step on the minibatch B_k (Even, Pesme, Gunasekar & Flammarion 2023, arXiv 2302.08982,
Section 2; Pesme, Pillaud-Vivien & Flammarion 2021, arXiv 2106.09524):

    w <- w - gamma_k grad L_{B_k}(w),   L_B(w) = s sum_n m_n (<beta(w), x_n> - y_n)^2,

with s = 1 ("sum") or 1/N ("mean") and m_n = (N/b) times the number of times n is in the batch
(an unbiased estimate of the full loss). The batch is b distinct indices, uniformly at random
(`replace=False`), or b indices drawn independently with replacement (`replace=True`), a
fresh draw at every step; b = N without replacement is full-batch GD (m = 1, no draw).
Every run is one row of a `jax.vmap`, so S x B x R runs are one program whose products with X
are matrix-matrix products.

For D = 2 the step is multiplicative, w_+ <- w_+ (1 - x_k), w_- <- w_- (1 + x_k) with
x_k = 2 gamma_k grad_beta L_{B_k}, and the engine accumulates what the effective
initialisation of the run needs (see `_effective`): log alpha_+- = log alpha +
sum_k [log|1 -+ x_k| +- x_k] and mu = sum_k 4 gamma_k s m_k * r_k, with which
w_+- = alpha_+- exp(-+ X^T mu) exactly. It also tracks the Gauss-Newton sharpness
lambda_max(2 s J^T J) (the loss Hessian's top eigenvalue at an interpolator) by power
iteration warm-started across steps, and how often the full loss went up.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp


class State(NamedTuple):
    """One run's state (a leading run axis under vmap)."""

    w: jax.Array  # (2, d): w_+, w_-
    r: jax.Array  # (N,): residual X beta - y at w
    loss: jax.Array  # full loss at w
    done: jax.Array  # stopped: converged or diverged
    diverged: jax.Array
    key: jax.Array
    log_gain: jax.Array  # (2, d): sum [log|1 - x| + x], sum [log|1 + x| - x]  (D = 2)
    mu: jax.Array  # (N,): sum 4 gamma s m * r  (D = 2)
    integral: jax.Array  # sum gamma_k L(w_k): the loss integral along the run
    sharpness: jax.Array  # largest Gauss-Newton sharpness met
    vector: jax.Array  # (N,): power-iteration vector
    increases: jax.Array  # steps whose full loss exceeded the previous one
    steps_run: jax.Array


def initial(X, y, alpha_w0, depth: int, scale, key, stop_loss) -> State:
    """The state at w_+ = w_- = alpha * w0 (single run)."""
    w = jnp.stack([alpha_w0, alpha_w0])
    r = X @ (w[0] ** depth - w[1] ** depth) - y
    loss = scale * jnp.sum(r * r)
    N, d = X.shape
    zero = jnp.zeros((), X.dtype)
    return State(w, r, loss, loss < stop_loss, jnp.zeros((), bool), key, jnp.zeros((2, d)),
                 jnp.zeros(N), zero, zero, jnp.ones(N) / jnp.sqrt(N), jnp.zeros((), jnp.int32),
                 jnp.zeros((), jnp.int32))


def _mask(key, N: int, batch, replace: bool):
    """m_n = (N/b) x (times n is drawn), for b = `batch` (may be traced)."""
    first = (jnp.arange(N) < batch).astype(float)
    if replace:
        idx = jax.random.randint(key, (N,), 0, N)
        counts = jnp.zeros(N).at[idx].add(first)
    else:
        counts = jnp.zeros(N).at[jax.random.permutation(key, N)].set(first)
    return counts * (N / batch)


def _step(state: State, gamma, live, X, y, scale, batch, stop_loss, *, depth, stochastic,
          replace, track):
    N = X.shape[0]
    key, sub = jax.random.split(state.key)
    m = _mask(sub, N, batch, replace) if stochastic else jnp.ones(N)
    g = 2 * scale * (X.T @ (m * state.r))  # grad_beta L_B
    wp, wm = state.w
    if depth == 2:
        x = 2 * gamma * g
        w_new = jnp.stack([wp * (1 - x), wm * (1 + x)])
        gain = jnp.stack([jnp.log(jnp.abs(1 - x)) + x, jnp.log(jnp.abs(1 + x)) - x])
        mu = state.mu + 4 * gamma * scale * m * state.r
    else:
        w_new = jnp.stack([wp - gamma * depth * wp ** (depth - 1) * g,
                           wm + gamma * depth * wm ** (depth - 1) * g])
        gain, mu = jnp.zeros_like(state.log_gain), state.mu
    r_new = X @ (w_new[0] ** depth - w_new[1] ** depth) - y
    loss_new = scale * jnp.sum(r_new * r_new)
    bad = ~jnp.isfinite(loss_new) | ~jnp.all(jnp.isfinite(w_new))
    if track:  # one power iteration on 2 s D^2 X diag(w_+^(2D-2) + w_-^(2D-2)) X^T
        c = w_new[0] ** (2 * depth - 2) + w_new[1] ** (2 * depth - 2)
        Mv = X @ (c * (X.T @ state.vector))
        norm = jnp.linalg.norm(Mv)
        sharp = 2 * scale * depth**2 * (state.vector @ Mv)
        vector = jnp.where(norm > 0, Mv / jnp.where(norm > 0, norm, 1.0), state.vector)
    else:
        sharp, vector = state.sharpness, state.vector
    tried = live & ~state.done
    ok = tried & ~bad

    def pick(new, old):
        return jnp.where(ok, new, old)

    new = State(
        pick(w_new, state.w), pick(r_new, state.r), pick(loss_new, state.loss),
        state.done | (tried & bad) | (ok & (loss_new < stop_loss)), state.diverged | (tried & bad),
        key, pick(state.log_gain + gain, state.log_gain), pick(mu, state.mu),
        pick(state.integral + gamma * state.loss, state.integral),
        pick(jnp.maximum(state.sharpness, sharp), state.sharpness), pick(vector, state.vector),
        state.increases + (ok & (loss_new > state.loss)).astype(jnp.int32),
        state.steps_run + ok.astype(jnp.int32))
    return new, (jnp.where(tried, loss_new, jnp.nan), tried)


@functools.partial(jax.jit, static_argnames=("depth", "stochastic", "replace", "track",
                                             "record"))
def sgd_chunk(states: State, X, y, scale, base, factor, batch, active, stop_loss, *, depth: int,
          stochastic: bool, replace: bool, track: bool, record: bool):
    """len(factor) steps of every run (only the first `active` of them run); run j uses step
    base[j] * factor[k] and batch size batch[j]. Returns the new states and, if `record`,
    each run's loss after every step it tried (NaN for the others: stopped or not active;
    a diverged step's non-finite loss is kept) and whether it tried the step."""

    def one(state, base_j, batch_j):
        def body(s, inputs):
            f, k = inputs
            s, out = _step(s, base_j * f, k < active, X, y, scale, batch_j, stop_loss,
                           depth=depth, stochastic=stochastic, replace=replace, track=track)
            return s, (out if record else None)

        return jax.lax.scan(body, state, (factor, jnp.arange(factor.shape[0])))

    return jax.vmap(one)(states, base, batch)
