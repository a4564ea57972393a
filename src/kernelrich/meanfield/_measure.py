"""The measure behind the particles: mu_m itself, and for homogeneous models its projection
onto the unit sphere (Chizat & Bach 2018, Section 2.2 and eq. (3))."""

from __future__ import annotations

import numpy as np

from ._model import ParticleModel
from ._particles import Measure, Particles, check_particles, check_scaling


def to_measure(
    model: ParticleModel,
    particles: Particles,
    scaling: str = "mean-field",
    *,
    project: bool = False,
) -> Measure:
    """The signed measure mu_m = m^-gamma sum_i s(w_i) delta_{theta_i}, repeated atoms merged.

    With `project=True` and a k-homogeneous feature map (ReLU networks: k = 1), each atom is
    moved to the unit sphere: theta_i -> theta_i / |theta_i| with mass s(w_i) |theta_i|^k
    m^-gamma, which leaves int phi dmu unchanged (Chizat & Bach 2018, Section 2.2: the
    2-homogeneous lifting and its projection); atoms at theta = 0 carry no function and
    are dropped.

    **Arguments:**

    - `model`: the particle model.
    - `particles`: the particles (finite).
    - `scaling`: `"mean-field"` or `"lazy"`.
    - `project`: project onto the sphere (needs `model.homogeneity >= 1`).

    **Returns:** a `Measure` whose atoms are distinct.

    **Example:**

    ```pycon
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import Particles, TwoLayerNet, to_measure
    >>> model = TwoLayerNet([[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0])
    >>> particles = Particles(jnp.array([1.0, 2.0]), jnp.array([[3.0, 0.0], [1.0, 0.0]]))
    >>> measure = to_measure(model, particles, project=True)
    >>> measure.atoms, measure.masses
    (array([[1., 0.]]), array([2.5]))

    ```
    """
    particles = check_particles("particles", particles)
    gamma = check_scaling(scaling)
    atoms = np.asarray(particles.theta)
    weights = np.asarray(model.signed_weight(particles.w)) / particles.m**gamma
    if project:
        k = model.homogeneity
        if k < 1:
            raise ValueError(f"project=True needs a homogeneous model, got homogeneity={k} "
                             f"for {type(model).__name__}")
        norms = np.linalg.norm(atoms, axis=1)
        keep = norms > 0
        atoms = atoms[keep] / norms[keep, None]
        weights = weights[keep] * norms[keep] ** k
    unique, inverse = np.unique(atoms, axis=0, return_inverse=True)
    merged = np.zeros(len(unique))
    np.add.at(merged, inverse.ravel(), weights)
    return Measure(unique, merged)
