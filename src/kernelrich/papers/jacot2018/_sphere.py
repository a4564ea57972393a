"""Positive definiteness of the limiting NTK on the sphere (Jacot et al. 2018, Prop. 2).

For a non-polynomial Lipschitz activation and depth L >= 2, Theta_inf restricted to the unit
sphere is positive definite. We draw N uniform points on S^(d-1) and report the smallest and
largest eigenvalues of the Gram Theta_inf(X, X) (ReLU, beta = 0.1 and beta = 0); depth 1 is the
linear kernel x.x'/d + beta^2, of rank <= d + 1: singular once N > d + 1.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, grid
from ...ntk import infinite_ntk
from ...plotting import COLUMN_WIDTH, save_figure
from . import _setup


def points(quick: bool) -> list[dict]:
    return grid(depth=[1, 2, 3, 4], beta=[0.0, 0.1], n_points=[100] if quick else
                [50, 100, 200, 500, 1000], dim=[3], seed=[0])


def sphere(n_points: int, dim: int, seed: int) -> np.ndarray:
    """Uniform points on the unit sphere S^(dim-1)."""
    Z = np.random.default_rng(seed).standard_normal((n_points, dim))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def compute(config: dict) -> dict:
    X = sphere(config["n_points"], config["dim"], config["seed"])
    lam = np.linalg.eigvalsh(infinite_ntk(X, depth=config["depth"], bias_std=config["beta"]))
    return {"lambda_min": float(lam[0]), "lambda_max": float(lam[-1]),
            "resolvable_in_float64": bool(lam[0] > lam.size * np.finfo(float).eps * lam[-1])}


def plot(table, out_dir, quick: bool):
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.2, COLUMN_WIDTH * 0.9))
    for depth in table.unique("depth"):
        for beta, style in [(0.1, "o-"), (0.0, "s--")]:
            sub = table.where(depth=depth, beta=beta)
            ratio = np.maximum(np.abs(np.array(sub.column("lambda_min"))
                                      / np.array(sub.column("lambda_max"))), 1e-18)
            ax.loglog(sub.column("n_points"), ratio, style, label=f"L = {depth}, beta = {beta}")
    ax.axhline(np.finfo(float).eps, color="black", ls=":", lw=0.8)
    ax.set(xlabel="points N on the sphere", ylabel=r"$\lambda_{\min} / \lambda_{\max}$")
    ax.legend(fontsize=6, ncol=2)
    caption = (f"Smallest over largest eigenvalue of the limiting ReLU NTK Gram on N uniform "
               f"points of S^{table.rows[0]['dim'] - 1}; dotted: float64 epsilon (depth 1 is "
               f"singular). Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_sphere", caption)]


EXPERIMENT = Experiment(
    name="jacot-sphere",
    paper=_setup.KEY,
    title="The limiting NTK is positive definite on the sphere",
    claim="For depth L >= 2 and a non-polynomial activation, Theta_inf is positive definite on "
          "the sphere (Jacot et al. Prop. 2): its smallest eigenvalue stays > 0.",
    points=points,
    compute=compute,
    plot=plot,
)
