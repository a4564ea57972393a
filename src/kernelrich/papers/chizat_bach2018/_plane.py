"""Teacher-student in the plane (d = 2, m0 = 3): particle trajectories |b_i| a_i converging to
the teacher's directions, ReLU and sigmoid (Chizat & Bach 2018, Section 4.2; the setup of the
authors' `illustration_reluNN.jl`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kernelrich.experiments import Experiment, grid
from kernelrich.meanfield import init_sphere, objective, particle_descent, teacher_student

from ._common import KEY, keys, log_indices, mode, rounded

TEACHER_NORM = {"relu": 1.0, "sigmoid": 4.0}
"""|a*_j|: unit for ReLU (homogeneous), 4 for sigmoid so that the teacher is not nearly
linear on the unit circle *(uncertain: the paper's value for sigmoid is not known)*."""


def points(quick: bool) -> list[dict]:
    return grid(activation=["relu", "sigmoid"], m=[3, 100], seed=[0], d=[2], m0=[3], n=[100],
                radius=[0.5], weight_decay=[0.0], step=[1.0],
                num_steps=[2000 if quick else 10000])


def _alignment(w, theta, teacher) -> float:
    """The fraction of output mass sum |b_i| |a_i| within 0.1 rad of a teacher direction
    (with the teacher neuron's sign)."""
    a, s = np.asarray(teacher.theta), np.sign(np.asarray(teacher.w))
    norms = np.linalg.norm(theta, axis=1)
    cos = (theta / np.maximum(norms, 1e-300)[:, None]) @ (a / np.linalg.norm(a, axis=1)[:, None]).T
    close = (cos > np.cos(0.1)) & (np.sign(w)[:, None] == s[None, :])
    mass = np.abs(w) * norms
    return float(mass[close.any(axis=1)].sum() / mass.sum())


def compute(config: dict) -> dict:
    k_data, k_init = keys(config["seed"], 2)
    act = config["activation"]
    model, teacher = teacher_student(k_data, config["d"], config["m0"], config["n"], act,
                                     teacher_norm=TEACHER_NORM[act])
    init = init_sphere(k_init, config["m"], config["d"], radius=config["radius"])
    step, steps = config["step"], config["num_steps"]
    decay = config["weight_decay"]
    path = particle_descent(model, init, step=step, num_steps=steps, record_every=1,
                            weight_decay=decay)
    half = particle_descent(model, init, step=step / 2, num_steps=2 * steps, weight_decay=decay)
    idx = log_indices(len(path.times), 80)
    points = np.abs(path.w)[idx, :, None] * path.theta[idx]
    t_w, t_a = np.asarray(teacher.w), np.asarray(teacher.theta)
    return {
        "times": rounded(path.times[idx]),
        "trajectory": rounded(points, 5),
        "final_sign": np.sign(path.w[-1]).tolist(),
        "teacher_points": rounded(np.abs(t_w)[:, None] * t_a),
        "teacher_sign": np.sign(t_w).tolist(),
        "loss": rounded(path.loss[idx]),
        "final_objective": float(path.curve[-1]),
        "final_loss": float(objective(model, path.particles())),
        "aligned_fraction": _alignment(path.w[-1], path.theta[-1], teacher),
        "halfstep_distance": path.distance(half),
    }


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLORS, PAGE_WIDTH, paper_style, save_figure

    acts, ms = table.unique("activation"), table.unique("m")
    with paper_style():
        size = (PAGE_WIDTH, 0.5 * PAGE_WIDTH * len(acts))
        fig, axes = plt.subplots(len(acts), len(ms), figsize=size, squeeze=False)
        for i, act in enumerate(acts):
            for j, m in enumerate(ms):
                row = table.where(activation=act, m=m).rows[0]
                _panel(axes[i, j], row, COLORS)
        fig.tight_layout()
    r0 = table.rows[0]
    caption = (
        f"Teacher-student in the plane (d = 2, m0 = {r0['m0']} teacher neurons, n = {r0['n']} "
        f"inputs on the unit circle, square loss, weight decay {r0['weight_decay']:g}): "
        f"particle gradient descent (not the flow) "
        f"in mean-field time, step {r0['step']:g}, {r0['num_steps']} steps (t = "
        f"{r0['step'] * r0['num_steps']:g}), students of m = {', '.join(map(str, ms))} particles "
        f"started uniformly on the sphere of radius {r0['radius']:g} in R^3, seed {r0['seed']}, "
        f"{mode(quick)}. Titles: final loss and the fraction of output mass sum |b_i||a_i| "
        f"within 0.1 rad of a same-sign teacher direction. Lines: |b_i| a_i over time "
        f"(log-spaced records); dots: final positions "
        f"(orange b_i > 0, blue b_i < 0); dashed rays: teacher directions. Largest distance of "
        f"the final particles to a half-step run: "
        f"{max(table.column('halfstep_distance')):.1e}."
    )
    return [save_figure(fig, out_dir, "meanfield-plane", caption)]


def _panel(ax, row, colors):
    traj = np.asarray(row["trajectory"])
    sign = np.asarray(row["final_sign"])
    ax.plot(traj[:, :, 0], traj[:, :, 1], color="k", lw=0.4, alpha=0.6)
    for s, c in ((1, colors[1]), (-1, colors[0])):
        end = traj[-1, sign == s]
        ax.scatter(end[:, 0], end[:, 1], s=8, color=c, zorder=3)
    bound = 1.1 * max(np.abs(traj).max(), 1.0)
    for p, s in zip(np.asarray(row["teacher_points"]), row["teacher_sign"], strict=True):
        u = p / np.linalg.norm(p)
        ax.plot([0, bound * u[0]], [0, bound * u[1]], ls="--", lw=0.8,
                color=colors[1] if s > 0 else colors[0])
    ax.set(xlim=(-bound, bound), ylim=(-bound, bound), aspect="equal")
    ax.set_title(f"{row['activation']}, m = {row['m']}: fit {row['final_loss']:.1e}, "
                 f"aligned {row['aligned_fraction']:.2f}")


EXPERIMENT = Experiment(
    name="meanfield-plane",
    paper=KEY,
    title="Teacher-student in the plane: particle trajectories",
    claim=("With many particles (m = 100 >> m0 = 3), particle gradient descent in mean-field "
           "time drives the particles |b_i| a_i onto the teacher's directions; with m = m0 it "
           "can stall away from them (Chizat & Bach 2018, Thm 3.5 and Section 4.2)."),
    points=points,
    compute=compute,
    plot=plot,
)
