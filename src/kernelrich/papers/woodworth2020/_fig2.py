"""Figure 2 of Woodworth et al. (2020): Q_alpha (the flow's implicit bias) against R_alpha
(the l2 distance from the initialisation in parameter space), section 1.7.

Both tend to ||.||_2^2 as alpha -> infinity and to ||.||_1 as alpha -> 0, but they are not
rescalings of each other: R_alpha reaches the l1 shape polynomially fast in alpha, Q_alpha
only like 1 / log(1 / alpha).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize

from ... import bias
from ...experiments import Experiment, Figure, Param, Table, grid
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from ._common import log_grid, mode

POTENTIALS = {"Q": bias.Q, "R": bias.R}
LEVEL_ALPHAS = [1e-4, 1e-2, 0.1, 1.0, 10.0]


def _sizes(quick: bool) -> dict:
    return dict(alphas=log_grid(1e-12, 1e2, 15 if quick else 57), angles=64 if quick else 256)


def points(quick: bool) -> list[dict]:
    s = _sizes(quick)
    return grid(potential=["Q", "R"], alpha=s["alphas"], angles=[s["angles"]])


def setup(quick: bool) -> list[Param]:
    s, full = _sizes(quick), _sizes(False)
    scaled = f" (quick mode: full mode uses {full['angles']})" if quick else ""
    return [
        Param.uncertain("what Figure 2 plots", "unit level sets of Q_alpha and R_alpha in R^2",
                        "the figure could not be read; the study notes §1.7 say it shows Q_alpha "
                        "and R_alpha are not rescalings of each other"),
        Param.uncertain("Q_alpha, R_alpha", "Theorem 1's Q and section 1.7's R, w0 = 1",
                        "as restated in the study notes §1.4, §1.7"),
        Param.choice("d", 2, "level sets are drawn in the plane"),
        Param.choice("alpha grid", s["alphas"], "from deep in the rich regime to the kernel "
                     "regime"),
        Param.choice("rays per level set", s["angles"], "root finding along each ray; enough "
                     "for a smooth curve" + scaled),
    ]


def unit_radius(potential, alpha: float, direction: np.ndarray) -> float:
    """rho with F(rho * direction) = F(e_1): the normalised unit ball of F along a direction
    (F convex with F(0) = 0, so F(rho u) is increasing in rho and the root is unique)."""
    level = potential(np.array([1.0, 0.0]), alpha)

    def gap(log_rho):
        return potential(np.exp(log_rho) * direction, alpha) - level

    return float(np.exp(scipy.optimize.brentq(gap, -10.0, 10.0, xtol=1e-14)))


def compute(config: dict) -> dict:
    """The normalised unit level set {F(beta) = F(e_1)} in the plane, by root finding along
    rays, and its radius on the diagonal (1/sqrt(2) for l1, 1 for l2)."""
    potential = POTENTIALS[config["potential"]]
    theta = np.linspace(0, np.pi / 2, config["angles"] // 4 + 1)
    radii = [unit_radius(potential, config["alpha"], np.array([np.cos(t), np.sin(t)]))
             for t in theta]
    diagonal = unit_radius(potential, config["alpha"], np.array([1.0, 1.0]) / np.sqrt(2))
    return {"theta": theta.tolist(), "radius": radii, "diagonal_radius": diagonal}


def _quadrant_to_circle(theta, radius):
    """Reflect the first-quadrant curve to the full level set (both potentials are even in
    each coordinate and symmetric under swapping them)."""
    x, y = radius * np.cos(theta), radius * np.sin(theta)
    xs = np.concatenate([x, -x[::-1], -x, x[::-1]])
    ys = np.concatenate([y, y[::-1], -y, -y[::-1]])
    return xs, ys


def plot(table: Table, out_dir: Path, quick: bool) -> list[Figure]:
    fig, axes = plt.subplots(1, 3, figsize=(PAGE_WIDTH, PAGE_WIDTH / 3.1))
    alphas = np.array(table.unique("alpha"))
    shown = [alphas[np.argmin(np.abs(np.log(alphas / a)))] for a in LEVEL_ALPHAS]
    for ax, name in zip(axes[:2], ["Q", "R"], strict=True):
        for color, alpha in zip(COLORS, shown, strict=False):
            row = table.where(potential=name, alpha=alpha).rows[0]
            ax.plot(*_quadrant_to_circle(np.array(row["theta"]), np.array(row["radius"])),
                    color=color, label=rf"$\alpha$={alpha:.0e}")
        t = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(t), np.sin(t), "k:", linewidth=0.8)
        ax.plot([1, 0, -1, 0, 1], [0, 1, 0, -1, 0], "k--", linewidth=0.8)
        ax.set(aspect="equal", title=rf"unit level set of ${name}_\alpha$",
               xlim=(-1.1, 1.1), ylim=(-1.1, 1.1))
    axes[0].legend(fontsize=6, loc="center")
    ax = axes[2]
    for color, name in zip(COLORS, ["Q", "R"], strict=False):
        sub = table.where(potential=name)
        ax.plot(sub.column("alpha"), sub.column("diagonal_radius"), color=color,
                label=rf"${name}_\alpha$")
    ax.axhline(1 / np.sqrt(2), color="k", linestyle="--", linewidth=0.8, label=r"$\ell_1$")
    ax.axhline(1.0, color="k", linestyle=":", linewidth=0.8, label=r"$\ell_2$")
    ax.set(xscale="log", xlabel=r"$\alpha$", title="radius on the diagonal")
    ax.legend(fontsize=7)
    caption = (
        "Left, centre: unit level sets {F(beta) = F(e_1)} of Q_alpha (the implicit bias of "
        "gradient flow, Theorem 1) and R_alpha (squared l2 distance from the initialisation in "
        "parameter space, section 1.7) in R^2, w0 = 1, computed by root finding along "
        f"{table.rows[0]['angles']} rays (dashed: l1 ball, dotted: l2 ball). Right: the level "
        "set's radius on the diagonal against alpha (l1 ball: 1/sqrt(2), l2 ball: 1). "
        f"{_excess_sentence(table)} Closed forms, no dynamics; {mode(quick)}."
    )
    return [save_figure(fig, out_dir, "woodworth_fig2", caption)]


def _excess(table: Table, potential: str, alpha: float) -> float:
    return table.where(potential=potential, alpha=alpha).rows[0]["diagonal_radius"] - 0.5**0.5


def _excess_sentence(table: Table) -> str:
    """The radius on the diagonal above the l1 value 1/sqrt(2), at two alphas, from the table."""
    alphas = np.array(table.unique("alpha"))
    picks = [alphas[0], alphas[np.argmin(np.abs(np.log(alphas / 1e-4)))]]
    parts = [f"alpha = {a:.0e}: R_alpha {_excess(table, 'R', a):.1e}, Q_alpha "
             f"{_excess(table, 'Q', a):.1e}" for a in picks]
    return "Radius on the diagonal minus 1/sqrt(2): " + "; ".join(parts) + "."


def tables(table: Table, quick: bool) -> list[tuple[str, list[dict]]]:
    alphas = np.array(table.unique("alpha"))
    shown = sorted({float(alphas[np.argmin(np.abs(np.log(alphas / a)))]) for a in LEVEL_ALPHAS}
                   | {float(alphas[0])})
    rows = [{"alpha": a, "R_alpha: radius - 1/sqrt(2)": _excess(table, "R", a),
             "Q_alpha: radius - 1/sqrt(2)": _excess(table, "Q", a)} for a in shown]
    return [("Radius of the unit level set on the diagonal above the l1 ball's 1/sqrt(2)", rows)]


EXPERIMENT = Experiment(
    name="woodworth-fig2", paper="woodworth2020",
    title="Figure 2: Q_alpha is not R_alpha",
    claim=("The implicit bias Q_alpha of gradient flow and the parameter-space distance R_alpha "
           "share their two limits (l2 and l1) but are not rescalings of each other: R_alpha "
           "approaches l1 polynomially in alpha, Q_alpha only logarithmically."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="about 2 min (measured per point x 114 points on a loaded CPU; docs/benchmarks.md)",
)
