"""Gradient descent on F_alpha and on its linearisation from the same w0, jit + lax.scan in
chunks (progress between chunks), vmapped over initialisations and scales. A non-finite loss
is a result: that model stops at the step where it appeared, the other keeps going."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from .._progress import progress_bar
from . import _batch
from ._problem import (
    check_alpha,
    check_problem,
    linear_model,
    square_loss,
    tree_norm,
    tree_sub,
)


@dataclass(frozen=True)
class LazyDescent:
    """GD iterates w_k (on F_alpha) and wbar_k (on Fbar_alpha) recorded every `record_every`
    steps. Array fields have shape (B, A, R) (`batched=True`) or (A, R); R records, the first
    at step 0.

    **Fields:**
    - `steps`: (R,) step index of each record; `times`: steps * step, shape (*alpha.shape, R)
      (the flow time that GD approximates).
    - `dist_init`, `dist_linear`, `dist_output`, `loss`, `loss_linear`: as in `LazyPath`.
    - `test_loss`, `test_loss_linear`: R on the test set (None without one).
    - `params`, `params_linear`: the last iterates.
    - `diverged_at`, `diverged_at_linear`: the first step whose loss was non-finite (that
      model stopped there), -1 if none; shape (B, A) or (A,).
    - With `lazy_descent(..., linear=False)` the linearised model does not run and every field
      about it (`dist_linear`, `dist_output`, `loss_linear`, `test_loss_linear`,
      `params_linear`, `diverged_at_linear`) is None.
    - `alpha`, `step`: (A,) each (or (B, A) if given so).
    - `params_path`: w at every record if `keep_params`, else None.
    """

    steps: np.ndarray
    times: np.ndarray
    dist_init: np.ndarray
    dist_linear: np.ndarray | None
    dist_output: np.ndarray | None
    loss: np.ndarray
    loss_linear: np.ndarray | None
    test_loss: np.ndarray | None
    test_loss_linear: np.ndarray | None
    params: object
    params_linear: object
    diverged_at: np.ndarray
    diverged_at_linear: np.ndarray | None
    alpha: np.ndarray
    step: np.ndarray
    params_path: object = None


def lazy_descent(apply, params0, X, y, alpha, *, step, steps: int, record_every: int = 100,
                 batched: bool = False, X_test=None, y_test=None, chunk: int = 10,
                 keep_params: bool = False, linear: bool = True,
                 progress: bool = False) -> LazyDescent:
    """Gradient descent w <- w - step * grad F_alpha(w), F_alpha(w) = R(alpha h(w)) / alpha^2,
    and the same on Fbar_alpha (linearised model, jvp), from the same w0 (Chizat et al. 2019,
    Section 2.3; k steps approximate the flow at t = k * step).

    **Arguments:**

    - `apply`, `params0`, `X`, `y`, `alpha`, `batched`: as in `lazy_flow`; with `batched`,
      `alpha` may also be (B, A): one row of scales per initialisation.
    - `step`: step size > 0, or an array of alpha's shape.
    - `steps`: steps to run (rounded up to a multiple of `record_every`).
    - `record_every`: steps between records.
    - `X_test`, `y_test`: optional test set; R on it is recorded too.
    - `chunk`: records per compiled call (progress is shown between calls).
    - `keep_params`: also return w at every record (`params_path`, leaves (B, A, R, ...)).
    - `linear`: also run the linearised model (False halves the cost; its fields are None).
    - `progress`: show a rich progress bar.

    **Returns:** a `LazyDescent`.

    **Example:**

    The problem of `lazy_flow`'s example (tangent kernel 8 I, n = 2): each step of the
    linearised descent multiplies the residual by 1 - 4 step = 0.8, so its loss after k steps
    is (1/2) 0.8^(2k) for every alpha:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.lazy import diagonal_init, diagonal_net, lazy_descent
    >>> X, y = np.eye(2), np.array([1.0, 1.0])
    >>> gd = lazy_descent(diagonal_net, diagonal_init(2), X, y, alpha=[1.0, 10.0, 100.0],
    ...                   step=0.05, steps=10, record_every=5)
    >>> gd.steps, gd.times[0]
    (array([ 0,  5, 10]), array([0.  , 0.25, 0.5 ]))
    >>> gd.loss_linear.round(6)  # (1/2) 0.8^(2k) = 0.5, 0.053687, 0.005765
    array([[0.5     , 0.053687, 0.005765],
           [0.5     , 0.053687, 0.005765],
           [0.5     , 0.053687, 0.005765]])
    >>> gd.loss[:, -1].round(6), gd.diverged_at
    (array([0.004604, 0.005752, 0.005764]), array([-1, -1, -1]))

    ```

    This step is not small: at t = 0.5 the flow's linearised loss is (1/2) exp(-4) = 0.009158,
    not 0.005765.
    """
    X, y = check_problem(apply, _batch.one(params0, batched), X, y)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together")
    if X_test is not None:
        X_test, y_test = check_problem(apply, _batch.one(params0, batched), X_test, y_test,
                                       names=("X_test", "y_test"))
        if X_test.shape[1:] != X.shape[1:]:
            raise ValueError(f"X_test must have the per-example shape of X {X.shape[1:]}, got "
                             f"X_test.shape={X_test.shape}")
    alphas = check_alpha(alpha, allow_2d=batched)
    step_arr = (_validate.finite_array("step", step, ndim=2) if np.ndim(step) == 2
                else np.atleast_1d(_validate.positive("step", step, allow_array=True)))
    if (step_arr <= 0).any():
        raise ValueError(f"step must be > 0, got {step_arr.min()}")
    try:
        steps_ = np.broadcast_to(step_arr, alphas.shape)
    except ValueError as err:
        raise ValueError(f"step of shape {step_arr.shape} does not match alpha of shape "
                         f"{alphas.shape}") from err
    steps_count = _validate.integer("steps", steps, minimum=1)
    every = _validate.integer("record_every", record_every, minimum=1)
    chunk = _validate.integer("chunk", chunk, minimum=1)
    n_records = -(-steps_count // every)
    p, a, s, shape = _batch.flatten(params0, batched, alphas, np.asarray(steps_, float))
    # Strongly typed counters: a weakly typed -1 would turn strong after the first chunk and
    # compile every chunk's program twice.
    never = jnp.full(a.shape, -1, dtype=jnp.int64)
    state = (p, p, never, never, jnp.zeros(a.shape, jnp.int64))
    linear = bool(linear)
    first = _program_record(apply, keep_params, linear)(p, p, p, a, X, y, X_test, y_test)
    records, done = [jax.tree_util.tree_map(lambda v: np.asarray(v)[:, None], first)], 0
    with progress_bar("lazy gradient descent", n_records * every, progress) as update:
        size = _chunk_size(n_records, chunk)
        while done < n_records:
            size = min(size, n_records - done)
            run = _program(apply, every, size, keep_params, linear)
            state, rec = run(state, p, a, s, X, y, X_test, y_test)
            records.append(rec)  # leaves (B*A, size)
            done += size
            update(completed=done * every)
    rec = jax.tree_util.tree_map(lambda *v: np.concatenate(v, axis=1),
                                 *records)
    rec = _batch.unflatten(rec, shape, batched)
    path = rec.pop("params", None)
    un = functools.partial(_batch.unflatten, shape=shape, batched=batched)
    idx = np.arange(n_records + 1) * every
    lin = un if linear else (lambda _: None)
    return LazyDescent(idx, steps_[..., None] * idx, rec["dist_init"],
                       rec.get("dist_linear"), rec.get("dist_output"), rec["loss"],
                       rec.get("loss_linear"), rec.get("test_loss"), rec.get("test_loss_linear"),
                       un(state[0]), lin(state[1]), un(state[2]), lin(state[3]), alphas,
                       np.asarray(steps_), path)


def _chunk_size(n_records: int, chunk: int) -> int:
    """Records per compiled call: a divisor of `n_records` in [chunk / 2, chunk] where there
    is one (every call runs the same compiled program), else `chunk` (the last call is
    shorter and compiles its own)."""
    for size in range(min(chunk, n_records), max(1, chunk // 2) - 1, -1):
        if n_records % size == 0:
            return size
    return chunk


def _record(apply, keep, linear, w0, w, wb, alpha, X, y, X_test, y_test):
    if linear:
        rec = _batch.metrics(apply, linear_model(apply, w0, X), X, y, alpha, w, wb, w0)
    else:
        rec = {"dist_init": tree_norm(tree_sub(w, w0)),
               "loss": square_loss(alpha * apply(w, X), y)}
    if keep:
        rec["params"] = w
    if X_test is not None:
        rec["test_loss"] = square_loss(alpha * apply(w, X_test), y_test)
        if linear:
            rec["test_loss_linear"] = square_loss(
                alpha * linear_model(apply, w0, X_test)(wb), y_test)
    return rec


@functools.lru_cache(maxsize=32)
def _program_record(apply, keep, linear):
    axes = (0, 0, 0, 0, None, None, None, None)
    return jax.jit(jax.vmap(functools.partial(_record, apply, keep, linear), in_axes=axes))


@functools.lru_cache(maxsize=32)
def _program(apply, every, size, keep, linear):
    def one(state, w0, alpha, step, X, y, X_test, y_test):
        vg = jax.value_and_grad(lambda v: square_loss(alpha * apply(v, X), y) / alpha**2)
        if linear:
            bar = linear_model(apply, w0, X)  # h(w0) and Dh(w0)'s residuals, once per call
            vg_bar = jax.value_and_grad(lambda v: square_loss(alpha * bar(v), y) / alpha**2)

        def advance(w, div, k, value_grad):
            value, g = value_grad(w)
            bad = ~jnp.isfinite(value) & (div < 0)
            div = jnp.where(bad, k, div)
            live = div < 0
            w = jax.tree_util.tree_map(lambda v, gv: jnp.where(live, v - step * gv, v), w, g)
            return w, div

        def gd_step(_, carry):
            w, wb, div, div_bar, k = carry
            w, div = advance(w, div, k, vg)
            if linear:
                wb, div_bar = advance(wb, div_bar, k, vg_bar)
            return w, wb, div, div_bar, k + 1

        def record(carry, _):
            carry = jax.lax.fori_loop(0, every, gd_step, carry)
            return carry, _record(apply, keep, linear, w0, carry[0], carry[1], alpha, X, y,
                                  X_test, y_test)

        return jax.lax.scan(record, state, length=size)

    return jax.jit(jax.vmap(one, in_axes=(0, 0, 0, 0, None, None, None, None)))
