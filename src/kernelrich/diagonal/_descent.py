"""Plain gradient descent on a depth-D diagonal network: what public code runs.

Every public reproduction of Woodworth et al. (2020) approximates the gradient flow by GD
with a small step on the parameters w = (w_+, w_-), beta = w_+^D - w_-^D. Its distance to
the flow at time t = k * step is O(step) (sum normalisation); `gradient_flow` computes the
flow itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from .._progress import progress_bar


@dataclass(frozen=True)
class GDResult:
    """The outcome of `gradient_descent`.

    **Fields:**
    - `beta`: w_+^D - w_-^D after the last step, shape (d,).
    - `w_plus`, `w_minus`: the parameters after the last step, shape (d,) each.
    - `losses`: the training loss after every step run, in the chosen normalisation,
      shape (steps_run,).
    - `steps_run`: steps taken (fewer than asked if `stop_loss` was reached).
    - `step`: the step size.
    - `loss`: the normalisation, "sum" or "mean".
    - `converged`: whether the loss went below `stop_loss` (None if none was given).
    """

    beta: Float[np.ndarray, " d"]
    w_plus: Float[np.ndarray, " d"]
    w_minus: Float[np.ndarray, " d"]
    losses: Float[np.ndarray, " k"]
    steps_run: int
    step: float
    loss: str
    converged: bool | None


def _loss(w, X, y, scale, depth):
    r = X @ (w[0] ** depth - w[1] ** depth) - y
    return scale * jnp.sum(r * r)


@functools.partial(jax.jit, static_argnames=("depth", "chunk"))
def _chunk(state, X, y, scale, step, active, stop_loss, *, depth, chunk):
    """`chunk` GD steps; step i runs only if i < active and no earlier step stopped
    (loss < stop_loss or non-finite). Returns the new state, the losses, and which ran."""
    value_and_grad = jax.value_and_grad(_loss)

    def body(carry, i):
        w, g, done = carry
        w_new = w - step * g
        value, g_new = value_and_grad(w_new, X, y, scale, depth)
        run = (i < active) & ~done
        stop = (value < stop_loss) | ~jnp.isfinite(value)
        carry = (jnp.where(run, w_new, w), jnp.where(run, g_new, g), done | (run & stop))
        return carry, (value, run)

    return jax.lax.scan(body, state, jnp.arange(chunk))


def gradient_descent(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float,
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    step: float,
    steps: int,
    loss: str = "sum",
    stop_loss: float | None = None,
    chunk: int = 1000,
    progress: bool = False,
) -> GDResult:
    """Gradient descent on the depth-D diagonal network from w_+ = w_- = alpha * w0.

    Woodworth et al. (2020): w <- w - step * grad L(w) with
    L(w) = sum_n (<w_+^D - w_-^D, x_n> - y_n)^2 (`loss="sum"`, the flow's normalisation:
    k steps approximate `gradient_flow` at t = k * step) or L(w) / N (`loss="mean"`, "GD on
    the MSE", the same iterates as `"sum"` with step / N). Runs `chunk` steps per compiled
    call (`lax.scan`); new alpha or step values reuse the compiled code.

    **Arguments:**
    - `X`, `y`: the data, shapes (N, d) and (N,).
    - `alpha`: the initialisation scale, > 0.
    - `depth`: D >= 2.
    - `w0`: the initialisation shape (positive, length d); default all ones.
    - `step`: the step size, > 0.
    - `steps`: the most steps to run, >= 1.
    - `loss`: "sum" or "mean", the normalisation of the loss (and of `losses`, `stop_loss`).
    - `stop_loss`: stop after the first step whose loss is below this, if given.
    - `chunk`: steps per compiled call (static; progress and stopping are checked per call,
      though the stop itself is exact to the step).
    - `progress`: show a rich progress bar.

    **Returns:** a `GDResult`.

    **Raises:** `FloatingPointError` if the loss becomes non-finite (the step is too large).
    """
    X, y = _validate.design(X, y)
    _validate.bounded("X", X), _validate.bounded("y", y)
    alpha = _validate.positive("alpha", alpha)
    depth = _validate.integer("depth", depth, minimum=2)
    w0 = _validate.init_shape(w0, X.shape[1])
    step, steps, loss, stop_loss, chunk = _validate.descent_options(step, steps, loss, stop_loss,
                                                                    chunk)

    scale = 1.0 if loss == "sum" else 1.0 / len(y)
    X, y = jnp.asarray(X), jnp.asarray(y)
    w = jnp.asarray(np.stack([alpha * w0, alpha * w0]))
    value, g = jax.value_and_grad(_loss)(w, X, y, scale, depth)
    state = (w, g, jnp.asarray(stop_loss is not None and bool(value < stop_loss)))
    threshold = -np.inf if stop_loss is None else stop_loss
    losses: list[np.ndarray] = []
    done = 0
    with progress_bar("gradient descent", steps, progress, show_loss=True) as update:
        while done < steps and not bool(state[2]):
            state, (values, ran) = _chunk(state, X, y, scale, step, steps - done, threshold,
                                          depth=depth, chunk=chunk)
            values = np.asarray(values)[np.asarray(ran)]
            _check_finite(values, done, step)
            losses.append(values)
            done += len(values)
            update(completed=done, loss=f"{values[-1]:.3e}" if len(values) else "-")
    losses = np.concatenate(losses) if losses else np.zeros(0)
    w = np.asarray(state[0])
    converged = None if stop_loss is None else bool(state[2])
    return GDResult(w[0] ** depth - w[1] ** depth, w[0], w[1], losses, done, step, loss,
                    converged)


def _check_finite(values: np.ndarray, done: int, step: float) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        k = done + int(np.argmax(bad)) + 1
        raise FloatingPointError(
            f"GD diverged at step {k} with step={step:g} (loss {values[bad][0]}); "
            "try a smaller step"
        )
