"""The effective initialisation of SGD against the stochastic-gradient-flow prediction (Pesme,
Pillaud-Vivien & Flammarion 2021: "the convergence speed of the training loss controls the
magnitude of the biasing effect: the slower the convergence, the better the bias").

Derived here (the paper's theorem could not be read beyond its abstract): with batch size 1
drawn with replacement, the MSE L = (1/N) sum_n r_n^2 and step gamma, each step multiplies
alpha_inf,i by |1 - x_i^2|^(1/2) with x = 2 gamma g, g = 2 x_j r_j for a uniform j, so to first
order in gamma, E log(alpha / alpha_inf,i) = 2 gamma^2 sum_k E g_i^2 = 8 gamma^2 sum_k
(1/N) sum_j x_ji^2 r_j^2, and with (1/N) sum_j x_ji^2 r_j^2 ~ c_i L (c_i = mean_j x_ji^2,
decoupling the feature from the residual),

    log(alpha / alpha_inf,i) ~ 8 gamma c_i int_0^inf L dt   (t = gamma k),

the SGF's alpha_inf = alpha exp(-const gamma int L). We measure both sides on SGD runs: the
left from the run's alpha_+- (`effective_initialisation`'s bookkeeping), the right from its
loss integral sum_k gamma L(w_k); their ratio (averaged over coordinates) should tend to 1 as
gamma -> 0, and it is only asymptotic: the table gives the gap per step.
"""

from __future__ import annotations

import numpy as np

from ...datasets import sparse_regression
from ...diagonal import flow_limit, sgd_sweep
from ...experiments import Experiment, Param

KEY = "pesme2021"
STOP = 1e-20
SIZES = {True: {"d": 50, "N": 20, "r": 3, "alpha": 0.1, "data_seed": 1,
                "fractions": [0.04, 0.08, 0.16], "seeds": 4, "iterations": 40_000},
         False: {"d": 100, "N": 40, "r": 5, "alpha": 0.1, "data_seed": 1,
                 "fractions": [0.005, 0.01, 0.02, 0.04, 0.08, 0.16], "seeds": 20,
                 "iterations": 1_000_000}}


def points(quick: bool) -> list[dict]:
    return [dict(SIZES[quick])]


def compute(config: dict) -> dict:
    c = config
    X, y, beta_star = sparse_regression(c["d"], c["N"], c["r"], 0.0, c["data_seed"])
    limit = flow_limit(X, y, c["alpha"])
    w = np.sqrt(limit**2 + 4 * c["alpha"] ** 4)
    gamma0 = 2 / (8 / c["N"] * np.linalg.eigvalsh((X * w) @ X.T).max())
    steps = gamma0 * np.asarray(c["fractions"])
    run = sgd_sweep(X, y, c["alpha"], steps=steps, batch_sizes=[1], seeds=list(range(c["seeds"])),
                    iterations=c["iterations"], loss="mean", replace=True, stop_loss=STOP)
    measured = np.log(c["alpha"]) - 0.5 * (run.log_alpha_plus + run.log_alpha_minus)
    predicted = 8 * steps[:, None, None, None] * np.mean(X**2, axis=0) * run.loss_integral[
        ..., None]
    ratio = measured.mean(-1) / predicted.mean(-1)
    ratio[~run.converged] = np.nan
    test = np.sum((run.beta - beta_star) ** 2, axis=-1)
    test[~run.converged] = np.nan
    return {"gamma0": float(gamma0), "ratio": ratio[:, 0].tolist(),
            "gain": measured.mean(-1)[:, 0].tolist(),
            "loss_integral": run.loss_integral[:, 0].tolist(), "test_error": test[:, 0].tolist(),
            "converged": run.converged[:, 0].tolist(), "steps_run": run.steps_run[:, 0].tolist(),
            "flow_test_error": float(np.sum((limit - beta_star) ** 2))}


def summary(row: dict) -> list[dict]:
    out = []
    for i, f in enumerate(row["fractions"]):
        r = np.asarray(row["ratio"][i], float)
        ok = np.isfinite(r)
        out.append({"step / gamma_0": f, "converged": int(ok.sum()), "of seeds": len(r),
                    "measured / SGF (mean)": float(np.mean(r[ok])) if ok.any() else np.nan,
                    "SE": float(np.std(r[ok], ddof=1) / np.sqrt(ok.sum())) if ok.sum() > 1
                    else np.nan,
                    "log(alpha / alpha_inf) (mean)": float(np.nanmean(row["gain"][i])),
                    "test error (mean)": float(np.nanmean(row["test_error"][i]))})
    return out


def tables(table, quick: bool):
    rows = summary(table.rows[0])
    gaps = [abs(r["measured / SGF (mean)"] - 1) for r in rows]
    title = ("SGD (b = 1, with replacement): measured log(alpha / alpha_inf) against the SGF "
             f"prediction 8 gamma c_i int L; gap |ratio - 1| from {gaps[0]:.3f} at the smallest "
             f"step to {gaps[-1]:.3f} at the largest")
    return [(title, [{k: (float(f"{v:.4g}") if isinstance(v, float) else v)
                      for k, v in r.items()} for r in rows])]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import COLUMN_WIDTH, paper_style, save_figure

    row = table.rows[0]
    rows = summary(row)
    with paper_style():
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
        for i, f in enumerate(row["fractions"]):
            ax.scatter(row["loss_integral"][i], row["gain"][i], s=8,
                       label=rf"$\gamma$ = {f:g} $\gamma_0$")
        ax.set(xscale="log", yscale="log", xlabel=r"$\int L\,dt = \sum_k \gamma L(w_k)$",
               ylabel=r"$\log(\alpha/\alpha_\infty)$ (mean over i)")
        ax.legend(fontsize=6)
    caption = (
        f"SGD with batch size 1 (with replacement) on the MSE of a D = 2 diagonal network from "
        f"alpha = {row['alpha']:g}, noiseless sparse regression d = {row['d']}, N = {row['N']}, "
        f"r* = {row['r']}, {row['seeds']} seeds per step, steps in units of gamma_0 = "
        f"{row['gamma0']:.3g}: the shrinking of the effective initialisation against the loss "
        f"integral (the slower the convergence, the larger). Ratio of the measured "
        f"log(alpha/alpha_inf) to the SGF prediction 8 gamma c_i int L (derived here): "
        + "; ".join(f"{r['step / gamma_0']:g} gamma_0: {r['measured / SGF (mean)']:.3f} +- "
                    f"{r['SE']:.2g}" for r in rows)
        + f". Flow limit's test error {row['flow_test_error']:.3g}; SGD's: "
        + ", ".join(f"{r['test error (mean)']:.3g}" for r in rows)
        + f". Mode: {'quick' if quick else 'full'}.")
    return [save_figure(fig, out_dir, "pesme2021_sgf", caption)]


def setup(quick: bool) -> list[Param]:
    s, full = SIZES[quick], SIZES[False]
    scaled = f" (quick mode: scaled down from full mode's {full})" if quick else ""
    return [
        Param.paper("dynamics", "SGD with batch size 1", "abstract: SGD over diagonal linear "
                    "networks, through its continuous version, stochastic gradient flow"),
        Param.choice("sampling", "with replacement (i.i.d. samples)", "the SGF's noise model"),
        Param.uncertain("SGF constant", "8 gamma c_i int L (MSE, our parametrisation)",
                        "derived here; the paper's theorem could not be read"),
        Param.uncertain("data", "x_n ~ N(0, I_d), y = X beta*, noiseless, beta* r*-sparse",
                        "the paper's setup could not be read"),
        Param.choice("sizes", {k: s[k] for k in ("d", "N", "r", "alpha", "seeds")},
                     "a small overparametrised instance" + scaled),
        Param.choice("steps / gamma_0", s["fractions"], "small steps, where the first-order "
                     "relation should hold"),
        Param.choice("stopping", f"MSE < {STOP:g} or {s['iterations']} steps",
                     "converged runs only in the table"),
    ]


EXPERIMENT = Experiment(
    name="pesme2021-sgf", paper=KEY,
    title="SGD: the effective initialisation against the loss integral",
    claim=("SGD's limit is the flow limit of an effective initialisation that shrinks with the "
           "step times the integral of the training loss: the slower the convergence, the "
           "better the bias."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="not measured",
)
