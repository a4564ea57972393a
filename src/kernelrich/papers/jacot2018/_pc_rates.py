"""Convergence along the kernel principal components (Jacot et al. 2018, Sec. 5), measured on
finite networks at growing width; it complements Figure 3 (`jacot-fig3`), which follows one
component.

Under kernel gradient flow of the cost (1/2N) sum (f - f*)^2 with the limiting Gram
Theta_inf(X, X) / N = sum_i lambda_i v_i v_i^T (largest first), the residual along v_i decays
as exp(-lambda_i t): the top components are learned first. Gradient descent with step lr makes
it (1 - lr lambda_i)^k after k steps, the rate rho_i = -log(1 - lr lambda_i) / lr in the time
t = lr k; rho_i is what an infinitely wide network trained by GD shows, and its distance to the
flow's lambda_i is reported. Here one network with k outputs is trained by GD, output i towards
f_0,i + 0.5 f^(i) (Figure 3's target with the i-th component, f^(i) = sqrt(N) v_i); in the
limit the outputs evolve independently (Thm 1: the NTK is Theta_inf times the identity on the
outputs), so this runs Figure 3 for the top k components at once. The measured rate of
component i is the log-linear fit of |<f_t,i - f*_i, v_i>| over the times where it is above
`FLOOR` of its start, and its relative error is against rho_i.
"""

from __future__ import annotations

import functools

import jax
import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Param, grid
from ...ntk import MLP, infinite_ntk, train_gd
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ...spectrum import sphere_points
from . import _setup

KEY = _setup.KEY
SIZES = {True: {"width": [64, 256, 1024], "seeds": 2, "n_points": 64},
         False: {"width": [64, 256, 1024, 4096], "seeds": 4, "n_points": 512}}
DATASETS = ("digits", "sphere")
DEPTH, BETA, COMPONENTS, SPHERE_DIM = 2, 0.1, 6, 5
TOP_STEP = 0.1  # lr lambda_1: the top component's per-step factor is 0.9
HORIZON = 2.0  # lambda_k t at the last step
FLOOR = 1e-2  # the fit window: where the component is above FLOOR of its start
RECORDS = 80


def points(quick: bool) -> list[dict]:
    size = SIZES[quick]
    return grid(dataset=list(DATASETS), width=size["width"], seed=list(range(size["seeds"])),
                n_points=[size["n_points"]], depth=[DEPTH], beta=[BETA], k=[COMPONENTS])


def setup(quick: bool) -> list[Param]:
    size, full = SIZES[quick], SIZES[False]
    return [
        Param.paper("parametrisation", "NTK: W, b ~ N(0, 1), layer l scaled by 1/sqrt(n_l)",
                    "Sec. 2"),
        Param.paper("activation", "relu", "Sec. 6"),
        Param.choice("depth L (weight layers)", DEPTH, "one hidden layer, the cheapest network "
                     "with a non-linear NTK: widths to 4096 on a CPU (Figure 3: depth 4)"),
        Param.paper("beta (bias scale)", BETA, "Sec. 6"),
        Param.paper("cost", "(1/2N) sum (f - f*)^2, t = lr x steps", "Sec. 5-6"),
        Param.uncertain("digits", "the first N scikit-learn 8x8 digits in [0, 1]",
                        "as Figure 3 (MNIST in the paper; no download here)"),
        Param.choice("sphere", f"N uniform points on S^{SPHERE_DIM - 1}, radius "
                     f"sqrt({SPHERE_DIM}) (x.x' / n_0 = cos angle), data seed 0",
                     "the inputs of the spectrum experiments, where the kernel is a "
                     "dot-product kernel"),
        Param.paper("N (inputs)", size["n_points"], "Figure 3 (Sec. 6.3)",
                    paper_value=full["n_points"]),
        Param.choice("widths n", size["width"], f"a geometric range for the log-log fit (full "
                     f"mode: {full['width']})"),
        Param.choice("seeds per width", size["seeds"], f"the spread of the rates (full mode: "
                     f"{full['seeds']})"),
        Param.choice("components k", COMPONENTS, "outputs of the network; output i trained "
                     "towards f_0,i + 0.5 f^(i) (Figure 3's target for each i)"),
        Param.choice("learning rate", f"{TOP_STEP} / lambda_1", "the top component's step "
                     "factor 1 - lr lambda_1 = 0.9; kernel GD's rates rho_i stay near lambda_i"),
        Param.choice("horizon lambda_k t", HORIZON, "the slowest component decays by e^-2"),
        Param.choice("fit window", f"|component| >= {FLOOR:g} of its start", "below it the "
                     "fastest component is swamped by the slower ones the finite kernel mixes "
                     "in (the issue suggests ~1e-3)"),
        Param.choice("records", f"{RECORDS} steps, geometric from 1", "resolves the top "
                     "component, which decays within the first steps"),
    ]


def inputs(config: dict) -> np.ndarray:
    """The N inputs of `config["dataset"]`: digits or points on the sphere."""
    if config["dataset"] not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {config['dataset']!r}")
    if config["dataset"] == "digits":
        return _setup.digits(config["n_points"])[0]
    return sphere_points(config["n_points"], SPHERE_DIM, radius=float(np.sqrt(SPHERE_DIM)), seed=0)


@functools.lru_cache(maxsize=16)
def _components(dataset: str, n_points: int, depth: int, beta: float, k: int):
    X = inputs({"dataset": dataset, "n_points": n_points})
    lam, V = np.linalg.eigh(infinite_ntk(X, depth=depth, bias_std=beta))
    order = np.argsort(lam)[::-1][:k]
    return lam[order] / n_points, V[:, order]


def components(config: dict) -> tuple[np.ndarray, np.ndarray]:
    """(lambda_1..k of Theta_inf(X, X) / N, the unit eigenvectors v_1..k as columns)."""
    return _components(config["dataset"], config["n_points"], config["depth"],
                       config["beta"], config["k"])


def learning_rate(lam: np.ndarray) -> float:
    return float(TOP_STEP / lam[0])


def gd_rates(lam, lr: float) -> np.ndarray:
    """rho_i = -log(1 - lr lambda_i) / lr: kernel gradient descent's decay rate in t = lr k."""
    return -np.log1p(-lr * np.asarray(lam, dtype=float)) / lr


def schedule(lam: np.ndarray, lr: float) -> np.ndarray:
    """Recorded steps: 0, then geometric from 1 to lambda_k t = HORIZON."""
    steps = int(np.ceil(HORIZON / (lr * lam[-1])))
    return np.unique(np.r_[0, np.round(np.geomspace(1, steps, RECORDS))].astype(int))


def decay_rate(t, c, floor: float = FLOOR) -> float:
    """The decay rate r of c(t) ~ c(0) exp(-r t): least squares of log |c| against t over the
    first times at which |c| >= floor |c(0)|; NaN if fewer than 3 such times or c not finite.

    **Arguments:**

    - `t`: increasing times, shape (T,), t[0] = 0.
    - `c`: the component at those times, shape (T,).
    - `floor`: the end of the window, relative to |c(0)|.
    """
    t, a = np.asarray(t, dtype=float), np.abs(np.asarray(c, dtype=float))
    if t.shape != a.shape or t.ndim != 1:
        raise ValueError(f"t and c must be 1-d of one length, got {t.shape} and {a.shape}")
    if not (np.all(np.isfinite(a)) and a[0] > 0):
        return float("nan")
    window = np.cumprod(a >= floor * a[0]).astype(bool)
    if window.sum() < 3:
        return float("nan")
    return float(-np.polyfit(t[window], np.log(a[window]), 1)[0])


def measured_rates(config: dict) -> dict:
    """Train the k-output network of `config` by GD and fit each component's decay rate."""
    X = inputs(config)
    lam, V = components(config)
    lr = learning_rate(lam)
    widths = (X.shape[1],) + (config["width"],) * (config["depth"] - 1) + (config["k"],)
    model = MLP(widths, key=jax.random.key(config["seed"]), beta=config["beta"])
    y = np.asarray(model(X)) + 0.5 * np.sqrt(config["n_points"]) * V
    steps = schedule(lam, lr)
    result = train_gd(model, X, y, lr=lr, steps=int(steps[-1]), record=steps)
    c = np.einsum("tnk,nk->tk", result.predictions - y, V)  # <r_t,i, v_i>
    t = steps * lr
    return {"rates": [decay_rate(t, c[:, i]) for i in range(config["k"])],
            "lambda": lam.tolist(), "lr": lr, "steps": int(steps[-1]),
            "final_loss": float(result.loss[-1])}


def compute(config: dict) -> dict:
    return measured_rates(config)


def rate_errors(rates, lam, lr: float) -> np.ndarray:
    """|rate_i / rho_i - 1|, the relative error against kernel GD's rate at step lr."""
    return np.abs(np.asarray(rates, dtype=float) / gd_rates(lam, lr) - 1)


def kendall_tau(rates) -> float:
    """Kendall's tau between the rates and -i: 1 when the rates decrease in i."""
    r = np.asarray(rates, dtype=float)
    i, j = np.triu_indices(r.size, 1)
    return float(np.mean(np.sign(r[i] - r[j])))


def log_log_slope(widths, errors) -> tuple[float, float]:
    """(slope, its standard error) of the least-squares line of log(error) against log(width),
    one point per run; NaN where an error is not finite and positive, or fewer than 3 runs."""
    widths, errors = np.asarray(widths, dtype=float), np.asarray(errors, dtype=float)
    if errors.size < 3 or np.ptp(widths) == 0 or not np.all(np.isfinite(errors) & (errors > 0)):
        return float("nan"), float("nan")
    x, y = np.log(widths), np.log(errors)
    dx = x - x.mean()
    slope = float(dx @ (y - y.mean()) / (dx @ dx))
    resid = y - y.mean() - slope * dx
    return slope, float(np.sqrt(resid @ resid / (x.size - 2) / (dx @ dx)))


def _per_run(table, dataset: str):
    sub = table.where(dataset=dataset)
    return [(r["width"], rate_errors(r["rates"], r["lambda"], r["lr"]), r) for r in sub.rows]


def tables(table, quick: bool):
    rows, slopes = [], []
    for dataset in table.unique("dataset"):
        runs = _per_run(table, dataset)
        for width in table.unique("width"):
            errs = np.array([e for w, e, _ in runs if w == width])
            rates = np.mean([r["rates"] for w, _, r in runs if w == width], axis=0)
            tau = kendall_tau(rates)
            rows.append({"data": dataset, "width": width, "runs": len(errs),
                         **{f"error i={i + 1}": float(v) for i, v in enumerate(errs.mean(0))},
                         "max error": float(np.max(errs)), "Kendall tau": tau,
                         "rates decreasing in i": "yes" if tau == 1 else "no"})
        slope, se = log_log_slope([w for w, _, _ in runs], [np.max(e) for _, e, _ in runs])
        first = runs[0][2]
        gap = np.max(np.abs(gd_rates(first["lambda"], first["lr"]) / np.asarray(first["lambda"])
                            - 1))
        slopes.append({"data": dataset, "slope": slope, "standard error": se,
                       "kernel GD vs flow (max |rho_i / lambda_i - 1|)": float(gap)})
    return [("Relative rate error |rate_i / rho_i - 1| per component (mean over seeds), its "
             "maximum, and the order of the mean rates", rows),
            ("Convergence in width: log-log slope of the largest rate error", slopes)]


def plot(table, out_dir, quick: bool):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.38))
    (_, rows), (_, slopes) = tables(table, quick)
    for dataset, style in zip(table.unique("dataset"), ("o-", "s--"), strict=False):
        runs = _per_run(table, dataset)
        lam, lr = np.asarray(runs[0][2]["lambda"]), runs[0][2]["lr"]
        i = np.arange(1, lam.size + 1)
        for color, width in zip(COLORS, table.unique("width"), strict=False):
            rates = np.mean([r["rates"] for w, _, r in runs if w == width], axis=0)
            ax1.plot(i, rates / lam, style, color=color, ms=3, lw=0.8,
                     label=f"{dataset}, n = {width}")
        ax1.plot(i, gd_rates(lam, lr) / lam, style, color="black", ms=2, lw=0.6,
                 label=f"{dataset}, kernel GD")
        sub = [r for r in rows if r["data"] == dataset]
        slope = next(s["slope"] for s in slopes if s["data"] == dataset)
        ax2.loglog([r["width"] for r in sub], [r["max error"] for r in sub], style, ms=3,
                   label=f"{dataset}, slope {slope:.2f}")
    ax1.set(xlabel="component i", ylabel=r"measured rate / $\lambda_i$", title="(a)")
    ax2.set(xlabel="width n", ylabel=r"max$_i$ |rate$_i$ / $\rho_i$ - 1|", title="(b)")
    ax1.legend(fontsize=5, ncol=2)
    ax2.legend(fontsize=6)
    fig.tight_layout()
    first = table.rows[0]
    widest = int(np.max(table.unique("width")))
    at_widest = {r["data"]: r for r in rows if r["width"] == widest}
    per_data = "; ".join(
        f"{s['data']}: slope {s['slope']:.2f} +- {s['standard error']:.2f}, max error at n = "
        f"{widest} {at_widest[s['data']]['max error']:.3f}, Kendall tau "
        f"{at_widest[s['data']]['Kendall tau']:.2f} (rates decreasing in i, the top components "
        f"learned first: {at_widest[s['data']]['rates decreasing in i']}), kernel GD within "
        f"{s['kernel GD vs flow (max |rho_i / lambda_i - 1|)']:.3f} of the flow's lambda_i"
        for s in slopes)
    caption = (
        f"Decay rates of the residual along the top {first['k']} principal components of the "
        f"limiting NTK Gram, {first['n_points']} inputs (digits; uniform on "
        f"S^{SPHERE_DIM - 1}), depth-{first['depth']} ReLU networks, beta {first['beta']}, GD "
        f"with lr = {TOP_STEP} / lambda_1, {len(table.unique('seed'))} seeds per width. (a) "
        f"measured rate / lambda_i (mean over seeds), black: kernel GD's rho_i / lambda_i at "
        f"the same step; (b) the largest relative error against rho_i (over components and "
        f"seeds) against width, the slope fitted to each run's largest error. {per_data}. "
        f"Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_pc_rates", caption)]


EXPERIMENT = Experiment(
    name="jacot-pc-rates",
    paper=KEY,
    title="Convergence along the NTK's principal components: per-component rates of finite "
          "networks against the limiting kernel's eigenvalues",
    claim="Under kernel gradient flow the residual along the i-th eigenvector of the limiting "
          "Gram decays as exp(-lambda_i t), so the top components are learned first (Jacot et "
          "al. Sec. 5); finite networks trained by GD show these rates, the nearer the wider "
          "(complements Figure 3, which follows the 2nd component).",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time='about 5-6 min of CPU (estimated per point: width 4096 on digits 50 s)',
)
