"""Particle gradient descent in mean-field time (Chizat & Bach 2018, Section 2.3), compiled
with `jax.lax.scan` and vmapped over particles."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from ._model import ParticleModel, _objective, objective, velocity
from ._particles import Particles, check_particles, check_scaling
from ._path import DivergenceError, ParticlePath


def _axpy(x: Particles, step, v: Particles) -> Particles:
    return jax.tree_util.tree_map(lambda a, b: a + step * b, x, v)


@eqx.filter_jit
def _scan(model, init, step, num_records: int, record_every: int, gamma: float, decay: float,
          beta: float):
    def one(x, _):
        value, v = velocity(model, x, gamma, decay, beta)
        return _axpy(x, step, v), value

    def block(x, _):
        x, values = jax.lax.scan(one, x, None, length=record_every)
        return x, (x, values)

    last, (xs, values) = jax.lax.scan(block, init, None, length=num_records)
    return xs, values.reshape(-1), objective(model, last, gamma, decay)


def particle_descent(
    model: ParticleModel,
    init: Particles,
    *,
    step: float,
    num_steps: int,
    record_every: int | None = None,
    scaling: str = "mean-field",
    weight_decay: float = 0.0,
    position_rate: float = 1.0,
    throw: bool = True,
) -> ParticlePath:
    """Particle gradient descent on J_m with the step in mean-field time.

    Chizat & Bach (2018), Section 2.3: x_i = (w_i, theta_i) and
    x_i <- x_i - step * m^(2 gamma - 1) grad_{x_i} J_m(x), i.e. the explicit Euler scheme of
    the particle gradient flow x_i' = -m grad_{x_i} J_m (gamma = 1, mean field) whose
    many-particle limit is the Wasserstein gradient flow of J; the limit in t = k * step does
    not depend on m. With `scaling="lazy"` (gamma = 1/2) the output is m^(-1/2) sum_i and the
    factor is 1 (Chizat, Oyallon & Bach 2019). This is gradient *descent*: its distance to the
    flow is measured by comparing with `particle_flow` or a smaller step.

    **Arguments:**

    - `model`: the particle model (e.g. `TwoLayerNet`, `SpikeDeconvolution`).
    - `init`: the initial `Particles` (finite).
    - `step`: the step in mean-field time, > 0.
    - `num_steps`: the number of steps, >= 1.
    - `record_every`: record the particles every this many steps (must divide `num_steps`;
      default `num_steps`: the initial and final particles only).
    - `scaling`: `"mean-field"` (gamma = 1) or `"lazy"` (gamma = 1/2).
    - `weight_decay`: kappa >= 0, adds (kappa / 2m) sum_i |x_i|^2 to J_m.
    - `position_rate`: beta > 0, the theta-step is beta * step (the metric
      |dw|^2 + |dtheta|^2 / beta; 1 is the paper's Euclidean metric).
    - `throw`: raise `DivergenceError` (with the step) if J_m becomes non-finite; if False
      the returned path has `diverged_at` set instead.

    **Returns:** a `ParticlePath` with `num_steps / record_every + 1` records and J_m after
    every step in `curve`.

    **Example:**

    ```pycon
    >>> import jax
    >>> from kernelrich.meanfield import init_sphere, particle_descent, teacher_student
    >>> model, teacher = teacher_student(jax.random.key(0), d=2, m0=2, n=10, activation="sigmoid")
    >>> init = init_sphere(jax.random.key(1), m=10, p=2, radius=0.1)
    >>> path = particle_descent(model, init, step=0.5, num_steps=40, record_every=20)
    >>> path.times, path.loss.round(6)  # the flow: 0.008239, 0.007557, 0.007482
    (array([ 0., 10., 20.]), array([0.008239, 0.007556, 0.007482]))

    ```
    """
    init = check_particles("init", init)
    step = _validate.positive("step", step)
    num_steps = _validate.integer("num_steps", num_steps, minimum=1)
    every = num_steps if record_every is None else record_every
    every = _validate.integer("record_every", every, minimum=1)
    if num_steps % every:
        raise ValueError(f"record_every must divide num_steps={num_steps}, got {every}")
    gamma = check_scaling(scaling)
    decay = _validate.nonnegative("weight_decay", weight_decay)
    beta = _validate.positive("position_rate", position_rate)
    _validate.finite_result(_objective(model, init, gamma, decay), names="init",
                            what="J_m at the initial particles")
    xs, values, last = _scan(model, init, jnp.asarray(step), num_steps // every, every, gamma,
                             decay, beta)
    w = np.concatenate([np.asarray(init.w)[None], np.asarray(xs.w)])
    theta = np.concatenate([np.asarray(init.theta)[None], np.asarray(xs.theta)])
    curve = np.append(np.asarray(values), float(last))
    method = (f"particle GD, step {step:g} in mean-field time, {num_steps} steps, "
              f"m={init.m}, {scaling} scaling" + extras(decay, beta))
    bad = ~np.isfinite(curve)
    diverged = int(np.argmax(bad)) if bad.any() else None
    path = ParticlePath(np.arange(len(w)) * every * step, w, theta, curve[::every], curve, step,
                        scaling, method, diverged)
    if diverged is not None and throw:
        raise DivergenceError(
            f"particle_descent diverged: J_m is {curve[diverged]} at step {diverged} "
            f"(t = {diverged * step:g}) with step={step:g}, m={init.m}; lower the step",
            diverged, path)
    return path


def extras(decay: float, beta: float) -> str:
    """The non-default options of a run, for its `method` string."""
    return (f", weight decay {decay:g}" if decay else "") + (
        f", position rate {beta:g}" if beta != 1 else "")
