"""Plain gradient descent on a factorised model, compiled (`lax.scan` in chunks), with the
singular values of the end-to-end matrix recorded at every chunk boundary."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from .._progress import progress_bar
from . import _checks
from ._models import Factorisation
from ._problems import Completion, Sensing


@dataclass(frozen=True)
class DescentResult:
    """The outcome of `gradient_descent`.

    **Fields:**
    - `model`: the factorisation after the last step.
    - `matrix`: its end-to-end matrix, shape (n1, n2).
    - `losses`: the training loss after every step run, shape (steps_run,).
    - `times`: the step counts at which `singular_values` were recorded (0 first).
    - `singular_values`: the top singular values there, shape (len(times), k).
    - `steps_run`, `step`, `loss`, `optimizer`: as run ("sum" or "mean" normalisation;
      "gd" or "group_rmsprop").
    - `converged`: whether the loss went below `stop_loss` (None if none was given).
    - `records`: `record(W)` at each of `times`, shape (len(times), k) (None without
      `record`).
    """

    model: Factorisation
    matrix: Float[np.ndarray, "n1 n2"]
    losses: Float[np.ndarray, " k"]
    times: np.ndarray
    singular_values: Float[np.ndarray, "r k"]
    steps_run: int
    step: float
    loss: str
    optimizer: str
    converged: bool | None
    records: np.ndarray | None = None


def training_loss(model: Factorisation, problem: Sensing | Completion, scale: float):
    """scale * sum_i (A(W)_i - y_i)^2 (scale 1: Gunasekar's sum; 1/m: Arora's mean).

    Called on concrete values, the arguments are checked (ValueErrors naming them); traced
    inside jit / grad, they are not.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, symmetric_factor, training_loss
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.ones(3))
    >>> model = symmetric_factor(0, n=2, d=2, scale=1.0, init="balanced")
    >>> round(float(training_loss(model, problem, scale=1.0)), 6)
    2.0

    ```
    """
    if _checks.traced(model, problem, scale):
        return _loss(model, problem, scale)
    problem = _checks.problem(problem)
    model = _checks.model(model, problem.shape)
    scale = _validate.positive("scale", scale)
    return _validate.finite_result(_loss(model, problem, scale),
                                   names="model, problem, scale", what="the training loss")


def _loss(model, problem, scale):
    r = problem.measure(model.matrix()) - problem.y
    return scale * jnp.sum(r * r)


def _scan(state, problem, scale, step, active, stop_loss, decay, eps, *, chunk, adaptive):
    """`chunk` steps; step i runs only if i < active and no earlier step stopped. The state
    carries the running average v of ||grad||^2 and the step count k (`adaptive` only)."""
    value_and_grad = jax.value_and_grad(training_loss)

    def body(carry, i):
        model, g, done, v, k = carry
        rate = step
        if adaptive:  # GroupRMSprop (Arora et al.'s opt.py): one scalar for all factors
            squared = sum(jnp.sum(q * q) for q in jax.tree_util.tree_leaves(g))
            v_new, k_new = decay * v + (1 - decay) * squared, k + 1
            rate = step / (jnp.sqrt(v_new / (1 - decay**k_new)) + eps)
        else:
            v_new, k_new = v, k + 1
        new = jax.tree_util.tree_map(lambda p, q: p - rate * q, model, g)
        value, g_new = value_and_grad(new, problem, scale)
        run = (i < active) & ~done
        stop = (value < stop_loss) | ~jnp.isfinite(value)
        pick = functools.partial(jax.tree_util.tree_map, lambda a, b: jnp.where(run, a, b))
        carry = (pick(new, model), pick(g_new, g), done | (run & stop), pick(v_new, v),
                 pick(k_new, k))
        return carry, (value, run)

    return jax.lax.scan(body, state, jnp.arange(chunk))


_chunk = jax.jit(_scan, static_argnames=("chunk", "adaptive"))


def gradient_descent(problem: Sensing | Completion, model: Factorisation, *, step: float,
                     steps: int, loss: str = "mean", stop_loss: float | None = None,
                     chunk: int = 1000, top: int = 10, optimizer: str = "gd",
                     decay: float = 0.99, eps: float = 1e-4, progress: bool = False,
                     record: Callable[[np.ndarray], np.ndarray] | None = None
                     ) -> DescentResult:
    """Gradient descent W_j <- W_j - step * grad_{W_j} L on a factorised model.

    Gunasekar et al. (2017) (U U^T, sum loss) and Arora et al. (2019) (W_N ... W_1, mean
    loss over observations, stop at train loss 1e-6). `optimizer="gd"` is plain GD with a
    fixed step; `optimizer="group_rmsprop"` is the optimiser of Arora et al.'s code
    (`opt.py`, GroupRMSprop, lr 1e-3, eps 1e-4): every factor moves along its gradient
    with the one scalar step lr / (sqrt(v_k / (1 - decay^k)) + eps), where
    v_k = decay v_{k-1} + (1 - decay) sum_j ||grad_{W_j}||^2, v_0 = 0.

    **Arguments:**
    - `problem`: a `Sensing` or `Completion` problem.
    - `model`: the initial `Factorisation` (its shape must match the problem).
    - `step`: the step size > 0; `steps`: the most steps to run.
    - `loss`: "mean" (1/m sum) or "sum".
    - `stop_loss`: stop after the first step whose loss is below this, if given.
    - `chunk`: steps per compiled call; singular values are recorded every chunk.
    - `top`: how many of the largest singular values to record.
    - `optimizer`: "gd" or "group_rmsprop" (then `step` is its lr); `decay`, `eps`: the
      GroupRMSprop constants.
    - `progress`: show a progress bar.
    - `record`: a function of the end-to-end matrix (NumPy, (n1, n2)) returning a 1-D array,
      called where the singular values are recorded (e.g. `gradient_alignment`'s summary).

    **Returns:** a `DescentResult`.

    **Raises:** `FloatingPointError` if the loss becomes non-finite (step too large).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, deep_factors, gradient_descent
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.array([2.0, 1.0, 1.0]))
    >>> model = deep_factors(0, n=2, depth=2, scale=1e-6)
    >>> result = gradient_descent(problem, model, step=0.2, steps=1000, stop_loss=1e-12, chunk=100)
    >>> result.converged, result.matrix.round(4)
    (True, array([[2. , 1. ],
           [1. , 0.5]]))

    ```
    """
    problem, model, step, steps, stop_loss, chunk, top, decay, eps = _options(
        problem, model, step, steps, loss, stop_loss, chunk, top, optimizer, decay, eps)
    scale = 1.0 if loss == "sum" else 1.0 / len(problem.y)
    problem = jax.tree_util.tree_map(jnp.asarray, problem)
    value, g = jax.value_and_grad(training_loss)(model, problem, scale)
    state = (model, g, jnp.asarray(stop_loss is not None and bool(value < stop_loss)),
             jnp.asarray(0.0, jnp.float64), jnp.asarray(0, jnp.int64))  # strong: one program
    threshold = -np.inf if stop_loss is None else stop_loss
    if record is not None and not callable(record):
        raise ValueError(f"record must be callable or None, got {type(record).__name__}")
    losses, times, sigmas = [], [0], [_top(model, top)]
    records = [] if record is None else [_record(record, model)]
    done = 0
    with progress_bar("gradient descent", steps, progress, show_loss=True) as update:
        while done < steps and not bool(state[2]):
            state, (values, ran) = _chunk(state, problem, scale, step, steps - done,
                                          threshold, decay, eps, chunk=chunk,
                                          adaptive=optimizer == "group_rmsprop")
            values = np.asarray(values)[np.asarray(ran)]
            bad = ~np.isfinite(values)
            if bad.any():
                first = done + int(np.argmax(bad)) + 1
                raise _checks.DivergenceError(f"GD diverged at step {first} with step={step:g};"
                                              " try a smaller step")
            losses.append(values)
            done += len(values)
            times.append(done)
            sigmas.append(_top(state[0], top))
            if record is not None:
                records.append(_record(record, state[0]))
            update(completed=done, loss=f"{values[-1]:.3e}" if len(values) else "-")
    converged = None if stop_loss is None else bool(state[2])
    return DescentResult(state[0], np.asarray(state[0].matrix()),
                         np.concatenate(losses) if losses else np.zeros(0), np.array(times),
                         np.array(sigmas), done, step, loss, optimizer, converged,
                         None if record is None else np.array(records))


def _record(record, model: Factorisation) -> np.ndarray:
    value = np.asarray(record(np.asarray(model.matrix())), dtype=float)
    if value.ndim != 1:
        raise ValueError(f"record must return a 1-D array, got shape {value.shape}")
    return value


def _top(model: Factorisation, k: int) -> np.ndarray:
    return np.linalg.svd(np.asarray(model.matrix()), compute_uv=False)[:k]


def _options(problem, model, step, steps, loss, stop_loss, chunk, top, optimizer, decay, eps,
             model_name: str = "model"):
    """Validate `gradient_descent`'s arguments (shared with `gradient_descent_batch`, which
    names each member `models[k]`)."""
    problem = _checks.problem(problem)
    model = _checks.model(model, problem.shape, model_name)
    step, steps, loss, stop_loss, chunk = _validate.descent_options(step, steps, loss, stop_loss,
                                                                    chunk)
    top = _validate.integer("top", top, minimum=1)
    _validate.choice("optimizer", optimizer, ("gd", "group_rmsprop"))
    decay = _validate.positive("decay", decay)
    if decay >= 1:
        raise ValueError(f"decay must be in (0, 1), got {decay}")
    eps = _validate.positive("eps", eps)
    scale = 1.0 if loss == "sum" else 1.0 / len(problem.y)
    _validate.finite_result(_loss(model, problem, scale), names=f"problem and {model_name}",
                            what="the initial training loss")
    return problem, model, step, steps, stop_loss, chunk, top, decay, eps
