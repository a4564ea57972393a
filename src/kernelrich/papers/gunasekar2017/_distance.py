"""Gunasekar et al. (2017), Figures 1-2: how far the limit of gradient flow on X = U U^T
(and of gradient descent at several step sizes) lands from the minimum-nuclear-norm
solution, against the init scale alpha, with the nuclear norms side by side. The conjecture:
as alpha -> 0 (and the step -> 0), the limit is the min-nuclear-norm solution."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ... import matrix as km
from ...experiments import Experiment, Figure, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ._common import KEY, mode, sensing_instance

STOP = 1e-8  # sum-of-squares training loss at which flow and GD stop
RTOL, ATOL = 1e-8, 1e-10


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(n=8, rank=2, m=20, d=[8], steps=[0.03, 0.01], solver="kvaerno5",
                    alphas=[1.0, 0.1, 0.01], max_steps=50_000)
    return dict(n=50, rank=2, m=300, d=[10, 50], steps=[0.03, 0.01], solver="tsit5",
                alphas=[1.0, 0.1, 0.01, 1e-3], max_steps=100_000)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(n=[s["n"]], rank=[s["rank"]], m=[s["m"]], d=s["d"], seed=[0],
                alphas=[s["alphas"]], steps=[s["steps"]], solver=[s["solver"]],
                max_steps=[s["max_steps"]])


def _rel(X, Y) -> float:
    return float(np.linalg.norm(X - Y) / np.linalg.norm(Y))


def compute(config: dict) -> dict:
    """Per alpha: the flow's limit (diffrax, stopped at loss 1e-8) and GD's at each step
    (all in one vmapped batch), their distance to min ||X||_* (Clarabel, A(X) = y)."""
    problem, truth = sensing_instance(config)
    nuclear = km.min_nuclear_norm(problem, psd=True)
    models = [km.symmetric_factor(config["seed"] + 2, config["n"], config["d"], a)
              for a in config["alphas"]]
    flows = [km.gradient_flow(problem, model, np.array([1e9]), loss="sum", stop_loss=STOP,
                              solver=config["solver"], rtol=RTOL, atol=ATOL,
                              max_steps=config["max_steps"]).matrices[-1]
             for model in models]
    out = {"nuclear_min": nuclear.nuclear_norm, "nuclear_status": nuclear.status,
           "nuclear_to_truth": _rel(nuclear.X, truth),
           "flow_distance": [_rel(X, nuclear.X) for X in flows],
           "flow_nuclear": [km.nuclear_norm(X) for X in flows],
           "gd_distance": [], "gd_to_flow": [], "gd_nuclear": [], "gd_converged": []}
    k = len(models)  # every (step, alpha) pair in one vmapped batch
    runs = km.gradient_descent_batch(problem, models * len(config["steps"]),
                                     step=[s for s in config["steps"] for _ in models],
                                     loss="sum", steps=config["max_steps"], stop_loss=STOP,
                                     chunk=5000)
    for j in range(len(config["steps"])):
        mine = runs[j * k:(j + 1) * k]
        out["gd_distance"].append([_rel(r.matrix, nuclear.X) for r in mine])
        out["gd_to_flow"].append([_rel(r.matrix, X) for r, X in zip(mine, flows, strict=True)])
        out["gd_nuclear"].append([km.nuclear_norm(r.matrix) for r in mine])
        out["gd_converged"].append([bool(r.converged) for r in mine])
    return out


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, axes = plt.subplots(len(table), 2, squeeze=False,
                             figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.33 * len(table)))
    for (ax, bx), row in zip(axes, table.rows, strict=True):
        a = row["alphas"]
        ax.plot(a, row["flow_distance"], color="k", marker="o", label="flow")
        bx.plot(a, row["flow_nuclear"], color="k", marker="o", label="flow")
        for color, step, dist, nuc in zip(COLORS, row["steps"], row["gd_distance"],
                                          row["gd_nuclear"], strict=False):
            ax.plot(a, dist, color=color, linestyle="--", label=f"GD, step {step:g}")
            bx.plot(a, nuc, color=color, linestyle="--", label=f"GD, step {step:g}")
        bx.axhline(row["nuclear_min"], color="0.5", linestyle=":", label="min ||X||_*")
        ax.set(xscale="log", yscale="log", xlabel=r"init scale $\alpha$",
               ylabel="||X - X_nuc||_F / ||X_nuc||_F", title=f"d = {row['d']}")
        bx.set(xscale="log", xlabel=r"init scale $\alpha$", ylabel="nuclear norm",
               title=f"d = {row['d']}")
    axes[0, 0].legend()
    axes[0, 1].legend()
    row = table.rows[0]
    worst = max(max(max(v) for v in r["gd_to_flow"]) for r in table.rows)
    unconverged = sum(not c for r in table.rows for cs in r["gd_converged"] for c in cs)
    caption = (
        f"Relative distance of the limit of X = U U^T (U in R^(n x d), Gaussian U0 with "
        f"N(0, 1/n) entries, U(0) = alpha U0) to the min-nuclear-norm PSD solution "
        f"(cvxpy + Clarabel, A(X) = y exactly) and nuclear norms, against alpha; n = "
        f"{row['n']}, rank-{row['rank']} PSD truth, m = {row['m']} symmetric Gaussian "
        f"measurements, seed {row['seed']}, sum-of-squares loss. Flow: diffrax "
        f"{row['solver']} (PID rtol {RTOL:g}, atol {ATOL:g}) stopped at loss {STOP:g}. GD: "
        f"steps {', '.join(f'{s:g}' for s in row['steps'])}, stopped at loss {STOP:g} or "
        f"{row['max_steps']} steps ({unconverged} run(s) hit the limit); largest measured "
        f"relative distance of GD to the flow: {worst:.1e}. {mode(quick)}.")
    return [save_figure(fig, out_dir, "gunasekar_distance", caption)]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = []
    for row in table.rows:
        for k, alpha in enumerate(row["alphas"]):
            rows.append({"d": row["d"], "alpha": alpha,
                         "flow: distance to min-nuclear": row["flow_distance"][k],
                         "flow: ||X||_*": row["flow_nuclear"][k],
                         "min ||X||_*": row["nuclear_min"],
                         "GD (smallest step): distance to flow": row["gd_to_flow"][-1][k]})
    return [("Paper reports (Figures 1-2): as alpha -> 0 the limit approaches the "
             "min-nuclear-norm solution and its nuclear norm the minimum. We measure:", rows)]


EXPERIMENT = Experiment(
    name="gunasekar-distance", paper=KEY,
    title="Distance to the min-nuclear-norm solution vs init scale",
    claim=("Gradient flow on U U^T from a small initialisation converges to (near) the "
           "minimum-nuclear-norm solution, for full-dimensional and smaller U."),
    points=points, compute=compute, plot=plot, tables=tables,
)
