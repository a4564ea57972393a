"""The kernel-to-rich transition in matrix factorisation (Woodworth et al. 2020: "we also
demonstrate this transition empirically for more complex matrix factorization models").

Symmetric Gaussian sensing y_i = <A_i, X*> of a low-rank indefinite X*, the unbiased model
X = U U^T - V V^T from U(0) = V(0) = alpha I (`_lifted`), plain gradient descent at steps h
and h/2 to a small training loss. Against alpha: the limit's distance to the min-nuclear-norm
solution (the rich end, cvxpy + Clarabel, status recorded) and to the min-Frobenius solution
(the kernel end, alpha -> infinity), with GD's measured step sensitivity.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ... import matrix as km
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, save_figure
from ._common import mode
from ._lifted import descend, min_frobenius

STOP = 1e-12  # sum-of-squares training loss at which GD stops
NOT_READ = "the paper's matrix-factorisation setup could not be read"


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(n=6, m=15, ranks=[1, 1], seed=[0], alphas=[0.01, 0.1, 1.0, 10.0, 100.0],
                    max_steps=100_000)
    return dict(n=10, m=30, ranks=[1, 1], seed=[0, 1, 2],
                alphas=np.logspace(-2, 2, 9).tolist(), max_steps=400_000)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(n=[s["n"]], m=[s["m"]], ranks=[s["ranks"]], seed=s["seed"],
                alphas=[s["alphas"]], max_steps=[s["max_steps"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    q = " (quick mode: full mode uses {})" if quick else ""
    return [
        Param.uncertain("model", "X = U U^T - V V^T, U, V n x n, U(0) = V(0) = alpha I",
                        NOT_READ + "; the unbiased analogue of the diagonal network (X(0) = 0; "
                        "diagonal A_i give it exactly)"),
        Param.uncertain("n", s["n"], NOT_READ + q.format(full["n"])),
        Param.uncertain("X*", "rank-1 PSD minus rank-1 PSD (low_rank_truth), RMS entry 1",
                        NOT_READ + "; indefinite, which U U^T - V V^T can fit"),
        Param.uncertain("m (measurements)", s["m"], NOT_READ + "; m < n(n+1)/2 = "
                        f"{s['n'] * (s['n'] + 1) // 2} (underdetermined)" + q.format(full["m"])),
        Param.choice("A_i", "(G_i + G_i^T) / (2n), G_i iid N(0, 1)",
                     "symmetric Gaussian sensing (kernelrich.matrix.gaussian_sensing)"),
        Param.choice("loss", "sum_i (<A_i, X> - y_i)^2", "as the diagonal network's"),
        Param.choice("dynamics", "plain GD at steps h and h/2, h = 1 / (s^2 max(16 alpha^2, "
                     "8 ||X_nuc||_2)), stopped at loss "
                     f"{STOP:g} or {s['max_steps']} steps",
                     "the flow (diffrax) takes minutes per alpha here; the h vs h/2 gap is "
                     "reported as GD's distance to the flow"),
        Param.choice("alpha grid", s["alphas"], "from the rich to the kernel end"),
        Param.choice("seeds", s["seed"], "independent truths and measurements"
                     + q.format(len(full["seed"]))),
        Param.choice("min-nuclear-norm solver", "cvxpy + Clarabel, A(X) = y exactly",
                     "an interior-point solution; its status is recorded"),
    ]


def instance(config: dict) -> km.Sensing:
    seed, n, (r1, r2) = config["seed"], config["n"], config["ranks"]
    truth = (km.low_rank_truth(seed, n, r1, psd=True)
             - km.low_rank_truth(seed + 1000, n, r2, psd=True))
    truth *= n / np.linalg.norm(truth)
    return km.gaussian_sensing(seed + 2000, truth, config["m"], symmetric=True)


def _rel(X, Y):
    """||X - Y||_F / ||Y||_F, one per matrix in X."""
    return (np.linalg.norm(X - Y, axis=(-2, -1)) / np.linalg.norm(Y)).tolist()


def compute(config: dict) -> dict:
    """Per alpha: the GD limit's distances to min ||X||_* and min ||X||_F and to X*, and the
    gap between the runs at h and h/2."""
    problem = instance(config)
    nuclear = km.min_nuclear_norm(problem, allow_inaccurate=True)
    frob = min_frobenius(problem)
    runs = descend(problem, config["alphas"], target=nuclear.X,
                   max_steps=config["max_steps"], stop_loss=STOP)
    X = runs["X"]
    return {"dist_nuclear": _rel(X, nuclear.X), "dist_frobenius": _rel(X, frob),
            "dist_truth": _rel(X, problem.truth),
            "step_gap": _rel(runs["X_coarse"], X),
            "nuclear_norm": [km.nuclear_norm(x) for x in X], "converged": runs["converged"],
            "steps_run": runs["steps_run"], "nuclear_status": nuclear.status,
            "nuclear_residual": nuclear.residual, "nuclear_min": nuclear.nuclear_norm,
            "nuclear_to_truth": _rel(nuclear.X, problem.truth),
            "frobenius_to_nuclear": _rel(frob, nuclear.X)}


def _mean(table: Table, key: str) -> np.ndarray:
    return np.mean(np.array(table.column(key), dtype=float), axis=0)


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.3, COLUMN_WIDTH))
    alphas = np.array(table.rows[0]["alphas"])
    curves = {"dist_nuclear": "to min nuclear norm", "dist_frobenius": "to min Frobenius (kernel)",
              "step_gap": "GD: step h vs h/2"}
    for color, (key, label) in zip(COLORS, curves.items(), strict=False):
        ax.plot(alphas, np.maximum(_mean(table, key), 1e-16), color=color, marker="o",
                label=label, linestyle=":" if key == "step_gap" else "-")
    ax.set(xscale="log", yscale="log", xlabel=r"initialisation scale $\alpha$",
           ylabel="relative distance of the limit")
    ax.legend(fontsize=7)
    row = table.rows[0]
    caption = (
        f"Matrix sensing with the unbiased factorisation X = UU^T - VV^T, U(0) = V(0) = alpha I: "
        f"relative distance of gradient descent's limit (step h/2, stopped at sum loss {STOP:g}) "
        f"to the min-nuclear-norm and the min-Frobenius interpolators, and the gap between the "
        f"runs at h and h/2 (GD's distance to the flow, to first order). n = {row['n']}, "
        f"m = {row['m']}, X* rank {sum(row['ranks'])} indefinite, mean over "
        f"{len(table.unique('seed'))} seeds. {_status_sentence(table)} {mode(quick)}."
    )
    return [save_figure(fig, out_dir, "woodworth_matrix", caption)]


def _status_sentence(table: Table) -> str:
    statuses = sorted(set(table.column("nuclear_status")))
    stalled = int(np.sum(~np.array(table.column("converged"), dtype=bool)))
    return (f"Clarabel status: {', '.join(statuses)}; GD runs that did not reach the stop "
            f"loss: {stalled}.")


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    alphas = table.rows[0]["alphas"]
    keys = {"to min nuclear": "dist_nuclear", "to min Frobenius": "dist_frobenius",
            "to X*": "dist_truth", "GD gap h vs h/2": "step_gap"}
    ratio = np.mean(np.array(table.column("nuclear_norm"), dtype=float)
                    / np.array(table.column("nuclear_min"), dtype=float)[:, None], axis=0)
    rows = [{"alpha": a, **{k: float(_mean(table, v)[i]) for k, v in keys.items()},
             "||X||_* / min ||X||_*": float(ratio[i]),
             "GD steps (mean)": float(_mean(table, "steps_run")[i])}
            for i, a in enumerate(alphas)]
    return [(f"Relative distance of the limit against alpha (mean over "
             f"{len(table.unique('seed'))} seeds); min-nuclear-norm solution to X*: "
             f"{np.mean(table.column('nuclear_to_truth')):.2g}. {_status_sentence(table)}",
             rows)]


EXPERIMENT = Experiment(
    name="woodworth-matrix", paper="woodworth2020",
    title="Matrix factorisation: distance to the min-Frobenius and min-nuclear-norm solutions",
    claim=("The scale of the initialisation moves the limit of the unbiased factorisation "
           "X = UU^T - VV^T away from the min-Frobenius interpolator (the kernel regime, large "
           "alpha) as alpha decreases; the min-nuclear-norm interpolator is the conjectured "
           "small-alpha limit (Gunasekar et al. 2017), a theorem for commuting A_i."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="about 3 min (measured per point x 3 points on a loaded CPU; docs/benchmarks.md)",
)
