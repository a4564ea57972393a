"""What the Woodworth et al. (2020) experiments share: the instance, the alpha grids and the
way a figure states what ran."""

from __future__ import annotations

import numpy as np

from ...datasets import sparse_regression
from ...experiments import Param

NOISE_STD = 0.1  # y ~ N(<beta*, x>, 0.01): variance 0.01 (section 1.5)
TOL = 1e-12  # flow_limit's relative tolerance in every experiment
NOTES = "study notes §1.5 (the paper's text beyond its introduction could not be read)"


def instance(config: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, beta*) for a config with d, N, r, seed."""
    return sparse_regression(config["d"], config["N"], config["r"], NOISE_STD, config["seed"])


def log_grid(lo: float, hi: float, n: int) -> list[float]:
    """n log-spaced values from lo to hi, as a JSON-friendly list."""
    return np.logspace(np.log10(lo), np.log10(hi), n).tolist()


def flow_note(tol: float = TOL) -> str:
    """How the limits were computed, for captions."""
    return (f"gradient-flow limits computed exactly (kernelrich.diagonal.flow_limit: Newton on the "
            f"N-dimensional dual, relative tolerance {tol:g}); no gradient descent")


def model_params(depths="2") -> list[Param]:
    """The model, loss and dynamics every diagonal-network experiment shares."""
    return [
        Param.uncertain("model", f"beta(w) = w_+^D - w_-^D, D = {depths}, w_+(0) = w_-(0) = "
                        "alpha w0", "Theorems 1 and 3 as restated in the study notes §1.3, "
                        "§1.8 (the paper's text beyond its introduction could not be read)"),
        Param.uncertain("loss", "L(w) = sum_n (<beta(w), x_n> - y_n)^2 (a sum, no 1/2)",
                        "study notes §1.1; a normalisation rescales time only, not the limit"),
        Param.choice("dynamics", f"gradient flow, its exact limit (flow_limit, tol {TOL:g})",
                     "the theorems are about the flow's limit; no step-size bias"),
    ]


def data_params(d: int, N, r: int, seeds: list, quick: bool, full: dict) -> list[Param]:
    """Figure 1's sparse design (section 1.5) with the sizes of this run; `full` holds the
    full-mode sizes named in the quick-mode sources."""
    scaled = " (quick mode: scaled down from full mode's {})" if quick else ""
    return [
        Param.uncertain("x_n", "N(0, I_d)", NOTES),
        Param.uncertain("y_n", f"N(<beta*, x_n>, {NOISE_STD**2:g}) (variance)", NOTES),
        Param.uncertain("beta*", "r*-sparse, entries 1/sqrt(r*), on the first r* coordinates",
                        NOTES),
        Param.uncertain("d", d, "not readable; third-party scripts use d = 1000"
                        + scaled.format(full["d"])),
        Param.uncertain("r*", r, "not readable; third-party scripts use r* = 5"
                        + scaled.format(full["r"])),
        Param.choice("N (training points)", N, "N << d, spanning the rich regime's "
                     "O(r* log d) to the kernel regime's O(d)" + scaled.format(full["N"])),
        Param.choice("seeds", seeds, "independent draws of the data; the paper's number of "
                     "trials could not be read" + scaled.format(len(full["seed"]))),
    ]


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def band(ax, x, rows: np.ndarray, color, label, floor: float | None = None):
    """Median over seeds with a min-max band (rows: seeds x points); values below `floor`
    (e.g. the machine-precision floor on a log axis) are drawn at the floor."""
    rows = np.asarray(rows) if floor is None else np.maximum(rows, floor)
    ax.plot(x, np.median(rows, axis=0), color=color, label=label)
    if len(rows) > 1:
        ax.fill_between(x, rows.min(axis=0), rows.max(axis=0), color=color, alpha=0.2,
                        linewidth=0)


SPREAD = "median over seeds, band min-max"
