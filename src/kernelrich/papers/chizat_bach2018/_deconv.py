"""Sparse spikes deconvolution on the torus with a total-variation penalty (Chizat & Bach 2018,
Section 4.1): particles started at zero weight on a grid of T, moved by forward-backward
steps on their weights and positions; few particles against many.

From the paper and the authors' page of animations for it: the BLASSO for a sum of impulses
seen through a filter and noise, the partially 1-homogeneous lifting w phi(theta) with
V = lambda |w| (Theorem 3.5), "a non-convex forward-backward method on the vector of
position/weights of all particles", initialised "evenly spaced on {0} x [0,1]". The filter,
spikes, noise, lambda, particle counts and steps could not be read: those values are our
choice (see `setup`), so the figure is our illustration of Theorem 3.5."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax
import numpy as np

from kernelrich.experiments import Experiment, Param, grid
from kernelrich.meanfield import (
    ParticlePath,
    SpikeDeconvolution,
    deconvolution_minimum,
    init_torus,
    observe,
    particle_forward_backward,
    replicate,
    spike_train,
)

from ._common import KEY, keys, log_indices, mode, rounded

LIFTING = "partially 1-homogeneous"


SIZE = 96
"""Every run is computed with SIZE particles, its m distinct ones copied SIZE / m times (the
same m-particle dynamics, `kernelrich.meanfield.replicate`; one compiled program)."""


def points(quick: bool) -> list[dict]:
    return grid(m=[6, SIZE] if quick else [6, 12, SIZE], seed=[0], cutoff=[8], spikes=[5],
                min_separation=[0.1], lam=[0.05], noise=[0.01], step=[0.05],
                position_rate=[2e-3], num_steps=[10000 if quick else 40000], grid_size=[4096])


def problem(config: dict) -> tuple[SpikeDeconvolution, np.ndarray, np.ndarray]:
    """The seed's spike train, its noisy low-pass observation and the deconvolution model.

    The noise is white in L2(T): its projection on the 2K + 1 orthonormal Fourier features
    is N(0, noise^2) per coefficient (the rest is orthogonal to every phi(theta) and only
    shifts J by a constant)."""
    k_spikes, k_noise = keys(config["seed"], 2)
    pos, mass = spike_train(k_spikes, config["spikes"], config["min_separation"])
    K = config["cutoff"]
    y = observe(pos, mass, K) + config["noise"] * np.asarray(
        jax.random.normal(k_noise, (2 * K + 1,)))
    return SpikeDeconvolution(y, K, config["lam"], lifting=LIFTING), pos, mass


def run(config: dict, halve: bool = False) -> ParticlePath:
    """Forward-backward from zero weights on the grid {i / m} (cached: the check reuses it);
    `halve`: the same time with half the step."""
    return _run(tuple(sorted(config.items())), halve)


@functools.cache
def _run(items: tuple, halve: bool) -> ParticlePath:
    config = dict(items)
    model, _, _ = problem(config)
    k, m = (2 if halve else 1), config["m"]
    path = particle_forward_backward(
        model, replicate(init_torus(None, m, weight=0.0), SIZE // m), step=config["step"] / k,
        num_steps=k * config["num_steps"], record_every=k * 10,
        position_rate=config["position_rate"], throw=False)
    return dataclasses.replace(path, w=path.w[:, :m], theta=path.theta[:, :m])


@functools.cache
def grid_minimum(items: tuple):
    """The convex reference: the Lasso on a `grid_size`-point grid of T (Clarabel)."""
    config = dict(items)
    return deconvolution_minimum(problem(config)[0], config["grid_size"])


def compute(config: dict) -> dict:
    _, pos, mass = problem(config)
    path, half = run(config), run(config, halve=True)
    ref = grid_minimum(tuple(sorted(config.items())))
    idx = log_indices(len(path.times), 120)
    return {
        "times": rounded(path.times[idx]),
        "positions": rounded(path.theta[idx, :, 0]),
        "weights": rounded(path.w[idx]),
        "true_positions": pos.tolist(),
        "true_masses": mass.tolist(),
        "initial_objective": float(path.curve[0]),
        "final_objective": float(path.curve[-1]),
        "grid_minimum": ref.value,
        "grid_status": ref.status,
        "relative_gap": float((path.curve[-1] - ref.value) / ref.value),
        "halfstep_gap": float(np.max(np.abs(path.curve - half.curve[::2])) / ref.value),
        "halfstep_distance": path.distance(half),
        "diverged_at": path.diverged_at,
    }


def setup(quick: bool) -> list[Param]:
    c, full = points(quick)[-1], points(False)[-1]
    why = "the paper's Section 4 value could not be read"
    return [
        Param.paper("problem", "BLASSO min 1/2 |psi * mu - y|^2_L2 + lambda |mu|(T) on the "
                    "torus T = R/Z", "Section 4.1; the authors' page of animations: 'the BLASSO "
                    "problem for recovering a sum-of-impulse signal given noisy and filtered "
                    "observations'"),
        Param.paper("lifting", "w phi(theta), V = lambda |w| (mass w_i / m)", "Sections 2-3 "
                    "(the lifted problem; Theorem 3.5's partially 1-homogeneous case)"),
        Param.paper("dynamics", "forward-backward: gradient step on (w, theta), then the "
                    "proximal step of lambda |w|", "the authors' page of animations: 'a "
                    "non-convex forward-backward method on the vector of position/weights'"),
        Param.paper("initialisation", "w = 0, theta evenly spaced i / m", "the authors' page of "
                    "animations: 'evenly spaced on {0} x [0,1]'"),
        Param.choice("filter psi", f"Dirichlet kernel, cutoff K = {c['cutoff']}", why),
        Param.choice("spikes", f"{c['spikes']} signed, separation >= {c['min_separation']:g}, "
                     "total variation 1", why),
        Param.choice("noise (std per Fourier coefficient)", c["noise"], why),
        Param.choice("lambda", c["lam"], why),
        Param.choice("m (particles)", [p["m"] for p in points(quick)],
                     why + (f"; full mode: {[p['m'] for p in points(False)]}" if quick else "")),
        Param.choice("computation", f"m distinct particles copied {SIZE} / m times",
                     "the same m-particle dynamics; one compiled program for every m"),
        Param.choice("step (weights, mean-field time)", c["step"], "well inside the "
                     "stability bound 2 (the weights' Hessian (1/m) Phi Phi^T has norm <= 1 on "
                     "an even grid), so that halving it moves J little (caption)"),
        Param.choice("position rate beta (theta-step = beta * step)", c["position_rate"],
                     "stable for the positions' curvature ~ (2 pi K)^2 |mass|"),
        Param.choice("steps", c["num_steps"],
                     why + (f"; full mode: {full['num_steps']}" if quick else "")),
        Param.choice("reference", f"Lasso on a {c['grid_size']}-point grid of T, Clarabel, "
                     "tol 1e-10", "an independent convex route to min J"),
    ]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLORS, PAGE_WIDTH, paper_style, save_figure

    rows = table.rows
    with paper_style():
        fig, axes = plt.subplots(2, len(rows), figsize=(PAGE_WIDTH, 0.6 * PAGE_WIDTH),
                                 squeeze=False)
        for j, row in enumerate(rows):
            _paths(axes[0, j], row, COLORS)
            _final(axes[1, j], row, COLORS)
        axes[0, 0].set_ylabel("position theta_i(t)")
        axes[1, 0].set_ylabel("mass w_i / m")
        axes[1, 0].legend(loc="lower left")
        fig.tight_layout()
    r0 = rows[0]
    statuses = sorted(set(table.column("grid_status")))
    gap = np.asarray(table.column("halfstep_gap"), float)
    apart = np.asarray(table.column("halfstep_distance"), float)
    caption = (
        f"Our illustration of Chizat & Bach (2018), Theorem 3.5: sparse deconvolution on the "
        f"torus R/Z, {r0['spikes']} signed spikes (separation >= {r0['min_separation']:g}, "
        f"seed {r0['seed']}) seen through the Dirichlet low-pass filter with cutoff K = "
        f"{r0['cutoff']} plus white noise of std {r0['noise']:g} per Fourier coefficient, J = "
        f"1/2 |psi * mu - y|^2 + lambda |mu|(T), lambda = {r0['lam']:g}. Particle "
        f"forward-backward in mean-field time (a gradient step, then the proximal step of "
        f"lambda |w|), step {r0['step']:g} for the weights and {r0['step'] * r0['position_rate']:g}"
        f" for the positions, {r0['num_steps']} steps (t = {r0['step'] * r0['num_steps']:g}), "
        f"from m = {', '.join(str(r['m']) for r in rows)} particles with w = 0 evenly spaced, "
        f"{mode(quick)}. Top: positions over time (orange: positive, blue: negative final "
        f"mass; dashed: the spikes). Bottom: the spikes (stems) and the particles' final "
        f"masses (dots; their sums within 0.01 of each spike: crosses). Titles: (J_m - J_grid) "
        f"/ J_grid against the {r0['grid_size']}-point convex (Lasso, Clarabel, status "
        f"{', '.join(statuses)}) minimum. Distance to the step -> 0 limit, estimated by "
        f"halving the step: largest |J_h - J_h/2| along the path {np.max(gap):.1e} J_grid, "
        f"final particles {np.max(apart):.1e} apart."
    )
    return [save_figure(fig, out_dir, "meanfield-deconvolution", caption)]


def _paths(ax, row, colors):
    t = np.asarray(row["times"])
    theta = np.mod(np.asarray(row["positions"]), 1.0)
    theta = np.where(np.vstack([np.zeros((1, theta.shape[1]), bool),
                                np.abs(np.diff(theta, axis=0)) > 0.5]), np.nan, theta)
    sign = np.sign(np.asarray(row["weights"])[-1])
    for s, c in ((1, colors[1]), (-1, colors[0])):
        ax.plot(np.maximum(t, t[1] / 2), theta[:, sign == s], color=c, lw=0.5)
    ax.plot(np.maximum(t, t[1] / 2), theta[:, sign == 0], color="0.7", lw=0.3)
    for p in row["true_positions"]:
        ax.axhline(p, color="k", ls="--", lw=0.5)
    ax.set(xscale="log", ylim=(0, 1), xlabel="mean-field time t")
    ax.set_title(f"m = {theta.shape[1]}: gap {row['relative_gap']:.1e}")


def _final(ax, row, colors):
    theta = np.mod(np.asarray(row["positions"])[-1], 1.0)
    w = np.asarray(row["weights"])[-1]
    mass = w / len(w)
    pos, true = np.asarray(row["true_positions"]), np.asarray(row["true_masses"])
    ax.stem(pos, true, linefmt="C2-", markerfmt="C2o", basefmt=" ", label="spikes")
    ax.scatter(theta, mass, s=6, color="k", zorder=3, label="particles")
    near = np.abs((theta[None, :] - pos[:, None] + 0.5) % 1.0 - 0.5) < 0.01
    ax.scatter(pos, near @ mass, marker="x", s=30, color=colors[3], zorder=4, label="sum near")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(xlim=(0, 1), xlabel="theta")


EXPERIMENT = Experiment(
    name="meanfield-deconvolution",
    paper=KEY,
    title="Sparse spikes deconvolution on the torus (our illustration of Thm 3.5)",
    claim=("Chizat & Bach (2018), Theorem 3.5 and the authors' page of animations: from zero "
           "weights evenly spaced on T, the many-particle dynamics finds the global minimiser "
           "of the BLASSO; the figure compares few and many particles with the convex grid "
           "minimum."),
    points=points,
    compute=compute,
    plot=plot,
    setup=setup,
    schema=2,
    full_time="about 2 min (measured end to end on a loaded CPU)",
)
