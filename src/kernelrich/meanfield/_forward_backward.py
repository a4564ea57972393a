"""Particle forward-backward descent for a total-variation penalty: a gradient step on the
smooth loss in (w, theta), then the proximal step of lambda |w| on the weights (Chizat & Bach
2018, Section 4, sparse deconvolution; the authors' page of animations for the paper calls it
"a non-convex forward-backward method on the vector of position/weights of all particles")."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from ._descent import extras
from ._model import ParticleModel, _objective, masses
from ._particles import Particles, check_particles
from ._path import DivergenceError, ParticlePath


def _smooth(model, x):
    """R(int phi dmu_m): the objective without its total-variation penalty."""
    return model.risk(masses(model, x, 1.0) @ model.features(x.theta))


@eqx.filter_jit
def _scan(model, init, step, threshold, num_records: int, record_every: int, beta):
    def one(x, _):
        value = _objective(model, x, 1.0, 0.0)
        grad = jax.grad(_smooth, argnums=1)(model, x)
        w = x.w - step * x.m * grad.w
        w = jnp.sign(w) * jnp.maximum(jnp.abs(w) - threshold, 0.0)  # prox of threshold |w|
        return Particles(w, x.theta - (step * beta * x.m) * grad.theta), value

    def block(x, _):
        x, values = jax.lax.scan(one, x, None, length=record_every)
        return x, (x, values)

    last, (xs, values) = jax.lax.scan(block, init, None, length=num_records)
    return xs, values.reshape(-1), _objective(model, last, 1.0, 0.0)


def particle_forward_backward(
    model: ParticleModel,
    init: Particles,
    *,
    step: float,
    num_steps: int,
    record_every: int | None = None,
    position_rate: float = 1.0,
    throw: bool = True,
) -> ParticlePath:
    """Forward-backward descent on J_m = R(int phi dmu_m) + lambda |mu_m|(Theta), in
    mean-field time, for mu_m = (1/m) sum_i w_i delta_{theta_i}.

    Chizat & Bach (2018), Section 4: the penalty V(w, theta) = lambda |w| of the partially
    1-homogeneous lifting is not differentiable at w = 0, where the separating initialisation
    {0} x Theta starts. One step is the explicit gradient step of `particle_descent` on the
    smooth part R, x_i <- x_i - step * m grad_{x_i} R (theta's step times `position_rate`),
    followed by the proximal step of step * lambda |w_i| on each weight (soft thresholding:
    the factor m of mean-field time cancels the 1/m of |mu_m|). As step -> 0 it approaches
    the gradient flow of J_m; its distance to that limit is measured by halving the step.

    **Arguments:**

    - `model`: a particle model with a total-variation penalty and linear weights
      (`SpikeDeconvolution(..., lifting="partially 1-homogeneous")`).
    - `init`: the initial `Particles` (finite), e.g. zero weights on a grid of Theta.
    - `step`: the step in mean-field time, > 0.
    - `num_steps`: the number of steps, >= 1.
    - `record_every`: record the particles every this many steps (must divide `num_steps`;
      default `num_steps`).
    - `position_rate`: beta > 0, the theta-step is beta * step (metric |dw|^2 + |dtheta|^2 / beta).
    - `throw`: raise `DivergenceError` if J_m becomes non-finite; if False the returned path
      has `diverged_at` set instead.

    **Returns:** a `ParticlePath` with `num_steps / record_every + 1` records and J_m (with
    the penalty) after every step in `curve`.

    **Example:**

    ```pycon
    >>> from kernelrich.meanfield import (SpikeDeconvolution, init_torus, observe,
    ...                                   particle_forward_backward)
    >>> y = observe([0.25], [1.0], cutoff=3)
    >>> model = SpikeDeconvolution(y, cutoff=3, lam=0.01, lifting="partially 1-homogeneous")
    >>> path = particle_forward_backward(model, init_torus(None, m=16, weight=0.0), step=0.1,
    ...                                  num_steps=400, record_every=200, position_rate=0.01)
    >>> path.loss.round(6)  # min J on a 16-point grid: 0.009993 (deconvolution_minimum)
    array([3.5     , 0.247658, 0.019759])

    ```
    """
    lam = getattr(model, "total_variation_weight", None)
    if lam is None:
        raise ValueError(f"model must have a total-variation penalty and linear weights, got "
                         f"{type(model).__name__}")
    init = check_particles("init", init)
    step = _validate.positive("step", step)
    num_steps = _validate.integer("num_steps", num_steps, minimum=1)
    every = num_steps if record_every is None else record_every
    every = _validate.integer("record_every", every, minimum=1)
    if num_steps % every:
        raise ValueError(f"record_every must divide num_steps={num_steps}, got {every}")
    beta = _validate.positive("position_rate", position_rate)
    _validate.finite_result(_objective(model, init, 1.0, 0.0), names="init",
                            what="J_m at the initial particles")
    xs, values, last = _scan(model, init, jnp.asarray(step), jnp.asarray(step * lam),
                             num_steps // every, every, jnp.asarray(beta))
    w = np.concatenate([np.asarray(init.w)[None], np.asarray(xs.w)])
    theta = np.concatenate([np.asarray(init.theta)[None], np.asarray(xs.theta)])
    curve = np.append(np.asarray(values), float(last))
    method = (f"particle forward-backward, step {step:g} in mean-field time, {num_steps} steps, "
              f"m={init.m}" + extras(0.0, beta))
    bad = ~np.isfinite(curve)
    diverged = int(np.argmax(bad)) if bad.any() else None
    path = ParticlePath(np.arange(len(w)) * every * step, w, theta, curve[::every], curve, step,
                        "mean-field", method, diverged)
    if diverged is not None and throw:
        raise DivergenceError(
            f"particle_forward_backward diverged: J_m is {curve[diverged]} at step {diverged} "
            f"(t = {diverged * step:g}) with step={step:g}, m={init.m}; lower the step",
            diverged, path)
    return path
