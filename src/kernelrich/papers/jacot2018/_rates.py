"""The 1/sqrt(width) rates: our experiment, not a figure of Jacot et al. (2018), whose
Thm 1 and 2 state the limits without a rate; the n^(-1/2) rates are Lee et al. (2019)'s.

Depth-4 ReLU networks, beta = 0.1, NTK parametrisation, on Figure 1's target with a fixed set
of 10 Gaussian inputs (f* = x1 x2). Per width and seed: (a) ||Theta_0 - Theta_inf||_F /
||Theta_inf||_F at init, (b) ||Theta_T - Theta_0||_F / ||Theta_0||_F after T = 200 gradient
steps (lr 1.0), both on the training Gram. Both should shrink like width^(-1/2); the fitted
slopes are shown.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Param, grid
from ...ntk import apply_mlp, empirical_ntk, infinite_ntk, train_gd
from ...plotting import COLUMN_WIDTH, save_figure
from . import _setup

SIZES = {True: {"width": [64, 256, 1024], "seeds": 2},
         False: {"width": [64, 128, 256, 512, 1024, 2048, 4096], "seeds": 8}}


def points(quick: bool) -> list[dict]:
    size = SIZES[quick]
    return grid(width=size["width"], seed=list(range(size["seeds"])), depth=[4], beta=[0.1],
                lr=[1.0], steps=[200], n_train=[10])


def setup(quick: bool) -> list[Param]:
    size, full = SIZES[quick], SIZES[False]
    first = points(quick)[0]
    return [
        Param.paper("network", "depth-4 ReLU, beta 0.1, NTK parametrisation, lr 1.0",
                    "as Figure 1 (Sec. 6.1)"),
        Param.paper("gradient steps", first["steps"], "as Figure 1 (Sec. 6.1)"),
        Param.choice("widths", size["width"], f"a geometric range for the log-log fit "
                     f"(full mode: {full['width']})"),
        Param.choice("seeds per width", size["seeds"], f"the spread of the fit (full mode: "
                     f"{full['seeds']})"),
        Param.choice("training set", f"{first['n_train']} fixed inputs x ~ N(0, I_2), "
                     "f* = x1 x2", "a fixed Gram to measure the kernel's movement on"),
        Param.choice("expected slope", -0.5, "Lee et al. (2019), not in this paper"),
    ]


def compute(config: dict) -> dict:
    X, y = _setup.product_task(config["n_train"])
    model = _setup.network(config)
    theta0 = empirical_ntk(apply_mlp, model, X)
    limit = infinite_ntk(X, depth=config["depth"], bias_std=config["beta"])
    trained = train_gd(model, X, y, lr=config["lr"], steps=config["steps"]).model
    theta_t = empirical_ntk(apply_mlp, trained, X)
    return {"distance_to_limit": float(np.linalg.norm(theta0 - limit) / np.linalg.norm(limit)),
            "change_in_training": float(np.linalg.norm(theta_t - theta0)
                                        / np.linalg.norm(theta0))}


def slope(table, column: str) -> float:
    """Least-squares slope of log(mean over seeds) against log(width)."""
    widths = np.array(table.unique("width"), dtype=float)
    means = [np.mean(table.where(width=w).column(column)) for w in table.unique("width")]
    return float(np.polyfit(np.log(widths), np.log(means), 1)[0])


def plot(table, out_dir, quick: bool):
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.2, COLUMN_WIDTH * 0.9))
    widths = np.array(table.unique("width"), dtype=float)
    for column, label in [("distance_to_limit", r"$\|\Theta_0 - \Theta_\infty\| / "
                           r"\|\Theta_\infty\|$"),
                          ("change_in_training", r"$\|\Theta_T - \Theta_0\| / \|\Theta_0\|$")]:
        values = [table.where(width=w).column(column) for w in table.unique("width")]
        means = np.array([np.mean(v) for v in values])
        ax.loglog(widths, means, "o-", label=f"{label}, slope {slope(table, column):.2f}")
        for w, v in zip(widths, values, strict=True):
            ax.loglog([w] * len(v), v, ".", color="0.6", ms=2)
    ax.loglog(widths, means[0] * (widths / widths[0]) ** -0.5, color="black", ls=":",
              label=r"$n^{-1/2}$")
    ax.set(xlabel="width n")
    ax.legend(fontsize=7)
    first = table.rows[0]
    caption = (f"Relative distance of the empirical NTK to the limit at init and its relative "
               f"change after {first['steps']} gradient steps (lr {first['lr']}), depth-4 "
               f"ReLU, {first['n_train']} Gaussian inputs, {len(table.unique('seed'))} seeds "
               f"per width (grey), mean (line). Fitted log-log slopes: distance to the limit "
               f"{slope(table, 'distance_to_limit'):.2f}, change in training "
               f"{slope(table, 'change_in_training'):.2f} (Lee et al. 2019: -0.5). "
               f"Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_rates", caption)]


def tables(table, quick: bool):
    return [("Width rates: fitted log-log slopes (expected -0.5)",
             [{"quantity": c, "slope": slope(table, c)}
              for c in ("distance_to_limit", "change_in_training")])]


EXPERIMENT = Experiment(
    name="jacot-rates",
    paper=_setup.KEY,
    title="Rates in width of the NTK's distance to its limit and of its movement (our "
          "experiment; rates from Lee et al. 2019)",
    claim="At init the empirical NTK is within O(n^-1/2) of the limit, and during training "
          "it moves by O(n^-1/2) (Lee et al. 2019; Jacot et al. Thm 1-2 state the limits).",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time=("about 40 min on a loaded CPU (widths 64 and 4096 measured, the others "
               "interpolated, x 8 seeds; docs/benchmarks.md)"),
)
