"""Theorem checks for Gunasekar et al. (2017): the commuting-case limit is min-l1 (against
an LP and against `kernelrich.diagonal`), and the min-nuclear-norm baseline's KKT
residuals (the optimality certificate of the comparison point; an interior point's
complementarity is about 1e-4 here, a feasible non-optimal X violates it by O(1))."""

from __future__ import annotations

import numpy as np

from ... import bias, diagonal
from ... import matrix as km
from ...experiments import Check, CheckResult
from ._common import KEY, diagonal_instance

ALPHA = 1e-30


def commuting(reference: str) -> CheckResult:
    config = dict(m=5, n=12, support=2, seed=0)
    X, y = diagonal_instance(config)
    limit = km.commuting_limit(X, y, ALPHA)
    if reference == "min-l1":
        ref, how = bias.min_l1(X, y), "min-l1 by LP (HiGHS)"
    else:
        ref, how = diagonal.flow_limit(X, y, ALPHA, depth=2), "kernelrich.diagonal.flow_limit"
    return CheckResult.compare(
        "Gunasekar Thm 1 / Cor 2", f"diagonal A_i, m=5, n=12, alpha={ALPHA:g}",
        f"||diag limit of U U^T flow - {reference}|| / ||{reference}||",
        np.linalg.norm(limit - ref) / np.linalg.norm(ref), 1e-9,
        detail=(f"limit by kernelrich.matrix.commuting_limit (Newton on the dual); {how}; "
                f"min-l1 nonnegative: {bool(bias.min_l1(X, y).min() >= 0)}"),
        paper=KEY)


def kkt(kind: str) -> CheckResult:
    truth = km.low_rank_truth(0, 8, 2, psd=kind == "psd sensing")
    if kind == "psd sensing":
        problem, psd, tol = km.gaussian_sensing(1, truth, 20, symmetric=True), True, 0.0
    else:
        problem, psd, tol = km.random_completion(1, truth, 30), False, 1e-3
    result = km.min_nuclear_norm(problem, psd=psd, tol=tol, solver="CLARABEL")
    residuals = km.kkt_residuals(problem, result)
    return CheckResult.compare(
        "min-nuclear-norm baseline (KKT)",
        f"8x8 rank-2 {kind}, m={len(problem.y)}, tol={tol:g}, Clarabel",
        "max KKT residual (primal, slackness, dual feasibility, complementarity)",
        max(residuals.values()), 1e-3,
        detail=f"status {result.status}; " + ", ".join(f"{k} {v:.1e}"
                                                      for k, v in residuals.items()),
        paper=KEY)


CHECKS = [
    Check("Gunasekar Thm 1 / Cor 2", "commuting limit = min-l1", lambda: commuting("min-l1"),
          paper=KEY),
    Check("Gunasekar Thm 1 / Cor 2", "commuting limit = diagonal network",
          lambda: commuting("diagonal network"), paper=KEY),
    Check("min-nuclear-norm baseline (KKT)", "PSD sensing, exact", lambda: kkt("psd sensing"),
          paper=KEY),
    Check("min-nuclear-norm baseline (KKT)", "completion, tol 1e-3", lambda: kkt("completion"),
          paper=KEY),
]
