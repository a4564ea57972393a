"""The particle gradient flow x_i' = -m^(2 gamma - 1) grad_{x_i} J_m, integrated to a stated
tolerance by an adaptive Runge-Kutta method (Chizat & Bach 2018, Section 2.3)."""

from __future__ import annotations

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Float

from .. import _validate
from ._descent import extras
from ._model import ParticleModel, objective, velocity
from ._particles import Particles, check_particles, check_scaling
from ._path import ParticlePath


def _check_times(times: object) -> np.ndarray:
    times = _validate.finite_array("times", times, ndim=1)
    if times[0] < 0 or (np.diff(times) <= 0).any():
        raise ValueError(f"times must be >= 0 and increasing, got {_validate._show(times)}")
    return times


@eqx.filter_jit
def _solve(model, init, times, gamma: float, decay: float, beta: float, rtol: jax.Array,
           atol: jax.Array, max_steps: int):
    def field(t, x, args):
        return velocity(model, x, gamma, decay, beta)[1]

    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(field),
        diffrax.Tsit5(),
        t0=0.0,
        t1=times[-1],
        dt0=None,
        y0=init,
        saveat=diffrax.SaveAt(ts=times),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps,
        throw=False,
    )
    values = eqx.filter_vmap(lambda x: objective(model, x, gamma, decay))(sol.ys)
    return sol.ys, values, sol.result == diffrax.RESULTS.successful, sol.stats["num_steps"]


def particle_flow(
    model: ParticleModel,
    init: Particles,
    *,
    times: Float[np.ndarray, " T"],
    scaling: str = "mean-field",
    weight_decay: float = 0.0,
    position_rate: float = 1.0,
    rtol: float = 1e-9,
    atol: float = 1e-11,
    max_steps: int = 200_000,
    throw: bool = True,
) -> ParticlePath:
    """The particle gradient flow of J_m in mean-field time, to a stated tolerance.

    Chizat & Bach (2018), Section 2.3: x_i' = -m grad_{x_i} J_m(x) (gamma = 1; the factor
    is m^(2 gamma - 1) in general, see `particle_descent`), integrated by diffrax's Tsit5
    (5th order) with a PID step-size controller. This is the object of the paper's theorems;
    `particle_descent` is its explicit Euler discretisation. For ReLU the field is only
    piecewise smooth (a kink when a neuron's hyperplane crosses a sample) and the controller
    shortens its steps there.

    **Arguments:**

    - `model`, `init`, `scaling`, `weight_decay`, `position_rate`: as `particle_descent`.
    - `times`: save times, increasing, >= 0, in mean-field time.
    - `rtol`, `atol`: the controller's tolerances on the particles.
    - `max_steps`: solver steps allowed.
    - `throw`: raise `RuntimeError` if the solver stops before `times[-1]` (max_steps reached,
      or a non-finite field); if False the path is returned with `result` saying why (and
      `ok` False), its records after the stop not finite.

    **Returns:** a `ParticlePath` saved at `times` (`step` is None, `curve` equals `loss`).

    **Example:**

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.meanfield import init_sphere, particle_flow, teacher_student
    >>> model, teacher = teacher_student(jax.random.key(0), d=2, m0=2, n=10, activation="sigmoid")
    >>> init = init_sphere(jax.random.key(1), m=10, p=2, radius=0.1)
    >>> path = particle_flow(model, init, times=np.array([0.0, 10.0, 20.0]))
    >>> path.ok, path.loss.round(6)
    (True, array([0.008239, 0.007557, 0.007482]))

    ```
    """
    init = check_particles("init", init)
    times = _check_times(times)
    gamma = check_scaling(scaling)
    decay = _validate.nonnegative("weight_decay", weight_decay)
    beta = _validate.positive("position_rate", position_rate)
    rtol = _validate.positive("rtol", rtol)
    atol = _validate.positive("atol", atol)
    max_steps = _validate.integer("max_steps", max_steps, minimum=1)
    ys, values, ok, num_steps = _solve(model, init, jnp.asarray(times), gamma, decay, beta,
                                       jnp.asarray(rtol), jnp.asarray(atol), max_steps)
    result = "successful" if bool(ok) else (
        f"the solver stopped before t={times[-1]:g} (max_steps={max_steps}, rtol={rtol:g}, "
        f"atol={atol:g})")
    if throw and not bool(ok):
        raise RuntimeError(f"particle_flow: {result}; raise max_steps or loosen the tolerances")
    loss = np.asarray(values)
    method = (f"particle gradient flow (diffrax Tsit5, rtol={rtol:g}, atol={atol:g}, "
              f"{int(num_steps)} steps), m={init.m}, {scaling} scaling"
              + extras(decay, beta))
    return ParticlePath(times, np.asarray(ys.w), np.asarray(ys.theta), loss, loss, None, scaling,
                        method, result=result, solver_steps=int(num_steps))
