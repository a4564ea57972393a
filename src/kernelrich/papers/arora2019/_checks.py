"""Theorem checks for Arora et al. (2019): Theorem 3 along a real gradient-flow trajectory,
against central finite differences of the computed singular values."""

from __future__ import annotations

import numpy as np

from ... import matrix as km
from ...experiments import Check, CheckResult
from ._common import KEY

H = 1e-3  # half-width of the central difference in time: error O(H^2)
TIMES = (2.0, 5.0, 10.0)
RTOL, ATOL = 1e-12, 1e-14


def theorem3(depth: int, kind: str) -> CheckResult:
    """max over TIMES of ||FD of sigma(t) - Theorem 3's rate|| / ||rate||, balanced init."""
    n, m = 6, 15
    truth = km.low_rank_truth(0, n, 2)
    problem = (km.random_completion(1, truth, m) if kind == "completion"
               else km.gaussian_sensing(1, truth, m))
    model = km.deep_factors(0, n, depth, 0.1, "balanced")
    ts = np.array(TIMES)
    times = np.sort(np.concatenate([ts - H, ts, ts + H]))
    path = km.gradient_flow(problem, model, times, rtol=RTOL, atol=ATOL)
    sigma = np.linalg.svd(path.matrices, compute_uv=False)
    errors = []
    for k in range(len(ts)):
        fd = (sigma[3 * k + 2] - sigma[3 * k]) / (2 * H)
        rate = km.singular_value_rates(problem, path.matrices[3 * k + 1], depth)
        errors.append(np.linalg.norm(fd - rate) / np.linalg.norm(rate))
    return CheckResult.compare(
        "Arora Thm 3", f"depth {depth}, {n}x{n} rank-2 {kind}, m={m}, balanced init 0.1 I",
        "max_t ||central FD of sigma(t) - (-N sigma^(2-2/N) <grad l, u v^T>)|| / ||rate||",
        max(errors), 1e-6,
        detail=(f"{path.method}; t in {TIMES}, FD half-width {H:g} (error O(H^2)); "
                f"per-time errors {', '.join(f'{e:.1e}' for e in errors)}"), paper=KEY)


CHECKS = [
    Check("Arora Thm 3", "depth 2, completion", lambda: theorem3(2, "completion"), paper=KEY),
    Check("Arora Thm 3", "depth 3, completion", lambda: theorem3(3, "completion"), paper=KEY),
    Check("Arora Thm 3", "depth 3, sensing", lambda: theorem3(3, "sensing"), paper=KEY),
]
