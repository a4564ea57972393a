"""The kernel-to-rich transition in a non-linear network (Woodworth et al. 2020: "we also
demonstrate this transition empirically for ... multilayer non-linear networks", §7).

The unbiased two-layer ReLU network of `_network` (f = g(w_1) - g(w_2), w_1 = w_2 = alpha w0)
on scikit-learn's digits as a binary task, trained by full-batch gradient descent (not the
flow) from each init scale alpha for a fixed number of steps; the run is repeated at half the
step for twice the steps, and the gap between the two is GD's measured step sensitivity.
Beside it: GD on the linearised model for the same steps and the kernel interpolant (the
alpha -> infinity limit of the flow), both in closed form from the tangent kernel at w0.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Figure, Param, Table, grid
from ...ntk import train_gd
from ...plotting import COLORS, COLUMN_WIDTH, save_figure
from . import _network
from ._common import log_grid, mode

NOT_READ = "the paper's §7 setup (data, architecture, optimiser) could not be read"


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(n_train=100, widths=[16, 64], seed=[0], alphas=log_grid(1e-2, 1e2, 5),
                    steps=1000)
    return dict(n_train=300, widths=[16, 64, 256], seed=[0, 1, 2],
                alphas=log_grid(1e-2, 1e2, 9), steps=5000)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(n_train=[s["n_train"]], width=s["widths"], seed=s["seed"],
                alphas=[s["alphas"]], steps=[s["steps"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    q = " (quick mode: full mode uses {})" if quick else ""
    return [
        Param.uncertain("data", "scikit-learn digits (8x8), binary 0-4 vs 5-9, labels +-1",
                        NOT_READ + "; the paper uses MNIST / CIFAR10 (study notes §1.5); digits "
                        "ship with scikit-learn (no download)"),
        Param.choice("training images", s["n_train"], "a random split; the other "
                     f"{1797 - s['n_train']} images are the test set" + q.format(
                         full["n_train"])),
        Param.uncertain("network", "f = g(w_1) - g(w_2), g = sum_j b_j relu(a_j . x), no biases, "
                        "w_1 = w_2 = alpha w0", NOT_READ + "; the unbiased construction the "
                        "paper's setting needs (f(alpha w0) = 0), 2-homogeneous like D = 2"),
        Param.choice("widths", s["widths"], "more than one width" + q.format(full["widths"])),
        Param.choice("w0", "a_jk ~ N(0, 2), b_j ~ N(0, 1/width)",
                     "He initialisation for inputs scaled to unit mean squared norm"),
        Param.choice("loss", "(1/2n) sum_i (f(x_i) - y_i)^2", "the square loss of the paper"),
        Param.choice("dynamics", "full-batch GD, step h / max(1, alpha)^2, h = n / "
                     "lambda_max(K_w0); again at half the step for twice the steps",
                     "the flow is out of reach for ReLU (kinks); the step follows the "
                     "Hessian's alpha^2 scaling; the two runs measure the step sensitivity"),
        Param.choice("steps", s["steps"], "a fixed budget for every alpha" + q.format(
            full["steps"])),
        Param.choice("alpha grid", s["alphas"], "from the rich to the kernel end"),
        Param.choice("seeds", s["seed"], "data split and w0" + q.format(len(full["seed"]))),
    ]


def _train(net, X, y, Xt, lr, steps):
    """Test predictions and final train loss of GD, or NaNs if it diverged."""
    try:
        run = train_gd(net, X, y, lr=lr, steps=steps, record=[steps], X_eval=Xt)
    except ValueError:  # train_gd rejects non-finite predictions or loss: a diverged run
        return np.full(len(Xt), np.nan), float("nan")
    return run.predictions[-1], float(run.loss[-1])


def compute(config: dict) -> dict:
    """Per alpha: the network's test error and train loss after `steps` GD steps, the same at
    half the step for twice the steps, and the linearised model's after the same steps."""
    X, y, Xt, yt = _network.digits(config["seed"], config["n_train"])
    g0 = _network.init(config["seed"], config["width"], X.shape[1])
    K, Kt = _network.tangent_kernel(g0, X, X), _network.tangent_kernel(g0, Xt, X)
    h = len(y) / np.linalg.eigvalsh(K)[-1]
    steps = config["steps"]
    out = {key: [] for key in ("error", "loss", "error_half", "gap_half", "error_linear",
                               "dist_linear", "step")}
    for alpha in config["alphas"]:
        lr = h / max(1.0, alpha) ** 2
        net = _network.model(g0, alpha)
        pred, loss = _train(net, X, y, Xt, lr, steps)
        half, _ = _train(net, X, y, Xt, lr / 2, 2 * steps)
        lin = _network.linear_gd(K, Kt, y, lr * alpha**2, steps)
        out["error"].append(float(np.mean(np.sign(pred) != yt)) if np.isfinite(loss) else None)
        out["loss"].append(loss)
        out["error_half"].append(float(np.mean(np.sign(half) != yt)))
        out["gap_half"].append(float(np.linalg.norm(pred - half) / np.linalg.norm(half)))
        out["error_linear"].append(float(np.mean(np.sign(lin) != yt)))
        out["dist_linear"].append(float(np.linalg.norm(pred - lin) / np.linalg.norm(lin)))
        out["step"].append(lr)
    interpolant = _network.linear_gd(K, Kt, y, h, None)
    out["error_kernel"] = float(np.mean(np.sign(interpolant) != yt))
    out["n_test"] = len(yt)
    return out


def _mean(table: Table, key: str) -> np.ndarray:
    return np.mean(np.array(table.column(key), dtype=float), axis=0)


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.3, COLUMN_WIDTH))
    for color, width in zip(COLORS, table.unique("width"), strict=False):
        sub = table.where(width=width)
        alphas = np.array(sub.rows[0]["alphas"])
        ax.plot(alphas, _mean(sub, "error"), color=color, marker="o", label=f"width {width}")
        ax.plot(alphas, _mean(sub, "error_linear"), color=color, linestyle=":")
        ax.axhline(np.mean(sub.column("error_kernel")), color=color, linestyle="--",
                   linewidth=0.8)
    ax.set(xscale="log", xlabel=r"initialisation scale $\alpha$", ylabel="test error")
    ax.legend(fontsize=7)
    row = table.rows[0]
    caption = (
        f"Test error on digits (0-4 vs 5-9; {row['n_train']} training, {row['n_test']} test "
        f"images) of the unbiased two-layer ReLU network f = g(w_1) - g(w_2), w_1 = w_2 = "
        f"alpha w0, after {row['steps']} full-batch gradient-descent steps (not the flow; "
        f"step n / lambda_max(K) / max(1, alpha)^2), against alpha, per width; dotted: the "
        f"linearised model after the same steps, dashed: the kernel interpolant (the alpha -> "
        f"infinity limit). {_gd_sentence(table)} Mean over {len(table.unique('seed'))} "
        f"seed(s); {mode(quick)}."
    )
    return [save_figure(fig, out_dir, "woodworth_nn", caption)]


def _gd_sentence(table: Table) -> str:
    gaps = np.array(table.column("gap_half"), dtype=float)
    errs = np.abs(np.array(table.column("error"), dtype=float)
                  - np.array(table.column("error_half"), dtype=float))
    diverged = int(np.sum(~np.isfinite(np.array(table.column("loss"), dtype=float))))
    return (f"Step sensitivity (half the step, twice the steps): test predictions move by at "
            f"most {np.max(gaps):.1e} relative, the test error by at most {np.max(errs):.3f}; "
            f"diverged runs: {diverged}.")


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = []
    for width in table.unique("width"):
        sub = table.where(width=width)
        for i, alpha in enumerate(sub.rows[0]["alphas"]):
            rows.append({"width": width, "alpha": alpha,
                         "test error": float(_mean(sub, "error")[i]),
                         "linearised, same steps": float(_mean(sub, "error_linear")[i]),
                         "kernel interpolant": float(np.mean(sub.column("error_kernel"))),
                         "train loss": float(_mean(sub, "loss")[i]),
                         "rel. distance to linearised": float(_mean(sub, "dist_linear")[i])})
    return [(f"Test error against alpha per width (mean over {len(table.unique('seed'))} "
             f"seed(s)). {_gd_sentence(table)}", rows)]


EXPERIMENT = Experiment(
    name="woodworth-nn", paper="woodworth2020",
    title="Neural network: test error against the init scale",
    claim=("For an unbiased non-linear network, large alpha trains in the kernel regime (the "
           "network follows its linearisation) and small alpha leaves it; the paper reports the "
           "transition and its effect on generalisation for networks trained on MNIST."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="about 2.2 h (per-step times x steps; docs/benchmarks.md)",
)
