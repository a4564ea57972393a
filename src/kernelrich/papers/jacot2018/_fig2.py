"""Figure 2 of Jacot et al. (2018, Sec. 6.2): trained networks against the limiting Gaussian
process.

Depth-4 ReLU networks of widths 50 and 1000 (beta = 0.1, NTK parametrisation), 10 inits each,
trained by gradient descent (1000 steps, lr 1.0, cost (1/2N) sum (f - y)^2) on four points of
the unit circle: the angles with indices [30, 70, 130, 170] of 200 equispaced angles on
[-pi, pi] and targets [-0.4, -0.2, 0.3, 0.3] (authors' convergence_finite.py). The limit is the
t -> infinity Gaussian process of the infinite-width network (paper): mean and covariance from
the exact NNGP and NTK (`kernelrich.ntk.trained_gp`; the paper estimates them from one
width-10,000 network); we overlay its 10/50/90 % quantiles and measure the distance from the
process at t = lr x steps, under gradient descent and under the flow.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Param, grid
from ...ntk import infinite_kernels, train_gd, trained_gp
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from . import _setup

GRID, INDICES = 200, [30, 70, 130, 170]
TARGETS = [-0.4, -0.2, 0.3, 0.3]
Z90 = 1.2815515655446004  # the 90 % quantile of N(0, 1)
SIZES = {True: {"seeds": 4, "steps": 300, "n_angles": 61},
         False: {"seeds": 10, "steps": 1000, "n_angles": GRID}}
WIDTHS, DEPTH, BETA, LR = [50, 1000], 4, 0.1, 1.0


def points(quick: bool) -> list[dict]:
    """Quick mode: 4 inits and 300 steps."""
    size = SIZES[quick]
    return grid(width=WIDTHS, seed=list(range(size["seeds"])), depth=[DEPTH], beta=[BETA],
                lr=[LR], steps=[size["steps"]], n_angles=[size["n_angles"]])


def setup(quick: bool) -> list[Param]:
    size, full = SIZES[quick], SIZES[False]
    code = f"{_setup.CODE}/convergence_finite.py"
    return _setup.network_params(DEPTH, BETA, LR) + [
        Param.paper("widths n", WIDTHS, "Sec. 6.2"),
        Param.paper("initialisations per width", size["seeds"], "Sec. 6.2",
                    paper_value=full["seeds"]),
        Param.paper("gradient steps", size["steps"], "Sec. 6.2", paper_value=full["steps"]),
        Param.code("cost", "(1/2N) sum (f - y)^2", code),
        Param.code("training angles", [round(float(g), 4) for g in train_angles()],
                   f"{code}: indices {INDICES} of {GRID} angles on [-pi, pi]"),
        Param.code("targets", TARGETS, code),
        Param.code("evaluation angles", size["n_angles"], code, paper_value=full["n_angles"]),
        Param.paper("limit", "the t -> infinity Gaussian process, 10/50/90 % quantiles",
                    "Sec. 6.2 (convergence_finite.py: mean +- 1.28 sd)"),
        Param.choice("limiting kernels", "exact NNGP and NTK", "the paper estimates both from "
                     "one width-10,000 network"),
    ]


def train_angles() -> np.ndarray:
    return np.linspace(-np.pi, np.pi, GRID)[INDICES]


def _train_points() -> tuple[np.ndarray, np.ndarray]:
    g = train_angles()
    return np.stack([np.cos(g), np.sin(g)], axis=1), np.asarray(TARGETS)


def compute(config: dict) -> dict:
    X, y = _train_points()
    _, x = _setup.circle(config["n_angles"])
    result = train_gd(_setup.network(config), X, y, lr=config["lr"], steps=config["steps"],
                      X_eval=x)
    return {"f_init": result.predictions[0].tolist(), "f_trained": result.predictions[-1].tolist(),
            "final_loss": float(result.loss[-1])}


def limit_process(config: dict, t: float = np.inf, lr: float | None = None):
    """(mean, sd) on the circle of the limiting GP at time t (steps of size lr if given)."""
    X, y = _train_points()
    _, x = _setup.circle(config["n_angles"])
    nngp, ntk = infinite_kernels(np.vstack([X, x]), depth=config["depth"],
                                 bias_std=config["beta"])
    mean, cov = trained_gp(nngp, ntk, y, t, lr=lr)
    return mean, np.sqrt(np.maximum(np.diag(cov), 0.0))


def limit_quantiles(config: dict) -> np.ndarray:
    """The 10/50/90 % quantiles of the t -> infinity limit on the circle, shape (3, angles)."""
    mean, sd = limit_process(config)
    return np.stack([mean - Z90 * sd, mean, mean + Z90 * sd])


def distances(config: dict) -> dict:
    """Max over the circle of |mean| and |sd| differences: the process after lr x steps of
    gradient descent against the flow at the same t, and the flow at t against t = inf."""
    steps, lr = config["steps"], config["lr"]
    gd, flow, inf = (limit_process(config, steps, lr), limit_process(config, lr * steps),
                     limit_process(config))
    def gap(p, q):
        return float(np.max([np.max(np.abs(a - b)) for a, b in zip(p, q, strict=True)]))

    return {"GD vs flow": gap(gd, flow), "flow at t vs t = inf": gap(flow, inf)}


def plot(table, out_dir, quick: bool):
    first = table.rows[0]
    g, _ = _setup.circle(first["n_angles"])
    q = limit_quantiles(first)
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH * 0.6, PAGE_WIDTH * 0.4))
    for color, width in zip(COLORS, table.unique("width"), strict=False):
        for k, row in enumerate(table.where(width=width)):
            ax.plot(g, row["f_trained"], color=color, lw=0.6, alpha=0.8,
                    label=f"n = {width}" if k == 0 else None)
    ax.plot(g, q[1], color="black", lw=1.2, label=r"$n \to \infty$, median")
    ax.plot(g, q[0], color="black", lw=0.9, ls="--", label=r"$n \to \infty$, 10 % / 90 %")
    ax.plot(g, q[2], color="black", lw=0.9, ls="--")
    ax.plot(train_angles(), TARGETS, "o", color="black", ms=4)
    ax.set(xlabel=r"$\gamma$", ylabel=r"$f_\theta(\cos\gamma, \sin\gamma)$")
    ax.legend(loc="upper left")
    rows = tables(table, quick)[0][1]
    inside = "; ".join(f"n = {r['width']}: {r['fraction inside 10-90 % band (expect 0.8)']:.2f}"
                       for r in rows)
    d = distances(first)
    caption = (f"Depth-{first['depth']} ReLU networks (beta = {first['beta']}) after "
               f"{first['steps']} gradient-descent steps, lr {first['lr']} "
               f"({len(table.unique('seed'))} inits per width), against the 10/50/90 % "
               f"quantiles of the limiting Gaussian process at t -> infinity. Fraction of the "
               f"curves' points inside the band: {inside}. The limiting process after "
               f"{first['steps']} steps of kernel gradient descent differs from the flow at "
               f"t = {first['lr'] * first['steps']:g} by {d['GD vs flow']:.1e}, and the flow at "
               f"that t from t = infinity by {d['flow at t vs t = inf']:.1e} (max over the "
               f"circle of mean and sd). Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_fig2", caption)]


def tables(table, quick: bool):
    q = limit_quantiles(table.rows[0])
    rows = []
    for width in table.unique("width"):
        sub = table.where(width=width)
        f = np.array(sub.column("f_trained"))
        inside = (f >= q[0]) & (f <= q[2])
        rows.append({"width": width, "nets": len(f),
                     "fraction inside 10-90 % band (expect 0.8)": float(inside.mean()),
                     "max |mean over nets - GP mean|": float(np.max(np.abs(f.mean(0) - q[1]))),
                     "max final loss": float(np.max(sub.column("final_loss")))})
    return [("Figure 2: trained networks vs the limiting Gaussian process, by width", rows)]


EXPERIMENT = Experiment(
    name="jacot-fig2",
    paper=_setup.KEY,
    title="Figure 2: trained networks vs the limiting Gaussian process",
    claim="Trained wide networks are distributed like the t -> infinity Gaussian process of "
          "the infinite-width network, given by the NNGP and NTK (Jacot et al. Sec. 5, 6.2): "
          "about 80 % of their values fall between its 10 % and 90 % quantiles.",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    schema=2,
    full_time="about 11 min on a loaded CPU (measured per point x 20 points; docs/benchmarks.md)",
)
