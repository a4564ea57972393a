"""Test error and effective initialisation of (S)GD against the step and the batch size (Even,
Pesme, Gunasekar & Flammarion 2023: "large stepsizes consistently benefit SGD for sparse
regression problems, while they can hinder the recovery of sparse solutions for GD").

One point is one data instance; its steps x batch sizes x seeds runs are one `sgd_sweep`
(one compiled, vmapped program). For every converged run: the test error of its limit, its
effective initialisation alpha_inf (`effective_initialisation`), the distance of the predicted
limit to the run's, and the distance of the run to `flow_limit(X, y, alpha)` (the prediction
that ignores the step).
"""

from __future__ import annotations

import numpy as np

from ...experiments import Experiment, Param
from . import _setup


def points(quick: bool) -> list[dict]:
    s = _setup.SIZES[quick]
    return [{k: s[k] for k in ("d", "N", "r", "alpha", "data_seed", "fractions", "batch_sizes",
                               "seeds", "iterations")}]


def compute(config: dict) -> dict:
    c = config
    X, y, beta_star = _setup.instance(c["d"], c["N"], c["r"], c["data_seed"])
    result, gamma0 = _setup.sweep(c["d"], c["N"], c["r"], c["data_seed"], c["alpha"],
                                  tuple(c["fractions"]), tuple(c["batch_sizes"]),
                                  tuple(c["seeds"]), c["iterations"])
    _, limit = _setup.edge(X, y, c["alpha"])
    summary = _setup.summarise(result, X, y, beta_star, limit)
    return {"gamma0": gamma0, "flow_test_error": float(np.sum((limit - beta_star) ** 2)),
            "converged": result.converged.tolist(), "diverged": result.diverged.tolist(),
            "steps_run": result.steps_run.tolist(),
            "loss_increases": result.loss_increases.tolist(),
            "max_sharpness": result.sharpness.tolist(),
            **{k: v.tolist() for k, v in summary.items()}}


def _mean(values) -> tuple[float, float, int]:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    se = float(np.std(v, ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
    return float(v.mean()), se, int(v.size)


def summary(row: dict) -> list[dict]:
    """One row per (step, batch size): means over the converged seeds."""
    out = []
    for i, f in enumerate(row["fractions"]):
        for j, b in enumerate(row["batch_sizes"]):
            test, se, n = _mean(row["test_error"][i][j])
            out.append({"step / gamma_0": f, "batch size": b, "converged": n,
                        "of seeds": len(row["seeds"]), "test error": test, "SE": se,
                        "alpha_inf / alpha": _mean(row["alpha_eff"][i][j])[0],
                        "on support": _mean(row["alpha_eff_support"][i][j])[0],
                        "off support": _mean(row["alpha_eff_off"][i][j])[0],
                        "prediction error (max)": float(np.nanmax(
                            np.asarray(row["prediction_error"][i][j], float), initial=np.nan))
                        if n else float("nan"),
                        "to flow limit": _mean(row["to_flow"][i][j])[0]})
    return out


def headline(row: dict) -> dict:
    """The numbers the caption and the check state."""
    rows = [r for r in summary(row) if r["converged"]]
    best = min(rows, key=lambda r: r["test error"])
    N = row["N"]
    gd = [r for r in rows if r["batch size"] == N]
    sgd = [r for r in rows if r["batch size"] == min(row["batch_sizes"])]
    errs = np.asarray(row["prediction_error"], float)
    return {"best": best, "gd_largest": max(gd, key=lambda r: r["step / gamma_0"]),
            "sgd_largest": max(sgd, key=lambda r: r["step / gamma_0"]) if sgd else None,
            "prediction_max": float(np.nanmax(errs)), "converged": int(np.isfinite(errs).sum()),
            "runs": errs.size}


def tables(table, quick: bool):
    row = table.rows[0]
    rows = [{k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in r.items()}
            for r in summary(row)]
    h = headline(row)
    title = (f"(S)GD on the MSE from alpha = {row['alpha']:g}: test error of the limit, effective "
             f"initialisation and the prediction's error, per step and batch size (flow limit's "
             f"test error {row['flow_test_error']:.4g}; the prediction matched all "
             f"{h['converged']} converged runs of {h['runs']} within {h['prediction_max']:.1e})")
    return [(title, rows)]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import PAGE_WIDTH, paper_style, save_figure

    row = table.rows[0]
    rows = summary(row)
    with paper_style():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.36 * PAGE_WIDTH))
        for b in row["batch_sizes"]:
            sub = [r for r in rows if r["batch size"] == b and r["converged"]]
            label = "GD" if b == row["N"] else f"SGD, b = {b}"
            x = [r["step / gamma_0"] for r in sub]
            ax.errorbar(x, [r["test error"] for r in sub],
                        yerr=[0 if not np.isfinite(r["SE"]) else 2 * r["SE"] for r in sub],
                        marker="o", ms=3, label=label)
            bx.plot(x, [r["alpha_inf / alpha"] for r in sub], marker="o", ms=3, label=label)
        ax.axhline(row["flow_test_error"], color="k", lw=0.8, ls="--", label="flow limit")
        ax.set(xscale="log", xlabel=r"step / $\gamma_0$",
               ylabel=r"test error $\|\beta-\beta^*\|^2$")
        bx.set(xscale="log", yscale="log", xlabel=r"step / $\gamma_0$",
               ylabel=r"$\alpha_\infty / \alpha$ (geometric mean)")
        ax.legend(fontsize=6)
        fig.subplots_adjust(wspace=0.3)
    h = headline(row)
    best, gd = h["best"], h["gd_largest"]
    sgd = h["sgd_largest"]
    caption = (
        f"(S)GD on the mean squared error of a diagonal network (D = 2) from alpha = "
        f"{row['alpha']:g}, noiseless sparse regression d = {row['d']}, N = {row['N']}, r* = "
        f"{row['r']}; steps in units of gamma_0 = 2 / (sharpness at the flow's limit) = "
        f"{row['gamma0']:.3g}; {len(row['seeds'])} seeds per (step, batch size), runs stopped at "
        f"MSE < {_setup.STOP:g} (shown only if they did: {h['converged']} of {h['runs']}). Left: "
        f"test error of the limit (mean +- 2 SE); dashed: the gradient-flow limit "
        f"({row['flow_test_error']:.3g}). Right: the effective initialisation alpha_inf / alpha. "
        f"Lowest mean test error {best['test error']:.3g} at b = {best['batch size']}, step "
        f"{best['step / gamma_0']:g} gamma_0; GD at its largest converging step "
        f"({gd['step / gamma_0']:g} gamma_0): {gd['test error']:.3g}"
        + (f"; SGD with b = {sgd['batch size']} at its largest ({sgd['step / gamma_0']:g} "
           f"gamma_0): {sgd['test error']:.3g}" if sgd else "")
        + f". The effective-initialisation prediction matched every converged run's limit "
        f"within {h['prediction_max']:.1e} (relative, max norm). Mode: "
        f"{'quick' if quick else 'full'}.")
    return [save_figure(fig, out_dir, "even2023_steps", caption)]


def setup(quick: bool) -> list[Param]:
    s, full = _setup.SIZES[quick], _setup.SIZES[False]

    def scaled(key, value=None):
        value = full[key] if value is None else value
        return f" (quick mode: scaled down from full mode's {value})" if quick else ""

    return [
        Param.paper("model", "beta = w_+^2 - w_-^2 (= u * v), w_+(0) = w_-(0) = alpha",
                    "abstract: (S)GD over diagonal linear networks"),
        Param.choice("loss", "mean squared error (1/N) sum_n r_n^2, minibatch (1/b) sum_B",
                     "SGD on the MSE; the paper's 1/(2n) halves the step"),
        Param.uncertain("data", "x_n ~ N(0, I_d), y = X beta*, noiseless, beta* r*-sparse with "
                        "entries 1/sqrt(r*)", "the paper's setup could not be read; Woodworth "
                        "et al.'s sparse regression"),
        Param.choice("d", s["d"], "the issue's sweep size in full mode" + scaled("d")),
        Param.choice("N", s["N"], "N << d (overparametrised)" + scaled("N")),
        Param.choice("r*", s["r"], "sparse teacher"),
        Param.choice("alpha", s["alpha"], "between the kernel and rich regimes"),
        Param.choice("steps", f"{len(s['fractions'])} fractions of gamma_0 from "
                     f"{min(s['fractions']):g} to {max(s['fractions']):g}",
                     "through the edge-of-stability window gamma > gamma_0"
                     + scaled("fractions", len(full["fractions"]))),
        Param.choice("batch sizes", s["batch_sizes"], "from 1 to N (GD)" + scaled("batch_sizes")),
        Param.choice("seeds (batch draws)", len(s["seeds"]), "independent SGD runs on one "
                     "instance" + scaled("seeds", len(full["seeds"]))),
        Param.choice("batches", "b distinct samples, a fresh uniform draw each step",
                     "without replacement within a step"),
        Param.choice("stopping", f"MSE < {_setup.STOP:g} or {s['iterations']} steps",
                     "converged to an interpolator to float64 accuracy"),
    ]


EXPERIMENT = Experiment(
    name="even2023-steps",
    paper=_setup.KEY,
    title="(S)GD: test error and effective initialisation against step and batch size",
    claim=("The limit of (S)GD is the gradient-flow limit of an effective initialisation "
           "alpha_inf (and a small shift), both accumulated along the run; larger steps shrink "
           "alpha_inf, which helps SGD recover a sparse teacher and can hurt GD."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="not measured",
)
