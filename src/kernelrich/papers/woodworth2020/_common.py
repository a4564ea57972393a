"""What the Woodworth et al. (2020) experiments share: the instance, the alpha grids and the
way a figure states what ran."""

from __future__ import annotations

import numpy as np

from ...datasets import sparse_regression

NOISE_STD = 0.1  # y ~ N(<beta*, x>, 0.01): variance 0.01 (section 1.5)


def instance(config: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, beta*) for a config with d, N, r, seed."""
    return sparse_regression(config["d"], config["N"], config["r"], NOISE_STD, config["seed"])


def log_grid(lo: float, hi: float, n: int) -> list[float]:
    """n log-spaced values from lo to hi, as a JSON-friendly list."""
    return np.logspace(np.log10(lo), np.log10(hi), n).tolist()


def flow_note(tol: float = 1e-12) -> str:
    """How the limits were computed, for captions."""
    return (f"gradient-flow limits computed exactly (kernelrich.diagonal.flow_limit: Newton on the "
            f"N-dimensional dual, relative tolerance {tol:g}); no gradient descent")


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
