"""Kernel or rich through the margin: the direction of the classification flow against the l1
and l2 max margins, as a function of the initialisation scale alpha and of the training loss
reached (Moroshko et al. 2020; the abstract: "the transition is controlled by the relationship
between the initialization scale and how accurately we minimize the training loss").

For each alpha: `classification_flow` (exponential loss; full mode adds the logistic loss)
saved at training losses 1e-3 ... 1e-300, and at each the angle of beta to the l1 and l2
max-margin directions and to the Q-max-margin at the flow's own scale and margin gamma
(argmin Q_alpha s.t. y_n <x_n, beta> >= gamma; the characterisation, `_checks`), and the test
error on the teacher's distribution against those of the two max margins.
"""

from __future__ import annotations

import numpy as np

from ... import bias
from ...experiments import Experiment, Param, grid
from . import _setup

ALPHAS = {True: (1e-2, 1e-1, 1.0, 10.0, 100.0),
          False: tuple(float(f"{a:.3g}") for a in 10.0 ** np.arange(-4.0, 2.5, 0.5))}
LOSS_KINDS = {True: ("exponential",), False: ("exponential", "logistic")}
NAME = "teacher"


def points(quick: bool) -> list[dict]:
    return grid(loss=list(LOSS_KINDS[quick]), alpha=list(ALPHAS[quick]), quick=[quick])


def compute(config: dict) -> dict:
    alpha, quick, kind = config["alpha"], config["quick"], config["loss"]
    path = _setup.flow(NAME, alpha, quick, kind)
    l1, l2 = _setup.max_margins(NAME, quick)
    q = [_setup.q_margin(NAME, alpha, float(g), quick) for g in path.margin]
    return {"final_loss": path.losses.tolist(), "margin": path.margin.tolist(),
            "l1": [bias.angle_between(b, l1) for b in path.beta],
            "l2": [bias.angle_between(b, l2) for b in path.beta],
            "q": [bias.angle_between(b, qb) for b, qb in zip(path.beta, q, strict=True)],
            "test_error": [_setup.test_error(b, NAME, quick) for b in path.beta],
            "test_l1": _setup.test_error(l1, NAME, quick),
            "test_l2": _setup.test_error(l2, NAME, quick), "num_steps": path.num_steps}


def _rows(table) -> list[dict]:
    rows = []
    for r in sorted(table.rows, key=lambda r: (r["loss"], r["alpha"])):
        for k, eps in enumerate(r["final_loss"]):
            rows.append({"loss": r["loss"], "alpha": r["alpha"], "training loss": eps,
                         "margin gamma": float(f"{r['margin'][k]:.4g}"),
                         "mu = alpha^2 / gamma": float(f"{r['alpha'] ** 2 / r['margin'][k]:.3g}"),
                         "angle to l1": float(f"{r['l1'][k]:.3g}"),
                         "angle to l2": float(f"{r['l2'][k]:.3g}"),
                         "angle to Q-max-margin": float(f"{r['q'][k]:.3g}"),
                         "test error": r["test_error"][k]})
    return rows


def tables(table, quick: bool):
    rows = _rows(table)
    closer = sum(r["angle to Q-max-margin"] < min(r["angle to l1"], r["angle to l2"])
                 for r in rows)
    title = (f"The classification flow's direction against the max margins (instance "
             f"{NAME!r}): the Q-max-margin at the flow's own scale is the closest of the three "
             f"in {closer} of {len(rows)} (alpha, loss) pairs")
    return [(title, rows)]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import PAGE_WIDTH, paper_style, save_figure

    rows = sorted(table.where(loss="exponential").rows, key=lambda r: r["alpha"])
    alphas = np.array([r["alpha"] for r in rows])
    with paper_style():
        fig, axes = plt.subplots(1, 3, figsize=(PAGE_WIDTH, 0.33 * PAGE_WIDTH))
        for k, eps in enumerate(rows[0]["final_loss"]):
            for ax, key in zip(axes[:2], ("l1", "l2"), strict=True):
                ax.loglog(alphas, [r[key][k] for r in rows], marker=".", label=f"L = {eps:g}")
            axes[2].semilogx(alphas, [r["test_error"][k] for r in rows], marker=".")
        axes[2].axhline(rows[0]["test_l1"], color="k", ls="--", lw=0.8, label="l1 max margin")
        axes[2].axhline(rows[0]["test_l2"], color="k", ls=":", lw=0.8, label="l2 max margin")
        axes[0].set(xlabel=r"$\alpha$", ylabel="angle to the l1 max margin (rad)")
        axes[1].set(xlabel=r"$\alpha$", ylabel="angle to the l2 max margin (rad)")
        axes[2].set(xlabel=r"$\alpha$", ylabel="test error")
        axes[0].legend(fontsize=6)
        axes[2].legend(fontsize=6)
        fig.subplots_adjust(wspace=0.45)
    N, d = _setup.SIZES[quick][NAME]
    last = [r for r in _rows(table) if r["loss"] == "exponential"
            and r["training loss"] == rows[0]["final_loss"][-1]]
    best = min(last, key=lambda r: r["angle to l1"])
    caption = (
        f"Gradient flow (classification_flow, exponential loss, D = 2) from w_+- = alpha on "
        f"N = {N}, d = {d} points x ~ N(0, I) with |x_1| > {_setup.MARGIN}, y = sign(x_1), "
        f"saved at training losses {', '.join(f'{e:g}' for e in rows[0]['final_loss'])}. "
        f"Left, middle: the angle of beta to the l1 and l2 max-margin directions against alpha; "
        f"right: the test error on {_setup.TEST_POINTS} fresh points (dashed: l1 max margin "
        f"{rows[0]['test_l1']:.3f}, dotted: l2 {rows[0]['test_l2']:.3f}). At L = "
        f"{rows[0]['final_loss'][-1]:g} the smallest angle to l1 is {best['angle to l1']:.3g} "
        f"(alpha = {best['alpha']:g}); the angle to l2 at alpha = {alphas[-1]:g} is "
        f"{rows[-1]['l2'][-1]:.3g}. Mode: {'quick' if quick else 'full'}.")
    return [save_figure(fig, out_dir, "moroshko2020_angles", caption)]


def setup(quick: bool) -> list[Param]:
    N, d = _setup.SIZES[quick][NAME]
    full = _setup.SIZES[False][NAME]
    return [
        Param.paper("model", "beta = w_+^2 - w_-^2, w_+(0) = w_-(0) = alpha",
                    "abstract (diagonal linear networks); §2 of Woodworth et al. 2020"),
        Param.paper("loss", list(LOSS_KINDS[quick]), "abstract (the exponential loss)"
                    + ("" if quick else "; the logistic loss added by us")),
        Param.paper("dynamics", "gradient flow, to training losses down to 1e-300",
                    "abstract (\"well beyond 10^-100\")"),
        Param.choice("training losses", list(_setup.LOSSES), "1e-3 to 1e-300 (issue 16)"),
        Param.choice("alpha", list(ALPHAS[quick]), "decades around the transition"
                     + ("" if not quick else f"; full mode {len(ALPHAS[False])} values "
                        "1e-4 .. 10^2 by half decades")),
        Param.uncertain("data", f"N = {N}, d = {d}, x ~ N(0, I) kept where |x_1| > "
                        f"{_setup.MARGIN}, y = sign(x_1); full mode N, d = {full}",
                        "the paper's own instances could not be read"),
        Param.choice("test points", _setup.TEST_POINTS, "fresh draws of the same law"),
    ]


EXPERIMENT = Experiment(
    name="moroshko2020-angles",
    paper=_setup.KEY,
    title="Kernel or rich through the margin: the flow's direction against alpha and the loss",
    claim=("The limit direction of gradient flow on the exponential loss moves from the l2 "
           "max margin (large alpha, moderate accuracy) to the l1 max margin (small alpha, high "
           "accuracy); in between it is neither, and the accuracy needed can be extreme."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="about 2-3 min of CPU (26 points at 1.3-7.3 s, 3 measured)",
)
