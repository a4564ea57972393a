"""Excess loss vs m (and vs time) for the teacher-student ReLU network at moderate d
(Chizat & Bach 2018, Section 4.2; the setup of the authors' `success_2NNalt.jl`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kernelrich.experiments import Experiment, grid
from kernelrich.meanfield import init_sphere, particle_descent, teacher_student

from ._common import KEY, keys, log_indices, mode, rounded


def setup(quick: bool) -> dict:
    """The sizes of the sweep: d = 10 (quick) or 20 (full), m0 = 5, mean-field step 4 or 2."""
    if quick:
        return dict(d=10, m0=5, n=200, radius=0.5, step=4.0, num_steps=800)
    return dict(d=20, m0=5, n=1000, radius=0.5, step=2.0, num_steps=5000)


def ms(quick: bool) -> list[int]:
    return [2, 5, 20, 80] if quick else [2, 3, 5, 7, 10, 20, 50, 100, 200, 500, 1000]


def points(quick: bool) -> list[dict]:
    seeds = list(range(3 if quick else 10))
    return [{**c, **setup(quick)} for c in grid(m=ms(quick), seed=seeds)]


def run(config: dict):
    """The student's particle GD path on the seed's teacher, and the loss of f = 0."""
    k_data, k_init = keys(config["seed"], 2)
    model, _ = teacher_student(k_data, config["d"], config["m0"], config["n"], "relu")
    init = init_sphere(k_init, config["m"], config["d"], radius=config["radius"])
    path = particle_descent(model, init, step=config["step"], num_steps=config["num_steps"],
                            throw=False)
    return path, float(0.5 * np.mean(np.asarray(model.y) ** 2))


def compute(config: dict) -> dict:
    path, zero_loss = run(config)
    idx = log_indices(len(path.curve), 60)
    return {
        "excess": float(path.curve[-1]),
        "relative_excess": float(path.curve[-1] / zero_loss),
        "zero_loss": zero_loss,
        "curve_times": rounded(idx * config["step"]),
        "curve": rounded(path.curve[idx] / zero_loss),
        "diverged_at": path.diverged_at,
    }


def summary(table) -> list[dict]:
    """Per m: median and worst relative excess loss over seeds."""
    rows = []
    for m in table.unique("m"):
        v = np.asarray(table.where(m=m).column("relative_excess"))
        rows.append({"m": m, "seeds": len(v), "median": float(np.median(v)),
                     "worst": float(v.max()), "best": float(v.min())})
    return rows


def tables(table, quick: bool):
    return [("Relative excess loss J_m(t_end) / J(0) at the end, over seeds", summary(table))]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import PAGE_WIDTH, paper_style, save_figure

    rows = summary(table)
    with paper_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.4 * PAGE_WIDTH))
        left.scatter(table.column("m"), table.column("relative_excess"), s=6, color="0.6",
                     label="seeds")
        left.plot([r["m"] for r in rows], [r["median"] for r in rows], marker="o", label="median")
        left.plot([r["m"] for r in rows], [r["worst"] for r in rows], marker="s", label="worst")
        m0 = table.rows[0]["m0"]
        left.axvline(m0, color="k", lw=0.6, ls=":")
        left.set(xscale="log", yscale="log", xlabel="m (particles)",
                 ylabel="excess loss / J(0)", title=f"end of descent (m0 = {m0}: dotted)")
        left.legend()
        for m in table.unique("m"):
            curves = np.asarray(table.where(m=m).column("curve"))
            times = table.where(m=m).rows[0]["curve_times"]
            right.plot(np.maximum(times, times[1] / 2), np.median(curves, axis=0), label=f"m={m}")
        right.set(xscale="log", yscale="log", xlabel="mean-field time t",
                  ylabel="median excess loss / J(0)", title="along the descent")
        right.legend(ncol=2)
        fig.tight_layout()
    r0 = table.rows[0]
    seeds = table.unique("seed")
    caption = (
        f"Excess loss J_m - inf J (inf J = 0: the teacher is realisable) relative to J(0), for "
        f"a ReLU teacher with m0 = {r0['m0']} neurons (random signs, unit input weights) in d "
        f"= {r0['d']}, n = {r0['n']} inputs on the unit sphere, square loss. Particle gradient "
        f"descent (not the flow) in mean-field time, step {r0['step']:g}, {r0['num_steps']} "
        f"steps (t = {r0['step'] * r0['num_steps']:g}), students started uniformly on the "
        f"sphere of radius {r0['radius']:g} in R^(d+1), m in {table.unique('m')}, seeds "
        f"{seeds[0]}-{seeds[-1]}, {mode(quick)}. Left: at the end (grey: each seed); right: "
        f"median over seeds along the descent (t = 0 drawn at the first record / 2)."
    )
    return [save_figure(fig, out_dir, "meanfield-excess-loss", caption)]


EXPERIMENT = Experiment(
    name="meanfield-excess-loss",
    paper=KEY,
    title="Excess loss vs number of particles m",
    claim=("Near m = m0 particle gradient descent gets stuck for some seeds; for m >> m0 every "
           "seed approaches the global minimum 0, at the m-independent pace of the mean-field "
           "limit (Chizat & Bach 2018, Thm 3.5 and Section 4.2)."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
)
