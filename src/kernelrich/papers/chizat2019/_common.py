"""Helpers shared by the Chizat, Oyallon, Bach (2019) experiments: data on the sphere, the
ReLU teacher, slopes, and modes."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich import lazy

KEY = "chizat2019"


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def sphere(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n points uniform on the unit sphere of R^d."""
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def teacher(rng: np.random.Generator, m0: int, d: int) -> dict:
    """The teacher: m0 unit neurons a*_j, output weights alternating +1, -1, +1, ...
    *(uncertain: the authors' exact signs are not stated in the setup)*."""
    return {"a": jnp.asarray(sphere(rng, m0, d)),
            "b": jnp.asarray([(-1.0) ** j for j in range(m0)])}


def teacher_student(seed: int, d: int, m0: int, n_train: int, n_test: int):
    """Inputs on the sphere labelled by the ReLU teacher: (X, y, X_test, y_test)."""
    rng = np.random.default_rng(seed)
    t = teacher(rng, m0, d)
    X, Xt = sphere(rng, n_train, d), sphere(rng, n_test, d)
    return (X, np.asarray(lazy.two_layer(t, X)), Xt, np.asarray(lazy.two_layer(t, Xt)))


def students(seed: int, trials: int, m: int, d: int) -> dict:
    """`trials` symmetrised student inits (a_j on the sphere, b_j ~ U[0, 1], second half with
    negated b), stacked on a leading axis."""
    keys = jax.random.split(jax.random.key(seed + 1000), trials)
    inits = [lazy.two_layer_init(k, m, d) for k in keys]
    return jax.tree_util.tree_map(lambda *v: jnp.stack(v), *inits)


def slope(x, y) -> float:
    """The least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(x)), np.log(np.asarray(y)), 1)[0])


def floats(array) -> list:
    return np.asarray(array, dtype=float).tolist()
