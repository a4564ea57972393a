"""Test loss against the init scale tau, as the authors' `shallow-nn/test_vs_scale.jl` runs it:
a two-layer ReLU student from tau times a symmetrised Gaussian initialisation, trained by
gradient descent on a ReLU teacher's data on the sphere; the test loss at the end of training
and the best during training, mean +- std over trials that each redraw teacher, data and init.

Scales: the authors keep the output scale at 1 (`scaling = 1`) and multiply the whole
initialisation by tau. As h is 2-homogeneous, GD from u0 = tau w0 with step eta is GD on
F_alpha(w) = R(alpha h(w)) / alpha^2 in w = u / tau with alpha = tau^2 and step eta tau^2
("equivalent, up to a square", says the script): the paper's tau is sqrt(alpha). What runs
here is the authors' form (output scale 1, init tau w0, step min(10, 0.1 / tau^2)); the axis
is tau."""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from kernelrich import lazy
from kernelrich.experiments import Experiment, Param, grid

from ._common import KEY, code, floats, init_key, mean_std, mode, teacher_student

FILE = "test_vs_scale.jl"
FULL = {"d": 100, "m": 50, "n": 1000, "log_tau": [-2.2, 1.0, 33], "trials": 10, "steps": 10_000,
        "record_every": 20}
QUICK = {"d": 20, "m": 20, "n": 100, "log_tau": [-2.2, 1.0, 17], "trials": 3, "steps": 2_500,
         "record_every": 25}
M0 = 3


def points(quick: bool) -> list[dict]:
    """One point per trial (its seed draws the teacher, the data and the init)."""
    size = QUICK if quick else FULL
    fixed = {k: [v] for k, v in size.items() if k != "trials"}
    return grid(seed=list(range(size["trials"])), m0=[M0], **fixed)


def taus_of(config: dict) -> np.ndarray:
    lo, hi, count = config["log_tau"]
    return 10.0 ** np.linspace(lo, hi, count)


def step_of(tau):
    """The authors' step, min(10, 0.1 / tau^2) ("the linear scaling of the step-size works
    for large scales only")."""
    return np.minimum(10.0, 0.1 / np.asarray(tau) ** 2)


def run(config: dict, *, progress: bool = False) -> lazy.LazyDescent:
    """GD with step min(10, 0.1 / tau^2) on (1/2n) sum (h(x_i) - y_i)^2 from tau w0, for all
    taus of one trial in one vmapped program (B = taus, output scale 1), and the same for the
    linearised model around tau w0 (an addition: the authors' figure has only the network)."""
    X, y, Xt, yt, _ = teacher_student(config["seed"], config["d"], config["m0"], config["n"],
                                      config["n"])
    w0 = lazy.two_layer_gaussian_init(init_key(config["seed"]), config["m"], config["d"])
    taus = taus_of(config)
    inits = jax.tree_util.tree_map(lambda v: taus.reshape((-1,) + (1,) * v.ndim) * v, w0)
    return lazy.lazy_descent(lazy.two_layer, inits, X, y, np.ones((len(taus), 1)),
                             step=step_of(taus)[:, None], steps=config["steps"],
                             record_every=config["record_every"], batched=True, X_test=Xt,
                             y_test=yt, progress=progress)


def compute(config: dict) -> dict:
    gd = run(config)
    test = gd.test_loss[:, 0]  # (tau, R): recorded every `record_every` steps
    return {"tau": floats(taus_of(config)), "end_test": floats(test[:, -1]),
            "best_test": floats(np.min(test, axis=-1)),
            "end_test_linear": floats(gd.test_loss_linear[:, 0, -1]),
            "end_train": floats(gd.loss[:, 0, -1]),
            "diverged_at": [int(v) for v in gd.diverged_at[:, 0]]}


def curves(table) -> dict[str, np.ndarray]:
    """(trials, taus) arrays of the table's per-trial results."""
    rows = sorted(table.rows, key=lambda r: r["seed"])
    return {k: np.array([r[k] for r in rows], dtype=float)
            for k in ("end_test", "best_test", "end_test_linear", "end_train", "diverged_at")}


def summary(table) -> dict:
    tau = np.asarray(table.rows[0]["tau"])
    mean, _ = mean_std(curves(table)["end_test"])
    best = int(np.nanargmin(mean)) if np.isfinite(mean).any() else 0
    return {"trials": len(table.rows), "tau at the lowest mean end test loss": float(tau[best]),
            "lowest mean end test loss": float(mean[best]),
            "mean end test loss at the largest tau": float(mean[-1]),
            "largest tau": float(tau[-1]),
            "ratio (largest tau / lowest)": float(mean[-1] / mean[best]),
            "diverged runs": int((curves(table)["diverged_at"] >= 0).sum())}


def tables(table, quick: bool):
    tau = np.asarray(table.rows[0]["tau"])
    c = curves(table)
    stats = {k: mean_std(c[k]) for k in ("end_test", "best_test", "end_test_linear")}
    rows = [{"tau": float(f"{t:.4g}"),
             **{f"{k} {s}": float(f"{stats[k][j][i]:.4g}") for k in stats
                for j, s in enumerate(("mean", "std"))}}
            for i, t in enumerate(tau)]
    return [("Test loss against tau: summary", [summary(table)]),
            (f"Test loss against tau (mean and std over {len(table.rows)} trials)", rows)]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLUMN_WIDTH, paper_style, save_figure

    r, c, s = table.rows[0], curves(table), summary(table)
    tau = np.asarray(r["tau"])
    with paper_style():
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
        for key, label, style in (("end_test", "end of training", "-"),
                                  ("best_test", "best throughout training", ":"),
                                  ("end_test_linear", "linearised model, end", "--")):
            mean, std = mean_std(c[key])
            ax.plot(tau, mean, style, label=label)
            ax.fill_between(tau, mean - std, mean + std, alpha=0.2)
        ax.set(xscale="log", xlabel=r"init scale $\tau$", ylabel="test loss")
        ax.legend(fontsize=6)
    caption = (
        f"Test loss against the init scale tau, the authors' {FILE} setup ({mode(quick)}): "
        f"{s['trials']} trials, each drawing its teacher ({r['m0']} ReLU neurons on the unit "
        f"sphere, output weights sign(N(0, 1))), n_train = n_test = {r['n']} inputs on the "
        f"sphere of R^{r['d']} and the student's init (m = {r['m']}, entries N(0, 1), "
        f"symmetrised: h(w0) = 0), times tau; gradient descent (not the flow) on "
        f"(1/2n) sum (h(x_i) - y_i)^2 with step min(10, 0.1 / tau^2), {r['steps']} steps; "
        f"the best test loss is the minimum over records every {r['record_every']} steps. "
        f"Mean +- std (unbiased) over the trials; dashed: the linearised model trained the "
        f"same way (not in the authors' figure). The paper's tau is sqrt(alpha) of F_alpha. "
        f"Measured: the lowest mean end test loss, {s['lowest mean end test loss']:.3g}, is "
        f"at tau = {s['tau at the lowest mean end test loss']:.3g}; at tau = "
        f"{s['largest tau']:.3g} it is {s['mean end test loss at the largest tau']:.3g} "
        f"({s['ratio (largest tau / lowest)']:.3g} times higher); {s['diverged runs']} "
        f"diverged runs."
    )
    return [save_figure(fig, out_dir, "lazy-tau", caption)]


def setup(quick: bool) -> list[Param]:
    size, full = (QUICK if quick else FULL), FULL

    def p(name, key, source=FILE):
        return Param.code(name, size[key], code(source), paper_value=full[key])

    return [
        p("d (input dimension)", "d"),
        p("n_train = n_test", "n"),
        p("m (student neurons)", "m"),
        Param.code("m0 (teacher neurons)", M0, code(FILE)),
        Param.code("teacher", "rows N(0, I) normalised, outputs sign(N(0, 1))", code(FILE)),
        Param.code("inputs", "N(0, I) normalised to the unit sphere", code(FILE)),
        Param.code("student init", "randn(m, d+1) symmetrised (|b| then -|b|, a copied)",
                   code(FILE)),
        p("tau grid (log10 start, stop, count)", "log_tau"),
        Param.code("step", "min(10, 0.1 / tau^2)", code(FILE)),
        p("GD iterations", "steps"),
        p("trials (each redraws teacher, data, init)", "trials"),
        Param.code("loss", "(1/2n) sum (h(x_i) - y_i)^2, output scale 1 (tau^2 = alpha)",
                   code("lazy.ipynb (GDfor2NN)")),
        Param.choice("best test loss", f"min over records every {size['record_every']} steps",
                     "the authors take the min over every iteration; recording every step "
                     "would double the cost"),
        Param.choice("linearised model", "trained beside the network",
                     "shows the lazy limit; not in the authors' figure"),
        Param.choice("random streams", "NumPy PCG64 (data) and JAX threefry (init), seed = "
                     "trial", "the authors' Julia stream (Random.seed!(1)) cannot be "
                     "reproduced"),
    ]


EXPERIMENT = Experiment(
    name="lazy-tau",
    paper=KEY,
    title="Test loss against the init scale tau",
    claim=("The paper's two-layer experiment: training from a large init scale tau is lazy "
           "(the network stays close to its linearisation), and its test loss is worse than "
           "from a small tau."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    schema=2,
    full_time=("about 3.5 h of CPU, 5 h on a loaded CPU (measured per step x 10,000 steps; "
               "docs/benchmarks.md)"),
)
