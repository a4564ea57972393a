"""Figure 3 of Jacot et al. (2018, Sec. 6.3): convergence along a principal component of the
NTK. scikit-learn's 8x8 digits stand in for MNIST (no download here).

With Theta_inf(X, X) / N = sum_i lambda_i v_i v_i^T on N inputs (largest first) and the kernel
principal components f^(i) = sqrt(N) v_i (unit norm in L2(p_in), p_in the empirical
distribution), a network is trained by gradient descent on (1/2N) sum (f - f*)^2 with the
target f* = f_0 + 0.5 f^(2) (f_0 the network at init). In the infinite-width limit
f_t - f* = g_t + h_t with g_t = -0.5 exp(-lambda_2 t) f^(2) and h_t = 0. The three panels:
(a) the N inputs placed at (f^(2)(x), f^(3)(x)); (b) ||h_t||_{p_in}, the distance from the
straight line, against t; (c) ||g_t||_{p_in} against t, with the limit 0.5 exp(-lambda_2 t).
Widths 100, 1000, 10,000, two trials each, N = 512, beta = 0.1, lr 1.0 (paper). The paper's
kernel components come from one width-10,000 network by power iteration (lambda = 0.0457,
0.00108, 0.00078 on MNIST); here they are those of the exact Theta_inf on the digits. The paper
trains to t = 4000, i.e. lambda_2 t = 4.3; on the digits lambda_2 is larger, and the horizon is
set to the same lambda_2 t. Depth and activation of the figure are not given: depth 4 and ReLU
as in Sec. 6.1-6.2 (the authors' script has depth 5, a shifted ReLU, batch 400, lr 0.5,
1000 steps). The rates along the top components at once, against width, are in
`jacot-pc-rates` (`_pc_rates.py`), which complements this figure.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Param, grid
from ...ntk import KernelFlow, infinite_ntk, train_gd
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from . import _setup

T_PAPER, LAMBDA_PAPER = 4000, (0.0457, 0.00108, 0.00078)
HORIZON = T_PAPER * LAMBDA_PAPER[1]  # lambda_2 t at the end of the paper's panels: 4.32
SIZES = {True: {"width": [100, 300], "n_points": 128},
         False: {"width": [100, 1000, 10000], "n_points": 512}}
TRIALS, DEPTH, BETA, LR, RECORDS = 2, 4, 0.1, 1.0, 61


def points(quick: bool) -> list[dict]:
    size = SIZES[quick]
    return grid(width=size["width"], seed=list(range(TRIALS)), n_points=[size["n_points"]],
                depth=[DEPTH], beta=[BETA], lr=[LR], n0=[64], horizon=[HORIZON])


def setup(quick: bool) -> list[Param]:
    size, full = SIZES[quick], SIZES[False]
    code = f"{_setup.CODE}/mnist_convergence_along_PCA.py"
    depth = Param.uncertain("depth L (weight layers)", DEPTH, "Sec. 6.3 does not say; as Sec. "
                            "6.1-6.2 (the script: 5 layers)")
    activation = Param.uncertain("activation", "relu", "Sec. 6.3 does not say; as Sec. 6.1-6.2 "
                                 "(the script: 1.4 (relu(x) - 0.3 + 0.01 x))")
    return _setup.network_params(DEPTH, BETA, LR, depth_row=depth, activation_row=activation) + [
        Param.uncertain("data", "scikit-learn digits, 8x8 = 64 pixels in [0, 1], not centred",
                        "MNIST (28x28) in the paper; no download here"),
        Param.paper("N (inputs)", size["n_points"], "Sec. 6.3", paper_value=full["n_points"]),
        Param.paper("widths n", size["width"], "Sec. 6.3", paper_value=full["width"]),
        Param.paper("trials per width", TRIALS, "Sec. 6.3"),
        Param.paper("target f*", "f_0 + 0.5 f^(2)", f"Sec. 6.3 ({code}: y0 + 0.5 df1)"),
        Param.code("cost", "(1/2N) sum (f - f*)^2", code),
        Param.choice("kernel principal components", "of the exact Theta_inf", "the paper: power "
                     "iteration on one width-10,000 network's NTK"),
        Param.choice("horizon lambda_2 t", round(HORIZON, 3), f"the paper's t = {T_PAPER} with "
                     f"its lambda_2 = {LAMBDA_PAPER[1]} (MNIST); on the digits, t = horizon / "
                     "lambda_2"),
    ]


@functools.lru_cache(maxsize=8)
def _components(n_points: int, depth: int, beta: float) -> tuple[np.ndarray, np.ndarray]:
    X, _ = _setup.digits(n_points)
    flow = KernelFlow(infinite_ntk(X, depth=depth, bias_std=beta), np.zeros(n_points))
    lam = flow.eigenvalues / n_points  # eigenvalues of the kernel operator on L2(p_in)
    return lam[:3], np.sqrt(n_points) * flow.V[:, :3]


def components(config: dict) -> tuple[np.ndarray, np.ndarray]:
    """(lambda_1..3, f^(1..3) as columns, unit norm in L2(p_in)) of Theta_inf on the inputs."""
    return _components(config["n_points"], config["depth"], config["beta"])


def schedule(config: dict) -> np.ndarray:
    """Recorded step counts, up to lambda_2 t = horizon (t = lr x steps)."""
    lam, _ = components(config)
    steps = int(np.ceil(config["horizon"] / (config["lr"] * lam[1])))
    return np.unique(np.round(np.linspace(0, steps, RECORDS)).astype(int))


def compute(config: dict) -> dict:
    X, _ = _setup.digits(config["n_points"])
    _, f = components(config)
    model = _setup.network(config)
    f0 = np.asarray(model(X))[:, 0]
    y = f0 + 0.5 * f[:, 1]
    steps = schedule(config)
    result = train_gd(model, X, y, lr=config["lr"], steps=int(steps[-1]), record=steps)
    residual = result.predictions - y  # f_t - f*, shape (T, N)
    g = residual @ f[:, 1] / config["n_points"]  # <f_t - f*, f^(2)>_{p_in}
    h = residual - g[:, None] * f[:, 1]
    return {"steps": steps.tolist(), "g": g.tolist(),
            "h_norm": np.sqrt(np.mean(h * h, axis=1)).tolist(),
            "final_loss": float(result.loss[-1])}


def limit_g(config: dict, steps, *, lr: float | None = None) -> np.ndarray:
    """||g_t|| of the infinite-width network: 0.5 exp(-lambda_2 t), or 0.5 (1 - lr lambda_2)^k
    for kernel gradient descent with the network's step."""
    lam, _ = components(config)
    steps = np.asarray(steps, dtype=float)
    if lr is None:
        return 0.5 * np.exp(-lam[1] * config["lr"] * steps)
    return 0.5 * (1 - lr * lam[1]) ** steps


def e_folding_time(row: dict) -> float:
    """The first t at which ||g_t|| <= 0.5 / e (linear interpolation between records), NaN if
    never; the limit's is 1 / lambda_2."""
    t = np.asarray(row["steps"], dtype=float) * row["lr"]
    g = np.abs(np.asarray(row["g"]))
    below = np.nonzero(g <= 0.5 / np.e)[0]
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    return float(np.interp(0.5 / np.e, [g[i], g[i - 1]], [t[i], t[i - 1]]))


def plot(table, out_dir, quick: bool):
    first = table.rows[0]
    lam, f = components(first)
    X, labels = _setup.digits(first["n_points"])
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.34))
    hx, hy = 0.025 * np.ptp(f[:, 1]), 0.025 * np.ptp(f[:, 2])
    for x, a, b in zip(X, f[:, 1], f[:, 2], strict=True):
        ax1.imshow(x.reshape(8, 8), cmap="gray_r", extent=(a - hx, a + hx, b - hy, b + hy),
                   alpha=0.8)
    ax1.set(xlim=(f[:, 1].min() - 2 * hx, f[:, 1].max() + 2 * hx),
            ylim=(f[:, 2].min() - 2 * hy, f[:, 2].max() + 2 * hy),
            xlabel=r"$f^{(2)}(x)$", ylabel=r"$f^{(3)}(x)$", aspect="auto", title="(a)")
    for color, width in zip(COLORS, table.unique("width"), strict=False):
        for k, row in enumerate(table.where(width=width)):
            t = np.asarray(row["steps"]) * row["lr"]
            label = f"n = {width}" if k == 0 else None
            ax2.plot(t, row["h_norm"], color=color, lw=0.8, ls=":", label=label)
            ax3.plot(t, np.abs(row["g"]), color=color, lw=0.8, ls=":", label=label)
    t = np.asarray(first["steps"]) * first["lr"]
    ax3.plot(t, limit_g(first, first["steps"]), color="black", lw=1.2, label=r"$n = \infty$")
    ax2.set(xlabel="$t$", ylabel=r"$\|h_t\|_{p^{in}}$", title="(b)")
    ax3.set(xlabel="$t$", ylabel=r"$\|g_t\|_{p^{in}}$", title="(c)")
    ax2.legend(fontsize=6)
    ax3.legend(fontsize=6)
    fig.tight_layout()
    stats = tables(table, quick)[0][1]
    per_width = "; ".join(
        f"n = {r['width']}: max_t ||h_t|| {r['max_t ||h_t||']:.3f}, e-folding time of ||g_t|| "
        f"{r['e-folding time of ||g_t||']:.0f}" for r in stats)
    gap = np.max(np.abs(limit_g(first, first["steps"], lr=first["lr"])
                        - limit_g(first, first["steps"])))
    caption = (
        f"Convergence along the 2nd kernel principal component, {first['n_points']} digits "
        f"(in place of MNIST), depth-{first['depth']} ReLU networks, beta {first['beta']}, "
        f"gradient descent lr {first['lr']}, {len(table.unique('seed'))} trials per width. "
        f"(a) the inputs at (f^(2)(x), f^(3)(x)); (b) ||h_t||, the distance from the line "
        f"through f^(2); (c) ||g_t|| with the limit 0.5 exp(-lambda_2 t), lambda_2 = "
        f"{lam[1]:.3g} (lambda_1 = {lam[0]:.3g}, lambda_3 = {lam[2]:.3g}; 1 / lambda_2 = "
        f"{1 / lam[1]:.0f}). Measured, mean over trials: {per_width}. Kernel gradient descent "
        f"at the networks' step is {gap:.1e} from the flow's ||g_t||. Mode: "
        f"{_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_fig3", caption)]


def tables(table, quick: bool):
    rows = []
    for width in table.unique("width"):
        sub = table.where(width=width)
        first = sub.rows[0]
        lam, _ = components(first)
        end = float(first["steps"][-1] * first["lr"])
        rows.append({
            "width": width, "trials": len(sub),
            "max_t ||h_t||": float(np.mean([np.max(r["h_norm"]) for r in sub.rows])),
            "e-folding time of ||g_t||": float(np.mean([e_folding_time(r) for r in sub.rows])),
            "limit 1 / lambda_2": float(1 / lam[1]),
            "||g_T|| at T": float(np.mean([abs(r["g"][-1]) for r in sub.rows])),
            "limit 0.5 exp(-lambda_2 T)": float(0.5 * np.exp(-lam[1] * end)),
            "T": end,
        })
    return [("Figure 3: distance from the line and convergence along f^(2), by width "
             "(mean over trials)", rows)]


EXPERIMENT = Experiment(
    name="jacot-fig3",
    paper=_setup.KEY,
    title="Figure 3: convergence along a principal component of the NTK (digits for MNIST)",
    claim="Trained towards f_0 + 0.5 f^(2), a wide network's f_t - f* stays near the line "
          "through the 2nd kernel principal component f^(2) (h_t near 0) and its component "
          "along f^(2) decays like 0.5 exp(-lambda_2 t), the nearer the wider the network; the "
          "paper also observes that smaller networks converge faster (Jacot et al. Sec. 6.3, "
          "Fig. 3). Complemented by jacot-pc-rates: the rates of the top components against "
          "width.",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    schema=2,
    full_time=("not measured on the CPU (widths 1,000 and 10,000); 39 s on an H200 GPU "
               "(docs/benchmarks.md)"),
)
