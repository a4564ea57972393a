"""Argument checks of the NTK functions: `ValueError`s that name the argument, up front."""

from __future__ import annotations

import numbers

import numpy as np

from .. import _validate


def nonnegative(name: str, value: object) -> float:
    """A finite real number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.number):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def depth(value: object) -> int:
    """The number of weight layers L >= 1."""
    return _validate.integer("depth", value, minimum=1)


def gram_inputs(X1: object, X2: object, *, vectors: bool = True
                ) -> tuple[np.ndarray, np.ndarray, bool]:
    """(X1, X2, symmetric) as float64 arrays, finite, of one input dtype: (n, d) with the
    same d, or with `vectors=False` (n, ...) with the same per-example shape (images for a
    CNN).

    `X2=None` means X2 = X1 (`symmetric` is then True).
    """
    dtype1 = _dtype("X1", X1)
    A = _validate.bounded("X1", _array("X1", X1, vectors))
    if X2 is None:
        return A, A, True
    dtype2 = _dtype("X2", X2)
    if dtype1 != dtype2:
        raise ValueError(
            f"X2 must have the dtype of X1 ({dtype1}), got {dtype2}; convert both to one dtype"
        )
    B = _validate.bounded("X2", _array("X2", X2, vectors))
    if vectors and A.shape[1] != B.shape[1]:
        raise ValueError(
            f"X2 must have as many features as X1 ({A.shape[1]}), got X2.shape={B.shape}"
        )
    if A.shape[1:] != B.shape[1:]:
        raise ValueError(
            f"X2 must have the per-example shape of X1 {A.shape[1:]}, got X2.shape={B.shape}"
        )
    return A, B, False


def _array(name: str, value: object, vectors: bool) -> np.ndarray:
    if vectors:
        return _validate.finite_array(name, value, ndim=2)
    arr = _validate.finite_array(name, value)
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (n, ...) with a batch axis and per-example "
                         f"features, got shape {arr.shape}")
    return arr


def _dtype(name: str, value: object) -> np.dtype:
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(value).dtype
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must be a numeric array, got {value!r}") from err
    return np.dtype(dtype)


def choice(name: str, value: object, options: tuple[str, ...]) -> str:
    """One of `options`."""
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value
