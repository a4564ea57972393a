"""Barron 1994, §2-3: the complexity-penalised network estimator, its risk against N and its
chosen size n_hat against the balancing size C_f (N / (d log N))^(1/2).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from ...barron import (
    barron_constant,
    fit_rate,
    penalized_estimator,
    predicted_rate,
    predicted_size,
    uniform_ball,
)
from ...experiments import Experiment, Figure, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, paper_style, save_figure
from ._common import make_target, mode, padded_sample, search_note

NOISE_STD = 0.2
"""Observation noise y = f(x) + 0.2 eps (our choice; the papers fix none)."""

PENALTY = NOISE_STD**2
"""lambda in lambda n d log N / N (uncertain: Barron's lambda > 5 b^2 / 3 is a sufficient
condition for his bound; we use the noise variance, a Mallows-Cp-like choice)."""


def points(quick: bool) -> list[dict]:
    if quick:
        axes = dict(d=[1, 5], N=[128, 256, 512, 1024], seed=[0, 1])
        sizes = dict(n_max=20, restarts=16, steps=100, pad_to=1024, test=4096)
    else:
        axes = dict(d=[1, 2, 5, 10], N=[256, 512, 1024, 2048, 4096, 8192], seed=[0, 1, 2, 3])
        sizes = dict(n_max=64, restarts=16, steps=100, pad_to=8192, test=20000)
    return [{**c, **sizes, "target": "ridges", "quick": quick} for c in grid(**axes)]


def compute(config: dict) -> dict:
    """n_hat and the risk ||f - f_hat||^2 (on a fresh test sample) of the penalised estimator."""
    d, N, seed = config["d"], config["N"], config["seed"]
    f = make_target(config["target"], d)
    X, w = padded_sample(N, d, config["pad_to"], seed)
    noise = np.random.default_rng([seed, 1]).standard_normal(X.shape[0])
    y = np.where(w > 0, np.asarray(f(X)) + NOISE_STD * noise, 0.0)
    est = penalized_estimator(X, y, config["n_max"], barron_constant(f), penalty=PENALTY,
                              weights=w, restarts=config["restarts"], steps=config["steps"],
                              seed=seed)
    X_test = uniform_ball(config["test"], d, seed=10**6 + seed)
    f_test = np.asarray(f(X_test))
    risk = [float(np.mean((np.asarray(est.path.network(k)(X_test)) - f_test) ** 2))
            for k in range(1, config["n_max"] + 1)]
    return {"n_hat": est.n_hat, "risk": risk[est.n_hat - 1], "risk_path": risk,
            "train_errors": est.train_errors.tolist(), "c_f": barron_constant(f),
            "n_predicted": predicted_size(barron_constant(f), N, d)}


def rate_rows(table: Table) -> list[dict]:
    """Per d: the exponent of risk against (d / N) log N (1/2 predicted), with its 95% CI."""
    rows = []
    for d in table.unique("d"):
        sub = table.where(d=d)
        N = np.array(sub.column("N"), dtype=float)
        fit = fit_rate(predicted_rate(N, d), np.array(sub.column("risk")))
        rows.append({"d": d, "exponent": fit.slope, "95% CI low": fit.low,
                     "95% CI high": fit.high, "predicted": 0.5, "runs": len(sub)})
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
        ref = mean[0] * predicted_rate(Ns, d) / predicted_rate(Ns[:1], d)
        ax.plot(Ns, ref, "--", color=color, linewidth=0.8)
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
    what = (f"Complexity-penalised estimator (Barron 1994): for n = 1..{row['n_max']} the greedy "
            f"path on N noisy samples y = f(x) + {NOISE_STD} eps of the 'ridges' target, x uniform "
            f"on the unit ball; n_hat minimises training error + {PENALTY:g} n d log N / N; "
            f"{search_note(row)}, sum|c_k| <= 2 C_f; {len(table.unique('seed'))} seeds per "
            f"(d, N); risk on {row['test']} fresh points; {mode(quick)}.")
    return [
        save_figure(fig, out_dir, "barron_risk_vs_N",
                    "Risk against N (dots: runs, line: mean), with the exponent of risk against "
                    "(d/N) log N fitted by least squares in logs (95% t-interval; Barron 1994 "
                    "predicts 1/2 as an upper-bound rate); dashed: the predicted rate "
                    "((d/N) log N)^(1/2) through the first mean. " + what),
        save_figure(fig2, out_dir, "barron_chosen_n",
                    "Chosen size n_hat against the balancing size n* = C_f (N/(d log N))^(1/2) "
                    "(dotted: equality; the theory fixes n* only up to a constant). " + what),
    ]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    return [("Barron 1994 predicts risk O(C_f ((d/N) log N)^(1/2)). Fitted exponent of the "
             "risk against (d/N) log N:", rate_rows(table))]


EXPERIMENT = Experiment(
    name="barron-estimation",
    paper="barron1993",
    title="Barron 1994: risk of the complexity-penalised estimator against N; chosen n",
    claim=("The minimum-complexity network estimator has risk O(C_f ((d/N) log N)^(1/2)), "
           "with a chosen size of order C_f (N / (d log N))^(1/2)."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
)
