"""Scaling with width: alpha(m) = 1/sqrt(m) (lazy, NTK) against alpha(m) = 1/m (mean field),
for the two-layer ReLU network of the teacher-student setup: relative parameter movement,
tangent-kernel change and test loss against m."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich import lazy
from kernelrich.experiments import Experiment, grid

from ._common import KEY, floats, mode, students, teacher_student

SCALINGS = {"1/sqrt(m)": 0.5, "1/m": 1.0}  # alpha(m) = m^(-power)


def points(quick: bool) -> list[dict]:
    ms = [8, 32, 128] if quick else [2, 4, 8, 16, 32, 64, 128, 256, 512]
    return grid(seed=[0], ms=[ms], d=[10], m0=[3], n=[100], time=[50.0],
                steps=[600 if quick else 5000])


def padded(seed: int, ms: list[int], d: int) -> dict:
    """The symmetrised init of each width m, padded with zero units to max(ms) and stacked.
    A zero unit (a_j = 0, b_j = 0) has zero output and zero gradient (ReLU), so it stays zero:
    the padded network trains exactly as the width-m one, and all widths share one program."""
    M = max(ms)

    def pad(v, m):
        return jnp.concatenate([v, jnp.zeros((M - m,) + v.shape[1:])])

    inits = [jax.tree_util.tree_map(lambda v, m=m: pad(v[0], m), students(seed, 1, m, d))
             for m in ms]
    return jax.tree_util.tree_map(lambda *v: jnp.stack(v), *inits)


def compute(config: dict) -> dict:
    """GD on F_alpha with alpha = alpha(m) and step time / steps / m: the output dynamics
    (alpha h)' = -Dh Dh^T grad R have a kernel of size ~m whatever alpha, so the same
    time horizon is comparable across m and across both scalings. All widths and both
    scalings run in one vmapped program (zero-padded widths)."""
    ms = np.asarray(config["ms"], dtype=float)
    X, y, Xt, yt = teacher_student(config["seed"], config["d"], config["m0"], config["n"],
                                   config["n"])
    w0 = padded(config["seed"], config["ms"], config["d"])
    alphas = np.stack([ms ** -p for p in SCALINGS.values()], axis=1)  # (widths, scalings)
    step = np.broadcast_to((config["time"] / config["steps"] / ms)[:, None], alphas.shape)
    gd = lazy.lazy_descent(lazy.two_layer, w0, X, y, alphas, step=step, steps=config["steps"],
                           record_every=config["steps"] // 10, X_test=Xt, y_test=yt,
                           batched=True)
    norm0 = np.sqrt(sum(np.sum(np.asarray(v) ** 2, axis=tuple(range(1, v.ndim)))
                        for v in jax.tree_util.tree_leaves(w0)))  # (widths,)
    change = np.stack([lazy.kernel_change(lazy.two_layer, jax.tree_util.tree_map(
        lambda v, i=i: v[i], w0), jax.tree_util.tree_map(lambda v, i=i: v[i], gd.params),
        X[:40], batched=True) for i in range(len(ms))])
    out = {}
    for j, name in enumerate(SCALINGS):
        out[f"move {name}"] = floats(gd.dist_init[:, j, -1] / norm0)
        out[f"kernel change {name}"] = floats(change[:, j])
        out[f"test {name}"] = floats(gd.test_loss[:, j, -1])
        out[f"train {name}"] = floats(gd.loss[:, j, -1])
    out["diverged"] = int((gd.diverged_at >= 0).sum())
    return out


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import PAGE_WIDTH, paper_style, save_figure

    r = table.rows[0]
    ms = np.asarray(r["ms"])
    with paper_style():
        fig, axes = plt.subplots(1, 3, figsize=(PAGE_WIDTH, 0.33 * PAGE_WIDTH))
        for ax, what in zip(axes, ("move", "kernel change", "test"), strict=True):
            for name in SCALINGS:
                ax.loglog(ms, r[f"{what} {name}"], marker="o",
                          label=rf"$\alpha(m)$ = {name}")
            ax.set(xlabel="width m", title={"move": r"$\|w - w_0\| / \|w_0\|$",
                                            "kernel change": "relative kernel change",
                                            "test": "test loss"}[what])
        axes[0].legend(fontsize=6)
        fig.tight_layout()
    caption = (
        f"Scaling with width: two-layer ReLU network alpha(m) sum_j b_j max(a_j.x, 0), "
        f"symmetrised init (a_j on the sphere, b_j ~ U[0, 1]), ReLU teacher with {r['m0']} "
        f"neurons, d = {r['d']}, n_train = n_test = {r['n']}, seed {r['seed']}; gradient "
        f"descent (not the flow) on F_alpha with step {r['time']:g} / ({r['steps']} m), "
        f"{r['steps']} steps (time {r['time']:g} in the units where the tangent kernel / m is "
        f"O(1)); {mode(quick)}. Kernel change: relative Frobenius change of the empirical "
        f"tangent kernel on 40 training inputs; {r['diverged']} diverged runs. All widths in "
        f"one vmapped program (zero-padded units stay zero). alpha = 1/sqrt(m) moves less and "
        f"less as m grows (lazy, NTK); alpha = 1/m keeps moving (mean field)."
    )
    return [save_figure(fig, out_dir, "lazy-width", caption)]


EXPERIMENT = Experiment(
    name="lazy-width",
    paper=KEY,
    title="Width scaling: alpha(m) = 1/sqrt(m) (lazy) vs 1/m (mean field)",
    claim=("With alpha(m) = 1/sqrt(m) the relative movement and kernel change vanish as m "
           "grows (lazy training, NTK regime); with alpha(m) = 1/m they do not (mean field)."),
    points=points,
    compute=compute,
    plot=plot,
)
