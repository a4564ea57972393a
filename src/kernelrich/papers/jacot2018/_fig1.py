"""Figure 1 of Jacot et al. (2018, Sec. 6.1): convergence of the NTK with width, at
initialisation and during training.

Depth L = 4 ReLU networks 2 -> n -> n -> n -> 1, beta = 0.1, NTK parametrisation, widths 500
and 10,000, 10 initialisations each (paper). Theta(x0, x) with x0 = (1, 0), x = (cos g, sin g),
g in [-pi, pi] on 100 angles (authors' compute_kernel.py), at init and after 200 steps of
gradient descent with lr 1.0 (paper; the script runs 100 steps of 5 inits) on the least-squares
cost (1/2N) sum (f - x1 x2)^2 (paper, Sec. 5; the script drops the 1/2) with a fresh batch of
100 inputs x ~ N(0, I_2) at each step (script; the paper gives no set size). The limit
Theta_inf is exact.
"""

from __future__ import annotations

import jax
import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, Param, grid
from ...ntk import apply_mlp, empirical_ntk, infinite_ntk, train_online
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from . import _setup

SIZES = {True: {"width": [100, 500], "seeds": 3, "n_angles": 41},
         False: {"width": [500, 10000], "seeds": 10, "n_angles": 100}}
DEPTH, BETA, LR, STEPS = 4, 0.1, 1.0, 200


def points(quick: bool) -> list[dict]:
    size = SIZES[quick]
    return grid(width=size["width"], seed=list(range(size["seeds"])), depth=[DEPTH],
                beta=[BETA], lr=[LR], steps=[STEPS], batch=[_setup.BATCH],
                n_angles=[size["n_angles"]])


def setup(quick: bool) -> list[Param]:
    size, full = SIZES[quick], SIZES[False]
    return _setup.network_params(DEPTH, BETA, LR) + [
        Param.paper("widths n", size["width"], "Sec. 6.1", paper_value=full["width"]),
        Param.paper("initialisations per width", size["seeds"],
                    "Sec. 6.1 (compute_kernel.py: 5)", paper_value=full["seeds"]),
        Param.paper("gradient steps", STEPS, "Sec. 6.1 (compute_kernel.py: 100)"),
        Param.paper("target f*(x)", "x1 x2", "Sec. 6.1"),
        Param.paper("cost", "(1/2N) sum (f - f*)^2", "Sec. 5 (compute_kernel.py: mean square "
                    "without 1/2, i.e. twice the step)"),
        Param.code("training inputs", f"a fresh batch of {_setup.BATCH} x ~ N(0, I_2) per step",
                   f"{_setup.CODE}/compute_kernel.py (the paper gives no set size)"),
        Param.paper("x0, x", "(1, 0), (cos g, sin g)", "Sec. 6.1 / Fig. 1"),
        Param.code("angles g on [-pi, pi]", size["n_angles"], f"{_setup.CODE}/compute_kernel.py",
                   paper_value=full["n_angles"]),
        Param.choice("Theta_inf", "exact recursion (Thm 1)", "the paper plots the limit too"),
    ]


def _curve(model, n_angles: int) -> np.ndarray:
    _, x = _setup.circle(n_angles)
    return empirical_ntk(apply_mlp, model, np.array([[1.0, 0.0]]), x, outputs="mean")[0]


def compute(config: dict) -> dict:
    model = _setup.network(config)
    key = jax.random.fold_in(jax.random.key(10_000), config["seed"])
    start, trained = train_online(model, _setup.product_batch, key=key, lr=config["lr"],
                                  steps=config["steps"])
    before, after = _curve(start, config["n_angles"]), _curve(trained, config["n_angles"])
    return {"ntk_init": before.tolist(), "ntk_trained": after.tolist(),
            "relative_change": float(np.linalg.norm(after - before) / np.linalg.norm(before))}


def limit(config: dict) -> np.ndarray:
    """Theta_inf(x0, x(g)) on the same angles."""
    _, x = _setup.circle(config["n_angles"])
    return infinite_ntk(np.array([[1.0, 0.0]]), x, depth=config["depth"],
                        bias_std=config["beta"])[0]


def plot(table, out_dir, quick: bool):
    widths = table.unique("width")
    first = table.rows[0]
    g, _ = _setup.circle(first["n_angles"])
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH * 0.6, PAGE_WIDTH * 0.4))
    for color, width in zip(COLORS, widths, strict=False):
        for k, row in enumerate(table.where(width=width)):
            label = (f"n = {width}, t = 0", f"n = {width}, t = {row['steps']}") if k == 0 \
                else (None, None)
            ax.plot(g, row["ntk_init"], color=color, lw=0.7, label=label[0])
            ax.plot(g, row["ntk_trained"], color=color, lw=0.7, ls="--", label=label[1])
    ax.plot(g, limit(first), color="black", lw=1.4, label=r"$n \to \infty$")
    ax.set(xlabel=r"$\gamma$", ylabel=r"$\Theta^{(4)}(x_0, x)$")
    ax.legend(ncol=1, loc="upper right")
    stats = {r["width"]: r for r in tables(table, quick)[0][1]}
    summary = "; ".join(f"n = {w}: spread over inits {s['std over inits (mean over g)']:.3g}, "
                        f"relative change in training {s['relative change in training (mean)']:.3g}"
                        for w, s in stats.items())
    caption = (f"Empirical NTK of depth-{first['depth']} ReLU networks (beta = {first['beta']}, "
               f"NTK parametrisation) at init (solid) and after {first['steps']} gradient steps, "
               f"lr {first['lr']}, on f*(x) = x1 x2 with {first['batch']} fresh Gaussian inputs "
               f"per step (dashed), {len(table.unique('seed'))} initialisations per width, "
               f"against the limit (black). Measured: {summary}. Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_fig1", caption)]


def tables(table, quick: bool):
    rows = []
    for width in table.unique("width"):
        sub = table.where(width=width)
        init = np.array(sub.column("ntk_init"))
        ref = limit(sub.rows[0])
        rows.append({
            "width": width,
            "seeds": len(sub),
            "std over inits (mean over g)": float(np.mean(np.std(init, axis=0))),
            "max |mean - limit|": float(np.max(np.abs(init.mean(axis=0) - ref))),
            "relative change in training (mean)": float(np.mean(sub.column("relative_change"))),
        })
    return [("Figure 1: spread at init and movement in training, by width", rows)]


EXPERIMENT = Experiment(
    name="jacot-fig1",
    paper=_setup.KEY,
    title="Figure 1: NTK convergence with width, at init and during training",
    claim="The empirical NTK Theta(x0, x) of wider networks varies less between "
          "initialisations and moves less during training; its mean is near the infinite-width "
          "limit (Jacot et al. Sec. 6.1, Thm 1 and 2).",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    schema=2,
    full_time=("about 3 h on a loaded CPU (width 10,000: 5.4 s per step x 200 steps, 19 min "
               "per point; x 10 points; docs/benchmarks.md)"),
)
