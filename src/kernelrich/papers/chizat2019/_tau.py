"""Test loss against the init scale tau (two-layer ReLU teacher-student on the sphere): the
lazy regime (large tau) generalises worse (authors' Julia setup; mean +- std over trials).
All taus and trials run as one vmapped, compiled gradient descent."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kernelrich import lazy
from kernelrich.experiments import Experiment, grid

from ._common import KEY, floats, mode, students, teacher_student

QUICK = {"d": 10, "m": 20, "n": 60, "log_tau": [-2.2, 1.0, 9], "trials": 3, "steps": 1500}
FULL = {"d": 100, "m": 50, "n": 1000, "log_tau": [-2.2, 1.0, 33], "trials": 10, "steps": 10_000}


def points(quick: bool) -> list[dict]:
    size = QUICK if quick else FULL
    return grid(seed=[0], m0=[3], **{k: [v] for k, v in size.items()})


def taus_of(config: dict) -> np.ndarray:
    lo, hi, count = config["log_tau"]
    return np.logspace(lo, hi, count)


def run(config: dict, *, progress: bool = False) -> lazy.LazyDescent:
    """GD from u0 = tau w0 with step min(10, 0.1 / tau^2) on (1/2n) sum (h(x_i) - y_i)^2,
    run as GD on F_alpha in w = u / tau with alpha = tau^2 and step min(10, 0.1 / tau^2) tau^2
    (the same iterates: h is 2-homogeneous)."""
    X, y, Xt, yt = teacher_student(config["seed"], config["d"], config["m0"], config["n"],
                                   config["n"])
    w0 = students(config["seed"], config["trials"], config["m"], config["d"])
    taus = taus_of(config)
    step = np.minimum(10.0, 0.1 / taus**2) * taus**2
    return lazy.lazy_descent(lazy.two_layer, w0, X, y, taus**2, step=step,
                             steps=config["steps"], record_every=config["steps"] // 50,
                             batched=True, X_test=Xt, y_test=yt, progress=progress)


def compute(config: dict) -> dict:
    gd = run(config)
    test = gd.test_loss  # (trials, tau, R)
    return {"tau": floats(taus_of(config)), "end_test": floats(test[:, :, -1]),
            "best_test": floats(np.nanmin(test, axis=-1)),
            "end_test_linear": floats(gd.test_loss_linear[:, :, -1]),
            "end_train": floats(gd.loss[:, :, -1]),
            "diverged": int((gd.diverged_at >= 0).sum())}


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLUMN_WIDTH, paper_style, save_figure

    r = table.rows[0]
    tau = np.asarray(r["tau"])
    with paper_style():
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
        for key, label in (("end_test", "end of training"), ("best_test", "best during training"),
                           ("end_test_linear", "linearised model")):
            v = np.asarray(r[key])
            mean, std = v.mean(axis=0), v.std(axis=0)
            ax.loglog(tau, mean, marker="o", label=label)
            ax.fill_between(tau, np.maximum(mean - std, 1e-12), mean + std, alpha=0.2)
        ax.set(xlabel=r"init scale $\tau$", ylabel="test loss")
        ax.legend(fontsize=6)
    caption = (
        f"Test loss against the init scale tau (mean +- std over {r['trials']} student inits; "
        f"data seed {r['seed']}): ReLU teacher with {r['m0']} unit neurons (output weights +1, "
        f"-1, +1), d = {r['d']}, n_train = n_test = {r['n']} on the sphere, symmetrised "
        f"student m = {r['m']} (a_j on the sphere, b_j ~ U[0, 1]) times tau; gradient descent "
        f"(not the flow) with step min(10, 0.1 / tau^2), {r['steps']} steps on "
        f"(1/2n) sum (h(x_i) - y_i)^2; also the linearised model trained the same way; "
        f"{mode(quick)} ({r['diverged']} diverged runs). All runs in one vmapped program."
    )
    return [save_figure(fig, out_dir, "lazy-tau", caption)]


EXPERIMENT = Experiment(
    name="lazy-tau",
    paper=KEY,
    title="Test loss against the init scale tau",
    claim=("Small init scales (active regime) generalise much better than large ones (lazy "
           "regime), whose test loss approaches that of the linearised model."),
    points=points,
    compute=compute,
    plot=plot,
)
