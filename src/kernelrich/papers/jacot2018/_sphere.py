"""Positive definiteness of the limiting NTK on the sphere (Jacot et al. 2018, Prop. 2).

For a non-polynomial Lipschitz activation and depth L >= 2, Theta_inf restricted to the unit
sphere is positive definite. We draw N uniform points on S^(d-1) and report the smallest and
largest eigenvalues of the Gram Theta_inf(X, X) (ReLU, beta = 0.1 and beta = 0); depth 1 is the
linear kernel x.x'/d + beta^2, of rank <= d + 1: singular once N > d + 1.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Param, grid
from ...ntk import infinite_ntk
from ...plotting import COLUMN_WIDTH, save_figure
from . import _setup

SIZES = {True: [100], False: [50, 100, 200, 500, 1000]}


def points(quick: bool) -> list[dict]:
    return grid(depth=[1, 2, 3, 4], beta=[0.0, 0.1], n_points=SIZES[quick], dim=[3], seed=[0])


def setup(quick: bool) -> list[Param]:
    return [
        Param.paper("kernel", "Theta_inf of a ReLU network, NTK parametrisation", "Prop. 2"),
        Param.paper("depths L", [1, 2, 3, 4], "Prop. 2 (L >= 2; depth 1 is linear)"),
        Param.choice("beta", [0.0, 0.1], "0: positivity from the nonlinearity alone; 0.1 as "
                     "Sec. 6"),
        Param.choice("points", f"N uniform on S^2, N in {SIZES[quick]}", "Prop. 2 is about the "
                     f"sphere; N grows to show lambda_min shrink (full mode: {SIZES[False]})"),
    ]


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
    largest = int(np.max(table.unique("n_points")))
    ratios = "; ".join(
        f"L = {row['depth']}, beta = {row['beta']}: {row['lambda_min'] / row['lambda_max']:.1e}"
        + ("" if row["resolvable_in_float64"] else " (not resolvable in float64)")
        for row in table.where(n_points=largest).rows)
    caption = (f"Smallest over largest eigenvalue of the limiting ReLU NTK Gram on N uniform "
               f"points of S^{table.rows[0]['dim'] - 1}; dotted: float64 epsilon. At N = "
               f"{largest}: {ratios}. Mode: {_setup.mode(quick)}.")
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
    setup=setup,
    full_time=("about 1 min (at most 40 points x 2.4 s, the largest point's time on a loaded "
               "CPU; docs/benchmarks.md)"),
)
