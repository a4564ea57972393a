"""Arora et al. (2019), Figures 1 and 2 (matrix completion) and the appendix's versions for
matrix sensing, as the authors' notebook draws them (plot.ipynb): the reconstruction error,
nuclear norm and effective rank of the trained end-to-end matrix against the initial
||W(0)||_F (= sqrt(n) x init scale; 10 x at n = 100), for 2,000 and 5,000 observations,
depths 2, 3, 4 and two learning rates, mean +- std over repeated runs; the
min-nuclear-norm solution and the ground truth as horizontal lines.

Figure 1 is the test of Gunasekar et al.'s conjecture: if the trained matrix tends to the
min-nuclear-norm solution as the learning rate and the init scale go to 0, both learning
rates' curves meet the nuclear norm's error at small init. Figure 2 (learning rate 1e-3)
shows what the limit is instead: lower effective rank, not lower nuclear norm."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...experiments import Experiment, Figure, Param, Table
from ._common import (
    KEY,
    MAX_STEPS,
    REPO,
    instance,
    mode,
    nuclear_baseline,
    nuclear_params,
    optimiser_params,
    statuses,
    summary,
    train_batch,
)
from ._scales_plot import figure1, figure2

LRS = [1e-3, 3e-4]  # README.md: run.rb --replace LR=0.001,0.0003
REPEATS = 3  # README.md: run.rb --n_jobs 3 (each configuration run 3 times)


def _sizes(kind: str, quick: bool) -> dict:
    scales = [1e-3, 1e-4, 1e-5, 1e-6] + ([1e-7] if kind == "sensing" else [])
    if quick:  # n = 20, rank 1: 80 and 200 observations are 2.05 and 5.1 times the rank's
        # degrees of freedom r (2n - r), as 2,000 and 5,000 are at n = 100, rank 5; the
        # sensing copy keeps the few-observations column and every other init scale
        if kind == "sensing":
            return dict(n=20, rank=1, m=[80], depths=[2, 3], repeats=2, max_steps=100_000,
                        scales=scales[::2])
        return dict(n=20, rank=1, m=[80, 200], depths=[2, 3], repeats=2, max_steps=100_000,
                    scales=scales)
    return dict(n=100, rank=5, m=[2000, 5000], depths=[2, 3, 4], repeats=REPEATS,
                max_steps=MAX_STEPS, scales=scales)


def _points(kind: str, quick: bool) -> list[dict]:
    s = _sizes(kind, quick)
    base = dict(kind=kind, n=s["n"], rank=s["rank"], seed=0)
    out = []
    for m in s["m"]:
        out.append({**base, "m": m, "method": "nuclear"})
        out += [{**base, "m": m, "method": f"depth-{d}", "depth": d, "lrs": LRS,
                 "scales": s["scales"], "repeats": s["repeats"], "max_steps": s["max_steps"]}
                for d in s["depths"]]
    return out


def _setup(kind: str, quick: bool) -> list[Param]:
    s, full = _sizes(kind, quick), _sizes(kind, False)
    differs = {k: (full[k] if s[k] != full[k] else None) for k in s}
    sensing = kind == "sensing"
    return [
        Param.code("n (W is n x n)", s["n"], f"{REPO}: configs/mat-cmpl/gen_gt.toml",
                   paper_value=differs["n"]),
        Param.code("rank of the ground truth", s["rank"], f"{REPO}: gen_gt.py, "
                   "configs/mat-cmpl/gen_gt.toml", paper_value=differs["rank"]),
        Param.code("ground truth", "U V^T / sqrt(r), U, V iid N(0, 1), rescaled to "
                   "||W||_F = sqrt(n1 n2) (entries of RMS 1); float64 (authors: float32)",
                   f"{REPO}: gen_gt.py"),
        Param.code("observations" if not sensing else "measurements", s["m"],
                   f"{REPO}: configs/mat-{'sensing' if sensing else 'cmpl'}/2000.toml, "
                   "5000.toml", paper_value=differs["m"]),
        Param.code("observation law", "A_i = randn(n, n) / n, y_i = <A_i, W*>" if sensing
                   else "entries uniform without replacement", f"{REPO}: gen_obs.py"),
        Param.code("depths", s["depths"], f"{REPO}: README.md (DEPTH=2,3,4), plot.ipynb",
                   paper_value=differs["depths"]),
        Param.code("init scales", s["scales"], f"{REPO}: README.md (SCALE=1e-3 ... 1e-6), "
                   "plot.ipynb" + (" (appendix: down to 1e-7)" if sensing else ""),
                   paper_value=differs["scales"]),
        Param.code("x-axis", "||W(0)||_F = sqrt(n) x init scale", f"{REPO}: plot.ipynb "
                   "(xs = init_scale * 10 at n = 100)"),
        Param.code("repeats per configuration", s["repeats"], f"{REPO}: README.md (run.rb "
                   "--n_jobs 3); the data fixed, the init redrawn", paper_value=differs[
                       "repeats"]),
        Param.choice("data seed", 0, "the authors generated one ground truth and one "
                     "observation set per count; ours are seeded"),
        *optimiser_params(LRS, s["max_steps"]),
        *nuclear_params(),
    ]


def compute(config: dict) -> dict:
    """A nuclear-norm point: the baseline. A depth point: every (lr, scale, repeat) as one
    vmapped batch; outputs shaped (lr, scale, repeat)."""
    problem, truth = instance(config)
    if config["method"] == "nuclear":
        return nuclear_baseline(problem, truth)
    runs = train_batch(problem, config["depth"], config["scales"], config["lrs"],
                       config["repeats"], config["seed"], config["max_steps"])
    shape = (len(config["lrs"]), len(config["scales"]), config["repeats"])
    summaries = [summary(r.matrix, truth) for r in runs]

    def grid(values):
        return np.asarray(values).reshape(shape).tolist()

    return {"error": grid([s["error"] for s in summaries]),
            "nuclear_norm": grid([s["nuclear_norm"] for s in summaries]),
            "effective_rank": grid([s["effective_rank"] for s in summaries]),
            "steps": grid([r.steps_run for r in runs]),
            "converged": grid([bool(r.converged) for r in runs]),
            "train_loss": grid([float(r.losses[-1]) if len(r.losses) else float("nan")
                                for r in runs])}


def _mean(row: dict, key: str, lr: int) -> np.ndarray:
    """Mean over repeats of row[key][lr], NaN-propagating, one value per init scale."""
    return np.mean(np.asarray(row[key], dtype=float)[lr], axis=-1)


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows, words = [], []
    depth_rows = [r for r in table.rows if r["method"] != "nuclear"]
    for r in depth_rows:
        x = np.sqrt(r["n"]) * np.asarray(r["scales"])
        for j, lr in enumerate(r["lrs"]):
            err = np.asarray(r["error"], dtype=float)[j]
            for k, xk in enumerate(x):
                rows.append({"m": r["m"], "depth": r["depth"], "lr": lr,
                             "||W(0)||_F": float(xk),
                             "error (mean)": float(err[k].mean()),
                             "error (std)": float(err[k].std()),
                             "nuclear norm (mean)": float(_mean(r, "nuclear_norm", j)[k]),
                             "effective rank (mean)": float(_mean(r, "effective_rank", j)[k]),
                             "converged": f"{sum(r['converged'][j][k])}/{len(err[k])}"})
    for m in table.unique("m"):
        nuc = table.where(m=m, method="nuclear").rows
        parts = [f"nuclear norm {nuc[0]['error']:.2g}"] if nuc else []
        for r in (r for r in depth_rows if r["m"] == m):
            errs = "/".join(f"{_mean(r, 'error', j)[-1]:.2g}" for j in range(len(r["lrs"])))
            parts.append(f"depth {r['depth']} {errs}")
        words.append(f"m = {m}: {', '.join(parts)}")
    lrs = "/".join(f"{lr:g}" for lr in depth_rows[0]["lrs"]) if depth_rows else ""
    repeats = depth_rows[0]["repeats"] if depth_rows else 0
    return [(f"Figures 1-2, mean over {repeats} repeats. Reconstruction error at the smallest "
             f"init scale (lr {lrs}): {'; '.join(words)}.", rows)]


def _plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    kind = table.rows[0]["kind"]
    tag = "" if kind == "completion" else "_sensing"
    return [figure1(table, out_dir, f"arora_fig1{tag}", _note(table, quick)),
            figure2(table, out_dir, f"arora_fig2{tag}", _note(table, quick))]


def _note(table: Table, quick: bool) -> str:
    """The caption's common part: what ran."""
    r = next(r for r in table.rows if r["method"] != "nuclear")
    unconverged = sum(not c for row in table.rows if row["method"] != "nuclear"
                      for per_lr in row["converged"] for per_scale in per_lr
                      for c in per_scale)
    total = sum(len(row["lrs"]) * len(row["scales"]) * row["repeats"]
                for row in table.rows if row["method"] != "nuclear")
    observed = ("Gaussian measurements A_i = randn / n" if r["kind"] == "sensing"
                else "observed entries (uniform)")
    return (f"{r['n']}x{r['n']} rank-{r['rank']} ground truth (entries of RMS 1), "
            f"{', '.join(str(m) for m in table.unique('m'))} {observed}; W_N ... W_1 from the "
            f"Gaussian init, trained by the authors' GroupRMSprop (not plain GD, not the flow) "
            f"on the mean squared loss to train loss 1e-6 or {r['max_steps']} steps "
            f"({total - unconverged} of {total} runs reached 1e-6), {r['repeats']} repeats "
            f"(init redrawn) per point, mean +- std; min-nuclear-norm baseline by SCS with "
            f"|A(X)_i - y_i| <= 1e-3.{statuses(table)} {mode(quick)}.")


COMPLETION = Experiment(
    name="arora-fig1-2", paper=KEY,
    title="Figures 1 and 2 (matrix completion): error, nuclear norm and effective rank vs "
          "the init scale, two learning rates",
    claim=("The paper tests Gunasekar et al.'s conjecture by shrinking the learning rate and "
           "the init scale: with few observations the factorisations' limit is not the "
           "min-nuclear-norm solution, and depth lowers the effective rank, not the nuclear "
           "norm."),
    points=lambda quick: _points("completion", quick), compute=compute, plot=_plot,
    tables=tables, setup=lambda quick: _setup("completion", quick),
    full_time=("over 1.2 h on a loaded CPU (depth 2 measured: 0.022 s per step x 100,000 "
               "steps x 2 batches; depths 3, 4 not measured; docs/benchmarks.md)"),
)

SENSING = Experiment(
    name="arora-sensing", paper=KEY,
    title="Appendix: Figures 1 and 2 for matrix sensing (init scales down to 1e-7)",
    claim=("The appendix repeats Figures 1 and 2 for Gaussian matrix sensing, with the "
           "same code path and init scales down to 1e-7."),
    points=lambda quick: _points("sensing", quick), compute=compute, plot=_plot,
    tables=tables, setup=lambda quick: _setup("sensing", quick),
    full_time=("days on a CPU (depth 2 alone: 1.9 s per step x 100,000 steps x 2 batches = "
               "108 h; docs/benchmarks.md)"),
)
