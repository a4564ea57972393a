"""The teacher-student problem of Chizat & Bach (2018), Section 4.2: a student two-layer
network fits the outputs of a teacher with m0 neurons, so the global minimum of J is zero."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from .. import _validate
from ._particles import Particles
from ._twolayer import TwoLayerNet, activate, check_activation

INPUTS = ("sphere", "gaussian")


def teacher_student(
    key: jax.Array,
    d: int,
    m0: int,
    n: int,
    activation: str = "relu",
    *,
    bias: bool = False,
    teacher_norm: float = 1.0,
    positive: bool = False,
    inputs: str = "sphere",
) -> tuple[TwoLayerNet, Particles]:
    """Data y_k = (1/m0) sum_j b*_j sigma(a*_j . x_k (+ c*_j)) from a random teacher.

    Our choice of teacher (the paper's Section 4 sizes could not be read): theta*_j uniform on
    the sphere of radius `teacher_norm` (in R^d, or R^(d+1) with a bias), b*_j random signs
    (or all +1 when `positive`), inputs x_k uniform on the unit sphere of R^d (or standard
    Gaussian).
    Any student with m >= m0 particles can represent the teacher, so inf J = 0.

    **Arguments:**

    - `key`: a JAX PRNG key.
    - `d`: the input dimension, >= 1.
    - `m0`: the teacher's number of neurons, >= 1.
    - `n`: the number of samples, >= 1.
    - `activation`: `"relu"` or `"sigmoid"`.
    - `bias`, `teacher_norm`, `positive`, `inputs`: as above.

    **Returns:** `(model, teacher)`: the student's `TwoLayerNet` on the data, and the teacher
    as mean-field `Particles` (predict(model, teacher) = y).

    **Example:**

    ```pycon
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from kernelrich.meanfield import predict, teacher_student
    >>> model, teacher = teacher_student(jax.random.key(0), d=2, m0=2, n=10, activation="sigmoid")
    >>> model.X.shape, teacher.m
    ((10, 2), 2)
    >>> bool(jnp.allclose(predict(model, teacher), model.y))
    True

    ```
    """
    d = _validate.integer("d", d, minimum=1)
    m0 = _validate.integer("m0", m0, minimum=1)
    n = _validate.integer("n", n, minimum=1)
    activation = check_activation(activation)
    teacher_norm = _validate.positive("teacher_norm", teacher_norm)
    if inputs not in INPUTS:
        raise ValueError(f"inputs must be one of {list(INPUTS)}, got {inputs!r}")
    X, y, signs, theta = _draw(key, d, m0, n, activation, bias, positive, inputs,
                               teacher_norm)
    return TwoLayerNet(X, y, activation, bias), Particles(signs, theta)


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4, 5, 6, 7))
def _draw(key, d, m0, n, activation, bias, positive, inputs, teacher_norm):
    k_theta, k_sign, k_x = jax.random.split(key, 3)
    theta = jax.random.normal(k_theta, (m0, d + int(bias)))
    theta = teacher_norm * theta / jnp.linalg.norm(theta, axis=1, keepdims=True)
    signs = jnp.ones(m0) if positive else jnp.sign(jax.random.normal(k_sign, (m0,)))
    X = jax.random.normal(k_x, (n, d))
    if inputs == "sphere":
        X = X / jnp.linalg.norm(X, axis=1, keepdims=True)
    z = theta[:, :d] @ X.T + (theta[:, d:] if bias else 0.0)
    return X, signs @ activate(activation, z) / m0, signs, theta
