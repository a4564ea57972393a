"""Two-layer ReLU teacher-student in the plane: neuron trajectories b_j a_j for tau = 0.1
(active: neurons move and align with the teacher) and tau = 2 (lazy: they barely move), the
paper's picture (authors' Julia setup)."""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from kernelrich import lazy
from kernelrich.experiments import Experiment, grid

from ._common import KEY, floats, mode, students, teacher, teacher_student


def points(quick: bool) -> list[dict]:
    """Full: the authors' 1e5 steps of 0.005 (t = 500); quick: t = 100 in 5000 steps of 0.02
    (the lazy tau = 2 run is stable at that step; divergence would be reported)."""
    return grid(seed=[0], d=[2], m0=[3], m=[16], n_train=[15], n_test=[20], taus=[[0.1, 2.0]],
                step=[0.02 if quick else 0.005], steps=[5_000 if quick else 100_000])


def compute(config: dict) -> dict:
    """GD on R(h(u)) from u0 = tau w0 with step eta is GD on F_alpha in w = u / tau with
    alpha = tau^2 (h is 2-homogeneous) and step eta tau^2: that is what runs."""
    X, y, Xt, yt = teacher_student(config["seed"], config["d"], config["m0"],
                                   config["n_train"], config["n_test"])
    w0 = jax.tree_util.tree_map(lambda v: v[0], students(config["seed"], 1, config["m"],
                                                         config["d"]))
    taus = np.asarray(config["taus"])
    steps = config["steps"]
    gd = lazy.lazy_descent(lazy.two_layer, w0, X, y, taus**2, step=config["step"] * taus**2,
                           steps=steps, record_every=steps // 200, X_test=Xt, y_test=yt,
                           keep_params=True)
    path = gd.params_path  # w; the neuron of u = tau w is tau^2 b_j a_j
    neurons = (taus**2)[:, None, None, None] * (
        np.asarray(path["b"])[..., None] * np.asarray(path["a"]))  # (tau, R, m, 2)
    t = teacher(np.random.default_rng(config["seed"]), config["m0"], config["d"])  # as drawn

    return {"neurons": floats(neurons), "teacher": floats(np.asarray(t["b"])[:, None]
                                                          * np.asarray(t["a"])),
            "train_loss": floats(gd.loss[:, -1]), "test_loss": floats(gd.test_loss[:, -1]),
            "test_loss_linear": floats(gd.test_loss_linear[:, -1]),
            "relative_move": floats(gd.dist_init[:, -1] / _norm(w0)),
            "diverged_at": [int(v) for v in gd.diverged_at]}


def _norm(w0) -> float:
    return float(np.sqrt(sum(np.sum(np.asarray(v) ** 2) for v in jax.tree_util.tree_leaves(w0))))


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLORS, PAGE_WIDTH, paper_style, save_figure

    r = table.rows[0]
    neurons, teach = np.asarray(r["neurons"]), np.asarray(r["teacher"])
    with paper_style():
        fig, axes = plt.subplots(1, len(r["taus"]), figsize=(PAGE_WIDTH, 0.5 * PAGE_WIDTH))
        for i, (ax, tau) in enumerate(zip(axes, r["taus"], strict=True)):
            traj = neurons[i]
            ax.plot(traj[:, :, 0], traj[:, :, 1], color="k", lw=0.5, alpha=0.7)
            ax.scatter(traj[-1, :, 0], traj[-1, :, 1], s=8, color=COLORS[1], zorder=3)
            ax.scatter(traj[0, :, 0], traj[0, :, 1], s=6, color=COLORS[0], zorder=3)
            ax.scatter(teach[:, 0], teach[:, 1], marker="*", s=60, color=COLORS[2], zorder=4)
            ax.set(aspect="equal", title=rf"$\tau$ = {tau:g}: test loss {r['test_loss'][i]:.2e}, "
                   f"move {r['relative_move'][i]:.2f}")
        fig.tight_layout()
    caption = (
        f"Teacher-student in the plane (d = 2, teacher of {r['m0']} unit ReLU neurons with "
        f"output weights +1, -1, +1; n = {r['n_train']} training and {r['n_test']} test points "
        f"on the unit circle): paths of the student's neurons b_j a_j (blue: start, orange: end, "
        f"green stars: teacher's b*_j a*_j) under gradient descent (not the flow), step "
        f"{r['step']:g}, {r['steps']} steps, on (1/2n) sum (h(x_i) - y_i)^2 from tau times the "
        f"symmetrised init (m = {r['m']}: a_j on the circle, b_j ~ U[0, 1], second half with "
        f"negated b_j), seed {r['seed']}, {mode(quick)}. Titles: test loss and relative parameter "
        f"move ||w - w0|| / ||w0||. Small tau: active, the neurons travel to the teacher's; "
        f"large tau: lazy, they barely move."
    )
    return [save_figure(fig, out_dir, "lazy-plane", caption)]


EXPERIMENT = Experiment(
    name="lazy-plane",
    paper=KEY,
    title="Teacher-student in the plane: active (tau = 0.1) vs lazy (tau = 2)",
    claim=("At small init scale the neurons move far and align with the teacher (active); at "
           "large scale training is lazy: the neurons barely move."),
    points=points,
    compute=compute,
    plot=plot,
)
