"""The gradient flows of F_alpha and of its linearisation from the same w0, integrated
together by diffrax, vmapped over initialisations and scales (Chizat et al. 2019, Section 2.3:
w' = -grad F_alpha(w), wbar' = -grad Fbar_alpha(wbar), w(0) = wbar(0) = w0)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from . import _batch
from ._centre import check_centred
from ._problem import check_alpha, check_problem, linear_model, square_loss


@dataclass(frozen=True)
class LazyPath:
    """Gradient flows of F_alpha and Fbar_alpha saved at `times`. Array fields have shape
    (B, A, T) for B initialisations (`batched=True`) and A scales, else (A, T).

    **Fields:**
    - `times`: (T,); `alpha`: (A,).
    - `dist_init`: ||w_alpha(t) - w0|| (Euclidean over all parameters).
    - `dist_linear`: ||w_alpha(t) - wbar_alpha(t)||.
    - `dist_output`: ||alpha h(w_alpha(t)) - alpha hbar(wbar_alpha(t))||_F on the training
      inputs (empirical norm, ||f||_F^2 = (1/n) sum_i |f(x_i)|^2).
    - `loss`, `loss_linear`: R(alpha h(w)), R(alpha hbar(wbar)) (F_alpha = loss / alpha^2).
    - `params`, `params_linear`: w and wbar at the last time (leaves (B, A, ...) or (A, ...)).
    - `ok`: whether the solver succeeded (False: max_steps hit or a non-finite state).
    - `num_steps`: solver steps taken.
    - `method`: solver and tolerances.
    - `t_stop`: the time each run ended: `times[-1]`, or earlier where the steady-state stop
      fired (`lazy_flow(..., steady_state=...)`); saves after it hold the steady state.
    """

    times: Float[np.ndarray, " T"]
    alpha: Float[np.ndarray, " A"]
    dist_init: np.ndarray
    dist_linear: np.ndarray
    dist_output: np.ndarray
    loss: np.ndarray
    loss_linear: np.ndarray
    params: object
    params_linear: object
    ok: np.ndarray
    num_steps: np.ndarray
    method: str
    t_stop: np.ndarray | None = None

    def sup(self, name: str) -> np.ndarray:
        """sup over the saved times of a distance field, e.g. `path.sup("dist_linear")`."""
        return np.max(getattr(self, name), axis=-1)


def lazy_flow(apply, params0, X, y, alpha, times, *, batched: bool = False,
              rtol: float = 1e-8, atol: float = 1e-10, max_steps: int = 100_000,
              theorem: str | None = None, steady_state: float | None = None) -> LazyPath:
    """Gradient flows of F_alpha(w) = R(alpha h(w)) / alpha^2 and of Fbar_alpha (the
    linearised model hbar, via jvp) from the same w0 (Chizat et al. 2019, eqs. of Section 2.3,
    Theorems 2.2 and 2.4), for every initialisation and scale in one compiled, vmapped program.

    **Arguments:**

    - `apply`: the model `apply(params, X)` -> (n,) or (n, O).
    - `params0`: w0, a pytree; with `batched=True` every leaf has a leading axis of B inits.
    - `X`, `y`: training inputs (n, d), targets of the model's output shape; R is the square
      loss (1/2n) sum_i |f(x_i) - y_i|^2.
    - `alpha`: a scale > 0 or a 1-D array of them.
    - `times`: save times (T,), non-decreasing, >= 0; the flow runs from 0 to times[-1]
      (the horizon), or until the steady state below.
    - `rtol`, `atol`: the PID step-size controller's tolerances (solver Tsit5, explicit
      Runge-Kutta 5(4): the flow's stiffness ~ ||Dh||^2 / n does not grow with alpha).
    - `max_steps`: solver step cap; a run that hits it (or a non-finite state) has ok False.
    - `theorem`: the name of a statement that assumes h(w0) = 0 (e.g. "Theorem 2.2"): if
      given, an uncentred w0 gives an `UncentredWarning` with ||h(w0)|| and how to centre.
    - `steady_state`: if given (> 0), each run also stops once its velocity is that small:
      sqrt(||grad F_alpha(w)||^2 + ||grad Fbar_alpha(wbar)||^2) < `steady_state` (diffrax's
      steady-state event, Euclidean norm over both flows). Keep it above the solver's noise
      floor (about `atol` times the flow's stiffness), or the stop may never fire.

    **Returns:** a `LazyPath` (`t_stop` gives where each run ended).

    **Example:**

    The diagonal network from w_+ = w_- = 1 on X = I with y* = (1, 1): its tangent kernel is
    8 I, so the linearised flow's loss is R(alpha hbar) = (1/2) exp(-8 t) whatever alpha,
    and Theorem 2.2's distances shrink like 1/alpha (to w0) and 1/alpha^2 (to the linearised
    flow):

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.lazy import diagonal_init, diagonal_net, lazy_flow
    >>> X, y = np.eye(2), np.array([1.0, 1.0])
    >>> path = lazy_flow(diagonal_net, diagonal_init(2), X, y, alpha=[1.0, 10.0, 100.0],
    ...                  times=[0.0, 0.25, 0.5], theorem="Theorem 2.2")
    >>> path.ok
    array([ True,  True,  True])
    >>> path.loss_linear.round(6)  # (1/2) exp(-8 t) = 0.5, 0.067668, 0.009158
    array([[0.5     , 0.067668, 0.009158],
           [0.5     , 0.067668, 0.009158],
           [0.5     , 0.067668, 0.009158]])
    >>> path.loss[:, -1].round(6)  # the model's own loss at t = 0.5 approaches it
    array([0.00758 , 0.00914 , 0.009158])
    >>> (path.alpha * path.sup("dist_init")).round(4)
    array([0.4311, 0.4323, 0.4323])
    >>> (path.alpha**2 * path.sup("dist_linear")).round(4)
    array([0.0456, 0.0467, 0.0467])

    ```
    """
    X, y = check_problem(apply, _batch.one(params0, batched), X, y)
    if theorem is not None:
        check_centred(apply, _batch.one(params0, batched), X, theorem=theorem)
    alphas = check_alpha(alpha)
    times = _validate.finite_array("times", times, ndim=1)
    if times[0] < 0 or (np.diff(times) < 0).any():
        raise ValueError(f"times must be >= 0 and non-decreasing, got {times}")
    rtol, atol = _validate.positive("rtol", rtol), _validate.positive("atol", atol)
    max_steps = _validate.integer("max_steps", max_steps, minimum=1)
    if steady_state is not None:
        steady_state = _validate.positive("steady_state", steady_state)
    p, a, _, shape = _batch.flatten(params0, batched, alphas, np.zeros(len(alphas)))
    run = _program(apply, rtol, atol, max_steps, steady_state)
    rec, final, final_bar, ok, steps, t_stop = run(p, a, X, y, jnp.asarray(times))
    rec = _batch.unflatten(rec, shape, batched)
    return LazyPath(times, alphas, rec["dist_init"], rec["dist_linear"], rec["dist_output"],
                    rec["loss"], rec["loss_linear"], _batch.unflatten(final, shape, batched),
                    _batch.unflatten(final_bar, shape, batched),
                    _batch.unflatten(ok, shape, batched), _batch.unflatten(steps, shape, batched),
                    f"diffrax Tsit5, PID controller rtol={rtol:g}, atol={atol:g}, "
                    f"max_steps={max_steps}"
                    + (f", steady-state stop at velocity {steady_state:g}" if steady_state
                       else ""),
                    _batch.unflatten(t_stop, shape, batched))


def _norm(tree) -> jax.Array:
    return jnp.sqrt(sum(jnp.sum(v * v) for v in jax.tree_util.tree_leaves(tree)))


@functools.lru_cache(maxsize=32)
def _program(apply, rtol, atol, max_steps, steady_state):
    def one(w0, alpha, X, y, times):
        bar = linear_model(apply, w0, X)

        def field(t, state, args):
            w, wb = state
            gw = jax.grad(lambda v: square_loss(alpha * apply(v, X), y))(w)
            gb = jax.grad(lambda v: square_loss(alpha * bar(v), y))(wb)
            scale = -1.0 / alpha**2
            return (jax.tree_util.tree_map(lambda g: scale * g, gw),
                    jax.tree_util.tree_map(lambda g: scale * g, gb))

        event = None if steady_state is None else diffrax.Event(
            diffrax.steady_state_event(rtol=0.0, atol=steady_state, norm=_norm))
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(field), diffrax.Tsit5(), t0=0.0, t1=times[-1], dt0=None,
            y0=(w0, w0), saveat=diffrax.SaveAt(ts=times, t1=True),
            stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
            max_steps=max_steps, throw=False, event=event)
        # diffrax writes the t1 save right after the last save reached, and fills the saves
        # after an early (steady-state) stop with inf: hold the stopped state there instead.
        last = jnp.sum(jnp.isfinite(sol.ts)) - 1
        t_stop = sol.ts[last]
        reached = times <= t_stop

        def held(v):
            mask = reached.reshape((-1,) + (1,) * (v.ndim - 1))
            return jnp.where(mask, v[:-1], v[last])

        ws, wbs = jax.tree_util.tree_map(held, sol.ys)
        rec = jax.vmap(lambda w, wb: _batch.metrics(apply, bar, X, y, alpha, w, wb, w0))(
            ws, wbs)
        last = jax.tree_util.tree_map(lambda v: v[-1], (ws, wbs))
        finished = ((sol.result == diffrax.RESULTS.successful)
                    | (sol.result == diffrax.RESULTS.event_occurred))
        ok = finished & jnp.all(jnp.isfinite(rec["loss"]))
        return rec, last[0], last[1], ok, sol.stats["num_steps"], t_stop

    return jax.jit(jax.vmap(one, in_axes=(0, 0, None, None, None)))
