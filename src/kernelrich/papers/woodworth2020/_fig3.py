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
from ...experiments import Experiment, Figure, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ._common import SPREAD, band, flow_note, instance, log_grid, mode


def points(quick: bool) -> list[dict]:
    sizes = dict(d=50, N=20, seed=[0, 1, 2]) if quick else dict(d=100, N=40, seed=list(range(10)))
    return grid(d=[sizes["d"]], r=[5], N=[sizes["N"]], seed=sizes["seed"], depth=[2, 3, 4],
                alphas=[log_grid(1e-8, 1e3, 23 if quick else 45)])


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
        reached = alphas[ratio <= 1.01]
        rows.append({"D": depth, "largest alpha with ||beta||_1 <= 1.01 ||beta_l1||_1":
                     float(reached.max()) if reached.size else "not reached",
                     "l1 ratio at alpha = 1e-8": float(ratio[0])})
    return [("Paper reports (Figure 3b): D >= 3 reaches the l1 limit at polynomially small alpha, "
             "D = 2 only at exponentially small alpha. We measure:", rows)]


EXPERIMENT = Experiment(
    name="woodworth-fig3", paper="woodworth2020",
    title="Figure 3: depth and the rich limit",
    claim=("Deeper diagonal networks (D >= 3) reach the min-l1 solution at polynomially small "
           "initialisation, while D = 2 needs exponentially small alpha (Theorem 3)."),
    points=points, compute=compute, plot=plot, tables=tables,
)
