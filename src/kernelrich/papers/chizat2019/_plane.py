"""Two-layer ReLU teacher-student in the plane, the authors' `shallow-nn/illustration.jl`:
paths of the student's neurons |b_j| a_j under gradient descent from tau times the
symmetrised init, for a small tau (active: the neurons travel) and a large one (lazy: they
barely move), beside the train and test losses."""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from kernelrich import lazy
from kernelrich.experiments import Experiment, Param, grid

from ._common import KEY, code, floats, init_key, mode, teacher_student

FILE = "illustration.jl"
FULL = {"step": 0.005, "steps": 100_000}
QUICK = {"step": 0.02, "steps": 5_000}
SIZE = {"d": 2, "m0": 3, "m": 16, "n_train": 15, "n_test": 20}
TAUS = [0.1, 2.0]


def points(quick: bool) -> list[dict]:
    """Full: the authors' 1e5 steps of 0.005 (t = 500); quick: t = 100 in 5000 steps of 0.02
    (a larger step; divergence would be reported)."""
    size = QUICK if quick else FULL
    return grid(seed=[0], taus=[TAUS], **{k: [v] for k, v in {**SIZE, **size}.items()})


def compute(config: dict) -> dict:
    """GD with the authors' step on (1/2n) sum (h(x_i) - y_i)^2 from u0 = tau w0 (output scale
    1, `GDfor2NN` with `scaling = 1`), both taus in one vmapped program."""
    X, y, Xt, yt, t = teacher_student(config["seed"], config["d"], config["m0"],
                                      config["n_train"], config["n_test"])
    w0 = lazy.two_layer_init(init_key(config["seed"]), config["m"], config["d"])
    taus = np.asarray(config["taus"])
    inits = jax.tree_util.tree_map(lambda v: taus.reshape((-1,) + (1,) * v.ndim) * v, w0)
    steps = config["steps"]
    gd = lazy.lazy_descent(lazy.two_layer, inits, X, y, np.ones((len(taus), 1)),
                           step=config["step"], steps=steps, record_every=steps // 200,
                           X_test=Xt, y_test=yt, keep_params=True, batched=True, linear=False)
    path = jax.tree_util.tree_map(lambda v: np.asarray(v)[:, 0], gd.params_path)
    b = path["b"]  # (tau, R, m)
    norm0 = np.sqrt(np.sum(path["a"][:, 0] ** 2, axis=(1, 2)) + np.sum(b[:, 0] ** 2, axis=1))
    return {"neurons": floats(np.abs(b)[..., None] * path["a"]),  # |b_j| a_j, (tau, R, m, 2)
            "final_sign": floats(np.sign(b[:, -1])),
            "teacher_a": floats(t["a"]), "teacher_b": floats(t["b"]),
            "train_loss": floats(gd.loss[:, 0, -1]), "test_loss": floats(gd.test_loss[:, 0, -1]),
            "relative_move": floats(gd.dist_init[:, 0, -1] / norm0),
            "diverged_at": [int(v) for v in gd.diverged_at[:, 0]]}


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLORS, PAGE_WIDTH, paper_style, save_figure

    r = table.rows[0]
    neurons, sign = np.asarray(r["neurons"]), np.asarray(r["final_sign"])
    ta, tb = np.asarray(r["teacher_a"]), np.asarray(r["teacher_b"])
    circle = np.linspace(0.0, 2 * np.pi, 200)
    with paper_style():
        fig, axes = plt.subplots(1, len(r["taus"]), figsize=(PAGE_WIDTH, 0.5 * PAGE_WIDTH))
        for i, (ax, tau) in enumerate(zip(axes, r["taus"], strict=True)):
            ax.plot(np.cos(circle), np.sin(circle), ":", color="k", lw=0.5)
            for s, color in ((1.0, COLORS[1]), (-1.0, COLORS[0])):
                traj = neurons[i][:, sign[i] == s]
                ax.plot(traj[:, :, 0], traj[:, :, 1], color=color, lw=0.6)
                ax.scatter(traj[-1, :, 0], traj[-1, :, 1], s=8, color=color, zorder=3)
            for a, b in zip(ta, tb, strict=True):
                ax.annotate("", xy=a, xytext=(0, 0), arrowprops={
                    "arrowstyle": "->", "color": COLORS[1] if b > 0 else COLORS[0]})
            ax.set(aspect="equal", title=rf"$\tau$ = {tau:g}: test loss {r['test_loss'][i]:.2e}, "
                   f"move {r['relative_move'][i]:.2f}")
            ax.axis("off")
        fig.tight_layout()
    moves = ", ".join(f"tau = {t:g}: {m:.3g}" for t, m in zip(r["taus"], r["relative_move"],
                                                              strict=True))
    tests = ", ".join(f"tau = {t:g}: {v:.3g}" for t, v in zip(r["taus"], r["test_loss"],
                                                             strict=True))
    caption = (
        f"Teacher-student in the plane, the authors' {FILE} setup ({mode(quick)}): teacher of "
        f"{r['m0']} ReLU neurons on the unit circle (arrows, coloured by the sign of their "
        f"output weight), n = {r['n_train']} training and {r['n_test']} test points on the "
        f"circle (dotted); paths of the student's neurons |b_j| a_j (m = {r['m']}: rows on the "
        f"circle, b_j ~ U[0, 1], symmetrised), coloured by the final sign of b_j, under "
        f"gradient descent (not the flow) with step {r['step']:g}, {r['steps']} steps, on "
        f"(1/2n) sum (h(x_i) - y_i)^2 from tau times the init; seed {r['seed']}. Measured "
        f"relative move ||w - w0|| / ||w0||: {moves}; test loss: {tests}; diverged runs: "
        f"{sum(v >= 0 for v in r['diverged_at'])}."
    )
    return [save_figure(fig, out_dir, "lazy-plane", caption)]


def setup(quick: bool) -> list[Param]:
    size = QUICK if quick else FULL
    return [
        *[Param.code(k, v, code(FILE)) for k, v in SIZE.items()],
        Param.code("tau", TAUS, code(FILE) + ": comment '0.1 not lazy / 2 lazy' (the file "
                   "runs 0.2)"),
        Param.code("student init", "rows on the unit circle, b ~ U[0, 1], symmetrised",
                   code(FILE)),
        Param.code("teacher", "rows normalised, outputs sign(N(0, 1))", code(FILE)),
        Param.code("step", size["step"], code(FILE), paper_value=FULL["step"]),
        Param.code("GD iterations", size["steps"], code(FILE), paper_value=FULL["steps"]),
        Param.code("loss", "(1/2n) sum (h(x_i) - y_i)^2, output scale 1",
                   code("lazy.ipynb (GDfor2NN)")),
        Param.choice("plotted path", "200 equally spaced records",
                     "the authors plot 100 log-spaced iterations"),
        Param.choice("random streams", "NumPy PCG64 (data), JAX threefry (init), seed 0",
                     "the authors' Julia stream (Random.seed!(1)) cannot be reproduced"),
    ]


EXPERIMENT = Experiment(
    name="lazy-plane",
    paper=KEY,
    title="Teacher-student in the plane: tau = 0.1 vs tau = 2",
    claim=("The paper's two-dimensional illustration: from a small init scale the neurons "
           "move far, towards the teacher's directions (active); from a large one training "
           "is lazy: they barely move."),
    points=points,
    compute=compute,
    plot=plot,
    setup=setup,
    schema=2,
    full_time="about 25 s (measured end to end on a loaded CPU; docs/benchmarks.md)",
)
