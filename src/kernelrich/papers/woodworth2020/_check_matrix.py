"""Checks of the matrix-factorisation experiment (`_matrix`): the kernel limit (alpha large:
the min-Frobenius interpolator) on Gaussian sensing, and Theorem 1 through the factorisation
code (commuting A_i = diag(x_i): the limit of U U^T - V V^T is the diagonal network's, which
`diagonal.flow_limit` gives by Newton on the dual)."""

from __future__ import annotations

import numpy as np

from ... import bias
from ... import matrix as km
from ...datasets import sparse_regression
from ...diagonal import flow_limit
from ...experiments import Check, CheckResult, Counterexample, nan_at, setting, worst
from . import _matrix
from ._evidence import KEY, NOISE_STD, non_finite, relative
from ._lifted import descend, min_frobenius

KERNEL_ALPHA, INSIDE_ALPHA, KERNEL_TOL = 100.0, 1.0, 1e-5
COMMUTING = dict(d=10, N=5, r=2, seed=7, alpha=0.3, refine=8.0)
COMMUTING_TOL, STOP = 1e-4, 1e-24


def _gd_failures(e) -> list[str]:
    return [f"GD at alpha = {a:g} stopped before its loss reached the stop loss"
            for a, ok in zip(e["alphas"], e["converged"], strict=True) if not ok]


# --- the kernel limit on Gaussian sensing ----------------------------------------------------

def kernel_measure():
    config = _matrix.points(True)[0]
    problem = _matrix.instance(config)
    nuclear = km.min_nuclear_norm(problem)
    alphas = [KERNEL_ALPHA, INSIDE_ALPHA]
    runs = descend(problem, alphas, target=nuclear.X, max_steps=config["max_steps"],
                   stop_loss=_matrix.STOP)
    return {"A": np.asarray(problem.A), "y": np.asarray(problem.y), "alphas": alphas,
            "X": runs["X"][0], "X_coarse": runs["X_coarse"][0], "X_inside": runs["X"][1],
            "converged": runs["converged"], "nuclear": nuclear.X, "n": config["n"],
            "m": config["m"]}


def kernel_judge(e) -> CheckResult:
    instance = (f"U U^T - V V^T from U = V = alpha I, alpha={KERNEL_ALPHA:g}; symmetric Gaussian "
                f"sensing n={e['n']}, m={e['m']}; GD at h, h/2")
    quantity = ("worst of (rel. distance of GD's limit to min ||X||_F s.t. A(X) = y (lstsq), "
                "gap between the runs at h and h/2)")
    failed = non_finite(limit=e["X"], coarse=e["X_coarse"]) + _gd_failures(e)
    if non_finite(limit=e["X"], coarse=e["X_coarse"]):
        return CheckResult.compare("Woodworth kernel regime", instance, quantity, float("nan"),
                                   KERNEL_TOL, paper=KEY, failed_runs=failed)
    frob = min_frobenius(km.sensing(e["A"], e["y"], symmetric=True))
    distance, gap = relative(e["X"], frob), relative(e["X_coarse"], e["X"])
    error, bad = worst({"distance": distance, "step gap": gap})
    return CheckResult.compare(
        "Woodworth kernel regime", instance, quantity, error, KERNEL_TOL,
        detail=f"distance {distance:.1e}, h vs h/2 gap {gap:.1e}; stop loss {_matrix.STOP:g}",
        paper=KEY, failed_runs=failed + bad)


KERNEL_COUNTEREXAMPLES = (
    Counterexample(f"the limit at alpha = {INSIDE_ALPHA:g} (inside the transition) in place",
                   setting("X", lambda e: e["X_inside"])),
    Counterexample("the min-nuclear-norm solution (the rich end) in place of the limit",
                   setting("X", lambda e: e["nuclear"])),
    Counterexample("a run that stopped before its loss reached the stop loss",
                   setting("converged", [False, True])),
    Counterexample("a diverged GD run (NaN)", nan_at("X", (0, 0))),
)


# --- Theorem 1 through the factorisation (commuting measurements) ---------------------------

def commuting_measure():
    c = COMMUTING
    X, y, _ = sparse_regression(c["d"], c["N"], c["r"], NOISE_STD, c["seed"])
    limit = flow_limit(X, y, c["alpha"])
    runs = descend(km.diagonal_sensing(X, y), [c["alpha"]], target=np.diag(limit),
                   max_steps=400_000, stop_loss=STOP, refine=c["refine"])
    return {"limit": limit, "l2": bias.min_l2(X, y), "alphas": [c["alpha"]],
            "X": runs["X"][0], "X_coarse": runs["X_coarse"][0], "converged": runs["converged"],
            "step": runs["steps"][0]}


def commuting_judge(e) -> CheckResult:
    c = COMMUTING
    instance = (f"U U^T - V V^T with A_i = diag(x_i), U = V = alpha I; d={c['d']}, N={c['N']}, "
                f"alpha={c['alpha']:g}; GD at h, h/2, Richardson")
    quantity = ("worst of (rel. distance of diag(2 X_{h/2} - X_h) to flow_limit, largest "
                "off-diagonal entry of X_{h/2} / ||limit||)")
    failed = non_finite(limit=e["limit"], fine=e["X"], coarse=e["X_coarse"]) + _gd_failures(e)
    if non_finite(limit=e["limit"], fine=e["X"], coarse=e["X_coarse"]):
        return CheckResult.compare("Woodworth Thm 1", instance, quantity, float("nan"),
                                   COMMUTING_TOL, paper=KEY, failed_runs=failed)
    fine, coarse = np.asarray(e["X"]), np.asarray(e["X_coarse"])
    extrapolated = 2 * np.diag(fine) - np.diag(coarse)
    off = float(np.abs(fine - np.diag(np.diag(fine))).max() / np.linalg.norm(e["limit"]))
    error, bad = worst({"Richardson distance": relative(extrapolated, e["limit"]),
                        "off-diagonal": off})
    return CheckResult.compare(
        "Woodworth Thm 1", instance, quantity, error, COMMUTING_TOL,
        detail=(f"h = {e['step']:.3g}; distance of the h/2 run itself "
                f"{relative(np.diag(fine), e['limit']):.1e} (first order)"),
        paper=KEY, failed_runs=failed + bad)


COMMUTING_COUNTEREXAMPLES = (
    Counterexample("min-l2 in place of flow_limit", setting("limit", lambda e: e["l2"])),
    Counterexample("the runs at h and h/2 swapped (extrapolating the wrong way)",
                   lambda e: {**e, "X": e["X_coarse"], "X_coarse": e["X"]}),
    Counterexample("a run that stopped before loss 1e-24", setting("converged", [False])),
    Counterexample("a diverged GD run (NaN)", nan_at("X", (0, 0))),
)


def checks() -> list[Check]:
    return [Check("Woodworth kernel regime", "matrix factorisation, Gaussian sensing",
                  kernel_measure, kernel_judge, KERNEL_COUNTEREXAMPLES, paper=KEY),
            Check("Woodworth Thm 1", "matrix factorisation, commuting A_i", commuting_measure,
                  commuting_judge, COMMUTING_COUNTEREXAMPLES, paper=KEY)]
