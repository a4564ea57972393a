"""Theorem checks for Arora et al. (2019): Theorem 3 along a gradient-flow trajectory
(diffrax), against central finite differences of the computed singular values.

`measure` integrates the flow from a balanced initialisation and saves the end-to-end
matrix at t - H, t, t + H; `judge` computes the singular values, their central differences
and Theorem 3's right-hand side from those matrices. Counterexamples: the rate of another
depth (a wrong exponent), the rate of the sum loss (a wrong time scale), a trajectory with a
NaN in it.
"""

from __future__ import annotations

import functools

import numpy as np

from ... import matrix as km
from ...experiments import Check, CheckResult, Counterexample, Param, nan_at, setting, worst
from ._common import KEY

H = 1e-3  # half-width of the central difference in time: error O(H^2)
TIMES = (2.0, 5.0, 10.0)
RTOL, ATOL = 1e-12, 1e-14
N, M, RANK, SCALE = 6, 15, 2, 0.1
TOL = 1e-6

ASSUMPTIONS = [
    Param.choice("Theorem 3 checks: instance", f"{N} x {N} rank {RANK}, m = {M} (completion "
                 "and Gaussian sensing), balanced init W_j = 0.1^(1/N) I",
                 "the theorem holds for any instance from a balanced init; small enough for a "
                 "flow at rtol 1e-12"),
    Param.choice("Theorem 3 checks: times and difference", f"t in {list(TIMES)}, central "
                 f"difference of half-width {H:g}", "the difference's O(H^2) error is about "
                 "1e-7 of the rate here, below the tolerance 1e-6"),
]


@functools.lru_cache(maxsize=3)
def _evidence(depth: int, kind: str) -> dict:
    truth = km.low_rank_truth(0, N, RANK)
    problem = (km.random_completion(1, truth, M) if kind == "completion"
               else km.gaussian_sensing(1, truth, M))
    model = km.deep_factors(0, N, depth, SCALE, "balanced")
    ts = np.array(TIMES)
    times = np.sort(np.concatenate([ts - H, ts, ts + H]))
    path = km.gradient_flow(problem, model, times, rtol=RTOL, atol=ATOL)
    return {"problem": problem, "depth": depth, "kind": kind, "loss": "mean",
            "times": path.times, "matrices": path.matrices, "method": path.method,
            "num_steps": path.num_steps}


def judge(e) -> CheckResult:
    """max over TIMES of ||FD of sigma(t) - Theorem 3's rate|| / ||rate||."""
    matrices = np.asarray(e["matrices"])
    failed = [] if len(e["times"]) == 3 * len(TIMES) else [
        f"flow saved {len(e['times'])} of {3 * len(TIMES)} times (stopped early)"]
    errors = {}
    for k, t in enumerate(TIMES):
        before, at, after = matrices[3 * k], matrices[3 * k + 1], matrices[3 * k + 2]
        if not (np.all(np.isfinite(before)) and np.all(np.isfinite(after))
                and np.all(np.isfinite(at))):
            errors[f"t={t:g}"] = float("nan")
            continue
        fd = (np.linalg.svd(after, compute_uv=False)
              - np.linalg.svd(before, compute_uv=False)) / (2 * H)
        rate = km.singular_value_rates(e["problem"], at, e["depth"], loss=e["loss"])
        errors[f"t={t:g}"] = float(np.linalg.norm(fd - rate) / np.linalg.norm(rate))
    error, bad = worst(errors)
    return CheckResult.compare(
        "Arora Thm 3", f"depth {e['depth']}, {N}x{N} rank-{RANK} {e['kind']}, m={M}, balanced "
        f"init {SCALE:g} I",
        "max_t ||central FD of sigma(t) - (-N sigma^(2-2/N) <grad l, u v^T>)|| / ||rate||",
        error, TOL, failed_runs=failed + bad, paper=KEY,
        detail=(f"{e['method']}, {e['num_steps']} steps; t in {TIMES}, FD half-width {H:g} "
                f"(error O(H^2)); Theorem 3 with depth {e['depth']}, {e['loss']} loss; "
                "per-time errors " + ", ".join(f"{k} {v:.1e}" for k, v in errors.items())))


def _check(depth: int, kind: str) -> Check:
    return Check(
        "Arora Thm 3", f"depth {depth}, {kind}", lambda: _evidence(depth, kind), judge, (
            Counterexample(f"the rate of depth {depth + 1} (a wrong exponent)",
                           setting("depth", depth + 1)),
            Counterexample("the rate of the sum loss (a time scale m times off)",
                           setting("loss", "sum")),
            Counterexample("a trajectory with a NaN (diverged)", nan_at("matrices", (1, 0, 0))),
        ), paper=KEY)


CHECKS = [_check(2, "completion"), _check(3, "completion"), _check(3, "sensing")]
