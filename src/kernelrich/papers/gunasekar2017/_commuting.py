"""Gunasekar et al. (2017), Theorem 1 / Corollary 2: with commuting (diagonal) A_i the
alpha -> 0 limit of the U U^T flow is the min-nuclear-norm solution, i.e. the min-trace
diagonal PSD matrix diag(beta), beta = argmin sum beta s.t. X beta = y, beta >= 0 (an LP;
min-l1 when min-l1 is nonnegative).

Three routes to the flow's limit, against alpha: the closed form `commuting_limit` (exact),
the gradient flow itself on the full n x n U (diffrax, to the loss's float64 floor) at a
few alphas, and gradient descent at a few alphas with its measured distance to the closed
form. Woodworth et al.'s two-sided diagonal network (`kernelrich.diagonal`) is shown beside
them: it tends to the signed min-l1, which is the same point only when that is nonnegative."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogLocator

from ... import bias, diagonal
from ... import matrix as km
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, COLUMN_WIDTH, save_figure
from ._common import FLOW_ATOL, FLOW_RTOL, KEY, diagonal_instance, flow_to_end, mode, unread

GD_STEP, GD_STOP = 2.5e-3, 1e-20
FLOOR = 1e-16  # distances are drawn no lower than this


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(m=5, n=12, seed=[0, 3], alphas=np.logspace(0, -30, 7).tolist(),
                    flow_alphas=[1.0, 1e-2, 1e-4, 1e-6], flow_times=[1.0, 40.0, 80.0],
                    gd_alphas=[1.0, 0.3])
    return dict(m=20, n=100, seed=[0, 1, 2], alphas=np.logspace(0, -100, 51).tolist(),
                flow_alphas=[1.0, 1e-2, 1e-4, 1e-6], flow_times=[1.0, 100.0, 200.0],
                gd_alphas=[1.0, 0.3, 0.1])


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(m=[s["m"]], n=[s["n"]], seed=s["seed"], alphas=[s["alphas"]],
                flow_alphas=[s["flow_alphas"]], flow_times=[s["flow_times"]],
                gd_alphas=[s["gd_alphas"]])


def setup(quick: bool) -> list[Param]:
    s = _sizes(quick)
    return [
        unread("m x n design X (A_i = diag(x_i))", f"{s['m']} x {s['n']}, iid N(0, 1)",
               "Theorem 1 needs commuting A_i; the diagonal case is Corollary 2's"),
        unread("measurements", "y = X b, b ~ U[0.5, 1.5]^n (dense, positive)", "y inside the "
               "cone {X beta : beta > 0}, so that the flow interpolates"),
        Param.choice("init", "U(0) = alpha I (full n x n U)", "Corollary 2's x_init = alpha 1"),
        Param.choice("init scales (closed form)", s["alphas"], "down to where float64 still "
                     "resolves the limit"),
        Param.choice("init scales (gradient flow)", s["flow_alphas"], "the flow's time grows "
                     "like log(1/alpha)"),
        Param.choice("gradient flow", f"diffrax tsit5, rtol {FLOW_RTOL:g}, atol {FLOW_ATOL:g}, "
                     f"to t = {s['flow_times'][-1]:g}, sum loss", "to the loss's float64 floor"),
        Param.choice("gradient descent", f"step {GD_STEP:g} at alpha in {s['gd_alphas']}, "
                     f"stop at sum loss {GD_STOP:g}", "the O(step) bias of GD, measured"),
        Param.choice("seeds", s["seed"], "X and b redrawn per seed"),
    ]


def _rel(x, y) -> float:
    return float(np.linalg.norm(np.asarray(x) - np.asarray(y)) / np.linalg.norm(y))


def compute(config: dict) -> dict:
    X, y = diagonal_instance({**config, "support": config["n"]})
    trace, l1 = km.min_trace_diagonal(X, y), bias.min_l1(X, y)
    psd = [km.commuting_limit(X, y, a) for a in config["alphas"]]
    net = [diagonal.flow_limit(X, y, a, depth=2) for a in config["alphas"]]
    problem = km.diagonal_sensing(X, y)
    flow_to_limit, flow_to_trace, flow_loss = [], [], []
    for alpha in config["flow_alphas"]:
        path = flow_to_end(problem, alpha, config["flow_times"])
        end = path.matrices[-1]
        flow_to_limit.append(_rel(end, np.diag(km.commuting_limit(X, y, alpha))))
        flow_to_trace.append(_rel(end, np.diag(trace)))
        flow_loss.append(float(path.losses[-1]))
    gd_to_limit, gd_offdiag = [], []
    for alpha in config["gd_alphas"]:
        model = km.symmetric_factor(0, config["n"], config["n"], alpha, "balanced")
        run = km.gradient_descent(problem, model, step=GD_STEP, steps=200_000, loss="sum",
                                  stop_loss=GD_STOP, chunk=5000)
        gd_to_limit.append(_rel(np.diag(run.matrix), km.commuting_limit(X, y, alpha)))
        gd_offdiag.append(float(np.abs(run.matrix - np.diag(np.diag(run.matrix))).max()))
    return {"l1_nonnegative": bool(l1.min() >= 0), "l1_to_trace": _rel(l1, trace),
            "psd_to_trace": [_rel(b, trace) for b in psd],
            "network_to_l1": [_rel(b, l1) for b in net],
            "psd_to_network": [_rel(b, w) for b, w in zip(psd, net, strict=True)],
            "flow_to_limit": flow_to_limit, "flow_to_trace": flow_to_trace,
            "flow_loss": flow_loss, "gd_to_limit": gd_to_limit, "gd_offdiag": gd_offdiag}


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 1.2, COLUMN_WIDTH * 0.9))
    for key, color, label in [("psd_to_trace", COLORS[0], "U U^T limit to min-trace"),
                              ("network_to_l1", COLORS[1], "diagonal network to min-l1"),
                              ("psd_to_network", COLORS[2], "U U^T limit to diagonal net")]:
        for k, row in enumerate(table.rows):
            ax.plot(row["alphas"], np.maximum(row[key], FLOOR), color=color,
                    label=label if k == 0 else None)
    for k, row in enumerate(table.rows):
        ax.plot(row["flow_alphas"], np.maximum(row["flow_to_trace"], FLOOR), "o", color="k",
                markerfacecolor="none", label="U U^T gradient flow to min-trace" if k == 0
                else None)
    ax.set(xscale="log", yscale="log", xlabel=r"init scale $\alpha$",
           ylabel="relative distance")
    ax.xaxis.set_major_locator(LogLocator(base=1e10))  # one tick per 10 decades
    ax.legend(fontsize="small")
    return [save_figure(fig, out_dir, "gunasekar_commuting", caption(table, quick))]


def caption(table: Table, quick: bool) -> str:
    row = table.rows[0]
    flow = np.array([r["flow_to_limit"] for r in table.rows], dtype=float)
    loss = np.array([r["flow_loss"] for r in table.rows], dtype=float)
    gd = np.array([r["gd_to_limit"] for r in table.rows], dtype=float)
    offdiag = np.array([r["gd_offdiag"] for r in table.rows], dtype=float)
    last = np.array([r["psd_to_trace"][-1] for r in table.rows], dtype=float)
    nonneg = sum(r["l1_nonnegative"] for r in table.rows)
    return (
        f"Diagonal (commuting) sensing A_i = diag(x_i), x_i Gaussian, m = {row['m']}, n = "
        f"{row['n']}, y = X b with b > 0 dense, seeds "
        f"{', '.join(str(s) for s in table.unique('seed'))}. Lines: exact limits of the "
        f"U U^T flow from U(0) = alpha I (kernelrich.matrix.commuting_limit) and of Woodworth's "
        f"D = 2 network (kernelrich.diagonal.flow_limit), distances to the min-trace PSD "
        f"solution (LP, beta >= 0) and to min-l1 (LP); the signed min-l1 is nonnegative (the "
        f"same point) on {nonneg} of {len(table)} seed(s). At alpha = {row['alphas'][-1]:g} "
        f"the U U^T limit is {np.max(last):.1e} from min-trace (largest over seeds). Circles: "
        f"the gradient flow on the full n x n U (diffrax tsit5, rtol {FLOW_RTOL:g}) to t = "
        f"{row['flow_times'][-1]:g}, final sum loss <= {np.max(loss):.1e}, at most "
        f"{np.max(flow):.1e} from the closed form. GD (step {GD_STEP:g}, sum loss to "
        f"{GD_STOP:g}) at alpha in {row['gd_alphas']}: at most {np.max(gd):.1e} from the "
        f"closed form, off-diagonal entries at most {np.max(offdiag):.1e}; floor {FLOOR:g}. "
        f"{mode(quick)}.")


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = [{"seed": r["seed"], "alpha": a, "flow: distance to min-trace": d,
             "flow: distance to closed form": c, "flow: final loss": loss}
            for r in table.rows
            for a, d, c, loss in zip(r["flow_alphas"], r["flow_to_trace"], r["flow_to_limit"],
                                     r["flow_loss"], strict=True)]
    smallest = np.array([r["flow_to_trace"][-1] for r in table.rows], dtype=float)
    alpha = table.rows[0]["flow_alphas"][-1]
    return [(f"Theorem 1 / Corollary 2 on the gradient flow: at alpha = {alpha:g} the flow's "
             f"end is at most {np.max(smallest):.1e} from the min-trace solution:", rows)]


EXPERIMENT = Experiment(
    name="gunasekar-commuting", paper=KEY,
    title="Theorem 1, Corollary 2 (commuting case): the U U^T flow's limit against the "
          "min-trace and min-l1 solutions",
    claim=("The paper proves that with commuting (here diagonal) sensing matrices the "
           "small-initialisation limit of the U U^T flow is the min-nuclear-norm solution "
           "(min-l1 on the diagonal when that is nonnegative)."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup, schema=2,
    full_time="not measured",
)
