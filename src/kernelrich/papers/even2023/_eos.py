"""Gradient descent at the edge of stability (Even, Pesme, Gunasekar & Flammarion 2023: "these
effects are magnified for stepsizes in a tight window just below the divergence threshold, in
the 'edge of stability' regime").

Full-batch GD on the MSE at steps gamma = f gamma_0 around gamma_0 = 2 / (sharpness at the
flow's limit): a GD run that converges at gamma > gamma_0 cannot end at the flow's limit (it
is unstable there for that step) and must oscillate its way to a flatter interpolator. For
each step: whether GD converged or diverged, how many steps raised the loss, the largest
sharpness met and the final one (in units of 2 / gamma), the effective-initialisation
prediction's error against the limit, and the distance to the flow limit.
"""

from __future__ import annotations

import numpy as np

from ...diagonal import effective_initialisation, gradient_descent
from ...experiments import Experiment, Param
from . import _setup

FRACTIONS = {True: [0.5, 0.9, 1.1, 1.3, 1.5, 1.7, 2.0, 2.5],
             False: np.round(np.linspace(0.5, 2.5, 21), 3).tolist()}
MAX_STEPS = 50_000
DRAWN = 200


def points(quick: bool) -> list[dict]:
    s = _setup.SIZES[quick]
    return [{"d": s["d"], "N": s["N"], "r": s["r"], "alpha": s["alpha"],
             "data_seed": s["data_seed"], "fraction": f} for f in FRACTIONS[quick]]


def compute(config: dict) -> dict:
    c = config
    X, y, beta_star = _setup.instance(c["d"], c["N"], c["r"], c["data_seed"])
    gamma0, limit = _setup.edge(X, y, c["alpha"])
    step = c["fraction"] * gamma0
    try:
        run = gradient_descent(X, y, c["alpha"], step=step, steps=MAX_STEPS, loss="mean",
                               stop_loss=_setup.STOP, sharpness=True)
    except FloatingPointError as err:
        return {"gamma0": gamma0, "status": "diverged", "why": str(err)}
    keep = np.unique(np.geomspace(1, run.steps_run, DRAWN).round().astype(int)) - 1
    out = {"gamma0": gamma0, "status": "converged" if run.converged else "not converged",
           "steps_run": run.steps_run, "loss_increases": run.loss_increases,
           "max_sharpness": run.sharpness * step / 2,
           "final_sharpness": _setup.sharpness(X, run.w_plus, run.w_minus) * step / 2,
           "iteration": (keep + 1).tolist(), "loss": run.losses[keep].tolist(),
           "to_flow": _setup.relative(limit, run.beta),
           "test_error": float(np.sum((run.beta - beta_star) ** 2)),
           "flow_test_error": float(np.sum((limit - beta_star) ** 2))}
    if run.converged:
        eff = effective_initialisation(run, X, y)
        out["prediction_error"] = _setup.relative(eff.predicted, run.beta)
        out["alpha_eff"] = float(np.exp(np.mean(np.log(eff.alpha_eff / eff.alpha))))
    return out


def verdict(rows: list[dict]) -> dict:
    """What happened beyond gamma_0, from the rows."""
    beyond = [r for r in rows if r["fraction"] > 1]
    ok = [r for r in beyond if r["status"] == "converged"]
    diverged = [r["fraction"] for r in rows if r["status"] == "diverged"]
    errs = [r["prediction_error"] for r in rows if "prediction_error" in r]
    return {"beyond": len(beyond), "converged": len(ok),
            "oscillating": [r["fraction"] for r in beyond if r["status"] == "not converged"],
            "increases": [r["loss_increases"] for r in ok],
            "max_sharpness": [r["max_sharpness"] for r in ok],
            "final_sharpness": [r["final_sharpness"] for r in ok],
            "first_divergent": min(diverged) if diverged else None,
            "prediction_max": max(errs) if errs else float("nan"),
            "predictions": len(errs)}


def _range(values, fmt=".3g") -> str:
    return "-" if not values else (f"{min(values):{fmt}}" if min(values) == max(values)
                                   else f"{min(values):{fmt}} to {max(values):{fmt}}")


def sentence(v: dict) -> str:
    """The caption's statement of which happens, formatted from `verdict`."""
    parts = [f"Of the {v['beyond']} steps beyond gamma_0, {v['converged']} converged"]
    if v["converged"]:
        settled = max(v["final_sharpness"]) < 1
        parts.append(f"; their loss rose on {_range(v['increases'], 'd')} steps (it "
                     f"oscillates), the largest sharpness met was {_range(v['max_sharpness'])} "
                     f"x 2/gamma and the final one {_range(v['final_sharpness'])} x 2/gamma ("
                     + ("below 1: GD settled at a flatter interpolator than the flow's"
                        if settled else "not all below 1") + ")")
    if v["oscillating"]:
        parts.append(f"; at {', '.join(f'{f:g}' for f in v['oscillating'])} gamma_0 GD neither "
                     f"converged nor diverged in {MAX_STEPS} steps")
    parts.append("; the first diverging step was "
                 + (f"{v['first_divergent']:g} gamma_0" if v["first_divergent"] else "not reached"))
    parts.append(f". The effective-initialisation prediction held on all {v['predictions']} "
                 f"converged runs within {v['prediction_max']:.1e} (relative)"
                 if v["predictions"] else ". No run converged")
    return "".join(parts) + "."


def tables(table, quick: bool):
    keys = ["fraction", "status", "steps_run", "loss_increases", "max_sharpness",
            "final_sharpness", "prediction_error", "to_flow", "test_error", "alpha_eff"]
    rows = [{("step / gamma_0" if k == "fraction" else k):
             (float(f"{r[k]:.4g}") if isinstance(r.get(k), float) else r.get(k, "-"))
             for k in keys} for r in sorted(table.rows, key=lambda r: r["fraction"])]
    return [("Gradient descent around the edge of stability: " + sentence(verdict(table.rows)),
             rows)]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import PAGE_WIDTH, paper_style, save_figure

    rows = sorted(table.rows, key=lambda r: r["fraction"])
    ok = [r for r in rows if r["status"] != "diverged"]
    with paper_style():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.36 * PAGE_WIDTH))
        for r in ok:
            ax.loglog(r["iteration"], r["loss"], lw=0.9, label=f"{r['fraction']:g}")
        ax.set(xlabel="GD step k", ylabel="training MSE")
        ax.legend(fontsize=6, title=r"$\gamma/\gamma_0$", title_fontsize=6, ncol=2)
        x = [r["fraction"] for r in ok]
        bx.plot(x, [r["max_sharpness"] for r in ok], "o-", ms=3, label="largest met")
        bx.plot(x, [r["final_sharpness"] for r in ok], "s-", ms=3, label="final")
        bx.axhline(1.0, color="k", lw=0.8, ls="--")
        bx.set(xlabel=r"$\gamma / \gamma_0$", ylabel=r"sharpness $\times\ \gamma / 2$")
        bx.legend(fontsize=7)
        fig.subplots_adjust(wspace=0.3)
    r0 = rows[0]
    caption = (
        f"Full-batch GD on the MSE (D = 2, alpha = {table.rows[0]['alpha']:g}, d = {r0['d']}, "
        f"N = {r0['N']}) at steps gamma around gamma_0 = 2 / (sharpness at the flow's limit) = "
        f"{r0['gamma0']:.3g}, stopped at MSE < {_setup.STOP:g} or {MAX_STEPS} steps. Left: the "
        f"loss of the runs that did not diverge; right: the Gauss-Newton sharpness x gamma/2 "
        f"(1: GD's stability limit). " + sentence(verdict(rows))
        + f" Mode: {'quick' if quick else 'full'}.")
    return [save_figure(fig, out_dir, "even2023_eos", caption)]


def setup(quick: bool) -> list[Param]:
    s = _setup.SIZES[quick]
    return [
        Param.paper("dynamics", "full-batch GD, constant step", "abstract: GD with macroscopic "
                    "stepsizes, the edge-of-stability window below the divergence threshold"),
        Param.choice("instance", f"as even2023-steps: d = {s['d']}, N = {s['N']}, r* = "
                     f"{s['r']}, alpha = {s['alpha']:g}", "the sweep's instance"),
        Param.choice("steps", f"{len(FRACTIONS[quick])} multiples of gamma_0 from "
                     f"{min(FRACTIONS[quick]):g} to {max(FRACTIONS[quick]):g}",
                     "around the flow limit's stability threshold"),
        Param.choice("stopping", f"MSE < {_setup.STOP:g} or {MAX_STEPS} steps",
                     "converged to float64 accuracy"),
        Param.choice("sharpness", "Gauss-Newton lambda_max (8/N) X diag(w_+^2 + w_-^2) X^T, power "
                     "iteration along the run, eigvalsh at the end", "the loss Hessian's top "
                     "eigenvalue at an interpolator"),
    ]


EXPERIMENT = Experiment(
    name="even2023-eos",
    paper=_setup.KEY,
    title="Gradient descent at the edge of stability",
    claim=("GD with a step beyond the stability threshold of the flow's limit may still "
           "converge, oscillating, to a flatter interpolator; its limit is still the one of its "
           "effective initialisation."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="not measured",
)
