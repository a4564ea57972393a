"""Section 1.6 of Woodworth et al. (2020): the shape w0 of the initialisation.

As alpha -> infinity, Q_{alpha, w0} ~ sum_i beta_i^2 / (4 alpha^2 w0_i^2): the kernel limit is
the min-norm solution weighted by diag(w0^2). As alpha -> 0, Q / log(1/alpha^2) -> ||beta||_1
whatever w0: the rich limit does not depend on the shape.
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

SHAPES = {"ones": None, "uniform [0.5, 2]": (0.5, 2.0), "uniform [0.1, 10]": (0.1, 10.0)}


def _sizes(quick: bool) -> dict:
    return dict(d=50, r=3, N=15, seed=[0, 1, 2] if quick else list(range(10)),
                alphas=log_grid(1e-30, 1e3, 25 if quick else 67))


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(d=[s["d"]], r=[s["r"]], N=[s["N"]], seed=s["seed"], shape=list(SHAPES),
                alphas=[s["alphas"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    return model_params() + data_params(s["d"], s["N"], s["r"], s["seed"], quick, full) + [
        Param.uncertain("section 1.6's statement", "kernel limit: min-norm weighted by "
                        "diag(w0^2); rich limit: min-l1 for any w0", "study notes §1.6"),
        Param.choice("w0 shapes", list(SHAPES), "all ones, and log-uniform on two ranges "
                     "(drawn per seed, no zero entries as Theorem 1 requires)"),
        Param.choice("alpha grid", s["alphas"], "1e-30 (rich) to 1e3 (kernel)"),
    ]


def weighted_min_l2(X, y, w0):
    """argmin sum_i beta_i^2 / w0_i^2 s.t. X beta = y: W X^T (X W X^T)^{-1} y, W = diag(w0^2)."""
    W = w0**2
    return W * (X.T @ np.linalg.solve((X * W) @ X.T, y))


def compute(config: dict) -> dict:
    X, y, _ = instance(config)
    bounds = SHAPES[config["shape"]]
    rng = np.random.default_rng(1000 + config["seed"])
    w0 = np.ones(X.shape[1]) if bounds is None else np.exp(
        rng.uniform(np.log(bounds[0]), np.log(bounds[1]), X.shape[1]))
    betas = flow_limit(X, y, np.array(config["alphas"]), w0=w0)
    refs = {"weighted_l2": weighted_min_l2(X, y, w0), "l2": bias.min_l2(X, y),
            "l1": bias.min_l1(X, y)}
    out = {f"dist_{k}": (np.linalg.norm(betas - ref, axis=1) / np.linalg.norm(ref)).tolist()
           for k, ref in refs.items()}
    out["l1_excess"] = (np.abs(betas).sum(axis=1) / np.abs(refs["l1"]).sum() - 1).tolist()
    return out


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH, PAGE_WIDTH / 2.6))
    for color, shape in zip(COLORS, table.unique("shape"), strict=False):
        sub = table.where(shape=shape)
        alphas = np.array(sub.rows[0]["alphas"])
        band(axes[0], alphas, np.array(sub.column("dist_weighted_l2")), color, shape)
        if shape != "ones":
            axes[0].plot(alphas, np.mean(sub.column("dist_l2"), axis=0), color=color,
                         linestyle=":")
        band(axes[1], alphas, np.array(sub.column("l1_excess")), color, shape, floor=1e-16)
    axes[0].set(xscale="log", yscale="log", xlabel=r"$\alpha$",
                ylabel="relative distance to weighted min-l2", title="kernel side")
    axes[1].set(xscale="log", yscale="log", xlabel=r"$\alpha$",
                ylabel=r"$\|\beta_\alpha\|_1 / \|\beta_{\ell_1}\|_1 - 1$", title="rich side")
    axes[0].legend(fontsize=7)
    row = table.rows[0]
    caption = (
        f"Effect of the initialisation shape w0 (section 1.6): left, distance of the flow's limit "
        f"to the min-norm solution weighted by diag(w0^2) (solid) and to the unweighted min-l2 "
        f"(dotted); right, excess l1 norm over the min-l1 solution. w0 log-uniform in the "
        f"stated ranges, "
        f"d = {row['d']}, N = {row['N']}, r* = {row['r']}, {SPREAD} "
        f"({len(table.unique('seed'))} seeds). "
        f"{flow_note()}; {mode(quick)}."
    )
    return [save_figure(fig, out_dir, "woodworth_init_shape", caption)]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    alphas = table.rows[0]["alphas"]

    def mean(shape, key, at):
        return float(np.mean(np.array(table.where(shape=shape).column(key))[:, at]))

    rows = [{"w0": shape,
             f"dist. to weighted min-l2 at alpha = {alphas[-1]:g}":
                 mean(shape, "dist_weighted_l2", -1),
             f"dist. to min-l2 at alpha = {alphas[-1]:g}": mean(shape, "dist_l2", -1),
             f"l1 excess at alpha = {alphas[0]:.0e}": mean(shape, "l1_excess", 0)}
            for shape in table.unique("shape")]
    return [(f"Each end of the alpha grid, per init shape (mean over "
             f"{len(table.unique('seed'))} seeds)", rows)]


EXPERIMENT = Experiment(
    name="woodworth-init-shape", paper="woodworth2020",
    title="Section 1.6: the shape of the initialisation",
    claim=("The initialisation shape w0 changes the kernel limit (min-norm weighted by w0^2) but "
           "not the rich limit (min-l1)."),
    points=points, compute=compute, plot=plot, tables=tables, schema=2, setup=setup,
    full_time="about 30 s (measured per point x 30 points on a loaded CPU; docs/benchmarks.md)",
)
