"""Figure 1 of Woodworth et al. (2020): generalisation against the scale of initialisation.

Small alpha (rich regime) generalises from N = O(r* log d) samples because its limit is the
min-l1 solution; large alpha (kernel regime) needs N = O(d) because its limit is min-l2.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ... import bias
from ...diagonal import flow_limit
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, save_figure
from ._common import (
    NOISE_STD,
    SPREAD,
    band,
    data_params,
    flow_note,
    instance,
    log_grid,
    mode,
    model_params,
)


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(d=200, r=5, N=[20, 50, 100], seed=[0, 1, 2], alphas=log_grid(1e-5, 10, 20))
    return dict(d=1000, r=5, N=[25, 50, 100, 200, 500], seed=list(range(10)),
                alphas=log_grid(1e-5, 10, 40))


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    return model_params() + data_params(s["d"], s["N"], s["r"], s["seed"], quick, full) + [
        Param.choice("alpha grid", s["alphas"], "log-spaced from the rich to the kernel end; "
                     "third-party scripts use alpha^2 in logspace(-5, -0.6, 20)"),
        Param.choice("population error", "||beta - beta*||^2 + 0.01",
                     "the exact test risk of this Gaussian design (derived, no test sample)"),
        Param.uncertain("panels", "one: error vs alpha per N, min-l1 / min-l2 lines",
                        "the paper's Figure 1 panels could not be read"),
    ]


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(d=[s["d"]], r=[s["r"]], N=s["N"], seed=s["seed"], alphas=[s["alphas"]])


def compute(config: dict) -> dict:
    """Population error ||beta - beta*||^2 + sigma^2 of the flow's limit along the alpha path,
    and of the min-l1 / min-l2 solutions."""
    X, y, beta_star = instance(config)
    betas = flow_limit(X, y, np.array(config["alphas"]))

    def error(beta):
        return float(np.sum((beta - beta_star) ** 2) + NOISE_STD**2)

    return {"error": [error(b) for b in betas],
            "error_l1": error(bias.min_l1(X, y)), "error_l2": error(bias.min_l2(X, y))}


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.3, COLUMN_WIDTH * 0.95))
    for color, N in zip(COLORS, table.unique("N"), strict=False):
        sub = table.where(N=N)
        alphas = np.array(sub.rows[0]["alphas"])
        band(ax, alphas, np.array(sub.column("error")), color, f"N = {N}")
        ax.axhline(np.mean(sub.column("error_l1")), color=color, linestyle="--", linewidth=0.8)
        ax.axhline(np.mean(sub.column("error_l2")), color=color, linestyle=":", linewidth=0.8)
    ax.set(xscale="log", yscale="log", xlabel=r"initialisation scale $\alpha$",
           ylabel="population error")
    ax.legend(loc="lower right", ncol=1)
    row = table.rows[0]
    caption = (
        f"Population error ||beta - beta*||^2 + 0.01 of the gradient-flow limit against alpha, "
        f"d = {row['d']}, r* = {row['r']}, noise variance 0.01, {SPREAD} "
        f"({len(table.unique('seed'))} seeds per N); dashed: min-l1 solution, dotted: min-l2. "
        f"{flow_note()}; {mode(quick)}."
    )
    return [save_figure(fig, out_dir, "woodworth_fig1", caption)]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = []
    for N in table.unique("N"):
        sub = table.where(N=N)
        err = np.array(sub.column("error"))
        rows.append({"N": N, "error at smallest alpha": float(err[:, 0].mean()),
                     "min-l1 error": float(np.mean(sub.column("error_l1"))),
                     "error at largest alpha": float(err[:, -1].mean()),
                     "min-l2 error": float(np.mean(sub.column("error_l2")))})
    alphas = table.rows[0]["alphas"]
    return [(f"Population error at the smallest alpha ({alphas[0]:.0e}) and the largest "
             f"({alphas[-1]:g}) beside those of the min-l1 and min-l2 solutions (mean over "
             f"{len(table.unique('seed'))} seeds)", rows)]


EXPERIMENT = Experiment(
    name="woodworth-fig1", paper="woodworth2020",
    title="Figure 1: generalisation vs scale of initialisation",
    claim=("Small initialisation (rich regime) reaches the min-l1 interpolator and generalises "
           "from N = O(r* log d) samples; large initialisation (kernel regime) reaches min-l2 "
           "and needs N = O(d)."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="about 11 min (measured per point x 50 points on a loaded CPU; docs/benchmarks.md)",
)
