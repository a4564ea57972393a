"""Helpers shared by the Chizat, Oyallon, Bach (2019) experiments: data on the sphere, the
authors' ReLU teacher, slopes, and modes."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich import lazy

KEY = "chizat2019"
CODE = "edouardoyallon/lazy-training-CNN"
"""The authors' repository; the two-layer scripts are under `shallow-nn/`."""


def code(file: str) -> str:
    """Where a value comes from in the authors' code, e.g. `code("test_vs_scale.jl")`."""
    return f"{CODE}: shallow-nn/{file}"


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def sphere(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n points uniform on the unit sphere of R^d (Gaussian draws normalised, as the authors
    draw inputs and teacher neurons)."""
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def teacher(rng: np.random.Generator, m0: int, d: int) -> dict:
    """The authors' teacher: m0 neurons a*_j uniform on the unit sphere and output weights
    b*_j = sign(N(0, 1)) (`w2 = sign.(randn(m0))` in every script of `shallow-nn/`)."""
    a = sphere(rng, m0, d)
    return {"a": jnp.asarray(a), "b": jnp.asarray(np.sign(rng.standard_normal(m0)))}


def teacher_student(seed: int, d: int, m0: int, n_train: int, n_test: int, *,
                    output: float = 1.0):
    """One draw of the authors' data: the teacher, then n_train and n_test inputs on the
    sphere labelled by `output` times the teacher's ReLU network. Returns
    (X, y, X_test, y_test, teacher)."""
    rng = np.random.default_rng(seed)
    t = teacher(rng, m0, d)
    X, Xt = sphere(rng, n_train, d), sphere(rng, n_test, d)
    return (X, output * np.asarray(lazy.two_layer(t, X)), Xt,
            output * np.asarray(lazy.two_layer(t, Xt)), t)


def init_key(seed: int, *index: int) -> jax.Array:
    """The key of one student initialisation: independent of the data's seed stream."""
    key = jax.random.key(seed + 1000)
    for i in index:
        key = jax.random.fold_in(key, i)
    return key


def slope(x, y) -> float:
    """The least-squares slope of log y against log x (NaN if any value is not positive and
    finite)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not (np.isfinite(x).all() and np.isfinite(y).all() and (x > 0).all() and (y > 0).all()):
        return float("nan")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def floats(array) -> list:
    return np.asarray(array, dtype=float).tolist()


def mean_std(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and the unbiased standard deviation (the authors' `/(ntrials-1)`) over `axis`;
    NaN where any trial is not finite (a diverged run is not averaged away)."""
    v = np.asarray(values, dtype=float)
    v = np.where(np.isfinite(v), v, np.nan)
    if v.shape[axis] < 2:
        return v.mean(axis=axis), np.zeros(np.delete(v.shape, axis))
    return v.mean(axis=axis), v.std(axis=axis, ddof=1)
