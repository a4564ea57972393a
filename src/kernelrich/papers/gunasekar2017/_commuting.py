"""Gunasekar et al. (2017), Theorem 1 / Corollary 2: with commuting (diagonal) A_i the
alpha -> 0 limit of the U U^T flow is the min-nuclear-norm solution, i.e. min-l1 on the
diagonal; Woodworth et al.'s diagonal network (`kernelrich.diagonal`) reaches the same point
on the same instance. Gradient descent on the full matrix model is run at a few alphas and
its measured distance to the exact flow limit is reported."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogLocator

from ... import bias, diagonal
from ... import matrix as km
from ...experiments import Experiment, Figure, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, save_figure
from ._common import KEY, diagonal_instance, mode

GD_STEP, GD_STOP = 2.5e-3, 1e-20


def _sizes(quick: bool) -> dict:
    alphas = np.logspace(0, -30, 7 if quick else 31).tolist()
    return dict(m=5 if quick else 20, n=12 if quick else 100, support=2 if quick else 4,
                seed=[0] if quick else [0, 1, 2], alphas=alphas,
                gd_alphas=[1.0, 0.3] if quick else [1.0, 0.3, 0.1])


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(m=[s["m"]], n=[s["n"]], support=[s["support"]], seed=s["seed"],
                alphas=[s["alphas"]], gd_alphas=[s["gd_alphas"]])


def _rel(x, y) -> float:
    return float(np.linalg.norm(x - y) / np.linalg.norm(y))


def compute(config: dict) -> dict:
    X, y = diagonal_instance(config)
    l1 = bias.min_l1(X, y)
    psd = [km.commuting_limit(X, y, a) for a in config["alphas"]]
    net = [diagonal.flow_limit(X, y, a, depth=2) for a in config["alphas"]]
    problem = km.diagonal_sensing(X, y)
    gd_to_limit, gd_offdiag = [], []
    for alpha in config["gd_alphas"]:
        model = km.symmetric_factor(0, config["n"], config["n"], alpha, "balanced")
        run = km.gradient_descent(problem, model, step=GD_STEP, steps=200_000, loss="sum",
                                  stop_loss=GD_STOP, chunk=5000)
        gd_to_limit.append(_rel(np.diag(run.matrix), km.commuting_limit(X, y, alpha)))
        gd_offdiag.append(float(np.abs(run.matrix - np.diag(np.diag(run.matrix))).max()))
    return {"l1_nonnegative": bool(l1.min() >= 0),
            "psd_to_l1": [_rel(b, l1) for b in psd],
            "network_to_l1": [_rel(b, l1) for b in net],
            "psd_to_network": [_rel(b, w) for b, w in zip(psd, net, strict=True)],
            "gd_to_limit": gd_to_limit, "gd_offdiag": gd_offdiag}


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.2, COLUMN_WIDTH * 0.9))
    floor = 1e-16
    for key, color, label in [("psd_to_l1", COLORS[0], "U U^T limit to min-l1"),
                              ("network_to_l1", COLORS[1], "diagonal network to min-l1"),
                              ("psd_to_network", COLORS[2], "U U^T limit to diagonal net")]:
        for k, row in enumerate(table.rows):
            ax.plot(row["alphas"], np.maximum(row[key], floor), color=color,
                    label=label if k == 0 else None)
    ax.set(xscale="log", yscale="log", xlabel=r"init scale $\alpha$",
           ylabel="relative distance")
    ax.xaxis.set_major_locator(LogLocator(base=1e10))  # one tick per 10 decades
    ax.legend()
    row = table.rows[0]
    gd = max(max(r["gd_to_limit"]) for r in table.rows)
    caption = (
        f"Diagonal (commuting) sensing A_i = diag(x_i), x_i Gaussian, m = {row['m']}, n = "
        f"{row['n']}, y = X b with b >= 0 supported on {row['support']} coordinates, seeds "
        f"{', '.join(str(s) for s in table.unique('seed'))}. Exact gradient-flow limits "
        f"(no time stepping): the U U^T flow from U(0) = alpha I (kernelrich.matrix."
        f"commuting_limit, Newton, rel. tol 1e-12) and Woodworth's D = 2 network "
        f"(kernelrich.diagonal.flow_limit), distances to min-l1 (LP, HiGHS); floor "
        f"{floor:g}. GD on the full n x n U (step {GD_STEP:g}, sum loss to {GD_STOP:g}) at "
        f"alpha in {row['gd_alphas']}: largest relative distance to the exact limit "
        f"{gd:.1e} (O(step)). {mode(quick)}.")
    return [save_figure(fig, out_dir, "gunasekar_commuting", caption)]


EXPERIMENT = Experiment(
    name="gunasekar-commuting", paper=KEY,
    title="Commuting case: the small-alpha limit is min-l1 (Theorem 1, Corollary 2)",
    claim=("With diagonal sensing matrices the small-initialisation limit of the U U^T flow "
           "is the min-nuclear-norm (= min-l1 on the diagonal) solution, the same point as "
           "Woodworth et al.'s diagonal network reaches."),
    points=points, compute=compute, plot=plot,
)
