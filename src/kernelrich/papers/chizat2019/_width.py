"""Test loss against the width m under two scalings, as the authors'
`shallow-nn/test_vs_m.jl` runs it: the two-layer ReLU network alpha(m) sum_j b_j max(a_j.x, 0)
with alpha(m) = 1/sqrt(m) (step 1/m; lazy as m grows) or alpha(m) = 1/m (step 0.05/m; mean
field), trained by gradient descent on F_alpha from a Gaussian init that is *not*
symmetrised, on a teacher's data scaled by 100."""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from kernelrich import lazy
from kernelrich.experiments import Experiment, Param, grid

from ._common import KEY, code, init_key, mean_std, mode, teacher_student

FILE = "test_vs_m.jl"
SCALINGS = {"1/sqrt(m)": (0.5, 1.0), "1/m": (1.0, 0.05)}  # name: (power of alpha, step * m)
FULL = {"ms": [2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128, 256, 512], "d": 100, "n": 1000,
        "steps": 25_000, "trials": 10}
QUICK = {"ms": [2, 8, 32, 64], "d": 100, "n": 100, "steps": 2_000, "trials": 2}
M0, OUTPUT = 3, 100.0


def points(quick: bool) -> list[dict]:
    """One point per (width, trial); a trial's seed draws its teacher and data (shared by
    every width and both scalings, as in the authors' loop) and, with the width, the inits."""
    s = QUICK if quick else FULL
    return grid(m=s["ms"], seed=list(range(s["trials"])), d=[s["d"]], n=[s["n"]], m0=[M0],
                output=[OUTPUT], steps=[s["steps"]])


def compute(config: dict) -> dict:
    """GD w <- w - step grad F_alpha(w), F_alpha(w) = (1/2n) sum (alpha h(w)(x_i) - y_i)^2 /
    alpha^2 (`GDfor2NN`), for both scalings of one width in one vmapped program (each from
    its own N(0, 1) init, as the authors draw one per run)."""
    m = config["m"]
    X, y, Xt, yt, _ = teacher_student(config["seed"], config["d"], config["m0"], config["n"],
                                      config["n"], output=config["output"])
    inits = [lazy.two_layer_gaussian_init(init_key(config["seed"], m, j), m, config["d"],
                                          symmetrised=False) for j in range(len(SCALINGS))]
    w0 = jax.tree_util.tree_map(lambda *v: np.stack(v), *inits)
    alpha = np.array([[m ** -p] for p, _ in SCALINGS.values()])
    step = np.array([[s / m] for _, s in SCALINGS.values()])
    gd = lazy.lazy_descent(lazy.two_layer, w0, X, y, alpha, step=step, steps=config["steps"],
                           record_every=config["steps"] // 50, batched=True, X_test=Xt,
                           y_test=yt, linear=False)
    norm0 = np.sqrt(sum(np.sum(np.asarray(v) ** 2, axis=tuple(range(1, v.ndim)))
                        for v in jax.tree_util.tree_leaves(w0)))
    out = {}
    for j, name in enumerate(SCALINGS):
        out[f"test {name}"] = float(gd.test_loss[j, 0, -1])
        out[f"train {name}"] = float(gd.loss[j, 0, -1])
        out[f"move {name}"] = float(gd.dist_init[j, 0, -1] / norm0[j])
        out[f"diverged_at {name}"] = int(gd.diverged_at[j, 0])
    return out


def stats(table) -> list[dict]:
    """Per scaling and width: mean and std over trials of the final test loss, and means of
    the train loss and the relative move ||w - w0|| / ||w0||."""
    rows = []
    for name in SCALINGS:
        for m in table.unique("m"):
            sub = table.where(m=m)
            ok = np.asarray(sub.column(f"diverged_at {name}")) < 0

            def finished(key, ok=ok, sub=sub):  # a diverged run has no final value: NaN
                return np.where(ok, np.asarray(sub.column(key), dtype=float), np.nan)

            mean, std = mean_std(finished(f"test {name}"))
            rows.append({"scaling": name, "m": m, "trials": len(sub.rows),
                         "test mean": float(f"{mean:.4g}"), "test std": float(f"{std:.4g}"),
                         "train mean": float(f"{mean_std(finished(f'train {name}'))[0]:.4g}"),
                         "move mean": float(f"{mean_std(finished(f'move {name}'))[0]:.4g}"),
                         "diverged": int(np.sum(~ok))})
    return rows


def tables(table, quick: bool):
    return [("Final test loss against m (mean over trials)", stats(table))]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLUMN_WIDTH, paper_style, save_figure

    rows, r = stats(table), table.rows[0]
    with paper_style():
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
        for (name, color) in zip(SCALINGS, ("k", "0.5"), strict=True):
            for row in table.rows:
                if row[f"diverged_at {name}"] < 0:
                    ax.plot(row["m"], row[f"test {name}"], "o", ms=1.5, color=color)
            sub = [x for x in rows if x["scaling"] == name]
            ax.plot([x["m"] for x in sub], [x["test mean"] for x in sub], color=color,
                    label=rf"scaling {name}")
        ax.set(xscale="log", xlabel="m", ylabel="test loss")
        ax.legend(fontsize=6)
    first, last = min(table.unique("m")), max(table.unique("m"))
    means = {(x["scaling"], x["m"]): x["test mean"] for x in rows}
    ends = "; ".join(f"{name}: {means[name, first]:.3g} at m = {first}, {means[name, last]:.3g} "
                     f"at m = {last}" for name in SCALINGS)
    diverged = ", ".join(f"{x['scaling']} at m = {x['m']}: {x['diverged']}" for x in rows
                         if x["diverged"]) or "none"
    caption = (
        f"Final test loss against the width m, the authors' {FILE} setup ({mode(quick)}): "
        f"teacher of {r['m0']} ReLU neurons (output weights sign(N(0, 1)), outputs times "
        f"{r['output']:g}), n_train = n_test = {r['n']} inputs on the sphere of R^{r['d']}, "
        f"{len(table.unique('seed'))} trials (dots; lines: means); student alpha(m) sum_j b_j "
        f"max(a_j.x, 0) from N(0, 1) entries (not symmetrised), gradient descent (not the "
        f"flow) on F_alpha, {r['steps']} steps of 1/m (alpha = 1/sqrt(m)) or 0.05/m (alpha = "
        f"1/m). The authors plot 0.1 times the test loss; here it is unscaled. Measured mean "
        f"test loss: {ends}; diverged runs (not drawn, NaN in the means): {diverged}."
    )
    return [save_figure(fig, out_dir, "lazy-width", caption)]


def setup(quick: bool) -> list[Param]:
    s = QUICK if quick else FULL

    def p(name, key):
        return Param.code(name, s[key], code(FILE), paper_value=FULL[key])

    return [
        p("m (widths)", "ms"), p("d (input dimension)", "d"), p("n_train = n_test", "n"),
        Param.code("m0 (teacher neurons)", M0, code(FILE)),
        Param.code("teacher output factor", OUTPUT, code(FILE)),
        Param.code("teacher", "rows N(0, I) normalised, outputs sign(N(0, 1))", code(FILE)),
        Param.code("student init", "randn(m, d+1), not symmetrised", code(FILE)),
        Param.code("scalings and steps", "alpha = 1/sqrt(m), step 1/m; alpha = 1/m, step 0.05/m",
                   code(FILE)),
        p("GD iterations", "steps"), p("trials", "trials"),
        Param.code("loss", "(1/2n) sum (alpha h(x_i) - y_i)^2 / alpha^2",
                   code("lazy.ipynb (GDfor2NN)")),
        Param.choice("random streams", "NumPy PCG64 (data), JAX threefry (inits), seed = trial",
                     "the authors' Julia stream (Random.seed!(2)) cannot be reproduced"),
    ]


EXPERIMENT = Experiment(
    name="lazy-width",
    paper=KEY,
    title="Test loss against the width m: alpha(m) = 1/sqrt(m) vs 1/m",
    claim=("The paper's comparison of the two scalings of a two-layer network as its width "
           "grows: alpha(m) = 1/sqrt(m) trains lazily for large m (a kernel method), alpha(m) "
           "= 1/m does not (mean field); the figure shows the test loss against m."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    schema=2,
    full_time="hours (not measured end to end: 10 trials x widths 2-512 x 25,000 steps)",
)
