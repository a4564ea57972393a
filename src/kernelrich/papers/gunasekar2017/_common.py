"""What the Gunasekar et al. (2017) experiments share: the PSD sensing instance, the
commuting (diagonal) instance, and caption words."""

from __future__ import annotations

import numpy as np

from ... import matrix as km

KEY = "gunasekar2017"


def sensing_instance(config: dict) -> tuple[km.Sensing, np.ndarray]:
    """Symmetric Gaussian sensing A_i = (G_i + G_i^T) / (2n) of a rank-`rank` PSD truth
    with entries of RMS 1 (config: n, rank, m, seed)."""
    truth = km.low_rank_truth(config["seed"], config["n"], config["rank"], psd=True)
    return km.gaussian_sensing(config["seed"] + 1, truth, config["m"], symmetric=True), truth


def diagonal_instance(config: dict) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) with X Gaussian (m x n) and y = X b for a nonnegative b supported on the first
    `support` coordinates, so that min-l1 is (typically) nonnegative and both the PSD model
    and the two-sided diagonal network reach it as alpha -> 0."""
    rng = np.random.default_rng(config["seed"])
    X = rng.standard_normal((config["m"], config["n"]))
    b = np.zeros(config["n"])
    b[: config["support"]] = rng.uniform(0.5, 1.5, config["support"])
    return X, X @ b


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"
