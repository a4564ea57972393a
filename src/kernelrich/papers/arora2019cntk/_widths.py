"""Convolutional kernels and finite CNNs on digits (Arora et al. 2019, Sec. 5 and Table 1, as
the anchor: kernel regression with the CNTK against the trained CNN of the same architecture).

For each seed: a train/test split of scikit-learn's 8x8 digits; the CNN-GP (NNGP) and CNTK of
the depth-3 CNN with global average pooling (`kernelrich.stax`, float64, exact); ridgeless
kernel regression with each (the horizontal lines), and kernel gradient descent with the CNTK
from zero for the networks' steps (the infinite-width network's prediction at that time).
For each width: the finite CNN in the NTK parameterisation, trained by full-batch GD on
(1/2n) sum |f - y|^2 on y + f_0(X) and read as f_t - f_0 (so that its infinite-width limit is
kernel GD from zero), its test accuracy, and its distance to the kernel-GD predictor on the
test set, whose log-log slope in the width is fitted (about -1/2 expected from the
O(1/sqrt(width)) fluctuations of the initial NTK; Arora et al.'s Thm 3.2 bounds the distance
for widths polynomial in 1/epsilon, with no rate to compare against).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from ...experiments import Experiment, Param, grid
from . import _setup

SIZES = {True: {"widths": (32, 64, 128), "seeds": 1, "train": 40, "test": 60,
                "steps": 100},
         False: {"widths": (32, 64, 128, 256, 512), "seeds": 3, "train": 200,
                 "test": 500, "steps": 100}}
"""Quick mode: widths from 32 (the initial empirical NTK's RMS relative distance to the
CNTK is 0.68 at width 16, so narrower nets start far from the kernel regime) to 128 (a GD
step at width 128 on 40 images takes about 0.13 s on two cores, conv cost ~ 576 width^2
flops per image and layer); 100 steps, at which the finite CNNs' distance to kernel GD
falls with the width while the kernel GD predictor has moved from zero (its training loss
0.32 from 0.45 at the start); with more steps it fits eigendirections of smaller
eigenvalue, which amplifies the initial NTK's O(1/sqrt(width)) fluctuations. Full mode: the
same steps, more widths, images and seeds."""
LR_FRACTION = 1.0
"""GD step = LR_FRACTION * n / lambda_max(CNTK Gram): half the largest stable step (2 n /
lambda_max) of the infinite-width network."""


def points(quick: bool) -> list[dict]:
    s = SIZES[quick]
    return grid(width=list(s["widths"]), seed=list(range(s["seeds"])), train=[s["train"]],
                test=[s["test"]], steps=[s["steps"]])


@functools.lru_cache(maxsize=4)
def kernels(seed: int, n_train: int, n_test: int, steps: int) -> dict:
    """The kernel predictors of one split (shared by every width)."""
    Xtr, ltr, Xte, lte = _setup.split(n_train, n_test, seed)
    K = _setup.network(1)[2](np.concatenate([Xtr, Xte]), get=("nngp", "ntk"))
    Y = _setup.targets(ltr)
    out = {"status": []}
    for name, G in (("nngp", K.nngp), ("ntk", K.ntk)):
        C, status = _setup.ridgeless(G[:n_train, :n_train], Y)
        out[f"{name} accuracy"] = _setup.accuracy(G[n_train:, :n_train] @ C, lte)
        if status != "ok":
            out["status"].append(f"{name}: {status}")
    Kt = K.ntk[:n_train, :n_train]
    lr = LR_FRACTION * n_train / float(np.linalg.eigvalsh(Kt)[-1])
    C = _setup.kernel_gd(Kt, Y, lr, steps)
    out["kernel gd"] = K.ntk[n_train:, :n_train] @ C
    out["kernel gd accuracy"] = _setup.accuracy(out["kernel gd"], lte)
    out["lr"] = lr
    return out


@functools.lru_cache(maxsize=8)
def _trainer(width: int):
    """(apply, train) of the width-`width` CNN, compiled once per width. `train` runs the GD
    steps as a Python loop over one compiled step: on XLA's CPU backend a `fori_loop` body
    runs the convolutions about 18x slower than the same step compiled on its own."""
    _, apply_fn, _ = _setup.network(width)

    def loss(p, X, Y):
        return 0.5 * jnp.sum((apply_fn(p, X) - Y) ** 2) / X.shape[0]

    @jax.jit
    def step(p, X, Y, lr):
        return jax.tree_util.tree_map(lambda a, g: a - lr * g, p, jax.grad(loss)(p, X, Y))

    final_loss = jax.jit(loss)

    def train(p, X, Y, lr, steps):
        for _ in range(steps):
            p = step(p, X, Y, lr)
        return p, final_loss(p, X, Y)

    return jax.jit(apply_fn), train


def compute(config: dict) -> dict:
    width, seed, n_train, n_test, steps = (config[k] for k in ("width", "seed", "train",
                                                              "test", "steps"))
    k = kernels(seed, n_train, n_test, steps)
    Xtr, ltr, Xte, lte = _setup.split(n_train, n_test, seed)
    init_fn, _, _ = _setup.network(width)
    _, params = init_fn(jax.random.key(1000 * seed + width), (-1,) + Xtr.shape[1:])
    apply_fn, train = _trainer(width)
    f0_tr, f0_te = np.asarray(apply_fn(params, Xtr)), np.asarray(apply_fn(params, Xte))
    trained, loss = train(params, jnp.asarray(Xtr), jnp.asarray(_setup.targets(ltr) + f0_tr),
                          k["lr"], steps)
    f = np.asarray(apply_fn(trained, Xte)) - f0_te
    status = "ok" if np.all(np.isfinite(f)) and np.isfinite(float(loss)) else "diverged"
    gap = np.linalg.norm(f - k["kernel gd"]) / np.linalg.norm(k["kernel gd"])
    return {"status": "; ".join([status] + k["status"]) if k["status"] else status,
            "accuracy": _setup.accuracy(f, lte), "distance": float(gap),
            "train loss": float(loss), "lr": k["lr"],
            "nngp accuracy": k["nngp accuracy"], "ntk accuracy": k["ntk accuracy"],
            "kernel gd accuracy": k["kernel gd accuracy"]}


def fitted_slope(widths, distances) -> float:
    """Least-squares slope of log(distance) against log(width); NaN if any is not finite."""
    w, d = np.asarray(widths, float), np.asarray(distances, float)
    if not np.all(np.isfinite(d)) or np.any(d <= 0) or w.size < 2:
        return float("nan")
    return float(np.polyfit(np.log(w), np.log(d), 1)[0])


def summary_rows(table) -> list[dict]:
    rows = []
    for width in table.unique("width"):
        runs = table.where(width=width).rows
        rows.append({"width": width,
                     "CNN test accuracy": float(np.mean([r["accuracy"] for r in runs])),
                     "|f_CNN - f_kernel GD| / |f_kernel GD|":
                         float(np.mean([r["distance"] for r in runs])),
                     "train loss": float(np.mean([r["train loss"] for r in runs])),
                     "seeds": len(runs), "failed": sum(r["status"] != "ok" for r in runs)})
    return rows


def _kernel_lines(table) -> dict:
    return {name: float(np.mean(table.column(f"{name} accuracy")))
            for name in ("nngp", "ntk", "kernel gd")}


def tables(table, quick: bool):
    rows = [{k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in r.items()}
            for r in summary_rows(table)]
    lines = _kernel_lines(table)
    slope = fitted_slope([r["width"] for r in rows],
                         [r["|f_CNN - f_kernel GD| / |f_kernel GD|"] for r in rows])
    kernel_rows = [{"predictor": "CNN-GP, ridgeless", "test accuracy": lines["nngp"]},
                   {"predictor": "CNTK, ridgeless", "test accuracy": lines["ntk"]},
                   {"predictor": "CNTK, kernel GD for the CNNs' steps",
                    "test accuracy": lines["kernel gd"]}]
    return [(f"Finite CNNs trained by GD against the CNTK's kernel GD (fitted slope of the "
             f"distance in the width: {slope:.2f})", rows),
            ("Kernel regression with the CNN-GP and the CNTK (test accuracy)", kernel_rows)]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter

    from ...plotting import COLUMN_WIDTH, paper_style, save_figure

    rows = summary_rows(table)
    widths = np.array([r["width"] for r in rows], float)
    acc = [r["CNN test accuracy"] for r in rows]
    dist = np.array([r["|f_CNN - f_kernel GD| / |f_kernel GD|"] for r in rows])
    lines = _kernel_lines(table)
    slope = fitted_slope(widths, dist)
    r0 = table.rows[0]
    with paper_style():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(2 * COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
        a1.semilogx(widths, acc, "o-", label="finite CNN (GD)")
        for name, style, label in (("nngp", "--", "CNN-GP regression"),
                                   ("ntk", "-", "CNTK regression"),
                                   ("kernel gd", ":", "CNTK kernel GD, same steps")):
            a1.axhline(lines[name], ls=style, color="k", lw=0.8, label=label)
        a1.set(xlabel="width (channels)", ylabel="test accuracy")
        a1.legend(fontsize=6, loc="best")
        a2.loglog(widths, dist, "o", label="measured")
        if np.isfinite(slope):
            fit = np.polyfit(np.log(widths), np.log(dist), 1)
            a2.loglog(widths, np.exp(np.polyval(fit, np.log(widths))), "-", lw=0.8,
                      label=f"fit, slope {slope:.2f}")
        a2.set(xlabel="width (channels)", ylabel="relative distance to kernel GD")
        a2.legend(fontsize=6)
        for ax in (a1, a2):
            ax.set_xticks(widths, [str(int(w)) for w in widths])
            ax.tick_params(axis="x", which="minor", bottom=False, labelbottom=False)
        a2.yaxis.set_major_formatter(FormatStrFormatter("%.2g"))
        a2.yaxis.set_minor_formatter(FormatStrFormatter("%.2g"))
        fig.subplots_adjust(wspace=0.4)
    caption = (
        f"Depth-{_setup.DEPTH} CNNs (3x3 SAME convolutions, ReLU, global average pooling, "
        f"NTK parameterisation, no bias) on scikit-learn digits, {r0['train']} training and "
        f"{r0['test']} test images, {rows[0]['seeds']} seed(s), trained by full-batch GD "
        f"({r0['steps']} steps of {LR_FRACTION} n / lambda_max(CNTK)) from their "
        f"initialisation with f_0 subtracted. Left: CNN test accuracy "
        f"{min(acc):.3f} to {max(acc):.3f} over widths {[int(w) for w in widths]}; lines: "
        f"ridgeless regression with the CNN-GP {lines['nngp']:.3f} and the CNTK "
        f"{lines['ntk']:.3f}, CNTK kernel GD for the same steps {lines['kernel gd']:.3f}. "
        f"Right: the CNNs' distance to the CNTK kernel-GD predictor on the test set, "
        f"|f_CNN - f_kernel GD| / |f_kernel GD|, "
        f"{dist.max():.3g} at width {int(widths[np.argmax(dist)])} to {dist.min():.3g} at "
        f"width {int(widths[np.argmin(dist)])}, fitted log-log slope {slope:.2f}. "
        f"Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "arora_cntk_widths", caption)]


def setup(quick: bool) -> list[Param]:
    s, full = SIZES[quick], SIZES[False]
    return [
        Param.code("depth (convolutions + 1)", _setup.DEPTH, _setup.CODE + " (--depth; "
                   "Table 1 runs 3, 4, 6, 11, 21)"),
        Param.code("filter, stride, padding", "3x3, 1, zero (SAME)", _setup.CODE +
                   " (conv3 kernel)"),
        Param.code("activation, W_std", f"ReLU, sqrt(2) = {_setup.W_STD:.4f}", _setup.CODE +
                   " (trans: ReLU kernel / (9 pi), c_sigma = 2)"),
        Param.code("bias", "none", _setup.CODE),
        Param.code("pooling", "global average (CNTK-GAP)", _setup.CODE + " (--gap yes)"),
        Param.choice("layers trained", "all (the NTK of every layer)", "the finite CNNs "
                     "train every layer; the authors' CNTK-GAP column fixes the first and "
                     "last (--fix yes), their CNTK-V column trains all"),
        Param.code("labels", f"{_setup.LABELS[0]} / {_setup.LABELS[1]}", _setup.CODE),
        Param.code("kernel regression", "ridgeless direct solve", _setup.CODE +
                   " (scipy.linalg.solve)"),
        Param.choice("data", "scikit-learn digits 8x8x1", "the issue's data set (CPU-sized) "
                     "in place of CIFAR-10"),
        Param.code("input standardisation", "(pixel - mean) / std of the training images",
                   "ruosongwang/CNTK: utils.py (load_cifar, per channel over the training "
                   "set)"),
        Param.choice("training / test images", f"{s['train']} / {s['test']}",
                     f"full mode {full['train']} / {full['test']}; the paper: all of "
                     "CIFAR-10 (50,000 / 10,000); quick mode sized to the report's CPU "
                     "budget (the CNTK Gram of 100 images takes ~10 s)"),
        Param.choice("widths", list(s["widths"]), f"full mode {list(full['widths'])}; from "
                     "32 up by factors of 2 to fit the slope; the initial empirical NTK's "
                     "RMS relative distance to the CNTK, measured on 12 digits: 0.68 at "
                     "width 16, 0.33 at 64, 0.14 at 256, 0.065 at 1024"),
        Param.choice("training", f"full-batch GD, step {LR_FRACTION} n / lambda_max(CNTK), "
                     f"{s['steps']} steps, f_0 subtracted",
                     f"full mode {full['steps']} steps; GD is the dynamics whose limit is "
                     "kernel GD (the paper's Thm 3.2 is about the flow); few steps because "
                     "kernel GD after t steps fits the eigendirections with lambda > "
                     "lambda_max / t, and more steps amplify the finite NTK's fluctuations "
                     "(with 300 steps at widths 8 / 16 / 32 the distance did not fall)"),
        Param.choice("seeds", s["seeds"], f"full mode {full['seeds']}; one in quick mode "
                     "for the CPU budget"),
    ]


EXPERIMENT = Experiment(
    name="arora-cntk",
    paper=_setup.KEY,
    title="Convolutional kernels and finite CNNs on digits",
    claim=("Kernel regression with the CNTK is the prediction of the infinitely wide CNN "
           "trained by gradient descent; finite CNNs approach it as the width grows."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time=("about 1.5 h on two cores, estimated, not run: a GD step measured at 0.13 s "
               "(width 128, 40 images) scaled by images x width^2 gives 1,350 s of training "
               "per seed (widths 32-512, 200 images, 100 steps) and the CNTK Gram of 700 "
               "images ~500 s (10 s measured for 100 images, x 49), times 3 seeds"),
)
