"""The networks and data sets of Jacot et al. (2018)'s figures, shared by their experiments.

Choices where the paper is silent (each is a config entry, so it can be changed):
- Figure 1's training set: 10 points, x ~ N(0, I_2), f*(x) = x1 x2 *(uncertain: not stated)*.
- Figure 3's data: scikit-learn's 8x8 digits (MNIST in the paper), centred, each image scaled to
  norm sqrt(64) so that x.x / n_0 = 1 *(our choice)*.
- Loss: Jacot's empirical cost (1/2N) sum (f - y)^2 ("mean"), plain gradient descent.
"""

from __future__ import annotations

import jax
import numpy as np

from ...ntk import MLP

KEY = "jacot2018"


def network(config: dict, width: int | None = None, seed: int | None = None) -> MLP:
    """The depth-L ReLU network n_0 -> n -> ... -> n -> 1 of `config` in NTK parametrisation."""
    width = config["width"] if width is None else width
    widths = (config.get("n0", 2),) + (width,) * (config["depth"] - 1) + (1,)
    seed = config["seed"] if seed is None else seed
    return MLP(widths, key=jax.random.key(seed), activation=config.get("activation", "relu"),
               beta=config["beta"])


def circle(n_angles: int) -> tuple[np.ndarray, np.ndarray]:
    """Angles g in [-pi, pi] and the points (cos g, sin g)."""
    g = np.linspace(-np.pi, np.pi, n_angles)
    return g, np.stack([np.cos(g), np.sin(g)], axis=1)


def product_task(n_train: int, data_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Figure 1's task: x ~ N(0, I_2), y = x1 x2."""
    X = np.random.default_rng(data_seed).standard_normal((n_train, 2))
    return X, X[:, 0] * X[:, 1]


def digits(n_points: int) -> np.ndarray:
    """The first `n_points` scikit-learn digits, centred and scaled to norm sqrt(64)."""
    from sklearn.datasets import load_digits

    X = load_digits().data.astype(np.float64)
    X = X - X.mean(axis=0)
    X = X[:n_points]
    return X / np.linalg.norm(X, axis=1, keepdims=True) * np.sqrt(X.shape[1])


def mode(quick: bool) -> str:
    return "quick" if quick else "full"
