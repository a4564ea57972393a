"""Sparse spikes deconvolution on the torus with a total-variation penalty: few particles fail,
many recover the spikes (Chizat & Bach 2018, Section 4.1; the setup of the authors'
`illustration_deconv1D.jl`, on T = R/Z instead of [0, 2 pi))."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kernelrich.experiments import Experiment, grid
from kernelrich.meanfield import (
    SpikeDeconvolution,
    deconvolution_minimum,
    init_torus,
    observe,
    particle_descent,
    spike_train,
)

from ._common import KEY, keys, log_indices, mode, rounded


def points(quick: bool) -> list[dict]:
    return grid(m=[6, 100], seed=[0], cutoff=[8], spikes=[5], min_separation=[0.1], lam=[0.05],
                weight=[0.5], step=[0.01], position_rate=[0.01],
                num_steps=[10000 if quick else 40000], grid_size=[4096])


def problem(config: dict) -> tuple[SpikeDeconvolution, np.ndarray, np.ndarray]:
    """The seed's spike train, its low-pass observation and the deconvolution model."""
    (k_spikes,) = keys(config["seed"], 1)
    pos, mass = spike_train(k_spikes, config["spikes"], config["min_separation"])
    model = SpikeDeconvolution(observe(pos, mass, config["cutoff"]), config["cutoff"],
                               config["lam"])
    return model, pos, mass


def descend(model, config: dict, halve: bool = False, record_every: int | None = None):
    init = init_torus(None, config["m"], weight=config["weight"])
    k = 2 if halve else 1
    return particle_descent(model, init, step=config["step"] / k,
                            num_steps=k * config["num_steps"], record_every=record_every,
                            position_rate=config["position_rate"])


def compute(config: dict) -> dict:
    model, pos, mass = problem(config)
    path = descend(model, config, record_every=10)
    half = descend(model, config, halve=True, record_every=2 * config["num_steps"])
    ref = deconvolution_minimum(model, config["grid_size"])
    idx = log_indices(len(path.times), 120)
    return {
        "times": rounded(path.times[idx]),
        "positions": rounded(path.theta[idx, :, 0]),
        "weights": rounded(path.w[idx]),
        "true_positions": pos.tolist(),
        "true_masses": mass.tolist(),
        "final_objective": float(path.curve[-1]),
        "grid_minimum": ref.value,
        "relative_gap": float((path.curve[-1] - ref.value) / ref.value),
        "halfstep_gap": float(np.max(np.abs(path.curve - half.curve[::2])) / ref.value),
    }


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
        axes[1, 0].set_ylabel("mass")
        axes[1, 0].legend(loc="lower left")
        fig.tight_layout()
    r0 = rows[0]
    caption = (
        f"Sparse deconvolution on the torus R/Z: {r0['spikes']} signed spikes (separation >= "
        f"{r0['min_separation']:g}, seed {r0['seed']}) observed through the Dirichlet low-pass "
        f"filter with cutoff K = {r0['cutoff']}, J = 1/2 |psi * mu - y|^2 + lambda |mu|, "
        f"lambda = {r0['lam']:g}. Particle gradient descent (not the flow) in mean-field time "
        f"on (r_i, theta_i), mass r_i|r_i| / m, step {r0['step']:g} for weights and "
        f"{r0['step'] * r0['position_rate']:g} for positions, {r0['num_steps']} steps, from "
        f"m = {', '.join(str(r['m']) for r in rows)} particles evenly spaced with r = "
        f"+-{r0['weight']:g} alternating, {mode(quick)}. Top: positions over time (orange: "
        f"positive, blue: negative mass; dashed: the spikes). Bottom: the true spikes (stems) "
        f"and the particles' final masses (dots; their sums within 0.01 of each spike: "
        f"crosses). Titles: (J_m - J_grid) / J_grid against the {r0['grid_size']}-point convex "
        f"(Lasso, Clarabel) minimum. Largest |J_m| difference to a half-step run along the "
        f"path, relative to J_grid: {max(table.column('halfstep_gap')):.1e}."
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
    for p in row["true_positions"]:
        ax.axhline(p, color="k", ls="--", lw=0.5)
    ax.set(xscale="log", ylim=(0, 1), xlabel="mean-field time t")
    ax.set_title(f"m = {theta.shape[1]}: gap {row['relative_gap']:.1e}")


def _final(ax, row, colors):
    theta = np.mod(np.asarray(row["positions"])[-1], 1.0)
    r = np.asarray(row["weights"])[-1]
    mass = r * np.abs(r) / len(r)
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
    title="Sparse spikes deconvolution on the torus",
    claim=("With few particles (m = 6) particle gradient descent stalls far from the minimum of "
           "the convex TV-penalised problem; with many (m = 100) it reaches it and the particles "
           "gather on the spikes (Chizat & Bach 2018, Section 4.1 and Thm 3.5)."),
    points=points,
    compute=compute,
    plot=plot,
)
