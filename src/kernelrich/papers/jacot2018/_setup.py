"""The networks, data and shared setup of Jacot et al. (2018)'s figures.

Sources: the paper (arXiv 1806.07572 v4, Sec. 2 and 6) and the authors' scripts in
ajacot/GAN-research (`compute_kernel.py` for Figure 1, `convergence_finite.py` for Figure 2,
`mnist_convergence_along_PCA.py` for Figure 3, `network.py`). Where the two disagree the
paper's text governs; each experiment's `setup` lists every value with its source.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..._extras import require
from ...experiments import Param
from ...ntk import MLP

KEY = "jacot2018"
CODE = "ajacot/GAN-research"


def network(config: dict, width: int | None = None, seed: int | None = None) -> MLP:
    """The depth-L ReLU network n_0 -> n -> ... -> n -> 1 of `config` in NTK parametrisation."""
    width = config["width"] if width is None else width
    widths = (config.get("n0", 2),) + (width,) * (config["depth"] - 1) + (1,)
    seed = config["seed"] if seed is None else seed
    return MLP(widths, key=jax.random.key(seed), activation=config.get("activation", "relu"),
               beta=config["beta"])


def fix_weights(model: MLP) -> MLP:
    """The authors' `network.fix_weights`: after each step, every input unit's outgoing
    weights in each non-final layer are rescaled to mean square 1 (not in the paper)."""
    def rescale(w):  # w has shape (out, in); TF's W is (in, out) and normalised along out
        return w / jnp.sqrt(jnp.mean(w * w, axis=0, keepdims=True))

    weights = [rescale(w) for w in model.weights[:-1]] + [model.weights[-1]]
    return eqx.tree_at(lambda m: m.weights, model, weights)


def circle(n_angles: int) -> tuple[np.ndarray, np.ndarray]:
    """Angles g in [-pi, pi] and the points (cos g, sin g) (the authors' scripts)."""
    g = np.linspace(-np.pi, np.pi, n_angles)
    return g, np.stack([np.cos(g), np.sin(g)], axis=1)


def product_task(n_train: int, data_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed set of Figure 1's task: x ~ N(0, I_2), y = x1 x2."""
    X = np.random.default_rng(data_seed).standard_normal((n_train, 2))
    return X, X[:, 0] * X[:, 1]


BATCH = 100
"""Figure 1's fresh inputs per step (compute_kernel.py: batch_size = 100)."""


def product_batch(key):
    """One batch of Figure 1's task, drawn afresh at every step: x ~ N(0, I_2), y = x1 x2."""
    X = jax.random.normal(key, (BATCH, 2), dtype=jnp.float64)
    return X, X[:, 0] * X[:, 1]


def digits(n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `n_points` scikit-learn 8x8 digits (standing in for MNIST, which is not
    downloaded) as intensities in [0, 1], not centred, as TensorFlow's MNIST loader gives
    them; and their labels."""
    load_digits = require("sklearn.datasets", "the digits data set").load_digits

    data = load_digits()
    return data.data[:n_points].astype(np.float64) / 16.0, data.target[:n_points]


def mode(quick: bool) -> str:
    return "quick" if quick else "full"


def network_params(depth: int, beta: float, lr: float, *, depth_row: Param | None = None,
                   activation_row: Param | None = None) -> list[Param]:
    """The rows every figure shares: parametrisation, activation, depth, beta, step."""
    return [
        Param.paper("parametrisation", "NTK: W, b ~ N(0, 1), layer l scaled by 1/sqrt(n_l)",
                    "Sec. 2"),
        activation_row or Param.paper("activation", "relu", "Sec. 6"),
        depth_row or Param.paper("depth L (weight layers)", depth, "Sec. 6.1-6.2"),
        Param.paper("beta (bias scale)", beta, "Sec. 2 and 6"),
        Param.paper("learning rate", lr, "Sec. 6; t = lr x steps"),
        Param.code("weight renormalisation after each step", "off",
                   f"{CODE}/network.py fix_weights is on in the scripts; it is not in the "
                   "paper's text, which governs (a flag: _setup.fix_weights)"),
    ]
