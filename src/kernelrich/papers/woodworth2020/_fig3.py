"""Figure 3 of Woodworth et al. (2020): depth sharpens the transition (Theorem 3).

For D >= 3 the limit reaches the min-l1 solution at polynomially small alpha; for D = 2
only at exponentially small alpha.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ... import bias
from ...diagonal import flow_limit
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ._common import SPREAD, band, data_params, flow_note, instance, log_grid, mode, model_params

DEPTHS = [2, 3, 4]
REACHED = 1.01  # "reaches the l1 limit": ||beta_alpha||_1 <= 1.01 ||beta_l1||_1


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(d=50, r=5, N=20, seed=[0, 1, 2], alphas=log_grid(1e-8, 1e3, 23))
    return dict(d=100, r=5, N=40, seed=list(range(10)), alphas=log_grid(1e-8, 1e3, 45))


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(d=[s["d"]], r=[s["r"]], N=[s["N"]], seed=s["seed"], depth=DEPTHS,
                alphas=[s["alphas"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    return model_params(", ".join(map(str, DEPTHS))) + data_params(
        s["d"], s["N"], s["r"], s["seed"], quick, full) + [
        Param.uncertain("what Figure 3(b) plots", "||beta_alpha||_1 / ||beta_l1||_1 vs alpha "
                        "per D", "the study notes §1.8; the figure itself could not be read"),
        Param.choice("alpha grid", s["alphas"], "1e-8 (rich) to 1e3 (kernel)"),
        Param.choice("'reaches the l1 limit'", f"ratio <= {REACHED:g}",
                     "a threshold for the table; the paper's could not be read"),
    ]


def compute(config: dict) -> dict:
    """||beta_alpha||_1 / ||beta_l1||_1 and ||beta_alpha||_2 / ||beta_l2||_2 along alpha."""
    X, y, _ = instance(config)
    betas = flow_limit(X, y, np.array(config["alphas"]), depth=config["depth"])
    l1 = np.abs(bias.min_l1(X, y)).sum()
    l2 = np.linalg.norm(bias.min_l2(X, y))
    return {"l1_ratio": (np.abs(betas).sum(axis=1) / l1).tolist(),
            "l2_ratio": (np.linalg.norm(betas, axis=1) / l2).tolist()}


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH, PAGE_WIDTH / 2.6))
    for color, depth in zip(COLORS, table.unique("depth"), strict=False):
        sub = table.where(depth=depth)
        alphas = np.array(sub.rows[0]["alphas"])
        for ax, key in zip(axes, ["l1_ratio", "l2_ratio"], strict=True):
            band(ax, alphas, np.array(sub.column(key)) - 1, color, f"D = {depth}", floor=1e-16)
    axes[0].set(xscale="log", yscale="log", xlabel=r"$\alpha$",
                ylabel=r"$\|\beta_\alpha\|_1 / \|\beta_{\ell_1}\|_1 - 1$")
    axes[1].set(xscale="log", yscale="log", xlabel=r"$\alpha$",
                ylabel=r"$\|\beta_\alpha\|_2 / \|\beta_{\ell_2}\|_2 - 1$")
    axes[0].legend()
    row = table.rows[0]
    caption = (
        f"Distance of the gradient-flow limit to the rich (left) and kernel (right) limits "
        f"against alpha for depths D = 2, 3, 4; d = {row['d']}, N = {row['N']}, r* = {row['r']}, "
        f"noise variance 0.01, {SPREAD} ({len(table.unique('seed'))} seeds); values below "
        f"1e-16 (the float64 resolution of a ratio) are drawn at 1e-16. "
        f"{flow_note()}; {mode(quick)}."
    )
    return [save_figure(fig, out_dir, "woodworth_fig3", caption)]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = []
    for depth in table.unique("depth"):
        sub = table.where(depth=depth)
        alphas = np.array(sub.rows[0]["alphas"])
        ratio = np.array(sub.column("l1_ratio")).mean(axis=0)
        reached = alphas[ratio <= REACHED]
        rows.append({"D": depth, "largest alpha with ||beta||_1 <= 1.01 ||beta_l1||_1":
                     float(reached.max()) if reached.size else "not reached",
                     f"l1 ratio at alpha = {alphas[0]:.0e}": float(ratio[0])})
    return [(f"Largest alpha on the grid whose limit has ||beta||_1 <= {REACHED:g} "
             f"||beta_l1||_1 (mean over {len(table.unique('seed'))} seeds), per depth", rows)]


EXPERIMENT = Experiment(
    name="woodworth-fig3", paper="woodworth2020",
    title="Figure 3: depth and the rich limit",
    claim=("Deeper diagonal networks (D >= 3) reach the min-l1 solution at polynomially small "
           "initialisation, while D = 2 needs exponentially small alpha (Theorem 3)."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="about 2 min (measured per point x 30 points on a loaded CPU; docs/benchmarks.md)",
)
