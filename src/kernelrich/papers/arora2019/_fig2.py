"""Arora et al. (2019), Figure 2: reconstruction error, nuclear norm and effective rank of
the trained factorisation against the init scale, for completion from few and many entries
and for matrix sensing. Smaller init lowers the effective rank, more so for deeper models,
while the nuclear norm need not go down (so the bias is not the nuclear norm)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter

from ... import matrix as km
from ...experiments import Experiment, Figure, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ._common import KEY, LR, STOP, instance, mode, optimiser_note, seeds_note, summary, unconverged

QUANTITIES = [("error", "reconstruction error"), ("nuclear_norm", "nuclear norm"),
              ("effective_rank", "effective rank")]


def _sizes(quick: bool) -> dict:
    if quick:  # 20 x 20: 80 and 200 entries are 20 % and 50 %, as 2000 and 5000 of 100 x 100
        return dict(n=20, rank=2, setups=[("completion", 80), ("completion", 200),
                                          ("sensing", 80)],
                    depths=[2, 3], scales=[1e-1, 1e-2, 1e-3], max_steps=40_000)
    return dict(n=100, rank=5, setups=[("completion", 2000), ("completion", 5000),
                                       ("sensing", 2000)],
                depths=[2, 3, 4], scales=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
                max_steps=200_000)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return [{**setup, "kind": kind, "m": m} for kind, m in s["setups"]
            for setup in grid(n=[s["n"]], rank=[s["rank"]], depth=s["depths"], seed=[0],
                              scales=[s["scales"]], max_steps=[s["max_steps"]])]


def compute(config: dict) -> dict:
    """All init scales of one setup and depth trained together (vmapped)."""
    problem, truth = instance(config)
    models = [km.deep_factors(config["seed"] + 2, config["n"], config["depth"], s)
              for s in config["scales"]]
    runs = km.gradient_descent_batch(problem, models, step=LR, steps=config["max_steps"],
                                     loss="mean", stop_loss=STOP, optimizer="group_rmsprop")
    out = {key: [summary(r.matrix, truth)[key] for r in runs] for key, _ in QUANTITIES}
    return {**out, "steps": [r.steps_run for r in runs],
            "converged": [bool(r.converged) for r in runs]}


def _setup(row: dict) -> str:
    return f"{row['kind']}, m = {row['m']}"


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    setups = list(dict.fromkeys((r["kind"], r["m"]) for r in table.rows))
    fig, axes = plt.subplots(len(QUANTITIES), len(setups), squeeze=False,
                             figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.75), sharex=True)
    for j, (kind, m) in enumerate(setups):
        sub = table.where(kind=kind, m=m)
        for color, depth in zip(COLORS, sub.unique("depth"), strict=False):
            row = sub.where(depth=depth).rows[0]
            for i, (key, label) in enumerate(QUANTITIES):
                axes[i, j].plot(row["scales"], row[key], marker="o", color=color,
                                label=f"depth {depth}")
                axes[i, j].set(xscale="log", ylabel=label if j == 0 else None)
        axes[0, j].set_title(_setup(sub.rows[0]))
        axes[0, j].set_yscale("log")
        axes[0, j].yaxis.set_minor_formatter(NullFormatter())
        axes[-1, j].set_xlabel("init scale")
    axes[0, 0].legend()
    row = table.rows[0]
    caption = (
        f"Reconstruction error, nuclear norm and effective rank (exp of the entropy of "
        f"sigma / sum sigma) of the trained end-to-end matrix against the init scale; "
        f"{row['n']}x{row['n']} rank-{row['rank']} ground truth with entries of RMS 1, "
        f"completion (uniform entries) and Gaussian sensing (A_i = randn / n), "
        f"{seeds_note(table)}; {optimiser_note(row['max_steps'])}, all scales of a panel "
        f"in one vmapped batch.{unconverged(table)} {mode(quick)}.")
    return [save_figure(fig, out_dir, "arora_fig2", caption)]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = []
    for r in table.rows:
        rows.append({"setup": _setup(r), "depth": r["depth"],
                     "eff. rank at largest scale": r["effective_rank"][0],
                     "eff. rank at smallest scale": r["effective_rank"][-1],
                     "error at smallest scale": r["error"][-1]})
    return [("Paper reports (Figure 2): as the init scale shrinks the effective rank falls "
             "towards the true rank, faster for deeper factorisations. We measure:", rows)]


EXPERIMENT = Experiment(
    name="arora-fig2", paper=KEY,
    title="Figure 2: error, nuclear norm and effective rank vs init scale",
    claim=("Small initialisation drives deep factorisations towards low effective rank, "
           "more strongly with depth, while their nuclear norm need not shrink."),
    points=points, compute=compute, plot=plot, tables=tables,
)
