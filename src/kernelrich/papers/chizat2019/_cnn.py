"""The paper's CNN experiment in small (Section 3, the authors' cnn/train.py): a centred
convolutional network h(w) = g(w) - g(w0) (a frozen copy of the initial network, as the
authors' FC1(net(x)) - FC2(net0(x))) trained on F_alpha(w) = R(alpha h(w)) / alpha^2 at the
authors' scales alpha = 0.01 ... 1e7, beside its exact linearisation; test accuracy, the
relative parameter change and the relative tangent-kernel change against alpha. scikit-learn's
digits (8x8 grey images) stand in for CIFAR-10 and a VGG-like network of two convolution
blocks for VGG-11. All scales run in one vmapped program."""

from __future__ import annotations

import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich import lazy, stax
from kernelrich.experiments import (
    Check,
    CheckResult,
    Counterexample,
    Experiment,
    Param,
    grid,
    nan_at,
)

from . import _digits
from ._common import CODE, KEY, floats, mode, slope

SIDE, N_IMAGES = 8, 1797
"""Digits are 1797 images of 8 x 8 pixels, one channel (NHWC: (n, 8, 8, 1))."""
ALPHAS = (0.01, 0.1, 0.5, 1.0, 5.0, 10.0, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7)
"""The authors' scales (cnn/script.sh: ALPHA in 1e7 ... 10, 5, 1, 0.5, 0.1, 0.01)."""
QUICK = {"n_train": 100, "channels": 4, "steps": 200, "alphas": [0.01, 0.1, 1.0, 10.0, 1e3,
                                                                1e5, 1e7]}
FULL = {"n_train": 500, "channels": 8, "steps": 2000, "alphas": list(ALPHAS)}
STEP, GAIN, N_KERNEL, LAZY_FROM = 0.5, 1.0, 10, 10.0
"""GD step; the Xavier gain (script.sh: --gain 1.0); the training images the tangent kernel
is measured on; the smallest alpha counted as lazy in the fitted slope."""


def points(quick: bool) -> list[dict]:
    size = QUICK if quick else FULL
    return grid(seed=[0], step=[STEP], gain=[GAIN], **{k: [v] for k, v in size.items()})


def network(channels: int, gain: float):
    """The VGG pattern of the authors' cnn/models.py in small: [C, pool, 2C, pool], 3x3
    convolutions with SAME padding and ReLU, then a linear layer to the 10 classes; 2x2
    average pooling stands in for VGG's max pooling (kernelrich.stax has no max pool). Every
    weight Xavier-normal with `gain` (std gain sqrt(2 / (fan_in + fan_out)), as PyTorch's
    xavier_normal_), biases zero (cnn/train.py's weights_init).

    **Returns:** `(init_fn, apply_fn)` of kernelrich.stax (standard parameterisation)."""
    def xavier(fan_in: int, fan_out: int) -> float:  # stax's std is W_std / sqrt(fan_in)
        return gain * np.sqrt(2.0 * fan_in / (fan_in + fan_out))

    c1, c2, k = channels, 2 * channels, 9
    init_fn, apply_fn, _ = stax.serial(
        stax.Conv(c1, (3, 3), padding="SAME", W_std=xavier(k, k * c1), b_std=0.0,
                  parameterization="standard"),
        stax.Relu(), stax.AvgPool((2, 2), (2, 2)),
        stax.Conv(c2, (3, 3), padding="SAME", W_std=xavier(k * c1, k * c2), b_std=0.0,
                  parameterization="standard"),
        stax.Relu(), stax.AvgPool((2, 2), (2, 2)), stax.Flatten(),
        stax.Dense(10, W_std=xavier(4 * c2, 10), b_std=0.0, parameterization="standard"))
    return init_fn, apply_fn


def flat_model(apply_fn):
    """f(w, X) = apply_fn(w, X.reshape(-1, 8, 8, 1)): the network on flattened images, the
    2-D inputs kernelrich.lazy takes."""
    def apply(params, X):
        return apply_fn(params, X.reshape(-1, SIDE, SIDE, 1))

    return apply


_MODELS: dict = {}


def model(channels: int, gain: float):
    """`(init_fn, apply on flat inputs)`, one function object per size (compiled once)."""
    if (channels, gain) not in _MODELS:
        init_fn, apply_fn = network(channels, gain)
        _MODELS[(channels, gain)] = (init_fn, flat_model(apply_fn))
    return _MODELS[(channels, gain)]


def step_of(step: float, alphas) -> np.ndarray:
    """The GD step at each scale: `step` x min(1, alpha). Below alpha = 1 the curvature of
    F_alpha at w0 grows like 1/alpha (its Hessian is Dh^T Dh - (1/alpha) sum_i y_i D^2h_i
    there, h(w0) = 0), so a fixed step overshoots; the authors too pick the learning rate per
    scale (cnn/script.sh runs each alpha at lr 1, 0.1, 0.01, 0.001)."""
    return step * np.minimum(1.0, np.asarray(alphas, dtype=float))


_RUNS: dict = {}


def compute(config: dict) -> dict:
    """One run of every scale (memoised per config in this process: the check judges the
    experiment's own quick run)."""
    key = json.dumps(config, sort_keys=True)
    if key not in _RUNS:
        _RUNS[key] = _compute(config)
    return _RUNS[key]


def _compute(config: dict) -> dict:
    X, Y, Xt, Yt = _digits.data(config["seed"], config["n_train"])
    init_fn, net = model(config["channels"], config["gain"])
    _, g0 = init_fn(jax.random.key(config["seed"]), (-1, SIDE, SIDE, 1))
    apply, w0 = lazy.subtract_initial(net, g0)
    alphas = np.asarray(config["alphas"], dtype=float)
    gd = lazy.lazy_descent(apply, w0, X, Y, alphas, step=step_of(config["step"], alphas),
                           steps=config["steps"], record_every=config["steps"] // 10)
    bar = lazy.linearize(apply, w0)

    def acc(f, params, inputs, targets):
        return floats(_accuracy(f)(params, jnp.asarray(inputs), jnp.argmax(targets, 1)))

    w_norm = tree_norm(g0)
    return {"alpha": floats(alphas),
            "test_accuracy": acc(apply, gd.params, Xt, Yt),
            "test_accuracy_linear": acc(bar, gd.params_linear, Xt, Yt),
            "train_accuracy": acc(apply, gd.params, X, Y),
            "train_accuracy_linear": acc(bar, gd.params_linear, X, Y),
            "param_change": floats(gd.dist_init[:, -1] / w_norm),
            "kernel_change": floats(lazy.kernel_change(apply, w0, gd.params, X[:N_KERNEL],
                                                       batched=True)),
            "dist_output": floats(np.max(gd.dist_output, axis=1)),
            "train_loss": floats(gd.loss[:, -1]),
            "train_loss_linear": floats(gd.loss_linear[:, -1]),
            "diverged_at": [int(v) for v in gd.diverged_at],
            "diverged_at_linear": [int(v) for v in gd.diverged_at_linear]}


def _accuracy(f):
    """The share of correct argmax predictions of `f(params, X)`, vmapped over params (one
    compiled program)."""
    return jax.jit(jax.vmap(lambda p, X, labels: jnp.mean(jnp.argmax(f(p, X), 1) == labels),
                            in_axes=(0, None, None)))


def tree_norm(params) -> float:
    """The Euclidean norm of all the network's weights together."""
    return float(np.sqrt(sum(np.sum(np.asarray(v) ** 2)
                             for v in jax.tree_util.tree_leaves(params))))


def _finite(r: dict, key: str, diverged: str = "diverged_at") -> np.ndarray:
    """A measured column with the diverged runs as NaN (a diverged run is not drawn)."""
    return np.where(np.asarray(r[diverged]) >= 0, np.nan, np.asarray(r[key], dtype=float))


def lazy_slope(r: dict) -> float:
    """The log-log slope in alpha of sup_t ||alpha h(w) - alpha hbar(wbar)||_F over the lazy
    scales (alpha >= LAZY_FROM); NaN if a run there diverged or is not finite."""
    a = np.asarray(r["alpha"])
    lazy_ = a >= LAZY_FROM
    return slope(a[lazy_], _finite(r, "dist_output")[lazy_])


def claim_sentence(r: dict) -> str:
    """Whether the paper's observation (lower accuracy in the lazy regime) shows here, from
    the test accuracy at the smallest and the largest alpha and the test set's binomial
    standard error."""
    acc, a = _finite(r, "test_accuracy"), np.asarray(r["alpha"])
    n_test = N_IMAGES - r["n_train"]
    if not (np.isfinite(acc[0]) and np.isfinite(acc[-1])):
        return "the smallest or the largest alpha diverged, so the comparison is not made"
    p = 0.5 * (acc[0] + acc[-1])
    se = np.sqrt(max(p * (1 - p), 1e-12) * 2 / n_test)
    diff = acc[0] - acc[-1]
    verdict = ("shows here" if diff > 2 * se else
               "does not show here (the lazy network is as accurate)" if diff >= -2 * se else
               "does not show here (the lazy network is more accurate)")
    return (f"test accuracy {acc[0]:.3f} at alpha = {a[0]:g} against {acc[-1]:.3f} at "
            f"alpha = {a[-1]:g} (difference {diff:+.3f}; two standard errors of the "
            f"difference on {n_test} test images: {2 * se:.3f}): the paper's observation that "
            f"accuracy falls in the lazy regime {verdict}")


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import PAGE_WIDTH, paper_style, save_figure

    r = table.rows[0]
    a = np.asarray(r["alpha"])
    bad = np.asarray(r["diverged_at"]) >= 0
    diverged = ", ".join(f"alpha = {x:g} at step {k}" for x, k in
                         zip(a[bad], np.asarray(r["diverged_at"])[bad], strict=True)) or "none"
    with paper_style():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.38 * PAGE_WIDTH))
        ax.semilogx(a, _finite(r, "test_accuracy"), marker="o", label="network, test")
        ax.semilogx(a, _finite(r, "test_accuracy_linear", "diverged_at_linear"), marker="s",
                    label="linearised model, test")
        ax.semilogx(a, _finite(r, "train_accuracy"), marker="o", ls=":", label="network, train")
        ax.set(xlabel=r"scale $\alpha$", ylabel="accuracy")
        ax.legend(fontsize=6)
        bx.loglog(a, _finite(r, "param_change"), marker="o", label="parameters")
        bx.loglog(a, _finite(r, "kernel_change"), marker="s", label="tangent kernel")
        bx.set(xlabel=r"scale $\alpha$", ylabel="relative change after training")
        bx.legend(fontsize=6)
        fig.tight_layout()
    caption = (
        f"Digits (scikit-learn, 8x8x1 images, 10 classes; {r['n_train']} training images, the "
        f"other {N_IMAGES - r['n_train']} for testing; seed {r['seed']}) for CIFAR-10: "
        f"a centred CNN h = g(w) - g(w0) (frozen copy of the initial network) with two "
        f"3x3-convolution blocks of {r['channels']} and {2 * r['channels']} channels (ReLU, "
        f"2x2 average pooling) and a linear layer, Xavier-normal init (gain {r['gain']:g}), "
        f"trained by full-batch gradient descent (not the flow) on F_alpha = (1/2n) sum "
        f"|alpha h(x_i) - onehot_i|^2 / alpha^2, step {r['step']:g} x min(1, alpha), "
        f"{r['steps']} steps, at each of the authors' scales shown; beside it its "
        f"linearisation trained the same way (alpha hbar's path does not depend on alpha at a "
        f"fixed step, so below alpha = 1 the smaller step leaves it less trained). Right: "
        f"||w - w0|| / ||w0|| and the relative Frobenius change of the empirical "
        f"tangent kernel ({N_KERNEL} training images) at the end. {mode(quick)}. Diverged "
        f"(not drawn): {diverged}. Measured: {claim_sentence(r)}; train accuracy "
        f"{r['train_accuracy'][0]:.3f} and {r['train_accuracy'][-1]:.3f} there (train loss "
        f"{r['train_loss'][0]:.3g} and {r['train_loss'][-1]:.3g}); parameter change "
        f"{r['param_change'][0]:.2g} at alpha = {a[0]:g} and {r['param_change'][-1]:.2g} at "
        f"alpha = {a[-1]:g}; the network's output distance to its linearisation (sup over "
        f"the records) falls with slope {lazy_slope(r):.2f} in alpha over alpha >= "
        f"{LAZY_FROM:g}."
    )
    return [save_figure(fig, out_dir, "lazy-cnn", caption)]


def tables(table, quick: bool):
    r = table.rows[0]
    acc, a = _finite(r, "test_accuracy"), r["alpha"]
    title = (f"CNN on digits: test accuracy against alpha ({acc[0]:.3f} at alpha = {a[0]:g}, "
             f"{acc[-1]:.3f} at alpha = {a[-1]:g})")
    rows = [{"alpha": x, "network": round(t, 4), "linearised": round(t2, 4),
             "train accuracy": round(tr, 4), "parameter change": float(f"{p:.3g}"),
             "kernel change": float(f"{k:.3g}"), "diverged at step": d}
            for x, t, t2, tr, p, k, d in zip(a, r["test_accuracy"], r["test_accuracy_linear"],
                                             r["train_accuracy"], r["param_change"],
                                             r["kernel_change"], r["diverged_at"], strict=True)]
    return [(title, rows)]


def setup(quick: bool) -> list[Param]:
    size, full = (QUICK if quick else FULL), FULL
    cnn = f"{CODE}: cnn/"
    return [
        Param.uncertain("data", "scikit-learn digits, 8x8x1, centred by the training mean",
                        f"stands in for CIFAR-10 ({cnn}train.py): no download here"),
        Param.choice("n_train", size["n_train"], "the rest of the 1797 images are the test "
                     "set" + (f"; full mode {full['n_train']}" if quick else "")),
        Param.uncertain("network", f"conv3x3({size['channels']}) relu avgpool2 "
                        f"conv3x3({2 * size['channels']}) relu avgpool2 linear(10), SAME "
                        "padding", f"VGG-11 in small ({cnn}models.py: conv 3x3 blocks with "
                        "doubling channels and 2x2 max pooling, no batch norm); average "
                        "pooling because kernelrich.stax has no max pool; sizes for the CPU"
                        + (f" (full mode {full['channels']} channels)" if quick else "")),
        Param.code("init", f"Xavier normal, gain {GAIN:g}, zero biases",
                   f"{cnn}train.py weights_init and script.sh --gain 1.0"),
        Param.code("centring", "h = g(w) - g(w0), frozen copy of the initial network",
                   f"{cnn}train.py: outputs = FC1(net(x)) - FC2(net2(x))"),
        Param.code("loss", "(1/2n) sum |alpha h(x_i) - onehot_i|^2 / alpha^2",
                   f"{cnn}train.py: MSELoss(outputs, onehot / alpha), a mean over the 10 "
                   "outputs too and no 1/2: the same objective up to a factor 5 in time"),
        Param.code("alpha", size["alphas"], f"{cnn}script.sh (1e7 ... 10, 5, 1, 0.5, 0.1, "
                   "0.01)", **({"paper_value": list(ALPHAS)} if quick else {})),
        Param.uncertain("optimiser", f"full-batch GD, step {STEP:g} x min(1, alpha) (below "
                        f"the stability limit 2 / lambda_max of the tangent kernel, about 0.7 "
                        f"here), {size['steps']} steps",
                        f"{cnn}train.py: SGD, momentum 0.9, batch 128, 100 epochs, lr0 / (1 + "
                        "epoch / 3), lr0 in {1, 0.1, 0.01, 0.001}; full batch keeps the "
                        "linearised model on the same dynamics" +
                        (f" (full mode {full['steps']} steps)" if quick else "")),
        Param.choice("linearised model", "the exact tangent model, trained beside the network",
                     "the authors log a model keeping the initial ReLU / max-pool patterns"),
        Param.choice("kernel change", f"on the first {N_KERNEL} training images, all output "
                     "pairs", "the empirical tangent kernel's relative Frobenius change"),
    ]


EXPERIMENT = Experiment(
    name="lazy-cnn",
    paper=KEY,
    title=("The CNN experiment in small (digits for CIFAR-10): test accuracy against the scale "
           "alpha, network vs linearised model"),
    claim=("The paper observes that VGG-11 on CIFAR-10, trained in the lazy regime (large "
           "alpha), loses test accuracy; here a small centred CNN on digits at the authors' "
           "scales, where large alpha should bring the network to its linearisation."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time="about 1.3 h on a loaded CPU (measured per step x 2,000 steps; docs/benchmarks.md)",
)


# Theorem 2.2 on this network (a check judging the experiment's quick run) ------------------

THEOREM = ("Chizat-Oyallon-Bach Thm 2.2 on the CNN (||alpha h(w) - alpha hbar(wbar)|| = "
           "O(1/alpha), gradient descent)")
SLOPE_TOL = 0.15


def check_instance() -> str:
    c = points(True)[0]
    return (f"lazy-cnn's quick run: {c['channels']}/{2 * c['channels']}-channel CNN on "
            f"{c['n_train']} digits, GD step {c['step']:g} x min(1, alpha), {c['steps']} "
            f"steps on both models, "
            f"alphas >= {LAZY_FROM:g} of {c['alphas']}")


def check_measure() -> dict:
    r = compute(points(True)[0])
    return {k: list(r[k]) for k in ("alpha", "dist_output", "diverged_at", "diverged_at_linear")}


def check_judge(e: dict) -> CheckResult:
    a = np.asarray(e["alpha"])
    failed = [f"alpha={x:g}: {what} diverged at step {k}"
              for what, key in (("network", "diverged_at"), ("linearised", "diverged_at_linear"))
              for x, k in zip(a, e[key], strict=True) if k >= 0 and x >= LAZY_FROM]
    s = lazy_slope(e)
    lazy_ = a >= LAZY_FROM
    return CheckResult.compare(
        THEOREM, check_instance(),
        f"log-log slope over alpha >= {LAZY_FROM:g} of sup over the records of ||alpha h(w_k) "
        "- alpha hbar(wbar_k)||_F (both models by GD with the same step: the discrete "
        "counterpart of the flows' bound) minus the bound's -1 (holds if <= the tolerance)",
        s + 1.0, SLOPE_TOL, detail=f"slope {s:.3f}; distances {_rounded(e, lazy_)} at "
        f"alpha {a[lazy_].tolist()}", paper=KEY, failed_runs=failed)


def _rounded(e: dict, mask: np.ndarray) -> list[float]:
    return [float(f"{d:.3g}") for d in np.asarray(e["dist_output"], dtype=float)[mask]]


def _reversed(e: dict) -> dict:
    e["dist_output"] = list(reversed(e["dist_output"]))
    return e


def _slower(e: dict) -> dict:
    e["dist_output"] = (np.asarray(e["dist_output"]) * np.asarray(e["alpha"]) ** 0.5).tolist()
    return e


def _diverged(e: dict) -> dict:
    e["diverged_at"] = [-1] * (len(e["alpha"]) - 1) + [7]
    return nan_at("dist_output", -1)(e)


CHECK = Check(THEOREM, check_instance(), check_measure, check_judge,
              (Counterexample("the distances in reverse order (growing with alpha)", _reversed),
               Counterexample("the distances times alpha^0.5 (an O(1/sqrt(alpha)) decay)",
                              _slower),
               Counterexample("a diverged run at the largest alpha (NaN distance, divergence "
                              "step recorded)", _diverged)),
              paper=KEY)
