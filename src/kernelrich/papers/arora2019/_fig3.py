"""Arora et al. (2019), Figure 3: the top singular values of the end-to-end matrix over
training, depth 1, 2, 3 (Theorem 3: sigma_r moves at a rate scaled by sigma_r^(2 - 2/N), so
deeper factorisations keep small singular values near zero and let a few jump late)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Figure, Table, grid
from ...plotting import PAGE_WIDTH, save_figure
from ._common import KEY, instance, mode, optimiser_note, seeds_note, train, unconverged

SCALE = 1e-3
TOP = 10


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(n=20, rank=2, m=100, chunk=100, max_steps=20_000)
    return dict(n=100, rank=5, m=2000, chunk=250, max_steps=100_000)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(n=[s["n"]], rank=[s["rank"]], m=[s["m"]], depth=[1, 2, 3], seed=[0],
                chunk=[s["chunk"]], max_steps=[s["max_steps"]])


def compute(config: dict) -> dict:
    problem, _ = instance(config)
    run = train(problem, config["depth"], SCALE, config["seed"], config["max_steps"],
                chunk=config["chunk"])
    return {"times": run.times.tolist(), "singular_values": run.singular_values.tolist(),
            "converged": run.converged, "steps": run.steps_run}


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    depths = table.unique("depth")
    fig, axes = plt.subplots(1, len(depths), figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.3),
                             squeeze=False, sharey=True)
    for ax, depth in zip(axes[0], depths, strict=True):
        row = table.where(depth=depth).rows[0]
        ax.plot(row["times"], np.array(row["singular_values"]), color="0.2", linewidth=0.9)
        ax.set(title=f"depth {depth}", xlabel="iteration", yscale="log")
    axes[0, 0].set_ylabel("singular values")
    row = table.rows[0]
    caption = (
        f"Top {TOP} singular values of the end-to-end matrix over training (recorded every "
        f"{row['chunk']} steps), completion of a {row['n']}x{row['n']} rank-{row['rank']} "
        f"ground truth from {row['m']} entries, init scale {SCALE:g}, {seeds_note(table)}; "
        f"{optimiser_note(row['max_steps'])}.{unconverged(table)} {mode(quick)}.")
    return [save_figure(fig, out_dir, "arora_fig3", caption)]


EXPERIMENT = Experiment(
    name="arora-fig3", paper=KEY, title="Figure 3: singular values over training",
    claim=("Deeper factorisations let a few singular values jump, later and more sharply, "
           "while the rest stay near zero."),
    points=points, compute=compute, plot=plot,
)
