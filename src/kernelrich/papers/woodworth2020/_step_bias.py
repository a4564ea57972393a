"""The step-size bias of gradient descent (Woodworth et al. 2020 study gradient flow; public
reproductions run GD with a finite step).

GD with step h converges to a different interpolator than the flow; its distance to the flow's
limit shrinks linearly in h. We measure it against the exact limit, and place the public
practice (GD on the mean squared error, step 1e-3, stopped at train MSE < 1e-4) on the same
axes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ...diagonal import flow_limit, gradient_descent
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, save_figure
from ._common import data_params, instance, mode, model_params

STOP_LOSS = 1e-22  # sum-normalised train loss at which a GD run counts as converged
PUBLIC = {"step": 1e-3, "stop_mse": 1e-4, "max_steps": 20_000_000}  # third-party scripts


def _sizes(quick: bool) -> dict:
    return dict(d=100, r=5, N=20, seed=[0, 1] if quick else [0, 1, 2, 3, 4], alpha=[0.1, 1.0],
                halvings=3 if quick else 6)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(d=[s["d"]], r=[s["r"]], N=[s["N"]], seed=s["seed"], alpha=s["alpha"],
                halvings=[s["halvings"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    flow, loss, _ = model_params()
    return [flow, loss] + data_params(s["d"], s["N"], s["r"], s["seed"], quick, full) + [
        Param.choice("dynamics", "plain GD on w, stopped at sum loss < "
                     f"{STOP_LOSS:g}, against flow_limit (tol 1e-12)",
                     "GD is not the object of the theorems: this measures its distance"),
        Param.choice("alpha", s["alpha"], "one value in the transition, one near the kernel "
                     "side"),
        Param.choice("steps h", f"h_max / 2^k, k = 1..{s['halvings'] + 1}, h_max = 1 / (8 "
                     "max(alpha^2, |beta|_inf) lambda_max(X X^T))",
                     "inside GD's stability region; halving to read the order"),
        Param.uncertain("public practice", f"GD on the mean squared error, step "
                        f"{PUBLIC['step']:g}, stop at train MSE < {PUBLIC['stop_mse']:g}",
                        "a third-party NumPy script (not the authors')"),
    ]


def compute(config: dict) -> dict:
    X, y, _ = instance(config)
    alpha = config["alpha"]
    limit = flow_limit(X, y, alpha)
    # A step safely inside GD's stability region on L = sum (<beta, x> - y)^2: the Hessian in w
    # is at most ~ 8 max(alpha^2, |beta|) lambda_max(X X^T) along the path.
    top = 1 / (8 * max(alpha**2, np.abs(limit).max()) * np.linalg.eigvalsh(X @ X.T).max())
    steps = [top / 2 ** (k + 1) for k in range(config["halvings"] + 1)]
    distances, iterations = [], []
    for h in steps:
        run = gradient_descent(X, y, alpha, step=h, steps=5_000_000, stop_loss=STOP_LOSS)
        if not run.converged:
            raise RuntimeError(f"GD with step {h:.3g} did not reach loss {STOP_LOSS:g}")
        distances.append(float(np.linalg.norm(run.beta - limit) / np.linalg.norm(limit)))
        iterations.append(run.steps_run)
    slope = float(np.polyfit(np.log(steps), np.log(distances), 1)[0])
    public = gradient_descent(X, y, alpha, step=PUBLIC["step"], steps=PUBLIC["max_steps"],
                              loss="mean", stop_loss=PUBLIC["stop_mse"])
    return {"steps": steps, "distance": distances, "iterations": iterations, "slope": slope,
            "public_distance": float(np.linalg.norm(public.beta - limit) / np.linalg.norm(limit)),
            "public_iterations": public.steps_run}


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.3, COLUMN_WIDTH))
    for color, alpha in zip(COLORS, table.unique("alpha"), strict=False):
        sub = table.where(alpha=alpha)
        for i, row in enumerate(sub.rows):
            ax.plot(row["steps"], row["distance"], color=color, marker="o",
                    label=rf"$\alpha$ = {alpha:g} (slope {np.mean(sub.column('slope')):.2f})"
                    if i == 0 else None)
            ax.scatter([PUBLIC["step"] / row["N"]], [row["public_distance"]], color=color,
                       marker="x",
                       s=30, zorder=3)
    ax.set(xscale="log", yscale="log", xlabel="GD step h (sum-normalised loss)",
           ylabel="rel. distance to flow limit")
    ax.legend(fontsize=7)
    row = table.rows[0]
    caption = (
        f"Relative distance of gradient descent with step h, run until its sum-normalised train "
        f"loss < {STOP_LOSS:g}, to the exact gradient-flow limit (flow_limit, tol 1e-12); fitted "
        f"log-log slopes in the legend (1 if the distance is linear in h). Crosses: the public "
        f"practice, GD on the mean squared error with step {PUBLIC['step']:g} (= "
        f"{PUBLIC['step'] / row['N']:.0e} on the sum), stopped at train MSE < "
        f"{PUBLIC['stop_mse']:g}. {_public_sentence(table)} d = {row['d']}, N = {row['N']}, "
        f"r* = {row['r']}, {len(table.unique('seed'))} seeds; {mode(quick)}."
    )
    return [save_figure(fig, out_dir, "woodworth_step_bias", caption)]


def _fitted_at(row: dict, h: float) -> float:
    """The converged-GD distance at step h read off the run's own log-log line."""
    slope, icpt = np.polyfit(np.log(row["steps"]), np.log(row["distance"]), 1)
    return float(np.exp(icpt + slope * np.log(h)))


def _public_sentence(table: Table) -> str:
    parts = []
    for alpha in table.unique("alpha"):
        rows = table.where(alpha=alpha).rows
        public = np.mean([r["public_distance"] for r in rows])
        fitted = np.mean([_fitted_at(r, PUBLIC["step"] / r["N"]) for r in rows])
        parts.append(f"alpha = {alpha:g}: {public:.1e} (a converged run at that step, on the "
                     f"fitted line: {fitted:.1e})")
    return "Public practice's distance, mean over seeds: " + "; ".join(parts) + "."


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = [{"alpha": a,
             "fitted slope (mean)": float(np.mean(table.where(alpha=a).column("slope"))),
             "public practice: distance (mean)":
                 float(np.mean(table.where(alpha=a).column("public_distance"))),
             "public practice: GD steps (mean)":
                 float(np.mean(table.where(alpha=a).column("public_iterations")))}
            for a in table.unique("alpha")]
    return [("Fitted slope of log(distance to the flow limit) against log(step) (1: linear in the "
             "step), and the public practice", rows)]


EXPERIMENT = Experiment(
    name="woodworth-step-bias", paper="woodworth2020",
    title="Gradient descent is not the flow: the step-size bias",
    claim=("The theorems describe gradient flow; gradient descent with step h converges to a "
           "different interpolator, at a distance O(h) from the flow's limit."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="about 45 s (measured per point x 10 points on a loaded CPU; docs/benchmarks.md)",
)
