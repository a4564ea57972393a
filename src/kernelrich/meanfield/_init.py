"""Initialisations of the particles (Chizat & Bach 2018, Section 3: the initial measure's
support must separate, e.g. a sphere around 0 for homogeneous models, all of T for
deconvolution)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .. import _random, _validate
from ._particles import Particles


def _normal(key, m: int, p: int) -> np.ndarray:
    """(m, p) standard Gaussians; the arithmetic on them runs on the host, so that a new m
    compiles nothing (`kernelrich._random`)."""
    return np.asarray(_random.normal(key, (m, p)))


def _sphere(key, m: int, p: int) -> np.ndarray:
    """m points uniform on the unit sphere of R^p."""
    z = _normal(key, m, p)
    return z / np.linalg.norm(z, axis=1, keepdims=True)


def _particles(z: np.ndarray) -> Particles:
    # device_put, not jnp.asarray: a strided view would stage one program per shape
    return Particles(jax.device_put(np.ascontiguousarray(z[:, 0])),
                     jax.device_put(np.ascontiguousarray(z[:, 1:])))


def init_gaussian(key: jax.Array, m: int, p: int, std: float = 1.0) -> Particles:
    """m particles with w_i ~ N(0, std^2) and theta_i ~ N(0, std^2 I_p), all independent.

    **Arguments:**

    - `key`: a JAX PRNG key.
    - `m`: the number of particles, >= 1.
    - `p`: the dimension of theta, >= 1.
    - `std`: the standard deviation, > 0.

    **Returns:** `Particles` with w of shape (m,), theta of shape (m, p).

    **Example:**

    ```pycon
    >>> import jax
    >>> from kernelrich.meanfield import init_gaussian
    >>> particles = init_gaussian(jax.random.key(0), m=4, p=2, std=0.1)
    >>> particles.m, particles.w.shape, particles.theta.shape
    (4, (4,), (4, 2))

    ```
    """
    m = _validate.integer("m", m, minimum=1)
    p = _validate.integer("p", p, minimum=1)
    std = _validate.positive("std", std)
    return _particles(_normal(key, m, p + 1) * std)


def init_sphere(key: jax.Array, m: int, p: int, radius: float = 1.0) -> Particles:
    """m particles with (w_i, theta_i) uniform on the sphere of `radius` in R^(p+1).

    A sphere around 0 separates the smaller spheres from the larger ones: the separation
    condition of Chizat & Bach (2018), Theorem 3.3, for 2-homogeneous models (ReLU networks);
    by 2-homogeneity the directions of the particles then cover all of the sphere as m grows.

    **Arguments:** as `init_gaussian`; `radius` > 0.

    **Returns:** `Particles` with |(w_i, theta_i)| = radius.

    **Example:**

    ```pycon
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import init_sphere
    >>> particles = init_sphere(jax.random.key(1), m=10, p=2, radius=0.1)
    >>> norms = jnp.hypot(particles.w, jnp.linalg.norm(particles.theta, axis=1))
    >>> particles.theta.shape, bool(jnp.allclose(norms, 0.1))
    ((10, 2), True)

    ```
    """
    m = _validate.integer("m", m, minimum=1)
    p = _validate.integer("p", p, minimum=1)
    radius = _validate.positive("radius", radius)
    return _particles(radius * _sphere(key, m, p + 1))


def init_torus(key: jax.Array | None, m: int, weight: float = 0.5, grid: bool = True
               ) -> Particles:
    """m particles on T = R/Z with weights alternating +weight, -weight.

    Positions evenly spaced (i / m, `grid=True`, the key is then unused and may be None) or
    uniform at random. With `weight=0` this is the initialisation {0} x T of Chizat & Bach
    (2018), Theorem 3.5 (partially 1-homogeneous lifting; the authors' page of animations:
    "evenly spaced on {0} x [0,1]"). With `weight > 0` the signs alternate, so that both signs
    of spikes can be reached under the 2-homogeneous lifting r -> r|r|, where r = 0 is a
    stationary point.

    **Arguments:**

    - `key`: a JAX PRNG key (unused when `grid`).
    - `m`: the number of particles, >= 1.
    - `weight`: |w_i| >= 0.
    - `grid`: evenly spaced (True) or uniform random (False) positions.

    **Returns:** `Particles` with theta of shape (m, 1) in [0, 1).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.meanfield import init_torus
    >>> particles = init_torus(None, m=4, weight=0.5)
    >>> np.asarray(particles.w), np.asarray(particles.theta[:, 0])
    (array([ 0.5, -0.5,  0.5, -0.5]), array([0.  , 0.25, 0.5 , 0.75]))

    ```
    """
    m = _validate.integer("m", m, minimum=1)
    weight = _validate.nonnegative("weight", weight)
    if grid:
        theta = jnp.arange(m) / m
    else:
        if key is None:
            raise ValueError("key must be a JAX PRNG key when grid=False, got None")
        theta = jax.random.uniform(key, (m,))
    signs = jnp.where(jnp.arange(m) % 2 == 0, 1.0, -1.0)
    return Particles(weight * signs, theta[:, None])


def symmetrize(particles: Particles) -> Particles:
    """2m particles: each (w_i, theta_i) and its mirror (-w_i, theta_i).

    The initial function int phi dmu is then exactly zero (Chizat, Oyallon & Bach 2019's
    doubling trick), so the lazy and mean-field scalings start from the same predictor.

    **Example:**

    ```pycon
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import TwoLayerNet, init_gaussian, predict, symmetrize
    >>> model = TwoLayerNet([[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0])
    >>> particles = symmetrize(init_gaussian(jax.random.key(0), m=3, p=2))
    >>> particles.m, bool(jnp.abs(predict(model, particles)).max() < 1e-15)
    (6, True)

    ```
    """
    return Particles(
        jnp.concatenate([particles.w, -particles.w]),
        jnp.concatenate([particles.theta, particles.theta]),
    )


def replicate(particles: Particles, copies: int) -> Particles:
    """`copies` copies of every particle, as `copies` consecutive blocks of the m particles.

    The empirical measure (1/m) sum_i delta_{x_i} is unchanged, and so is the mean-field
    dynamics (gradient descent, forward-backward steps, the flow): the copies move together
    and `result.w[..., :m]` is the m-particle run. Runs with several m can thus share one
    compiled program of size copies * m (Chizat & Bach 2018, Section 2.3: the velocity of a
    particle depends on the others only through mu_m).

    **Arguments:**

    - `particles`: the m particles.
    - `copies`: >= 1.

    **Returns:** `Particles` with `copies * m` particles.

    **Example:**

    ```pycon
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import TwoLayerNet, init_gaussian, predict, replicate
    >>> model = TwoLayerNet([[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0])
    >>> particles = init_gaussian(jax.random.key(0), m=3, p=2)
    >>> copies = replicate(particles, 4)
    >>> copies.m, bool(jnp.allclose(predict(model, copies), predict(model, particles)))
    (12, True)

    ```
    """
    copies = _validate.integer("copies", copies, minimum=1)
    return Particles(jnp.tile(particles.w, copies), jnp.tile(particles.theta, (copies, 1)))
