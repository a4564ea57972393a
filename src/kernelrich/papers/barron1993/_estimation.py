"""Barron 1994, §2-3: the complexity-penalised network estimator, its risk against N and its
chosen size n_hat against the balancing size n* = C_f (N / (d log N))^(1/2).

Barron's bound is an upper bound: E ||f - f_hat||^2 <= O(C_f ((d / N) log N)^(1/2)). With
x = (d / N) log N it says that the risk lies below const * C_f x^(1/2): its exponent against x
is at least 1/2 (a risk that followed the bound exactly would have exponent 1/2; against
x^(1/2) it would have exponent 1). The size sweep reaches n_max >= n* at every N, so that the
estimator can choose the size the bound is balanced at.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from ...barron import (
    barron_constant,
    estimation_term,
    fit_rate,
    penalized_estimator,
    predicted_size,
    risk_bound,
    uniform_ball,
)
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, paper_style, save_figure
from ._common import make_target, memo_call, mode, padded_sample, search_note, sized

NOISE_STD = 0.2
"""Observation noise y = f(x) + 0.2 eps, eps standard normal (our choice; the papers fix none)."""

PENALTY = NOISE_STD**2
"""lambda in lambda n d log N / N: the noise variance, a Mallows-Cp-like choice (Barron's
Theorem 2 needs lambda > 5 b^2 / 3 for responses in an interval of length b)."""

TARGET = "ridge"
"""exp(-(a . x + 0.3)^2 / 2), |a| = sqrt(d + 2): small C_f, hence a small balancing size n*."""

_QUICK = dict(axes=dict(d=[1, 5], N=[64, 128, 256, 512, 1024], seed=[0, 1, 2, 3]),
              sizes=dict(n_max=20, restarts=8, steps=50, pad_to=1024, test=4096))
_FULL = dict(axes=dict(d=[1, 2, 5, 10], N=[64, 128, 256, 512, 1024, 2048, 4096, 8192],
                       seed=[0, 1, 2, 3]),
             sizes=dict(n_max=64, restarts=16, steps=100, pad_to=0, test=20000))
"""pad_to: quick mode pads every N to 1024 zero-weight rows, so that one compiled search serves
the sweep (compilation dominates there); full mode pads none, so that the cost grows with N."""


def points(quick: bool) -> list[dict]:
    spec = _QUICK if quick else _FULL
    return [{**c, **spec["sizes"], "target": TARGET, "quick": quick}
            for c in grid(**spec["axes"])]


def setup(quick: bool) -> list[Param]:
    q, f = (_QUICK["axes"], _QUICK["sizes"]), (_FULL["axes"], _FULL["sizes"])

    def size(name, key, why):
        where = 0 if key in q[0] else 1
        return sized(name, q[where][key], f[where][key], quick, why)

    return [
        Param.paper("bound", "E||f - f_hat||^2 <= O(C_f ((d/N) log N)^(1/2)) with "
                    "n ~ C_f (N/(d log N))^(1/2), or n chosen by complexity regularisation",
                    "Barron 1994, abstract"),
        Param.paper("criterion", "training error + lambda n d log(N) / N",
                    "Barron 1994, §2-3 (penalty of order (n d / N) log N; its exact form: "
                    "uncertain)"),
        Param.uncertain("estimator", "greedy path (line search, sum |c_k| <= 2C) for each n",
                        "stands in for the least-squares minimiser over a discretised "
                        "parameter set, which no algorithm computes"),
        Param.choice("lambda", PENALTY, "the noise variance; below Barron's lambda > 5 b^2/3"),
        Param.choice("noise", f"Gaussian, standard deviation {NOISE_STD}",
                     "Barron 1994 assumes responses in a known interval of length b; Gaussian "
                     "noise is unbounded"),
        Param.choice("target", "ridge exp(-(a.x + 0.3)^2/2), |a| = sqrt(d + 2)",
                     "closed-form C_f = |a| sqrt(2/pi); small enough that n_max >= n*"),
        Param.choice("mu", "uniform on the unit ball", "as in the approximation experiment"),
        size("d", "d", "several dimensions"),
        size("N", "N", "a factor >= 16 in N for the exponent's fit"),
        size("seeds", "seed", "data, noise and search redrawn per seed"),
        size("n_max", "n_max", "at least n* = C_f (N/(d log N))^(1/2) at every N"),
        size("restarts", "restarts", "one-unit search (Adam, rate 0.1)"),
        size("Adam steps", "steps", "one-unit search"),
        size("test points", "test", "fresh uniform points for the risk"),
    ]


def _compute(config: dict) -> dict:
    d, N, seed = config["d"], config["N"], config["seed"]
    f = make_target(config["target"], d)
    X, w = padded_sample(N, d, config["pad_to"], seed)
    noise = np.random.default_rng([seed, 1]).standard_normal(X.shape[0])
    y = np.where(w > 0, np.asarray(f(X)) + NOISE_STD * noise, 0.0)
    c_f = barron_constant(f)
    est = penalized_estimator(X, y, config["n_max"], c_f, penalty=PENALTY, weights=w,
                              restarts=config["restarts"], steps=config["steps"], seed=seed)
    X_test = uniform_ball(config["test"], d, seed=10**6 + seed)
    f_test = np.asarray(f(X_test))
    risk = [float(np.mean((np.asarray(est.path.network(k)(X_test)) - f_test) ** 2))
            for k in range(1, config["n_max"] + 1)]
    return {"n_hat": est.n_hat, "risk": risk[est.n_hat - 1], "risk_path": risk,
            "train_errors": est.train_errors.tolist(), "c_f": c_f,
            "n_predicted": predicted_size(c_f, N, d),
            "x": float(estimation_term(N, d)), "bound": float(risk_bound(c_f, N, d))}


def compute(config: dict) -> dict:
    """n_hat and the risk ||f - f_hat||^2 (on a fresh test sample) of the penalised estimator."""
    return memo_call(_compute, config)


def rate_rows(table: Table) -> list[dict]:
    """Per d: the exponent of the risk against x = (d / N) log N with its 95% CI (the bound has
    1/2), the largest mean risk / (2 C_f x^(1/2)) over N, and the smallest n_max / n*."""
    rows = []
    for d in table.unique("d"):
        sub = table.where(d=d)
        fit = fit_rate(np.array(sub.column("x")), np.array(sub.column("risk")))
        ratios = [np.mean(sub.where(N=N).column("risk")) / sub.where(N=N).rows[0]["bound"]
                  for N in sub.unique("N")]
        rows.append({"d": d, "exponent": fit.slope, "95% CI low": fit.low,
                     "95% CI high": fit.high, "bound's exponent": 0.5,
                     "max_N risk / (2 C_f x^(1/2))": float(np.max(ratios)),
                     "min n_max / n*": float(np.min(np.array(sub.column("n_max"))
                                                    / np.array(sub.column("n_predicted")))),
                     "runs": len(sub)})
    return rows


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fits = {r["d"]: r for r in rate_rows(table)}
    with paper_style():
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.2, COLUMN_WIDTH * 0.9))
        fig2, ax2 = plt.subplots(figsize=(COLUMN_WIDTH * 1.2, COLUMN_WIDTH * 0.9))
    for color, d in zip(COLORS, table.unique("d"), strict=False):
        sub = table.where(d=d)
        Ns = np.array(sub.unique("N"), dtype=float)
        mean = [np.mean(sub.where(N=int(N)).column("risk")) for N in Ns]
        fit = fits[d]
        ax.plot(sub.column("N"), sub.column("risk"), "o", color=color, markersize=2.5)
        ax.plot(Ns, mean, "-", color=color,
                label=f"d = {d}: exponent {fit['exponent']:.2f} "
                      f"[{fit['95% CI low']:.2f}, {fit['95% CI high']:.2f}]")
        ax.plot(Ns, [sub.where(N=int(N)).rows[0]["bound"] for N in Ns], "--", color=color,
                linewidth=0.8)
        ax2.plot(sub.column("n_predicted"), sub.column("n_hat"), "o", color=color,
                 markersize=3, label=f"d = {d}")
    ax.set(xscale="log", yscale="log", xlabel="N", ylabel=r"risk $\|f - \hat f\|^2$")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=6)
    lim = [1, max(max(table.column("n_predicted")), max(table.column("n_hat"))) * 1.3]
    ax2.plot(lim, lim, ":", color="0.5", linewidth=0.8, label="n_hat = n*")
    ax2.set(xscale="log", yscale="log", xlabel=r"$n^* = C_f (N / (d \log N))^{1/2}$",
            ylabel=r"chosen $\hat n$")
    ax2.legend(fontsize=6)
    row = table.rows[0]
    rows = list(fits.values())
    what = (f"Complexity-penalised estimator (Barron 1994): for n = 1..{row['n_max']} the greedy "
            f"path on N noisy samples y = f(x) + {NOISE_STD} eps of the 'ridge' target, x uniform "
            f"on the unit ball; n_hat minimises training error + {PENALTY:g} n d log N / N; "
            f"{search_note(row)}, sum|c_k| <= 2 C_f; {len(table.unique('seed'))} seeds per "
            f"(d, N); risk on {row['test']} fresh points; {mode(quick)}.")
    exponents = ", ".join(f"{r['exponent']:.2f}" for r in rows)
    measured = (f"Measured: exponents {exponents} "
                f"(d = {', '.join(str(r['d']) for r in rows)}); the mean risk is at most "
                f"{max(r['max_N risk / (2 C_f x^(1/2))'] for r in rows):.3g} times the bound; "
                f"n_max / n* >= {min(r['min n_max / n*'] for r in rows):.2f}.")
    return [
        save_figure(fig, out_dir, "barron_risk_vs_N",
                    "Risk against N (dots: runs, line: mean), with the exponent of the risk "
                    "against x = (d/N) log N fitted by least squares in logs over all runs "
                    "(95% t-interval); dashed: Barron 1994's bound with unit constants, "
                    "2 C_f x^(1/2) (exponent 1/2 against x). " + measured + " " + what),
        save_figure(fig2, out_dir, "barron_chosen_n",
                    "Chosen size n_hat against the balancing size n* = C_f (N/(d log N))^(1/2) "
                    "(dotted: equality; the theory fixes n* only up to a constant). " + what),
    ]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    return [("Barron 1994 bounds the risk by O(C_f x^(1/2)), x = (d/N) log N. Fitted exponent "
             "of the risk against x, the largest mean risk relative to 2 C_f x^(1/2), and the "
             "smallest n_max / n*:", rate_rows(table))]


EXPERIMENT = Experiment(
    name="barron-estimation",
    paper="barron1993",
    title="Barron 1994: risk of the complexity-penalised estimator against N; chosen n",
    claim=("The minimum-complexity network estimator has risk at most "
           "O(C_f ((d/N) log N)^(1/2)), balanced at a size of order C_f (N / (d log N))^(1/2)."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    schema=2,
    setup=setup,
    full_time=("about 9 min of CPU, 3-4x that in wall time on a loaded CPU (per point x 128 "
               "points; docs/benchmarks.md)"),
)
