"""Barron 1993, Theorem 1 made measurable: error against n for n sigmoidal units, built by the
greedy algorithm, against the bound (2C)^2 / n with C = C_{f,B}; least-squares training and
the first n + 1 tensor Legendre polynomials on the same measure, across dimensions.
"""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ...barron import (
    barron_constant,
    barron_constant_ball,
    fixed_basis_approximation,
    greedy_approximation,
    train_network,
    uniform_ball,
)
from ...experiments import Experiment, Figure, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, paper_style, save_figure
from ._common import TARGETS, make_target, mode, search_note

_FULL_LS = [1, 4, 16, 64]


def points(quick: bool) -> list[dict]:
    if quick:
        sizes = dict(N=1024, n_max=16, restarts=16, steps=100, ls_n=[1, 4, 16], ls_iter=200,
                     ls_restarts=1)
        dims = [1, 5, 20]
    else:
        sizes = dict(N=10000, n_max=64, restarts=32, steps=200, ls_n=_FULL_LS, ls_iter=500,
                     ls_restarts=1)
        dims = [1, 2, 5, 10, 20]
    return [{**c, **sizes, "quick": quick} for c in grid(d=dims, target=list(TARGETS), seed=[0])]


def compute(config: dict) -> dict:
    """Greedy (line search) and relaxed greedy (alpha_k = 2 / (k + 1)) paths, least-squares
    networks and Legendre projections, all in L2(mu) for mu uniform on the unit ball."""
    d, n_max = config["d"], config["n_max"]
    f = make_target(config["target"], d)
    X = uniform_ball(config["N"], d, seed=config["seed"])
    search = dict(restarts=config["restarts"], steps=config["steps"], seed=config["seed"])
    t0 = time.perf_counter()
    greedy = greedy_approximation(f, X, n_max, radius=1.0, **search)
    t1 = time.perf_counter()
    relaxed = greedy_approximation(f, X, n_max, radius=1.0, schedule="2/(k+1)", **search)
    t2 = time.perf_counter()
    ls = [train_network(f, X, k, restarts=config["ls_restarts"], max_iter=config["ls_iter"],
                        seed=config["seed"]) for k in config["ls_n"]]
    t3 = time.perf_counter()
    basis = fixed_basis_approximation(f, X, np.arange(1, n_max + 1), radius=1.0)
    return {
        "c_f": barron_constant(f), "c_f_exact": bool(f.exact),
        "C": barron_constant_ball(f, 1.0), "initial_error": greedy.initial_error,
        "greedy_errors": greedy.errors.tolist(), "greedy_step_bounds": greedy.step_bounds.tolist(),
        "greedy_coef_l1": greedy.coef_l1.tolist(), "greedy_gap": float(greedy.search_gap().max()),
        "relaxed_errors": relaxed.errors.tolist(), "relaxed_coef_l1": relaxed.coef_l1.tolist(),
        "ls_errors": [r.error for r in ls], "ls_coef_l1": [r.coef_l1 for r in ls],
        "basis_errors": basis.errors.tolist(), "basis_degree": basis.max_degree.tolist(),
        "time_greedy_s": t1 - t0, "time_relaxed_s": t2 - t1, "time_ls_s": t3 - t2,
    }


def _caption_sizes(row: dict, quick: bool) -> str:
    return (f"mu = {row['N']} points uniform on the unit ball (seed {row['seed']}); "
            f"{search_note(row)}; least squares: L-BFGS on all parameters, "
            f"{row['ls_restarts']} random start(s), at most {row['ls_iter']} iterations; "
            f"{mode(quick)}")


def plot_error(table: Table, out_dir: Path, quick: bool) -> Figure:
    dims = table.unique("d")
    with paper_style():
        fig, axes = plt.subplots(1, len(dims), figsize=(PAGE_WIDTH, 2.4), sharey=True)
    for ax, d in zip(np.atleast_1d(axes), dims, strict=True):
        for color, name in zip(COLORS, TARGETS, strict=False):
            row = table.where(d=d, target=name).rows[0]
            n = np.arange(1, row["n_max"] + 1)
            ax.plot(n, row["greedy_errors"], color=color, label=f"{name}: greedy")
            ax.plot(n, row["relaxed_errors"], color=color, linestyle=":",
                    label=f"{name}: relaxed 2/(k+1)")
            ax.plot(row["ls_n"], np.maximum(row["ls_errors"], 1e-12), "o", color=color,
                    markersize=3, label=f"{name}: least squares")
            ax.plot(n, (2 * row["C"]) ** 2 / n, "--", color=color, linewidth=0.8,
                    label=f"{name}: " + r"$(2C)^2/n$")
        ax.set(xscale="log", yscale="log", xlabel="n", title=f"d = {d}")
    np.atleast_1d(axes)[0].set_ylabel(r"$\|f - f_n\|^2_{L_2(\mu)}$")
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=6,
               bbox_to_anchor=(0.5, -0.25))
    row = table.rows[0]
    caption = (
        "Error against the number n of sigmoidal units (Barron 1993, Theorem 1), log-log, for "
        "the targets 'gaussian' (exp(-2|x|^2)) and 'ridges' (three ridge functions); solid: "
        "greedy with alpha_k and the unit optimised jointly, dotted: relaxed greedy "
        "alpha_k = 2/(k+1), dots: least-squares networks, dashed: the bound (2C)^2/n with "
        f"C = C_(f,B) = C_f (ball radius 1). {_caption_sizes(row, quick)}.")
    return save_figure(fig, out_dir, "barron_error_vs_n", caption)


def plot_bases(table: Table, out_dir: Path, quick: bool) -> Figure:
    with paper_style():
        fig, axes = plt.subplots(1, len(TARGETS), figsize=(PAGE_WIDTH * 0.75, 2.2),
                                 sharey=True)
    row = table.rows[0]
    n = row["ls_n"][-1]
    for ax, name in zip(axes, TARGETS, strict=True):
        sub = table.where(target=name)
        dims = sub.column("d")
        ax.plot(dims, [r["greedy_errors"][n - 1] for r in sub], "o-", color=COLORS[0],
                label="greedy sigmoidal")
        ax.plot(dims, [r["ls_errors"][-1] for r in sub], "s-", color=COLORS[2],
                label="least-squares sigmoidal")
        ax.plot(dims, [max(r["basis_errors"][n - 1], 1e-16) for r in sub], "^-", color=COLORS[1],
                label="Legendre (fixed basis)")
        ax.set(xscale="log", yscale="log", xlabel="d", title=name)
    axes[0].set_ylabel(f"error at n = {n}")
    axes[-1].legend(fontsize=6)
    caption = (
        f"Sigmoidal networks against a fixed basis at equal size n = {n} (n units + c_0 against "
        "the first n + 1 tensor Legendre polynomials in graded order, least-squares projection "
        "in L2(mu); drawn at 1e-16 when below), across the dimension d (Barron 1993, §X: fixed "
        f"bases suffer from dimension). {_caption_sizes(row, quick)}.")
    return save_figure(fig, out_dir, "barron_bases", caption)


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    return [plot_error(table, out_dir, quick), plot_bases(table, out_dir, quick)]


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = []
    for r in table:
        n = np.arange(1, r["n_max"] + 1)
        bound = (2 * r["C"]) ** 2 / n
        rows.append({
            "d": r["d"], "target": r["target"], "C_f": r["c_f"],
            "C_f exact": r["c_f_exact"], "e_0": r["initial_error"],
            "e_1": r["greedy_errors"][0], "e_n": r["greedy_errors"][-1], "n": r["n_max"],
            "max_k e_k / bound_k": float(np.max(np.array(r["greedy_errors"]) / bound)),
            "sum|c| / 2C": r["greedy_coef_l1"][-1] / (2 * r["C"]),
            "search gap >=": r["greedy_gap"], "Legendre e_n": r["basis_errors"][-1],
            "greedy time (s)": r["time_greedy_s"]})
    return [("Theorem 1 says e_n <= (2C)^2 / n with sum |c_k| <= 2C. We measure:", rows)]


EXPERIMENT = Experiment(
    name="barron-approximation",
    paper="barron1993",
    title="Theorem 1: error vs n against (2C)^2/n; sigmoidal vs fixed basis across d",
    claim=("n sigmoidal units approximate f with C_(f,B) <= C to squared error (2C)^2/n in "
           "L2(mu) for every probability measure mu on the ball and every d, and a greedy "
           "algorithm constructs them; fixed n-term bases cannot avoid the dimension."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
)
