"""Excess loss of the many-particle gradient flow against the number of particles m, for a
teacher-student ReLU network in moderate dimension, and gradient descent's distance to it.

Our illustration of Chizat & Bach (2018), Theorem 3.3 (ReLU networks are 2-homogeneous; a
sphere around 0 separates) and of the abstract's "this asymptotic behavior is already at play
for a reasonable number of particles, even in high dimension". The paper's Section 4 sizes
could not be read: every value here is our choice (see `setup`)."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kernelrich.experiments import Experiment, Param, grid
from kernelrich.meanfield import (
    ParticlePath,
    TwoLayerNet,
    init_sphere,
    particle_descent,
    particle_flow,
    replicate,
    teacher_student,
)

from ._common import KEY, keys, log_times, mode, rounded

RTOL, ATOL = 1e-4, 1e-6


def sizes(quick: bool) -> dict:
    """d, m0, n, the initial sphere's radius, the final time and gradient descent's step."""
    if quick:
        return dict(d=10, m0=5, n=200, radius=0.5, t_end=3200.0, gd_step=4.0)
    return dict(d=20, m0=5, n=1000, radius=0.5, t_end=10000.0, gd_step=2.0)


def ms(quick: bool) -> list[int]:
    return [2, 5, 20, 80] if quick else [2, 3, 5, 7, 10, 20, 50, 100, 200, 500, 1000]


def seeds(quick: bool) -> list[int]:
    return list(range(3 if quick else 10))


def points(quick: bool) -> list[dict]:
    """The sweep; in quick mode each run is computed with max(m) particles, its m distinct
    ones copied `copies` = max(m) / m times (the same m-particle dynamics, one compiled
    program for every m); in full mode without copies (the cost would grow with them)."""
    size = max(ms(quick))
    return [{**c, **sizes(quick), "copies": size // c["m"] if quick else 1}
            for c in grid(m=ms(quick), seed=seeds(quick))]


class Run(NamedTuple):
    """One seed's problem and its two dynamics from the same initial particles."""

    model: TwoLayerNet
    zero_loss: float
    flow: ParticlePath
    descent: ParticlePath


def run(config: dict) -> Run:
    """The seed's teacher data, the particle flow saved at log-spaced times to `t_end`, and
    gradient descent with step `gd_step` to the same time (cached: the checks reuse it)."""
    return _run(tuple(sorted(config.items())))


@functools.cache
def _run(items: tuple) -> Run:
    c = dict(items)
    k_data, k_init = keys(c["seed"], 2)
    model, _ = teacher_student(k_data, c["d"], c["m0"], c["n"], "relu")
    init = replicate(init_sphere(k_init, c["m"], c["d"], radius=c["radius"]), c["copies"])
    flow = particle_flow(model, init, times=log_times(c["t_end"], 40, first=1.0), rtol=RTOL,
                         atol=ATOL, max_steps=10**6, throw=False)
    descent = particle_descent(model, init, step=c["gd_step"],
                               num_steps=round(c["t_end"] / c["gd_step"]), throw=False)
    return Run(model, float(0.5 * np.mean(np.asarray(model.y) ** 2)), _first(flow, c["m"]),
               _first(descent, c["m"]))


def _first(path: ParticlePath, m: int) -> ParticlePath:
    """The path of the m distinct particles (the copies move with them)."""
    return dataclasses.replace(path, w=path.w[:, :m], theta=path.theta[:, :m])


def compute(config: dict) -> dict:
    r = run(config)
    flow_j, gd_j = float(r.flow.loss[-1]), float(r.descent.curve[-1])
    return {
        "relative_excess": flow_j / r.zero_loss,
        "gd_relative_excess": gd_j / r.zero_loss,
        "gd_flow_gap": abs(gd_j - flow_j) / r.zero_loss,
        "gd_flow_distance": r.descent.distance(r.flow),
        "zero_loss": r.zero_loss,
        "curve_times": rounded(r.flow.times),
        "curve": rounded(r.flow.loss / r.zero_loss),
        "solver_steps": r.flow.solver_steps,
        "flow_result": r.flow.result,
        "gd_diverged_at": r.descent.diverged_at,
    }


def summary(table) -> list[dict]:
    """Per m: the flow's median, worst and best relative excess loss over seeds, and the
    largest distance of gradient descent to the flow at t_end (loss and particles)."""
    rows = []
    for m in table.unique("m"):
        sub = table.where(m=m)
        v = np.asarray(sub.column("relative_excess"), float)
        rows.append({"m": m, "seeds": len(v), "median": float(np.median(v)),
                     "worst": float(np.max(v)), "best": float(np.min(v)),
                     "gd_flow_gap": float(np.max(sub.column("gd_flow_gap"))),
                     "gd_flow_distance": float(np.max(sub.column("gd_flow_distance")))})
    return rows


def tables(table, quick: bool):
    return [("Relative excess loss J_m(t_end) / J(0) of the particle flow over seeds, and "
             "gradient descent's largest distance to the flow at t_end", summary(table))]


def setup(quick: bool) -> list[Param]:
    s, full = sizes(quick), sizes(False)
    why = "the paper's Section 4 value could not be read"

    def scaled(value) -> str:  # quick mode is a scaled-down copy of full mode
        return f"{why}; full mode: {value}" if quick else why

    return [
        Param.choice("d (input dimension)", s["d"], scaled(full["d"])),
        Param.choice("m0 (teacher neurons)", s["m0"], why),
        Param.choice("teacher", "input weights uniform on the unit sphere, output weights "
                     "random signs, output (1/m0) sum_j", why),
        Param.choice("n (inputs, uniform on the unit sphere)", s["n"], scaled(full["n"])),
        Param.choice("loss", "square, R(f) = (1/2n) sum_k (f(x_k) - y_k)^2", why),
        Param.choice("m (particles)", ms(quick), scaled(ms(False))),
        Param.choice("seeds (teacher, data and initialisation redrawn)", len(seeds(quick)),
                     scaled(len(seeds(False)))),
        Param.choice("initialisation", f"uniform on the sphere of radius {s['radius']:g} in "
                     "R^(d+1)", "a sphere around 0 separates: Theorem 3.3's condition"),
        Param.choice("dynamics", f"particle gradient flow, diffrax Tsit5, rtol {RTOL:g}, atol "
                     f"{ATOL:g}", "the theorem's object"),
        Param.choice("computation", "quick mode: m distinct particles copied max(m) / m "
                     "times; full mode: no copies", "the same m-particle dynamics; one "
                     "compiled program for every m in quick mode"),
        Param.choice("t_end (mean-field time)", s["t_end"], scaled(full["t_end"])),
        Param.choice("gradient descent beside the flow", f"step {s['gd_step']:g} in mean-field "
                     f"time, {round(s['t_end'] / s['gd_step'])} steps",
                     "to measure its distance to the flow"
                     + (f"; full mode: step {full['gd_step']:g}" if quick else "")),
    ]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    from kernelrich.plotting import PAGE_WIDTH, paper_style, save_figure

    rows = summary(table)
    with paper_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.4 * PAGE_WIDTH))
        left.scatter(table.column("m"), table.column("relative_excess"), s=6, color="0.6",
                     label="flow, seeds")
        left.plot([r["m"] for r in rows], [r["median"] for r in rows], marker="o",
                  label="flow, median")
        left.plot([r["m"] for r in rows], [r["worst"] for r in rows], marker="s",
                  label="flow, worst")
        left.scatter(table.column("m"), table.column("gd_relative_excess"), s=14, marker="x",
                     color="k", lw=0.6, label="GD, seeds")
        m0 = table.rows[0]["m0"]
        left.axvline(m0, color="k", lw=0.6, ls=":")
        left.set(xscale="log", yscale="log", xlabel="m (particles)",
                 ylabel="excess loss / J(0)", title=f"at t_end (m0 = {m0}: dotted)")
        left.set_xticks(table.unique("m"), [str(m) for m in table.unique("m")])
        left.xaxis.set_minor_formatter(NullFormatter())
        left.legend()
        for m in table.unique("m"):
            curves = np.asarray(table.where(m=m).column("curve"), float)
            times = np.asarray(table.where(m=m).rows[0]["curve_times"])
            right.plot(times[1:], np.median(curves, axis=0)[1:], label=f"m={m}")
        right.set(xscale="log", yscale="log", xlabel="mean-field time t",
                  ylabel="median excess loss / J(0)", title="along the flow")
        right.legend(ncol=2)
        fig.tight_layout()
    r0 = table.rows[0]
    seeds_run = table.unique("seed")
    steps = table.column("solver_steps")
    gap = np.asarray(table.column("gd_flow_gap"), float)
    dist = np.asarray(table.column("gd_flow_distance"), float)
    stopped = sum(r["flow_result"] != "successful" for r in table.rows)
    caption = (
        f"Our illustration of Chizat & Bach (2018), Theorem 3.3: excess loss J_m - inf J "
        f"(inf J = 0: the teacher is realisable) relative to J(0), for a ReLU teacher with m0 = "
        f"{r0['m0']} neurons (random signs, unit input weights) in d = {r0['d']}, n = "
        f"{r0['n']} inputs on the unit sphere, square loss. Particle gradient flow in "
        f"mean-field time (diffrax Tsit5, rtol {RTOL:g}, atol {ATOL:g}, {np.min(steps)}-"
        f"{np.max(steps)} solver steps) to t = {r0['t_end']:g}, from the sphere of radius "
        f"{r0['radius']:g} in R^(d+1), m in {table.unique('m')}, seeds {seeds_run[0]}-"
        f"{seeds_run[-1]}, {mode(quick)}; {stopped} solve(s) stopped early. Crosses: gradient "
        f"descent from the same particles, step {r0['gd_step']:g}, to the same time; its "
        f"largest distance to the flow over all runs: {np.max(gap):.1e} in J / J(0), "
        f"{np.max(dist):.1e} in max_i |x_i^GD - x_i^flow|. Left: at t_end (grey: each seed); "
        f"right: the flow's median over seeds along time."
    )
    return [save_figure(fig, out_dir, "meanfield-excess-loss", caption)]


EXPERIMENT = Experiment(
    name="meanfield-excess-loss",
    paper=KEY,
    title="Excess loss vs number of particles m (our illustration of Thm 3.3)",
    claim=("Chizat & Bach (2018), Theorem 3.3 and abstract: the many-particle flow from a "
           "separating initialisation converges to a global minimiser, and numerically 'this "
           "asymptotic behavior is already at play for a reasonable number of particles, even "
           "in high dimension'."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    schema=2,
    full_time="about 1 h on a loaded CPU (measured per point x 110 points; "
              "docs/benchmarks_meanfield.md)",
)
