"""Gunasekar et al. (2017), Figures 1-2: how far the limit of gradient flow on X = U U^T
(and of gradient descent at several step sizes) lands from the minimum-nuclear-norm
solution, against the init scale alpha, with the nuclear norms side by side, for matrix
sensing and matrix completion over several seeds. The conjecture: as alpha -> 0 (and the
step -> 0), the limit is the min-nuclear-norm solution."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ... import matrix as km
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ._common import KEY, instance, mode, unread

STOP = 1e-8  # sum-of-squares training loss at which flow and GD stop
RTOL, ATOL = 1e-8, 1e-10
KINDS = ("sensing", "completion")


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(n=8, rank=2, m=20, d=[8], seed=[0, 1], steps=[0.03, 0.01],
                    solver="kvaerno5", alphas=[1.0, 0.1, 0.01], max_steps=20_000)
    return dict(n=50, rank=2, m=300, d=[10, 50], seed=[0, 1, 2], steps=[0.03, 0.01],
                solver="tsit5", alphas=[1.0, 0.1, 0.01, 1e-3], max_steps=100_000)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(kind=list(KINDS), n=[s["n"]], rank=[s["rank"]], m=[s["m"]], d=s["d"],
                seed=s["seed"], alphas=[s["alphas"]], steps=[s["steps"]],
                solver=[s["solver"]], max_steps=[s["max_steps"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    return [
        unread("n (X is n x n, PSD)", s["n"], "full mode 50, quick 8"),
        unread("rank of the PSD ground truth", s["rank"], "W* = U U^T / sqrt(r), U Gaussian, "
               "rescaled to entries of RMS 1 (as Arora et al.'s generator)"),
        unread("m (measurements / observed entries)", s["m"], "m << n^2 (the paper's regime)"),
        unread("sensing matrices", "A_i = (G_i + G_i^T) / (2n), G_i Gaussian",
               "symmetric, as the paper's setting requires"),
        unread("completion sampling", "m entries of the upper triangle, uniform without "
               "replacement", "X symmetric: X_ij and X_ji are one observation"),
        unread("d (U is n x d)", s["d"], "d = n (full dimensional) and, in full mode, d < n"),
        unread("init", "U(0) = alpha U0, U0 iid N(0, 1/n)", "a full-rank init, as the "
               "conjecture assumes"),
        unread("init scales alpha", s["alphas"], "down to where the flow's limit no longer "
               "moves at this size"),
        unread("GD step sizes", s["steps"], "the conjecture's step -> 0, two steps"),
        Param.uncertain("loss", "||A(U U^T) - y||^2 (sum of squares)", "the study notes' "
                        "restatement (seed §4.1); the paper's normalisation could not be read"),
        Param.choice("stop", f"training loss {STOP:g} or {s['max_steps']} steps",
                     "the limit X_infinity, to a loss far below the distances measured"),
        Param.choice("gradient flow", f"diffrax {s['solver']}, PID rtol {RTOL:g}, atol "
                     f"{ATOL:g}", "the conjecture is about the flow; GD is measured against it"),
        Param.choice("min-nuclear-norm reference", "cvxpy + Clarabel, PSD, A(X) = y exactly",
                     "the conjecture's argmin; interior point, status recorded"),
        Param.choice("seeds", s["seed"], "truth, measurements and init redrawn per seed"),
    ] + ([Param.choice("quick mode", "n = 8, m = 20, d = n, 2 seeds, alpha >= 0.01",
                       f"a scaled-down copy; full mode n = {full['n']}, m = {full['m']}")]
         if quick else [])


def _rel(X, Y) -> float:
    return float(np.linalg.norm(X - Y) / np.linalg.norm(Y))


def compute(config: dict) -> dict:
    """Per alpha: the flow's limit (diffrax, stopped at loss 1e-8) and GD's at each step
    (all in one vmapped batch), their distance to min ||X||_* (Clarabel, PSD, A(X) = y)."""
    problem, truth = instance(config)
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
           "flow_to_truth": [_rel(X, truth) for X in flows],
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


def _curves(table: Table, kind: str, d: int, key: str) -> np.ndarray:
    """The rows' `key` for one (kind, d), one row per seed (NaN-propagating)."""
    return np.array([r[key] for r in table.where(kind=kind, d=d).rows], dtype=float)


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    panels = list(dict.fromkeys((r["kind"], r["d"]) for r in table.rows))
    fig, axes = plt.subplots(len(panels), 2, squeeze=False,
                             figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.3 * len(panels)))
    for (ax, bx), (kind, d) in zip(axes, panels, strict=True):
        row = table.where(kind=kind, d=d).rows[0]
        a = row["alphas"]
        for k, (dist, nuc) in enumerate(zip(_curves(table, kind, d, "flow_distance"),
                                            _curves(table, kind, d, "flow_nuclear"),
                                            strict=True)):
            ax.plot(a, dist, color="k", marker="o", label="flow" if k == 0 else None)
            bx.plot(a, nuc, color="k", marker="o", label="flow" if k == 0 else None)
        for color, (j, step) in zip(COLORS, enumerate(row["steps"]), strict=False):
            for k, r in enumerate(table.where(kind=kind, d=d).rows):
                label = f"GD, step {step:g}" if k == 0 else None
                ax.plot(a, r["gd_distance"][j], color=color, linestyle="--", label=label)
                bx.plot(a, r["gd_nuclear"][j], color=color, linestyle="--", label=label)
        for k, r in enumerate(table.where(kind=kind, d=d).rows):
            bx.axhline(r["nuclear_min"], color="0.5", linestyle=":",
                       label="min ||X||_*" if k == 0 else None)
        ax.set(xscale="log", yscale="log", xlabel=r"init scale $\alpha$",
               ylabel="||X - X_nuc||_F / ||X_nuc||_F", title=f"{kind}, d = {d}")
        bx.set(xscale="log", xlabel=r"init scale $\alpha$", ylabel="nuclear norm",
               title=f"{kind}, d = {d}")
    axes[0, 0].legend()
    axes[0, 1].legend()
    fig.tight_layout()
    return [save_figure(fig, out_dir, "gunasekar_distance", caption(table, quick))]


def caption(table: Table, quick: bool) -> str:
    row = table.rows[0]
    gd_to_flow = np.array([v for r in table.rows for vs in r["gd_to_flow"] for v in vs],
                          dtype=float)
    unconverged = sum(not c for r in table.rows for cs in r["gd_converged"] for c in cs)
    statuses = [r["nuclear_status"] for r in table.rows]
    inaccurate = sum(s != "optimal" for s in statuses)
    return (
        f"Relative distance of the limit of X = U U^T (U in R^(n x d), Gaussian U0 with "
        f"N(0, 1/n) entries, U(0) = alpha U0) to the min-nuclear-norm PSD solution "
        f"(cvxpy + Clarabel, A(X) = y exactly; {len(statuses) - inaccurate} of "
        f"{len(statuses)} solves with status optimal) and nuclear norms, against alpha; n = "
        f"{row['n']}, rank-{row['rank']} PSD truth, m = {row['m']} symmetric Gaussian "
        f"measurements or observed upper-triangle entries, seeds "
        f"{', '.join(str(s) for s in table.unique('seed'))} (one curve each), sum-of-squares "
        f"loss. Flow: diffrax {row['solver']} (PID rtol {RTOL:g}, atol {ATOL:g}) stopped at "
        f"loss {STOP:g}. GD: steps {', '.join(f'{s:g}' for s in row['steps'])}, stopped at "
        f"loss {STOP:g} or {row['max_steps']} steps ({unconverged} run(s) hit the limit); "
        f"largest measured relative distance of GD to the flow: {np.max(gd_to_flow):.1e}. "
        f"{mode(quick)}.")


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows, trends = [], []
    for kind, d in dict.fromkeys((r["kind"], r["d"]) for r in table.rows):
        alphas = table.where(kind=kind, d=d).rows[0]["alphas"]
        dist = _curves(table, kind, d, "flow_distance").mean(axis=0)
        trends.append(f"{kind}, d = {d}: {dist[0]:.2g} at alpha = {alphas[0]:g} to "
                      f"{dist[-1]:.2g} at alpha = {alphas[-1]:g}")
        nuclear = np.mean([r["nuclear_min"] for r in table.where(kind=kind, d=d).rows])
        for k, alpha in enumerate(alphas):
            rows.append({
                "kind": kind, "d": d, "alpha": alpha,
                "flow: distance to min-nuclear": float(dist[k]),
                "flow: ||X||_*": float(_curves(table, kind, d, "flow_nuclear")[:, k].mean()),
                "min ||X||_*": float(nuclear),
                "flow: error to truth": float(_curves(table, kind, d, "flow_to_truth")[:,
                                                                                      k].mean()),
                "GD (smallest step): distance to flow": float(np.max(
                    [r["gd_to_flow"][-1][k] for r in table.where(kind=kind, d=d).rows]))})
    seeds = len(table.unique("seed"))
    return [(f"Figures 1-2, mean over {seeds} seed(s) (GD: largest). The flow's distance to "
             f"the min-nuclear-norm solution goes from {'; '.join(trends)}:", rows)]


EXPERIMENT = Experiment(
    name="gunasekar-distance", paper=KEY,
    title="Figures 1-2: distance to the min-nuclear-norm solution vs init scale, sensing "
          "and completion",
    claim=("The paper conjectures that gradient flow on U U^T from a small initialisation "
           "converges to the minimum-nuclear-norm solution, for full-dimensional U."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup, schema=2,
    full_time=("not measured: one point (sensing, d = 50) ran 14 min on a loaded CPU without "
               "finishing; hours (docs/benchmarks.md)"),
)
