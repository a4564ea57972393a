"""Particles (w_i, theta_i) and the measure mu_m = m^-gamma sum_i s(w_i) delta_{theta_i} they
represent (Chizat & Bach 2018, Section 2.2, eq. (3))."""

from __future__ import annotations

from dataclasses import dataclass

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _validate

SCALINGS = {"mean-field": 1.0, "lazy": 0.5}
"""Output scale exponent gamma of each scaling: f = m^-gamma sum_i s(w_i) phi(theta_i)."""


class Particles(eqx.Module):
    """m particles: weights `w` (shape (m,)) and positions `theta` (shape (m, p)).

    The measure they stand for is mu_m = m^-gamma sum_i s(w_i) delta_{theta_i} (Chizat &
    Bach 2018, eq. (3) with gamma = 1), where s is the model's `signed_weight` (the identity
    for two-layer networks, r -> r|r| for the 2-homogeneous lifting of sparse deconvolution).
    A pytree: `jax.grad` of a function of `Particles` returns `Particles`.

    **Fields:**

    - `w`: the weights, shape (m,); for a two-layer network the output weights b_i.
    - `theta`: the positions, shape (m, p); for a two-layer network the input weights a_i
      (and the bias last, if the network has one).
    """

    w: Float[Array, " m"]
    theta: Float[Array, "m p"]

    @property
    def m(self) -> int:
        """The number of particles."""
        return self.w.shape[0]


def check_particles(name: str, particles: object) -> Particles:
    """`particles` as float64 `Particles` with matching m, finite entries and m >= 1.

    **Raises:** `ValueError` naming `name` (e.g. `"init"`) and the offending entry.
    """
    if not isinstance(particles, Particles):
        raise ValueError(f"{name} must be Particles, got {type(particles).__name__}")
    w = _validate.finite_array(f"{name}.w", particles.w, ndim=1)
    theta = _validate.finite_array(f"{name}.theta", particles.theta, ndim=2)
    if theta.shape[0] != w.shape[0]:
        raise ValueError(
            f"{name}.theta must have one row per weight, got {name}.w.shape={w.shape} and "
            f"{name}.theta.shape={theta.shape}"
        )
    return Particles(jnp.asarray(w), jnp.asarray(theta))


def check_scaling(scaling: object) -> float:
    """The exponent gamma of `scaling` ("mean-field": 1, "lazy": 1/2)."""
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {sorted(SCALINGS)}, got {scaling!r}")
    return SCALINGS[scaling]


@dataclass(frozen=True)
class Measure:
    """A discrete signed measure sum_j masses_j delta_{atoms_j} on the parameter space.

    **Fields:**

    - `atoms`: positions, shape (m, p).
    - `masses`: signed masses, shape (m,).
    """

    atoms: Float[np.ndarray, "m p"]
    masses: Float[np.ndarray, " m"]

    @property
    def total_mass(self) -> float:
        """mu(Theta) = sum_j masses_j."""
        return float(np.sum(self.masses))

    @property
    def total_variation(self) -> float:
        """|mu|(Theta) = sum_j |masses_j| (atoms are distinct: `to_measure` merges repeats)."""
        return float(np.sum(np.abs(self.masses)))
