"""Saddle to saddle: gradient flow from vanishing initialisation against its limiting staircase
(Pesme & Flammarion 2023, Figure 1 and Theorem 1).

For each instance, depth and alpha: `gradient_flow` on 1024 rescaled times tau = t / log(1/alpha)
(D = 2; tau = t alpha^(D-2) for D >= 3) and `saddle_to_saddle`'s piecewise-constant limit. The
figure draws the coordinates of the support and the loss against tau, the table gives the
distances of the flow to the limit (plateaus, rescaled dual, jump times) and their observed
order in log(1/alpha) (D = 2) or in alpha (D = 3).
"""

from __future__ import annotations

import numpy as np

from ...experiments import Experiment, Param, grid
from . import _setup

SIZES = {
    True: {"runs": [("staircase", 2, a) for a in (1e-3, 1e-6, 1e-12)]
           + [("non-monotone", 2, a) for a in (1e-3, 1e-6, 1e-12)]},
    False: {"runs": [(n, 2, a) for n in _setup.INSTANCES
                     for a in (1e-3, 1e-6, 1e-12, 1e-30, 1e-60, 1e-100)]
            + [(n, 3, a) for n in _setup.INSTANCES for a in (1e-2, 1e-3, 1e-4)]},
}
DRAWN = 256  # saves kept per run for the figure


def points(quick: bool) -> list[dict]:
    return [c for name, depth, alpha in SIZES[quick]["runs"]
            for c in grid(instance=[name], depth=[depth], alpha=[alpha])]


def compute(config: dict) -> dict:
    name, depth, alpha = config["instance"], config["depth"], config["alpha"]
    path = _setup.limit(name, depth)
    run = _setup.flow(name, alpha, depth)
    err = _setup.errors(run["tau"], run["beta"], run["sigma"], run["loss"], path.times,
                        path.betas, path.sigma, path.velocity, path.losses)
    coords = sorted(set().union(*map(set, path.supports)))
    keep = np.linspace(0, len(run["tau"]) - 1, DRAWN).round().astype(int)
    return {**err, "jumps_limit": path.times[1:].tolist(), "saddles": len(path.times) - 1,
            "coords": coords, "tau": run["tau"][keep].tolist(),
            "beta": run["beta"][keep][:, coords].tolist(), "loss": run["loss"][keep].tolist(),
            "num_steps": run["num_steps"],
            "deactivations": int(sum(len(set(a) - set(b)) for a, b in
                                     zip(path.supports[:-1], path.supports[1:], strict=True)))}


def _scale(depth: int, alpha: float) -> float:
    """The variable in which the error's order is read: log(1/alpha) (D = 2), 1/alpha^(D-2)."""
    return np.log(1 / alpha) if depth == 2 else alpha ** (2.0 - depth)


def summary(table) -> list[dict]:
    rows = []
    for name in table.unique("instance"):
        for depth in table.unique("depth"):
            sub = sorted(table.where(instance=name, depth=depth).rows, key=lambda r: -r["alpha"])
            for i, r in enumerate(sub):
                row = {"instance": name, "D": depth, "alpha": r["alpha"], "saddles": r["saddles"],
                       "plateau error": r["plateau"], "sup sigma error": r["sigma"],
                       "jump-time error / t_K": r["jumps"]}
                if i:
                    p = sub[i - 1]
                    ratio = np.log(_scale(depth, r["alpha"]) / _scale(depth, p["alpha"]))
                    row["order (jump times)"] = float(-np.log(r["jumps"] / p["jumps"]) / ratio)
                    row["order (sigma)"] = float(-np.log(r["sigma"] / p["sigma"]) / ratio)
                rows.append(row)
    return rows


def tables(table, quick: bool):
    rows = [{k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in r.items()}
            for r in summary(table)]
    orders = [r["order (jump times)"] for r in summary(table) if "order (jump times)" in r
              and r["D"] == 2]
    title = ("Distance of gradient flow to the saddle-to-saddle limit, and its observed order in "
             "log(1/alpha) (D = 2) or 1/alpha (D = 3)"
             + (f"; D = 2 jump-time orders from {min(orders):.2f} to {max(orders):.2f}"
                if orders else ""))
    return [(title, rows)]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import COLORS, PAGE_WIDTH, paper_style, save_figure

    figures = []
    for name in table.unique("instance"):
        sub = sorted(table.where(instance=name, depth=2).rows, key=lambda r: -r["alpha"])
        sub = [r for r in sub if r["alpha"] in (1e-3, 1e-6, 1e-12)] or sub[:3]
        path = _setup.limit(name, 2)
        with paper_style():
            fig, (ax, bx) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.36 * PAGE_WIDTH))
            taus = np.asarray(sub[0]["tau"])
            limit = path.beta_at(taus)[:, sub[0]["coords"]]
            styles = ["-", "--", ":"]
            ax.plot(taus, limit, color="k", lw=0.8, drawstyle="steps-post")
            for r, ls in zip(sub, styles, strict=False):
                for j, coordinate in enumerate(np.asarray(r["beta"]).T):
                    ax.plot(r["tau"], coordinate, ls=ls, lw=0.9, color=COLORS[j % len(COLORS)])
                bx.semilogy(r["tau"], np.maximum(r["loss"], 1e-30), ls=ls,
                            label=rf"$\alpha$ = {r['alpha']:g}")
            bx.semilogy(taus, np.maximum(path.loss_at(taus), 1e-30), color="k", lw=0.8,
                        drawstyle="steps-post", label="limit")
            ax.set(xlabel=r"$t / \log(1/\alpha)$", ylabel=r"$\beta_i$", title=name)
            bx.set(xlabel=r"$t / \log(1/\alpha)$", ylabel="training loss", ylim=(1e-12, None))
            bx.legend(fontsize=7)
            fig.subplots_adjust(wspace=0.3)
        errs = "; ".join(f"alpha = {r['alpha']:g}: plateau {r['plateau']:.1e}, jump times "
                         f"{r['jumps']:.1e} t_K" for r in sub)
        s = _setup.INSTANCES[name]
        caption = (
            f"Gradient flow (gradient_flow, Kvaerno5, rtol {_setup.RTOL:g}) on the diagonal "
            f"network (D = 2) from alpha w0, w0 = 1, on a noiseless sparse regression (N = "
            f"{s['N']}, d = {s['d']}, beta* = {list(s['teacher'])}), against the limit of "
            f"saddle_to_saddle (black steps: {sub[0]['saddles']} saddles, "
            f"{sub[0]['deactivations']} coordinate(s) leaving the support on the way), time "
            f"rescaled by log(1/alpha). Left: the coordinates that are ever active (one colour "
            f"each; line style: alpha as in the legend); right: the loss. Distances to the "
            f"limit (plateaus: central half, relative to |beta_K|): {errs}. "
            f"Mode: {'quick' if quick else 'full'}.")
        figures.append(save_figure(fig, out_dir, f"pesme2023_{name}", caption))
    return figures


def setup(quick: bool) -> list[Param]:
    alphas = sorted({a for _, _, a in SIZES[quick]["runs"]}, reverse=True)
    full = sorted({a for _, _, a in SIZES[False]["runs"]}, reverse=True)
    return [
        Param.paper("model", "beta = w_+^2 - w_-^2 (= u * v), w_+(0) = w_-(0) = alpha",
                    "§2 (the abstract: 2-layer diagonal linear networks, vanishing init)"),
        Param.choice("loss", "L = sum_n (<beta, x_n> - y_n)^2",
                     "the toolkit's normalisation; the paper's 1/(2n) rescales time by 4n"),
        Param.paper("dynamics", "gradient flow, time rescaled by log(1/alpha)",
                    "Theorem 1 (abstract: the limit of vanishing initialisation)"),
        Param.choice("alpha", alphas, "1e-3, 1e-6, 1e-12 for the figure; full mode "
                     f"{full} (float64 holds 2 alpha^2 down to alpha ~ 1e-154)"),
        Param.choice("depth", sorted({d for _, d, _ in SIZES[quick]["runs"]}),
                     "the paper treats D = 2; full mode adds our D = 3 extension "
                     "(time tau alpha^(2-D))"),
        Param.uncertain("data", "x_n ~ N(0, I_d), y = X beta*, noiseless",
                        "the paper's Appendix A could not be read"),
        Param.choice("instances", {k: f"N = {v['N']}, d = {v['d']}, seed {v['seed']}, beta* = "
                                   f"{list(v['teacher'])}" for k, v in _setup.INSTANCES.items()},
                     "one with long plateaus, one whose support is not monotone"),
        Param.choice("save times", f"{_setup.SAVES} uniform on [0, {_setup.HORIZON} t_K]",
                     "resolves the jumps at the alphas used"),
    ]


EXPERIMENT = Experiment(
    name="pesme2023-staircase",
    paper=_setup.KEY,
    title="Saddle to saddle: the flow from vanishing initialisation against its limit",
    claim=("As alpha -> 0, gradient flow with time rescaled by log(1/alpha) jumps from a saddle "
           "of the loss to the next (the minimiser of the loss constrained to an active set) "
           "and ends at the minimum-l1 interpolator; jump times and saddles follow from a "
           "LARS-like recursion."),
    points=points, compute=compute, plot=plot, tables=tables, setup=setup,
    full_time="not measured",
)
