"""Arora et al. (2019), Figure 3, synthetic row: the top 10 singular values of the
end-to-end matrix over plain gradient descent, depths 1, 2, 3, and at depth 2 the
magnitudes of the diagonal and off-diagonal entries of U^T grad l(W) V (Theorem 3: the
diagonal moves the singular values; when it dominates, the singular vectors stay put).

Run as the authors' dynamics command (README.md: configs/dynamics.toml with
configs/opt/SGD.toml): identity init W_j = s^(1/N) I with s = 1e-3, "SGD" over all observed
entries (full-batch gradient descent) with lr 0.01, up to 200,000 iterations or train loss
1e-6, the singular values and the alignment logged every 100 steps. The README shows this
command for MovieLens only; the synthetic run's optimiser is not stated, and we use the same
dynamics configuration. The MovieLens 100k row is not run (its ratings do not ship)."""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ... import matrix as km
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ._common import KEY, REPO, STOP, instance, mode

SCALE, LR, TOP, EVERY = 1e-3, 0.01, 10, 100  # dynamics.toml, SGD.toml, main.py defaults
FULL_STEPS = 200_000  # configs/dynamics.toml: n_iters


def _sizes(quick: bool) -> dict:
    if quick:
        return dict(n=20, rank=1, m=80, max_steps=50_000)
    return dict(n=100, rank=5, m=2000, max_steps=FULL_STEPS)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(n=[s["n"]], rank=[s["rank"]], m=[s["m"]], depth=[1, 2, 3], seed=[0],
                max_steps=[s["max_steps"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    return [
        Param.code("n, rank", f"{s['n']}, {s['rank']}", f"{REPO}: configs/mat-cmpl/"
                   "gen_gt.toml", paper_value=None if quick is False else f"{full['n']}, "
                   f"{full['rank']}"),
        Param.code("observed entries", s["m"], f"{REPO}: plot.ipynb (synthetic, # = 2k)",
                   paper_value=None if s["m"] == full["m"] else full["m"]),
        Param.code("depths", [1, 2, 3], f"{REPO}: plot.ipynb (Figure 3)"),
        Param.code("init", f"identity: W_j = s^(1/N) I, s = {SCALE:g}", f"{REPO}: "
                   "configs/dynamics.toml (initialization = identity), main.py (init_scale)"),
        Param.code("optimiser", f"plain gradient descent over all observed entries, lr {LR:g}",
                   f"{REPO}: configs/opt/SGD.toml, README.md (dynamics command)"),
        Param.uncertain("optimiser of the synthetic run", "the dynamics configuration above",
                        "README.md shows the dynamics command for MovieLens only; the "
                        "synthetic run's optimiser is not stated"),
        Param.code("iterations", s["max_steps"], f"{REPO}: configs/dynamics.toml (n_iters)",
                   paper_value=None if s["max_steps"] == FULL_STEPS else FULL_STEPS),
        Param.code("stop", f"train loss <= {STOP:g}", f"{REPO}: main.py (train_thres)"),
        Param.code("logged", f"top {TOP} singular values and |U^T grad l V| every {EVERY} "
                   "steps", f"{REPO}: configs/dynamics.toml (n_singulars_save, n_dev_iters), "
                   "main.py"),
        Param.code("gradient in the alignment panel", "grad of the mean squared loss, "
                   "2 P(A(W) - y) / m", f"{REPO}: main.py logs P(A(W) - y) / m, half of it; "
                   "magnitudes and their ratio are unchanged up to that factor 2"),
        Param.choice("MovieLens 100k row", "not run", "needs the ml-100k ratings (1682 x 943, "
                     "100k entries), which do not ship with kernelrich"),
    ]


def compute(config: dict) -> dict:
    problem, _ = instance(config)
    model = km.deep_factors(0, config["n"], config["depth"], SCALE, "balanced")
    run = km.gradient_descent(problem, model, step=LR, steps=config["max_steps"], loss="mean",
                              stop_loss=STOP, chunk=EVERY, top=TOP, optimizer="gd",
                              record=functools.partial(km.gradient_alignment, problem))
    return {"times": run.times.tolist(), "singular_values": run.singular_values.tolist(),
            "alignment": run.records.tolist(), "converged": run.converged,
            "steps": run.steps_run, "train_loss": float(run.losses[-1])}


def _half_times(row: dict) -> list[int]:
    """For each of the top `rank` singular values: the first logged step at which it
    reaches half its final value (where it 'jumps')."""
    sigma, times = np.asarray(row["singular_values"], dtype=float), np.asarray(row["times"])
    out = []
    for r in range(row["rank"]):
        above = np.flatnonzero(sigma[:, r] >= 0.5 * sigma[-1, r])
        out.append(int(times[above[0]]) if above.size else -1)
    return out


def _rank(row: dict) -> int:
    """Singular values above 1 % of the largest at the end."""
    final = np.asarray(row["singular_values"], dtype=float)[-1]
    return int(np.sum(final > 0.01 * final[0]))


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    depths = table.unique("depth")
    fig, axes = plt.subplots(1, len(depths) + 1, figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.27),
                             squeeze=False)
    for ax, depth in zip(axes[0], depths, strict=False):
        row = table.where(depth=depth).rows[0]
        sigma = np.asarray(row["singular_values"])
        for i in range(sigma.shape[1]):
            ax.plot(row["times"], sigma[:, i], color=plt.cm.summer(i / sigma.shape[1]),
                    linewidth=0.9)
        ax.set(title=f"depth {depth}", xlabel="steps")
    for ax in axes[0]:
        ax.xaxis.set_major_locator(MaxNLocator(3))
    axes[0, 0].set_ylabel("singular values")
    words = _alignment_panel(axes[0, -1], table)
    row = table.rows[0]
    runs = "; ".join(
        f"depth {r['depth']}: {r['steps']} steps, final loss {r['train_loss']:.1e}, "
        f"{_rank(r)} singular value(s) above 1 % of the largest, the top {r['rank']} at half "
        f"their final value by step(s) {', '.join(str(t) for t in _half_times(r))}"
        for r in sorted(table.rows, key=lambda r: r["depth"]))
    caption = (
        f"Figure 3, synthetic row, as the authors' dynamics command ran: top {TOP} singular "
        f"values of the end-to-end matrix over plain gradient descent (lr {LR:g}, mean squared "
        f"loss over {row['m']} observed entries of a {row['n']}x{row['n']} rank-{row['rank']} "
        f"ground truth, identity init W_j = {SCALE:g}^(1/N) I, logged every {EVERY} steps, up "
        f"to {row['max_steps']} steps or train loss {STOP:g}); {runs}. Right: at depth 2, mean "
        f"+- std of |U^T grad l(W) V| on and off the diagonal; {words}. The synthetic run's "
        f"optimiser is not stated in the authors' code (we use the dynamics configuration); "
        f"the MovieLens row is not run (no data). {mode(quick)}.")
    return [save_figure(fig, out_dir, "arora_fig3", caption)]


def _alignment_panel(ax, table: Table) -> str:
    rows = table.where(depth=2).rows
    if not rows:
        ax.set_visible(False)
        return "depth 2 did not run"
    row = rows[0]
    times, a = np.asarray(row["times"]), np.asarray(row["alignment"], dtype=float)
    for (mean, std), color, label in [((a[:, 0], a[:, 1]), COLORS[0], "diagonal"),
                                      ((a[:, 2], a[:, 3]), COLORS[1], "off diagonal")]:
        ax.plot(times, mean, color=color, label=label)
        ax.fill_between(times, np.maximum(mean - std, 0), mean + std, color=color, alpha=0.2)
    ax.set(title=r"$|U^\top \nabla \ell(W) V|$, depth 2", xlabel="steps")
    ax.legend()
    ratio = a[:, 2] / a[:, 0]
    return (f"the off-diagonal mean is {np.median(ratio):.2g} of the diagonal mean (median over "
            f"the logged steps; {ratio[0]:.2g} at step 0, {ratio[-1]:.2g} at the end)")


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    rows = [{"depth": r["depth"], "steps": r["steps"], "converged": r["converged"],
             "final train loss": r["train_loss"],
             "singular values > 1% of top": _rank(r),
             "step at half the final value (top r)": ", ".join(str(t) for t in _half_times(r)),
             "top singular values at the end": ", ".join(
                 f"{v:.3g}" for v in r["singular_values"][-1][:max(r["rank"] + 1, 3)])}
            for r in sorted(table.rows, key=lambda r: r["depth"])]
    spans = "; ".join(f"depth {r['depth']}: {r['step at half the final value (top r)']}"
                      for r in rows)
    return [(f"Figure 3: the step at which each of the top singular values reaches half its "
             f"final value: {spans}:", rows)]


EXPERIMENT = Experiment(
    name="arora-fig3", paper=KEY,
    title="Figure 3 (synthetic row): singular values and U^T grad V over gradient descent",
    claim=("The paper shows deeper factorisations keeping small singular values near zero and "
           "letting a few jump, later and more sharply, while the gradient's off-diagonal part "
           "in the singular basis stays small."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup, schema=2,
    full_time=("about 30 min on a loaded CPU (measured per step at depth 3 x 200,000 steps x "
               "3 depths; docs/benchmarks.md)"),
)
