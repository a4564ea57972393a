"""Gradient flow on a factorised model, W_j' = -grad_{W_j} L, with diffrax.

The flow is the object of Gunasekar et al.'s conjecture and of Arora et al.'s Theorem 3.
Two solvers: "tsit5" (explicit, adaptive; the default: its cost per step is one gradient,
while an implicit solver's dense Jacobian has (N n^2)^2 entries, 7e11 bytes at 100 x 100 x
depth 3) and "kvaerno5" (implicit, L-stable: small problems only, for stiff late phases).
An explicit adaptive solver can only resolve a loss above its noise floor: pick `stop_loss`
well above rtol^2 * ||y||^2 / m.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jaxtyping import Float

from .. import _validate
from . import _checks
from ._descent import _loss, training_loss
from ._models import Factorisation
from ._problems import Completion, Sensing

SOLVERS = {"tsit5": diffrax.Tsit5, "kvaerno5": diffrax.Kvaerno5}


@dataclass(frozen=True)
class FlowPath:
    """Gradient flow saved at given times.

    **Fields:**
    - `times`: the save times reached, shape (T,); if `stop_loss` fired, the save times
      before it and then the event time.
    - `matrices`: the end-to-end matrix at each time, shape (T, n1, n2).
    - `losses`: the training loss there, shape (T,).
    - `model`: the factorisation at the last saved time.
    - `stopped_at`: the time the loss crossed `stop_loss`, located on the solver's dense
      interpolant to |log(loss / stop_loss)| < 1e-3; the returned state's loss can differ
      from it by the interpolant's error (measured: 1.4e-3 in log loss at stop_loss 1e-16,
      rtol 1e-12). None if it did not cross, or no `stop_loss` was given.
    - `num_steps`: solver steps taken.
    - `method`: the solver and tolerances, for captions.
    """

    times: Float[np.ndarray, " T"]
    matrices: Float[np.ndarray, "T n1 n2"]
    losses: Float[np.ndarray, " T"]
    model: Factorisation
    stopped_at: float | None
    num_steps: int
    method: str


@functools.partial(jax.jit, static_argnames=("solver", "max_steps", "stop"))
def _solve(model, problem, scale, times, rtol, atol, stop_loss, *, solver, max_steps, stop):
    grad = jax.grad(training_loss)

    def field(t, params, args):
        return jax.tree_util.tree_map(jnp.negative, grad(params, problem, scale))

    # A real-valued condition, so that the crossing is located by a root finder (a boolean
    # one only stops at the end of the step), in logs (the loss falls exponentially). Without
    # `stop` there is no event (and a smaller program to compile).
    tiny = jnp.finfo(jnp.float64).tiny

    def condition(t, y, args, **kw):
        gap = (jnp.log(jnp.maximum(training_loss(y, problem, scale), tiny))
               - jnp.log(jnp.maximum(stop_loss, tiny)))
        return gap

    # Bracketed by the step's two ends (Newton from the step's end on the interpolant can
    # leave the step), to a gap |log(loss / stop_loss)| < 1e-3: near a small stop_loss the
    # interpolant's error (rtol |U|) is a sizeable part of the residual, so a tighter gap is
    # below its noise and the root finder never terminates.
    event = (diffrax.Event(condition, root_finder=optx.Bisection(rtol=1e-10, atol=1e-3))
             if stop else None)
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(field), SOLVERS[solver](), t0=0.0, t1=times[-1], dt0=None, y0=model,
        saveat=diffrax.SaveAt(ts=times, t1=True),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps, event=event, throw=False,
    )
    mats = jax.vmap(lambda m: m.matrix())(sol.ys)
    losses = jax.vmap(lambda m: training_loss(m, problem, scale))(sol.ys)
    return sol.ts, mats, losses, sol.ys, sol.stats["num_steps"], sol.result


def gradient_flow(problem: Sensing | Completion, model: Factorisation,
                  times: Float[np.ndarray, " T"], *, loss: str = "mean",
                  stop_loss: float | None = None, solver: str = "tsit5", rtol: float = 1e-10,
                  atol: float = 1e-12, max_steps: int = 100_000) -> FlowPath:
    """Integrate the gradient flow of L(W_1, ..., W_N) = scale * ||A(W) - y||^2.

    **Arguments:**
    - `problem`, `model`: as for `gradient_descent`.
    - `times`: increasing save times > 0 (the last is the end time).
    - `loss`: "mean" or "sum" (the flow's time scale differs by m).
    - `stop_loss`: stop (diffrax event) once the loss falls below this, if given.
    - `solver`: "tsit5" or "kvaerno5" (module docstring); `rtol`, `atol`: PID tolerances.
    - `max_steps`: solver steps allowed.

    **Returns:** a `FlowPath`.

    **Raises:** `RuntimeError` with diffrax's result if the solve fails (e.g. max_steps).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.matrix import completion, deep_factors, gradient_flow
    >>> problem = completion([0, 0, 1], [0, 1, 0], (2, 2), np.array([2.0, 1.0, 1.0]))
    >>> model = deep_factors(0, n=2, depth=2, scale=1e-6)
    >>> path = gradient_flow(problem, model, np.array([10.0, 100.0]))
    >>> path.times, bool(path.losses[-1] < 1e-12), path.matrices[-1].round(4)
    (array([ 10., 100.]), True, array([[2. , 1. ],
           [1. , 0.5]]))

    ```
    """
    problem = _checks.problem(problem)
    model = _checks.model(model, problem.shape)
    times = _validate.finite_array("times", times, ndim=1)
    if times[0] <= 0 or np.any(np.diff(times) <= 0):
        raise ValueError(f"times must be increasing and > 0, got {times}")
    if loss not in ("sum", "mean"):
        raise ValueError(f"loss must be 'sum' or 'mean', got {loss!r}")
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {tuple(SOLVERS)}, got {solver!r}")
    rtol, atol = _validate.positive("rtol", rtol), _validate.positive("atol", atol)
    max_steps = _validate.integer("max_steps", max_steps, minimum=1)
    stop = 0.0 if stop_loss is None else _validate.positive("stop_loss", stop_loss)
    scale = 1.0 if loss == "sum" else 1.0 / len(problem.y)
    _validate.finite_result(_loss(model, problem, scale), names="problem and model",
                            what="the initial training loss")
    problem = jax.tree_util.tree_map(jnp.asarray, problem)
    ts, mats, losses, ys, steps, result = _solve(
        model, problem, scale, jnp.asarray(times), rtol, atol, stop, solver=solver,
        max_steps=max_steps, stop=stop_loss is not None)
    if result != diffrax.RESULTS.successful and result != diffrax.RESULTS.event_occurred:
        raise RuntimeError(f"gradient_flow: diffrax failed ({result}) after {int(steps)} "
                           f"steps with {solver}, rtol={rtol:g}, atol={atol:g}")
    ts, mats, losses = np.asarray(ts), np.asarray(mats), np.asarray(losses)
    stopped = result == diffrax.RESULTS.event_occurred
    # SaveAt(ts, t1=True): after an event diffrax writes the state at the event time into
    # the next slot and inf after it; without one, the t1 slot repeats the last time.
    keep = np.isfinite(ts)
    if not stopped:
        keep[-1] = False
    last = jax.tree_util.tree_map(lambda a: a[int(np.flatnonzero(keep)[-1])], ys)
    return FlowPath(ts[keep], mats[keep], losses[keep], last,
                    float(ts[keep][-1]) if stopped else None, int(steps),
                    f"gradient flow, diffrax {solver} (PID rtol={rtol:g}, atol={atol:g})")
