"""Checks of the objects the dynamics and baselines take (`Sensing`, `Completion`,
`Factorisation`), for objects built directly rather than by `sensing` / `completion` /
`symmetric_factor`: ValueErrors naming the argument, raised before any work."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate
from ._models import Factorisation
from ._problems import Completion, Sensing, check_indices


class DivergenceError(FloatingPointError, ValueError):
    """Gradient descent diverged: the step is too large for the problem and model (a
    `FloatingPointError`, and a `ValueError` about the argument `step`)."""


def power_of_two(top: float) -> float:
    """1 for magnitudes `top` in [2^-20, 2^20], else the power of two nearest to it: an
    exact rescaling of badly scaled data."""
    e = int(np.round(np.log2(top))) if top > 0 else 0
    return 1.0 if abs(e) <= 20 else float(2.0**e)


def traced(*values: object) -> bool:
    """Whether any leaf of `values` is a JAX tracer (inside jit / grad / vmap): there the
    checks cannot look at the numbers and are skipped."""
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(values))


def problem(value: object, name: str = "problem") -> Sensing | Completion:
    """A `Sensing` or `Completion` with finite measurements of consistent shapes, returned
    with float64 arrays."""
    if not isinstance(value, Sensing | Completion):
        raise ValueError(f"{name} must be a Sensing or Completion, got {type(value).__name__}")
    y = _validate.bounded(f"{name}.y", _validate.finite_array(f"{name}.y", value.y, ndim=1))
    if isinstance(value, Sensing):
        A = _validate.bounded(f"{name}.A", _validate.finite_array(f"{name}.A", value.A, ndim=3))
        if A.shape[0] != y.shape[0]:
            raise ValueError(f"{name}.A and {name}.y must have the same length m, got "
                             f"{name}.A.shape={A.shape} and {name}.y.shape={y.shape}")
        return Sensing(A, y, value.truth)
    check_indices(np.asarray(value.rows), np.asarray(value.cols), y, value.shape, f"{name}.")
    return Completion(value.rows, value.cols, y, value.truth, value.shape)


def model(value: object, shape: tuple[int, ...], name: str = "model") -> Factorisation:
    """A `Factorisation` of finite 2-D factors whose end-to-end matrix has `shape`, returned
    with float64 factors."""
    if not isinstance(value, Factorisation):
        raise ValueError(f"{name} must be a Factorisation, got {type(value).__name__}")
    if not isinstance(value.factors, tuple | list) or len(value.factors) == 0:
        raise ValueError(f"{name}.factors must be a non-empty tuple of matrices")
    if value.symmetric and len(value.factors) != 1:
        raise ValueError(f"{name}.factors must hold one matrix U when symmetric, got "
                         f"{len(value.factors)}")
    value = Factorisation(tuple(jnp.asarray(_validate.finite_array(f"{name}.factors[{k}]",
                                                                   factor, ndim=2))
                                for k, factor in enumerate(value.factors)), value.symmetric)
    try:
        got = tuple(value.matrix().shape)
    except (TypeError, ValueError) as err:  # factors that do not chain
        raise ValueError(f"{name}.factors must chain into one matrix, got shapes "
                         f"{[np.shape(f) for f in value.factors]}") from err
    if got != tuple(shape):
        raise ValueError(f"{name} must have the problem's shape {tuple(shape)}, got {got}")
    return value


def matrix(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """A finite matrix of the problem's `shape`."""
    W = _validate.finite_array(name, value, ndim=2)
    if W.shape != tuple(shape):
        raise ValueError(f"{name} must have the problem's shape {tuple(shape)}, got {W.shape}")
    return W
