"""Figure 1 of Jacot et al. (2018): convergence of the NTK with width, at init and in training.

Depth L = 4 ReLU networks 2 -> n -> n -> n -> 1, beta = 0.1, NTK parametrisation. For each
width and initialisation: Theta(x0, x) with x0 = (1, 0), x = (cos g, sin g), g in [-pi, pi],
at init and after 200 steps of gradient descent (lr 1.0) on f*(x) = x1 x2 (10 Gaussian inputs,
*uncertain*: the paper does not give the training-set size), against the limit Theta_inf.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, grid
from ...ntk import apply_mlp, empirical_ntk, infinite_ntk, train_gd
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from . import _setup


def points(quick: bool) -> list[dict]:
    widths = [100, 1000] if quick else [500, 10000]
    seeds = list(range(3 if quick else 10))
    return grid(width=widths, seed=seeds, depth=[4], beta=[0.1], lr=[1.0], steps=[200],
                n_train=[10], n_angles=[41 if quick else 121])


def _curve(model, n_angles: int) -> np.ndarray:
    _, x = _setup.circle(n_angles)
    return empirical_ntk(apply_mlp, model, np.array([[1.0, 0.0]]), x, outputs="mean")[0]


def compute(config: dict) -> dict:
    model = _setup.network(config)
    X, y = _setup.product_task(config["n_train"])
    before = _curve(model, config["n_angles"])
    trained = train_gd(model, X, y, lr=config["lr"], steps=config["steps"]).model
    after = _curve(trained, config["n_angles"])
    return {"ntk_init": before.tolist(), "ntk_trained": after.tolist(),
            "relative_change": float(np.linalg.norm(after - before) / np.linalg.norm(before))}


def limit(config: dict) -> np.ndarray:
    """Theta_inf(x0, x(g)) on the same angles."""
    _, x = _setup.circle(config["n_angles"])
    return infinite_ntk(np.array([[1.0, 0.0]]), x, depth=config["depth"],
                        bias_std=config["beta"])[0]


def plot(table, out_dir, quick: bool):
    widths = table.unique("width")
    first = table.rows[0]
    g, _ = _setup.circle(first["n_angles"])
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH * 0.6, PAGE_WIDTH * 0.4))
    for color, width in zip(COLORS, widths, strict=False):
        for k, row in enumerate(table.where(width=width)):
            label = (f"n = {width}, t = 0", f"n = {width}, t = 200") if k == 0 else (None, None)
            ax.plot(g, row["ntk_init"], color=color, lw=0.7, label=label[0])
            ax.plot(g, row["ntk_trained"], color=color, lw=0.7, ls="--", label=label[1])
    ax.plot(g, limit(first), color="black", lw=1.4, label=r"$n \to \infty$")
    ax.set(xlabel=r"$\gamma$", ylabel=r"$\Theta^{(4)}(x_0, x)$")
    ax.legend(ncol=1, loc="upper right")
    seeds = len(table.unique("seed"))
    caption = (f"Empirical NTK of depth-4 ReLU networks (beta = 0.1, NTK parametrisation) at "
               f"init (solid) and after {first['steps']} steps of gradient descent, lr "
               f"{first['lr']}, on f*(x) = x1 x2 with {first['n_train']} Gaussian inputs "
               f"(dashed), {seeds} initialisations per width, against the limit (black). "
               f"Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_fig1", caption)]


def tables(table, quick: bool):
    rows = []
    for width in table.unique("width"):
        sub = table.where(width=width)
        init = np.array(sub.column("ntk_init"))
        ref = limit(sub.rows[0])
        rows.append({
            "width": width,
            "seeds": len(sub),
            "std over inits (mean over g)": float(init.std(axis=0).mean()),
            "max |mean - limit|": float(np.abs(init.mean(axis=0) - ref).max()),
            "relative change in training (mean)": float(np.mean(sub.column("relative_change"))),
        })
    return [("Figure 1: spread at init and movement in training", rows)]


EXPERIMENT = Experiment(
    name="jacot-fig1",
    paper=_setup.KEY,
    title="Figure 1: NTK convergence with width, at init and during training",
    claim="Wide networks' NTKs barely vary between initialisations and barely move during "
          "training; their mean matches the infinite-width limit (Jacot et al. Thm 1, 2).",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
)
