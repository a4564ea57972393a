"""Real data (seed Sections 1.5 and 2.4, the paper's CNN experiment in small): a centred
one-hidden-layer ReLU network on scikit-learn's digits (ships with the package), trained at
output scales alpha over several decades: test accuracy against alpha beside the linearised
model's accuracy and the tangent-kernel change. All scales run in one vmapped program."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich import _random, lazy
from kernelrich._extras import require
from kernelrich.experiments import Experiment, Param, grid

from ._common import KEY, floats, mode

QUICK = {"n_train": 200, "hidden": 32, "steps": 400, "log_alpha": [-2.0, 2.0, 9]}
FULL = {"n_train": 1000, "hidden": 256, "steps": 5000, "log_alpha": [-3.0, 3.0, 25]}
STEP = 0.5


def points(quick: bool) -> list[dict]:
    size = QUICK if quick else FULL
    return grid(seed=[0], step=[STEP], **{k: [v] for k, v in size.items()})


def mlp(params, X):
    """x -> W2 relu(W1 x + b1) + b2, 10 outputs."""
    return jax.nn.relu(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]


def mlp_init(key, d: int, hidden: int, out: int) -> dict:
    """He-normal weights (variance 2 / fan-in for W1, 1 / fan-in for W2), zero biases."""
    k1, k2 = jax.random.split(key)
    return {"W1": _random.normal(k1, (d, hidden)) * np.sqrt(2.0 / d),
            "b1": jnp.zeros(hidden),
            "W2": _random.normal(k2, (hidden, out)) * np.sqrt(1.0 / hidden),
            "b2": jnp.zeros(out)}


def data(seed: int, n_train: int):
    """Digits scaled to [0, 1], centred by the training mean; one-hot targets; a random
    split of n_train training images, the rest for testing."""
    load_digits = require("sklearn.datasets", "the digits data set").load_digits

    X, labels = load_digits(return_X_y=True)
    perm = np.random.default_rng(seed).permutation(len(X))
    X, labels = X[perm] / 16.0, labels[perm]
    X = X - X[:n_train].mean(axis=0)
    Y = np.eye(10)[labels]
    return X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]


def compute(config: dict) -> dict:
    X, Y, Xt, Yt = data(config["seed"], config["n_train"])
    g0 = mlp_init(jax.random.key(config["seed"]), X.shape[1], config["hidden"], 10)
    apply, w0 = lazy.subtract_initial(mlp, g0)
    lo, hi, count = config["log_alpha"]
    alphas = np.logspace(lo, hi, count)
    gd = lazy.lazy_descent(apply, w0, X, Y, alphas, step=config["step"],
                           steps=config["steps"], record_every=config["steps"] // 10,
                           X_test=Xt, y_test=Yt)
    acc = jax.vmap(lambda p: jnp.mean(jnp.argmax(apply(p, Xt), 1) == jnp.argmax(Yt, 1)))
    bar = lazy.linearize(apply, w0)
    acc_bar = jax.vmap(lambda p: jnp.mean(jnp.argmax(bar(p, Xt), 1) == jnp.argmax(Yt, 1)))
    change = lazy.kernel_change(apply, w0, gd.params, X[:30], batched=True)
    return {"alpha": floats(alphas), "test_accuracy": floats(acc(gd.params)),
            "test_accuracy_linear": floats(acc_bar(gd.params_linear)),
            "kernel_change": floats(change), "train_loss": floats(gd.loss[:, -1]),
            "test_loss": floats(gd.test_loss[:, -1]),
            "diverged_at": [int(v) for v in gd.diverged_at]}


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import PAGE_WIDTH, paper_style, save_figure

    r = table.rows[0]
    a = np.asarray(r["alpha"])
    bad = np.asarray(r["diverged_at"]) >= 0
    acc = np.where(bad, np.nan, np.asarray(r["test_accuracy"]))
    change = np.where(bad, np.nan, np.asarray(r["kernel_change"]))
    diverged = ", ".join(f"alpha = {x:.3g} at step {k}" for x, k in
                         zip(a[bad], np.asarray(r["diverged_at"])[bad], strict=True)) or "none"
    with paper_style():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.38 * PAGE_WIDTH))
        ax.semilogx(a, acc, marker="o", label="network")
        ax.semilogx(a, r["test_accuracy_linear"], marker="s", label="linearised model")
        ax.set(xlabel=r"scale $\alpha$", ylabel="test accuracy")
        ax.legend(fontsize=6)
        bx.loglog(a, change, marker="o")
        bx.set(xlabel=r"scale $\alpha$", ylabel="relative tangent-kernel change")
        fig.tight_layout()
    caption = (
        f"Digits (scikit-learn, 8x8 images, 10 classes; {r['n_train']} training images, the "
        f"other {1797 - r['n_train']} for testing; seed {r['seed']}): a centred network "
        f"f = g(w) - g(w0) (frozen copy of the initial 64-{r['hidden']}-10 ReLU MLP, He init) "
        f"trained by full-batch gradient descent (not the flow) on F_alpha = "
        f"(1/2n) sum |alpha f(x_i) - onehot_i|^2 / alpha^2, step {r['step']:g}, {r['steps']} "
        f"steps, for each alpha; beside it, the linearised model trained the same way, and the "
        f"relative Frobenius change of the empirical tangent kernel (30 training images, all "
        f"output pairs). {mode(quick)}. Diverged (not drawn; the loss became non-finite): "
        f"{diverged}. Measured: {_measured(r, bad)}."
    )
    return [save_figure(fig, out_dir, "lazy-digits", caption)]


def _measured(r: dict, bad: np.ndarray) -> str:
    """The caption's numbers: best accuracy and where, and the gap to the linearised model
    and the kernel change at the largest alpha."""
    a, acc = np.asarray(r["alpha"]), np.where(bad, np.nan, r["test_accuracy"])
    if not np.isfinite(acc).any():
        return "no run finished"
    best = int(np.nanargmax(acc))
    lin = np.asarray(r["test_accuracy_linear"])
    return (f"best network test accuracy {acc[best]:.3f} at alpha = {a[best]:.3g}; at alpha = "
            f"{a[-1]:.3g}: network {acc[-1]:.3f}, linearised model {lin[-1]:.3f}, kernel "
            f"change {r['kernel_change'][-1]:.2g} (at alpha = {a[0]:.3g}: "
            f"{r['kernel_change'][0]:.2g})")


def setup(quick: bool) -> list[Param]:
    size, cnn = (QUICK if quick else FULL), "the paper's CNN experiment (authors' cnn/train.py)"
    return [
        Param.uncertain("data", "scikit-learn digits (8x8, 10 classes)",
                        f"stands in for CIFAR-10 of {cnn}: no download here"),
        Param.uncertain("model", f"64-{size['hidden']}-10 ReLU MLP, He init, centred by a "
                        "frozen copy", f"stands in for VGG-11 / ResNet-18 of {cnn}; the "
                        "frozen-copy centring is the authors'"),
        Param.choice("n_train", size["n_train"], "the rest of the 1797 images are the test set"),
        Param.uncertain("optimiser", f"full-batch GD, step {STEP:g}, {size['steps']} steps",
                        f"{cnn} uses SGD with momentum 0.9, batch 128, 100 epochs"),
        Param.code("loss", "(1/2n) sum |alpha f(x_i) - onehot_i|^2 / alpha^2",
                   "edouardoyallon/lazy-training-CNN: cnn/train.py (MSE(out, onehot / alpha))"),
        Param.uncertain("alpha grid (log10 start, stop, count)", size["log_alpha"],
                        f"{cnn} sweeps alpha from 1e-2 to 1e7"),
        Param.choice("linearised model", "trained beside the network",
                     "the exact tangent model (the authors log a ReLU-pattern 'lazy' model)"),
    ]


def tables(table, quick: bool):
    r = table.rows[0]
    return [("Digits: test accuracy against alpha",
             [{"alpha": round(a, 4), "network": round(t, 4), "linearised": round(t2, 4),
               "kernel change": float(f"{k:.3g}")}
              for a, t, t2, k in zip(r["alpha"], r["test_accuracy"], r["test_accuracy_linear"],
                                     r["kernel_change"], strict=True)])]


EXPERIMENT = Experiment(
    name="lazy-digits",
    paper=KEY,
    title=("Digits, our stand-in for the paper's CNN experiment: test accuracy against the "
           "scale alpha, network vs linearised model"),
    claim=("The paper observes that deep CNNs trained in the lazy regime (large alpha) "
           "perform worse on CIFAR-10; here a small centred MLP on digits, where large alpha "
           "should bring the network's accuracy to its linearised model's and stop its tangent "
           "kernel from moving."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time=("about 10 min of CPU, 2-3x that in wall time on a loaded CPU (measured per "
               "step x 5,000 steps; docs/benchmarks.md)"),
)
