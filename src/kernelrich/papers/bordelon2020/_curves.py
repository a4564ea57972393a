"""Learning curves of ridgeless kernel regression with the limiting ReLU NTK, predicted from
the kernel's spectrum and measured (Bordelon, Canatar & Pehlevan 2020, Sec. 5 and Fig. 2-3,
the authors' `kernel_regression_lc.py` and `NTK_gd_comparison.py`).

For each dimension d, sample size n and seed: n uniform points of the sphere, one pure-mode
target of unit power in each degree k of {1, 2, 4}, the ridgeless fit, and its test error
integrated exactly over the sphere (per degree, through the Mercer expansion) and on a fresh
test set. The prediction is `kernelrich.spectrum.learning_curve` on the same kernel's
Mercer spectrum. The theory is asymptotically exact as d and n grow together (n ~ d^kappa;
Misiakiewicz 2022, arXiv 2204.10425): the table gives its deviation from the measured mean
at every (d, n), the check the largest one in the highest dimension.
"""

from __future__ import annotations

import numpy as np

from ...experiments import Experiment, Param, grid
from ...spectrum import learning_curve, multiplicity
from . import _setup

SIZES = {
    True: {"dims": (10, 20), "n": (10, 30, 100, 300), "seeds": 6, "anchors": 300,
           "test": 500},
    False: {"dims": (5, 10, 20), "n": (10, 20, 40, 70, 100, 200, 300, 500, 700, 1000, 1500,
                                      2000, 3000), "seeds": 50, "anchors": 10_000,
            "test": 2500},
}
REGIME_DIM = 20  # the dimension in which the check compares (the highest)


def points(quick: bool) -> list[dict]:
    s = SIZES[quick]
    return grid(dim=list(s["dims"]), n=list(s["n"]), seed=list(range(s["seeds"])),
                anchors=[s["anchors"]], test=[s["test"]])


def modes_to(dim: int) -> int:
    """The degrees integrated exactly: N(d, k) mu_k^2 decays like k^-(d+2); the fits' power
    above is bounded in `tail_bound`."""
    return 30 if dim <= 10 else 12


def compute(config: dict) -> dict:
    return _setup.regression(config["dim"], config["n"], config["seed"], config["anchors"],
                             config["test"], modes_to=modes_to(config["dim"]))


def theory(dim: int, ns) -> dict:
    """The predicted test error and learnability of each target degree at the sizes ns."""
    s = _setup.spectrum(dim)
    out = {}
    for k in _setup.DEGREES:
        lc = learning_curve(s, {k: 1.0}, ns, ridge=_setup.RIDGE)
        out[k] = {"error": lc.test_error, "learnability": lc.learnability[:, k],
                  "overfitting": lc.overfitting}
    return out


def summary_rows(table) -> list[dict]:
    """One row per (d, degree, n): the prediction beside the measured mean +- SE."""
    rows = []
    for dim in table.unique("dim"):
        ns = np.array(table.unique("n"))
        predicted = theory(dim, ns)
        for j, k in enumerate(_setup.DEGREES):
            for i, n in enumerate(ns):
                runs = table.where(dim=dim, n=int(n)).rows
                exact = np.array([r["error"][j] for r in runs], dtype=float)
                test = np.array([r.get("test_error", [np.nan] * 3)[j] for r in runs], float)
                th = float(predicted[k]["error"][i])
                mean, se = float(np.mean(exact)), float(np.std(exact, ddof=1) / np.sqrt(
                    exact.size))
                rows.append({"d": dim, "degree k": k, "n": int(n), "predicted": th,
                             "measured (exact)": mean, "SE": se,
                             "measured (test set)": float(np.mean(test)),
                             "deviation": (mean - th) / th, "deviation SE": se / th,
                             "learnability": float(predicted[k]["learnability"][i]),
                             "seeds": exact.size,
                             "failed": sum(r["status"] != "ok" for r in runs)})
    return rows


def tables(table, quick: bool):
    rows = [{k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in r.items()}
            for r in summary_rows(table)]
    worst = {}
    for r in summary_rows(table):
        worst[r["d"]] = max(worst.get(r["d"], 0.0), abs(r["deviation"]))
    title = ("Kernel regression with the limiting NTK: predicted against measured test error "
             "(largest |deviation| per d: " + ", ".join(f"d={d}: {w:.1%}" for d, w in
                                                        worst.items()) + ")")
    return [(title, rows)]


def plot(table, out_dir, quick: bool):
    import matplotlib.pyplot as plt

    from ...plotting import PAGE_WIDTH, paper_style, save_figure

    rows = summary_rows(table)
    dims = table.unique("dim")
    with paper_style():
        fig, axes = plt.subplots(1, len(dims), figsize=(PAGE_WIDTH, 0.38 * PAGE_WIDTH),
                                 squeeze=False, sharey=True)
        for ax, dim in zip(axes[0], dims, strict=True):
            ns = np.array(table.unique("n"))
            fine = np.geomspace(ns.min(), ns.max(), 100)
            predicted = theory(dim, fine)
            for k in _setup.DEGREES:
                line, = ax.loglog(fine, predicted[k]["error"], lw=1.0, label=f"k = {k}")
                sub = [r for r in rows if r["d"] == dim and r["degree k"] == k]
                ax.errorbar([r["n"] for r in sub], [r["measured (exact)"] for r in sub],
                            yerr=[2 * r["SE"] for r in sub], fmt="o", ms=3,
                            color=line.get_color())
            for edge in np.cumsum(multiplicity(dim, 4)):
                if ns.min() <= edge <= ns.max():
                    ax.axvline(edge, color="0.7", lw=0.6, ls=":")
            ax.set(title=f"d = {dim}", xlabel="n")
        axes[0][0].set_ylabel("test error (target power 1)")
        axes[0][0].legend(fontsize=7)
    summary = summary_rows(table)
    top = [r for r in summary if r["d"] == max(dims)]
    caption = (
        f"Ridgeless kernel regression with the limiting ReLU NTK (depth {_setup.DEPTH}, no "
        f"bias) on n uniform points of S^(d-1), pure-mode targets of degree k (unit power): "
        f"the prediction from the Mercer spectrum (lines; Bordelon et al. 2020, Simon et al. "
        f"2021) and the measured test error (exact integration over the sphere), mean +- 2 SE "
        f"over {top[0]['seeds']} seeds (points); dotted: n = sum_(j <= k) N(d, j). Largest "
        f"|deviation| of the prediction from the measured mean: "
        + "; ".join(f"d = {d}: {max(abs(r['deviation']) for r in summary if r['d'] == d):.1%}"
                    for d in dims)
        + f". {sum(r['failed'] for r in summary)} fits failed. Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "bordelon_kernel", caption)]


def setup(quick: bool) -> list[Param]:
    s, full = SIZES[quick], SIZES[False]
    return [
        Param.code("kernel", f"limiting ReLU NTK, {_setup.DEPTH - 1} hidden layers, no bias",
                   _setup.code("kernel_regression_lc.py (--NTK_depth 3)")),
        Param.code("ridge", _setup.RIDGE, _setup.code("kernel_regression_lc.py (--lamb 0)")),
        Param.code("targets", "pure modes sum_j alpha_j Q_k(<x, z_j>), alpha ~ N(0, 1)",
                   _setup.code("ntk_generalization/NTK_gd_comparison.py (target_fn)")),
        Param.code("target degrees k", list(_setup.DEGREES),
                   _setup.code("NTK_gd_comparison.py (kvals = [1, 2, 4])")),
        Param.code("anchors z_j per target", s["anchors"],
                   _setup.code("NTK_gd_comparison.py (num_targets = 10000)"),
                   paper_value=full["anchors"]),
        Param.choice("target power", 1.0, "errors read as fractions of the target's power "
                     "(the authors' alpha are not normalised)"),
        Param.choice("d", list(s["dims"]), f"5 to 20 (full mode {list(full['dims'])}); the "
                     "authors' kernel regression default is d = 10"),
        Param.choice("n (training points)", list(s["n"]), f"10 to 3000 (full mode: "
                     f"{len(full['n'])} sizes); the authors' P_vals = logspace(0.25, 3, 15)"),
        Param.code("seeds (training set and target redrawn)", s["seeds"],
                   _setup.code("kernel_regression_lc.py (num_repeats = 50)"),
                   paper_value=full["seeds"]),
        Param.code("test points", s["test"], _setup.code("kernel_regression_lc.py "
                                                         "(num_test = 2500)"),
                   paper_value=full["test"]),
        Param.code("measured error", "exact per degree through the Mercer expansion (and a "
                   "test set)", _setup.code("kernel_regression_lc.py (errors[k])")),
        Param.choice("input norm", "sqrt(d)", "x.x'/n_0 = t; a scale of the kernel, which a "
                     "ridgeless fit ignores"),
        Param.choice("regime of the check", f"d = {REGIME_DIM}", "the highest dimension: the "
                     "theory is exact as d and n grow together (Misiakiewicz 2022)"),
    ]


EXPERIMENT = Experiment(
    name="bordelon-kernel",
    paper=_setup.KEY,
    title="Learning curves of kernel regression with the limiting NTK: prediction and "
          "measurement",
    claim=("The test error of kernel regression is predicted by the kernel's eigenvalues and "
           "the target's power per eigenmode; as n grows, successively higher degrees are "
           "learned, each once n passes the number of harmonics up to it."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time="about 1.5 h of CPU (measured per point x 1950 points; 3x on a loaded CPU)",
)
