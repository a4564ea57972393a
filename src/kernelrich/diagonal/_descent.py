"""Gradient descent and minibatch SGD on a depth-D diagonal network, with any step schedule.

Every public reproduction of Woodworth et al. (2020) approximates the gradient flow by GD
with a small step on the parameters w = (w_+, w_-), beta = w_+^D - w_-^D. Its distance to
the flow at time t = k * step is O(step) (sum normalisation); `gradient_flow` computes the
flow itself. With `batch_size` < N this is the SGD of Pesme et al. (2021) and Even et al.
(2023), whose limit `effective_initialisation` characterises (D = 2). The steps run in the
compiled engine of `_sgd`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from .._progress import progress_bar
from . import _sgd


@dataclass(frozen=True)
class GDResult:
    """The outcome of `gradient_descent`.

    **Fields:**
    - `beta`: w_+^D - w_-^D after the last step, shape (d,).
    - `w_plus`, `w_minus`: the parameters after the last step, shape (d,) each.
    - `losses`: the (full-batch) training loss after every step run, in the chosen
      normalisation, shape (steps_run,).
    - `steps_run`: steps taken (fewer than asked if `stop_loss` was reached).
    - `step`: the step size (a number), or the step sizes used, shape (steps_run,), for a
      schedule.
    - `loss`: the normalisation, "sum" or "mean".
    - `converged`: whether the loss went below `stop_loss` (None if none was given).
    - `batch_size`: b (N for full-batch GD); `replace`, `seed`: how batches were drawn.
    - `log_alpha_plus`, `log_alpha_minus`: D = 2 only (else None): log alpha_+- with
      w_+- = alpha_+- exp(-+ X^T mu) (see `effective_initialisation`), shape (d,).
    - `mu`: D = 2 only: the accumulated sum_k 4 gamma_k s m_k * r_k, shape (N,).
    - `loss_integral`: sum_k gamma_k L(w_k), the integral of the loss along the run.
    - `sharpness`: the largest Gauss-Newton sharpness lambda_max(2 s J^T J) met along the run
      (J the Jacobian of the predictions in w; the loss Hessian's top eigenvalue at an
      interpolator), by warm-started power iteration; None unless `sharpness=True`.
    - `loss_increases`: steps after which the full loss was larger than before.
    - `init`: the initialisation alpha * w0, shape (d,).
    """

    beta: Float[np.ndarray, " d"]
    w_plus: Float[np.ndarray, " d"]
    w_minus: Float[np.ndarray, " d"]
    losses: Float[np.ndarray, " k"]
    steps_run: int
    step: float | np.ndarray
    loss: str
    converged: bool | None
    batch_size: int | None = None
    replace: bool = False
    seed: int = 0
    log_alpha_plus: np.ndarray | None = None
    log_alpha_minus: np.ndarray | None = None
    mu: np.ndarray | None = None
    loss_integral: float = float("nan")
    sharpness: float | None = None
    loss_increases: int = 0
    init: np.ndarray | None = None


def step_schedule(step: object) -> Callable[[np.ndarray], np.ndarray]:
    """`step` as a function of step indices k = 0, 1, ...: a positive number (constant), a
    1-D array (step k uses step[k]) or a callable k -> steps (vectorised over an int array).
    The values are checked when used: positive and finite, or a ValueError naming k."""
    if callable(step):
        fn = step
    elif np.ndim(step) == 0:
        value = _validate.positive("step", step)

        def fn(k):
            return np.full(len(k), value)
    else:
        table = _validate.finite_array("step", step, ndim=1)

        def fn(k):
            if k[-1] >= len(table):
                raise ValueError(f"step has {len(table)} entries but step {k[-1]} was asked "
                                 "for: give at least `steps` entries")
            return table[k]

    def checked(k: np.ndarray) -> np.ndarray:
        try:
            values = np.asarray(fn(k), dtype=np.float64)
        except ValueError:
            raise
        except Exception as err:
            raise ValueError(f"step(k) raised {type(err).__name__}: {err}") from err
        if values.shape != k.shape:
            raise ValueError(f"step(k) must return one step per index, got shape "
                             f"{values.shape} for {k.shape}")
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"step must be finite and > 0, got {values[i]} at step k={k[i]}")
        return values

    return checked


def batch_options(batch_size: object, N: int, replace: object, seed: object
                  ) -> tuple[int, bool, bool, int]:
    """(b, replace, stochastic, seed): b in 1..N (default N); stochastic unless b = N without
    replacement (full-batch GD)."""
    b = N if batch_size is None else _validate.integer("batch_size", batch_size, minimum=1)
    if b > N:
        raise ValueError(f"batch_size must be <= N = {N} (the number of samples), got {b}")
    if not isinstance(replace, bool | np.bool_):
        raise ValueError(f"replace must be True or False, got {replace!r}")
    seed = _validate.integer("seed", seed, minimum=0)
    return b, bool(replace), bool(replace or b < N), seed


def gradient_descent(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float,
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    step: float | Float[np.ndarray, " K"] | Callable[[np.ndarray], np.ndarray],
    steps: int,
    loss: str = "sum",
    stop_loss: float | None = None,
    chunk: int = 1000,
    progress: bool = False,
    batch_size: int | None = None,
    replace: bool = False,
    seed: int = 0,
    sharpness: bool = False,
) -> GDResult:
    """(Stochastic) gradient descent on the depth-D diagonal network from w_+ = w_- = alpha w0.

    Woodworth et al. (2020): w <- w - step_k * grad L(w) with
    L(w) = sum_n (<w_+^D - w_-^D, x_n> - y_n)^2 (`loss="sum"`, the flow's normalisation:
    k steps approximate `gradient_flow` at t = k * step) or L(w) / N (`loss="mean"`, "GD on
    the MSE", the same iterates as `"sum"` with step / N). With `batch_size` b < N (or
    `replace=True`), each step uses the unbiased minibatch loss (N/b) s sum_{n in B_k} r_n^2
    of a fresh batch B_k (Pesme et al. 2021; Even et al. 2023): b distinct samples, or b
    draws with replacement; `seed` fixes the draws. Runs `chunk` steps per compiled call
    (`lax.scan`); new alpha, step or seed values reuse the compiled code.

    **Arguments:**
    - `X`, `y`: the data, shapes (N, d) and (N,).
    - `alpha`: the initialisation scale, > 0.
    - `depth`: D >= 2.
    - `w0`: the initialisation shape (positive, length d); default all ones.
    - `step`: the step size, > 0: a number, an array (step k uses `step[k]`) or a callable
      k -> step sizes for an int array of k (a schedule).
    - `steps`: the most steps to run, >= 1.
    - `loss`: "sum" or "mean", the normalisation of the loss (and of `losses`, `stop_loss`).
    - `stop_loss`: stop after the first step whose (full) loss is below this, if given.
    - `chunk`: steps per compiled call (static; progress and stopping are checked per call,
      though the stop itself is exact to the step).
    - `progress`: show a rich progress bar.
    - `batch_size`: b in 1..N; default N (full batch).
    - `replace`: draw each batch with replacement.
    - `seed`: the seed of the batch draws (a JAX PRNG key per run, split at every step).
    - `sharpness`: track the Gauss-Newton sharpness (two more products with X per step).

    **Returns:** a `GDResult`.

    **Raises:** `FloatingPointError` if the loss or the parameters become non-finite (the
    step is too large), naming the step; `ValueError` for bad arguments (e.g. a batch size
    larger than N).

    **Example:**

    k steps of size eta follow the flow at t = k eta to first order in eta: ten times smaller
    steps, ten times closer to `gradient_flow` at t = 1:

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.diagonal import gradient_descent, gradient_flow
    >>> X, y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), np.array([1.0, 0.75])
    >>> flow = gradient_flow(X, y, 0.1, times=np.array([0.0, 1.0, 40.0]))
    >>> for eta in (1e-2, 1e-3):
    ...     run = gradient_descent(X, y, 0.1, step=eta, steps=round(1 / eta))
    ...     print(run.steps_run, f"{np.abs(run.beta - flow.beta[1]).max():.1e}")
    100 3.1e-03
    1000 3.1e-04

    ```
    """
    X, y, alpha, depth, w0 = _validate.diagonal_run(X, y, alpha, depth, w0)
    schedule = step_schedule(step)
    constant = not callable(step) and np.ndim(step) == 0
    _, steps, loss, stop_loss, chunk = _validate.descent_options(
        step if constant else 1.0, steps, loss, stop_loss, chunk)
    b, replace, stochastic, seed = batch_options(batch_size, len(y), replace, seed)

    scale = 1.0 if loss == "sum" else 1.0 / len(y)
    threshold = -np.inf if stop_loss is None else stop_loss
    Xj, yj = jnp.asarray(X), jnp.asarray(y)
    state = _sgd.initial(Xj, yj, jnp.asarray(alpha * w0), depth, scale,
                         jax.random.PRNGKey(seed), threshold)
    states = jax.tree_util.tree_map(lambda a: a[None], state)
    losses: list[np.ndarray] = []
    used: list[np.ndarray] = []
    done = 0
    with progress_bar("gradient descent", steps, progress, show_loss=True) as update:
        while done < steps and not bool(states.done[0]):
            active = min(chunk, steps - done)
            factor = schedule(np.arange(done, done + active))
            padded = np.concatenate([factor, np.ones(chunk - active)])
            states, (values, ran) = _sgd.sgd_chunk(
                states, Xj, yj, scale, jnp.ones(1), jnp.asarray(padded), jnp.asarray([b]),
                active, threshold, depth=depth, stochastic=stochastic, replace=replace,
                track=sharpness, record=True)
            ran = np.asarray(ran)[0]
            values = np.asarray(values)[0][ran]
            _check_finite(values, done, factor)
            losses.append(values)
            used.append(factor[: len(values)])
            done += len(values)
            update(completed=done, loss=f"{values[-1]:.3e}" if len(values) else "-")
    s = jax.tree_util.tree_map(lambda a: np.asarray(a)[0], states)
    losses = np.concatenate(losses) if losses else np.zeros(0)
    converged = None if stop_loss is None else bool(s.done)
    two = depth == 2
    log_a = np.log(alpha) + np.log(w0)
    return GDResult(
        s.w[0] ** depth - s.w[1] ** depth, s.w[0], s.w[1], losses, done,
        float(step) if constant else (np.concatenate(used) if used else np.zeros(0)), loss,
        converged, b, replace, seed,
        log_a + s.log_gain[0] if two else None, log_a + s.log_gain[1] if two else None,
        s.mu if two else None, float(s.integral),
        float(s.sharpness) if sharpness else None, int(s.increases), alpha * w0)


def _check_finite(values: np.ndarray, done: int, steps: np.ndarray) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise FloatingPointError(
            f"GD diverged at step {done + i + 1} with step={steps[i]:g} (loss {values[i]}); "
            "try a smaller step"
        )
