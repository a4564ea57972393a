"""The abstract particle model: J(mu) = R(integral phi dmu) + G(mu) (Chizat & Bach 2018, eq. (1)),
evaluated on the particle measure mu_m (eq. (3)): J_m(w, theta) = J(mu_m)."""

from __future__ import annotations

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _validate
from ._particles import Particles, check_particles


class ParticleModel(eqx.Module):
    """phi: Theta -> F, the loss R on F, and the regulariser G, for J(mu) = R(int phi dmu) + G(mu).

    F is represented by a finite vector (function values at the samples for a network,
    Fourier coefficients for deconvolution). Subclasses define `feature`, `risk` and, if
    needed, `signed_weight` and `penalty`.
    """

    @abc.abstractmethod
    def feature(self, theta: Float[Array, " p"]) -> Float[Array, " F"]:
        """phi(theta) as a vector of F."""

    @abc.abstractmethod
    def risk(self, f: Float[Array, " F"]) -> Float[Array, ""]:
        """R(f), convex and smooth."""

    def signed_weight(self, w: Float[Array, " m"]) -> Float[Array, " m"]:
        """s(w): the mass a particle of weight w carries (identity by default)."""
        return w

    def penalty(self, masses: Float[Array, " m"], theta: Float[Array, "m p"]) -> Float[Array, ""]:
        """G(mu_m) from the masses of the atoms of mu_m (zero by default)."""
        return jnp.zeros(())

    @property
    def homogeneity(self) -> int:
        """k if phi(c theta) = c^k phi(theta) for c > 0 (1 for ReLU), else 0."""
        return 0

    def features(self, theta: Float[Array, "m p"]) -> Float[Array, "m F"]:
        """phi(theta_i) for every particle, vmapped over particles."""
        return jax.vmap(self.feature)(theta)


def _concrete(particles: object) -> bool:
    """Whether `particles` holds numbers (not JAX tracers inside jit / grad): only then are
    they checked, by `_checked`."""
    leaves = jax.tree_util.tree_leaves(particles)
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in leaves)


def _checked(model: ParticleModel, particles: object) -> Particles:
    """`particles` checked (finite, float64, matching m; `model.dim` columns if defined)."""
    particles = check_particles("particles", particles)
    dim = getattr(model, "dim", None)
    if dim is not None and particles.theta.shape[1] != dim:
        raise ValueError(f"particles.theta must have the model's p={dim} columns, got shape "
                         f"{particles.theta.shape}")
    return particles


def masses(model: ParticleModel, particles: Particles, gamma: float) -> Float[Array, " m"]:
    """The masses m^-gamma s(w_i) of the atoms of mu_m (Chizat & Bach 2018, eq. (3))."""
    return model.signed_weight(particles.w) / particles.m**gamma


def predict(model: ParticleModel, particles: Particles, gamma: float = 1.0) -> Float[Array, " F"]:
    """integral phi dmu_m = m^-gamma sum_i s(w_i) phi(theta_i).

    **Arguments:**

    - `model`: the particle model.
    - `particles`: the particles.
    - `gamma`: the output scale exponent (1: mean field, 1/2: lazy).

    **Returns:** the vector of F.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import Particles, TwoLayerNet, predict
    >>> model = TwoLayerNet([[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0])
    >>> particles = Particles(jnp.array([1.0, 2.0]), jnp.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> predict(model, particles)
    Array([0.5, 1. ], dtype=float64)
    >>> predict(model, particles, gamma=0.5).round(6)
    Array([0.707107, 1.414214], dtype=float64)

    ```
    """
    if _concrete(particles):
        particles = _checked(model, particles)
        return _validate.finite_result(masses(model, particles, gamma) @ model.features(
            particles.theta), names="particles", what="the prediction")
    return masses(model, particles, gamma) @ model.features(particles.theta)


def objective(
    model: ParticleModel,
    particles: Particles,
    gamma: float = 1.0,
    weight_decay: float = 0.0,
) -> Float[Array, ""]:
    """J_m(w, theta) = R(int phi dmu_m) + G(mu_m) (+ weight decay) (Chizat & Bach 2018, eq. (3)).

    **Arguments:**

    - `model`: the particle model.
    - `particles`: the particles.
    - `gamma`: the output scale exponent (1: mean field, 1/2: lazy).
    - `weight_decay`: kappa >= 0; adds (kappa / 2m) sum_i (w_i^2 + |theta_i|^2).

    **Returns:** the scalar objective.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import Particles, TwoLayerNet, objective
    >>> model = TwoLayerNet([[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0])
    >>> particles = Particles(jnp.array([1.0, 2.0]), jnp.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> float(objective(model, particles))
    1.0625

    ```
    """
    if _concrete(particles):
        value = _objective(model, _checked(model, particles), gamma, weight_decay)
        return _validate.finite_result(value, names="particles", what="the objective J_m")
    return _objective(model, particles, gamma, weight_decay)


def _objective(model, particles, gamma, weight_decay):
    a = masses(model, particles, gamma)
    value = model.risk(a @ model.features(particles.theta)) + model.penalty(a, particles.theta)
    if weight_decay:
        sq = jnp.sum(particles.w**2) + jnp.sum(particles.theta**2)
        value = value + 0.5 * weight_decay * sq / particles.m
    return value


def velocity(
    model: ParticleModel,
    particles: Particles,
    gamma: float = 1.0,
    weight_decay: float = 0.0,
    position_rate: float = 1.0,
) -> tuple[Float[Array, ""], Particles]:
    """J_m and the particle velocity -m^(2 gamma - 1) grad J_m in mean-field time.

    With gamma = 1 this is -m grad J_m: the gradient of the first variation J'(mu_m) at each
    particle, whose many-particle limit is the Wasserstein gradient flow (Chizat & Bach 2018,
    Section 2.3). With gamma = 1/2 (lazy scaling) the tangent kernel is O(1) without
    rescaling time, so the factor is 1. `position_rate` beta multiplies the theta-velocity:
    the gradient in the metric |dw|^2 + |dtheta|^2 / beta (beta = 1 is the paper's Euclidean
    metric; another beta is the same flow after rescaling theta by beta^-1/2).

    **Returns:** `(J_m, velocity)`, the velocity as `Particles`.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import Particles, TwoLayerNet, velocity
    >>> model = TwoLayerNet([[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0])
    >>> particles = Particles(jnp.array([1.0, 2.0]), jnp.array([[1.0, 1.0], [1.0, 0.5]]))
    >>> value, v = velocity(model, particles)
    >>> float(value), v.w, v.theta
    (1.0625, Array([-1.25, -0.75], dtype=float64), Array([[-0.25, -1.  ],
           [-0.5 , -2.  ]], dtype=float64))

    ```
    """
    if _concrete(particles):
        particles = _checked(model, particles)
    value, grad = jax.value_and_grad(_objective, argnums=1)(model, particles, gamma,
                                                             weight_decay)
    rate = -(particles.m ** (2 * gamma - 1))
    out = Particles(rate * grad.w, (rate * position_rate) * grad.theta)
    if _concrete(particles):
        for part in (value, out.w, out.theta):
            _validate.finite_result(part, names="particles", what="J_m or the velocity")
    return value, out
