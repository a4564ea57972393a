"""What the Gunasekar et al. (2017) experiments and checks share: the PSD sensing and
completion instances, the commuting (diagonal) instance, the U U^T flow they run, and
caption words."""

from __future__ import annotations

import numpy as np

from ... import matrix as km
from ...experiments import Param

KEY = "gunasekar2017"
UNREAD = "the paper's value could not be read (no code found, text not available)"


def unread(name: str, value, why: str) -> Param:
    """A setup value the paper fixes but that could not be read: our choice, and why."""
    return Param.choice(name, value, f"{UNREAD}; {why}")


def sensing_instance(config: dict) -> tuple[km.Sensing, np.ndarray]:
    """Symmetric Gaussian sensing A_i = (G_i + G_i^T) / (2n) of a rank-`rank` PSD truth
    with entries of RMS 1 (config: n, rank, m, seed)."""
    truth = km.low_rank_truth(config["seed"], config["n"], config["rank"], psd=True)
    return km.gaussian_sensing(config["seed"] + 1, truth, config["m"], symmetric=True), truth


def completion_instance(config: dict) -> tuple[km.Sensing, np.ndarray]:
    """Symmetric completion of a rank-`rank` PSD truth (entries of RMS 1): `m` entries of the
    upper triangle (diagonal included) drawn uniformly without replacement, as the symmetric
    sensing matrices A_i = (e_i e_j^T + e_j e_i^T) / 2 of the paper's setting, so that
    <A_i, X> = X_ij (config: n, rank, m, seed). The same `Sensing` type as the sensing
    instance: one compiled flow serves both."""
    n, m = config["n"], config["m"]
    truth = km.low_rank_truth(config["seed"], n, config["rank"], psd=True)
    rows, cols = np.triu_indices(n)
    if m > len(rows):
        raise ValueError(f"m must be <= n (n + 1) / 2 = {len(rows)} for symmetric completion, "
                         f"got m={m}")
    pick = np.sort(np.random.default_rng(config["seed"] + 1).choice(len(rows), m,
                                                                      replace=False))
    A = np.zeros((m, n, n))
    A[np.arange(m), rows[pick], cols[pick]] += 0.5
    A[np.arange(m), cols[pick], rows[pick]] += 0.5
    return km.sensing(A, truth[rows[pick], cols[pick]], truth, symmetric=True), truth


def instance(config: dict) -> tuple[km.Sensing, np.ndarray]:
    """`sensing_instance` or `completion_instance` by config["kind"]."""
    if config["kind"] == "completion":
        return completion_instance(config)
    return sensing_instance(config)


def diagonal_instance(config: dict) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) with X Gaussian (m x n) and y = X b for a nonnegative b supported on the first
    `support` coordinates, so that min-l1 is (typically) nonnegative and both the PSD model
    and the two-sided diagonal network reach it as alpha -> 0."""
    rng = np.random.default_rng(config["seed"])
    X = rng.standard_normal((config["m"], config["n"]))
    b = np.zeros(config["n"])
    b[: config["support"]] = rng.uniform(0.5, 1.5, config["support"])
    return X, X @ b


FLOW_RTOL, FLOW_ATOL = 1e-12, 1e-14


def flow_to_end(problem: km.Sensing, alpha: float, times, *, max_steps: int = 100_000
                ) -> km.FlowPath:
    """The U U^T flow (sum loss, full n x n U) from U(0) = alpha I, saved at `times`
    (diffrax tsit5, rtol 1e-12, atol 1e-14, no stopping event: the last time must be past
    the point where the loss reaches float64's floor)."""
    n = problem.shape[0]
    model = km.symmetric_factor(0, n, n, alpha, "balanced")
    return km.gradient_flow(problem, model, np.asarray(times, dtype=float), loss="sum",
                            rtol=FLOW_RTOL, atol=FLOW_ATOL, max_steps=max_steps)


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"
