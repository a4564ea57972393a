"""Figure 2 of Jacot et al. (2018): trained networks against the limiting Gaussian process.

Depth-4 ReLU networks of widths 50 and 1000 (beta = 0.1, NTK parametrisation), 10 inits each,
trained by gradient descent (1000 steps, lr 1.0, cost (1/2N) sum (f - y)^2) on 4 points of
the unit circle, g = [-2.2, -1, 1, 2.2], y = [-0.4, -0.2, 0.3, 0.3] (a third-party choice:
the paper's points are not given). The limit: f_t ~ GP with mean and covariance from the NNGP
and NTK (`kernelrich.ntk.trained_gp`) at t = lr * steps; we overlay its 10/50/90 % quantiles.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, grid
from ...ntk import infinite_kernels, train_gd, trained_gp
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from . import _setup

ANGLES = [-2.2, -1.0, 1.0, 2.2]
TARGETS = [-0.4, -0.2, 0.3, 0.3]
Z90 = 1.2815515655446004  # the 90 % quantile of N(0, 1)


def points(quick: bool) -> list[dict]:
    """Quick mode: 4 inits and 300 steps (the GP is evaluated at the same t)."""
    return grid(width=[50, 1000], seed=list(range(4 if quick else 10)), depth=[4], beta=[0.1],
                lr=[1.0], steps=[300 if quick else 1000], n_angles=[61 if quick else 201])


def _train_points() -> tuple[np.ndarray, np.ndarray]:
    g = np.asarray(ANGLES)
    return np.stack([np.cos(g), np.sin(g)], axis=1), np.asarray(TARGETS)


def compute(config: dict) -> dict:
    X, y = _train_points()
    _, x = _setup.circle(config["n_angles"])
    result = train_gd(_setup.network(config), X, y, lr=config["lr"], steps=config["steps"],
                      X_eval=x)
    return {"f_init": result.predictions[0].tolist(), "f_trained": result.predictions[-1].tolist(),
            "final_loss": float(result.loss[-1])}


def limit_quantiles(config: dict) -> np.ndarray:
    """The 10/50/90 % quantiles of the limiting trained GP on the circle, shape (3, angles)."""
    X, y = _train_points()
    _, x = _setup.circle(config["n_angles"])
    nngp, ntk = infinite_kernels(np.vstack([X, x]), depth=config["depth"],
                                 bias_std=config["beta"])
    mean, cov = trained_gp(nngp, ntk, y, config["lr"] * config["steps"])
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    return np.stack([mean - Z90 * sd, mean, mean + Z90 * sd])


def plot(table, out_dir, quick: bool):
    first = table.rows[0]
    g, _ = _setup.circle(first["n_angles"])
    q = limit_quantiles(first)
    widths = table.unique("width")
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH * 0.6, PAGE_WIDTH * 0.4))
    for color, width in zip(COLORS, widths, strict=False):
        for k, row in enumerate(table.where(width=width)):
            ax.plot(g, row["f_trained"], color=color, lw=0.6, alpha=0.8,
                    label=f"n = {width}" if k == 0 else None)
    ax.plot(g, q[1], color="black", lw=1.2, label=r"$n \to \infty$, median")
    ax.plot(g, q[0], color="black", lw=0.9, ls="--", label=r"$n \to \infty$, 10 % / 90 %")
    ax.plot(g, q[2], color="black", lw=0.9, ls="--")
    ax.plot(ANGLES, TARGETS, "o", color="black", ms=4)
    ax.set(xlabel=r"$\gamma$", ylabel=r"$f_\theta(\cos\gamma, \sin\gamma)$")
    ax.legend(loc="upper left")
    caption = (f"Depth-4 ReLU networks (beta = 0.1) after {first['steps']} gradient-descent "
               f"steps, lr {first['lr']} ({len(table.unique('seed'))} inits per width) against "
               f"the 10/50/90 % quantiles of the limiting Gaussian process at t = "
               f"{first['lr'] * first['steps']:g} (flow time; GD and flow share the limit "
               f"of a linear model). Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_fig2", caption)]


def tables(table, quick: bool):
    q = limit_quantiles(table.rows[0])
    rows = []
    for width in table.unique("width"):
        f = np.array(table.where(width=width).column("f_trained"))
        inside = (f >= q[0]) & (f <= q[2])
        rows.append({"width": width, "nets": len(f),
                     "fraction inside 10-90 % band (expect 0.8)": float(inside.mean()),
                     "max |mean over nets - GP mean|": float(np.abs(f.mean(0) - q[1]).max()),
                     "max final loss": float(max(table.where(width=width).column("final_loss")))})
    return [("Figure 2: trained networks vs the limiting Gaussian process", rows)]


EXPERIMENT = Experiment(
    name="jacot-fig2",
    paper=_setup.KEY,
    title="Figure 2: trained networks vs the limiting Gaussian process",
    claim="Trained wide networks are distributed like the Gaussian process given by the NNGP "
          "and NTK: about 80 % of them fall between its 10 % and 90 % quantiles.",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
)
