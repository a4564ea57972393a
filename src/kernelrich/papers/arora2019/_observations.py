"""Arora et al. (2019), Figure 1: reconstruction error against the number of observed
entries, for depth 2, 3, 4 factorisations and the min-nuclear-norm solution. With few
observations the deeper factorisations recover the truth where the nuclear norm does not."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ... import matrix as km
from ...experiments import Experiment, Figure, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, save_figure
from ._common import (
    KEY,
    NUCLEAR_TOL,
    instance,
    mode,
    nuclear_note,
    optimiser_note,
    seeds_note,
    summary,
    train,
    unconverged,
)

SCALE = 1e-3  # init scale (end-to-end ||W(0)||_F about 1e-3 sqrt(n))
METHODS = ["depth-2", "depth-3", "depth-4", "nuclear"]


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(n=20, rank=2, m=[100, 160], seed=[0], max_steps=40_000)
    return dict(n=100, rank=5, m=[1000, 1500, 2000, 2500, 3000, 4000, 5000], seed=[0],
                max_steps=200_000)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(n=[s["n"]], rank=[s["rank"]], m=s["m"], method=METHODS, seed=s["seed"],
                max_steps=[s["max_steps"]])


def compute(config: dict) -> dict:
    problem, truth = instance(config)
    if config["method"] == "nuclear":
        result = km.min_nuclear_norm(problem, tol=NUCLEAR_TOL, solver="SCS")
        return {**summary(result.X, truth), "status": result.status}
    depth = int(config["method"].split("-")[1])
    run = train(problem, depth, SCALE, config["seed"], config["max_steps"])
    return {**summary(run.matrix, truth), "steps": run.steps_run,
            "converged": run.converged, "train_loss": float(run.losses[-1])}


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.2, COLUMN_WIDTH * 0.9))
    for color, method in zip(COLORS, METHODS, strict=False):
        sub = table.where(method=method)
        if not len(sub):
            continue
        ms = sub.unique("m")
        err = [np.mean(sub.where(m=m).column("error")) for m in ms]
        ax.plot(ms, err, marker="o", color=color,
                label="min nuclear norm" if method == "nuclear" else method,
                linestyle="--" if method == "nuclear" else "-")
    ax.set(yscale="log", xlabel="number of observed entries",
           ylabel="reconstruction error")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend()
    row = table.rows[0]
    caption = (
        f"Reconstruction error (mean over all {row['n']}x{row['n']} entries of (W - W*)^2) "
        f"against the number of observed entries (uniform, without replacement), rank-"
        f"{row['rank']} ground truth with entries of RMS 1, {seeds_note(table)}. Depths 2, 3, "
        f"4 (init scale {SCALE:g}) {optimiser_note(row['max_steps'])}; "
        f"{nuclear_note()}.{unconverged(table)} {mode(quick)}.")
    return [save_figure(fig, out_dir, "arora_fig1", caption)]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = []
    for m in table.unique("m"):
        row = {"observed entries": m}
        for method in METHODS:
            errors = table.where(m=m, method=method).column("error")
            if errors:
                row[method] = float(np.mean(errors))
        rows.append(row)
    return [("Paper reports (Figure 1): with few observations depth 3 and 4 reach a lower "
             "reconstruction error than depth 2 and the min-nuclear-norm solution; with many, "
             "all coincide. We measure (reconstruction error):", rows)]


EXPERIMENT = Experiment(
    name="arora-fig1", paper=KEY,
    title="Figure 1: reconstruction error vs number of observed entries",
    claim=("Deeper matrix factorisations recover a low-rank matrix from fewer observed "
           "entries than depth 2 and than the minimum-nuclear-norm solution."),
    points=points, compute=compute, plot=plot, tables=tables,
)
