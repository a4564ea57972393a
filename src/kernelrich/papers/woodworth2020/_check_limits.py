"""Checks of the flow's limit itself: the KKT conditions of Theorems 1 and 3 (with the
gradient of Q from the paper's closed forms), the kernel (alpha -> infinity) and rich
(alpha -> 0) limits, and Theorem 2's guarantees, each with its counterexamples."""

from __future__ import annotations

import numpy as np
import scipy.optimize

from ... import bias
from ...diagonal import flow_limit
from ...experiments import Check, CheckResult, Counterexample, nan_at, setting, worst
from ._evidence import (
    ALPHAS,
    EPS,
    FEASIBLE,
    KEY,
    SIZES,
    infeasibility,
    instance,
    non_finite,
    relative,
    shifted,
    violating,
)


def _theorem(depth: int) -> str:
    return "Woodworth Thm 1" if depth == 2 else "Woodworth Thm 3"


def h_inverse_brent(u: float, depth: int) -> float:
    """h_D^{-1}(u) by Brent's method on h_D(z) = (1 - z)^(-p) - (1 + z)^(-p), p = D/(D-2)
    (Theorem 3; no kernelrich code involved)."""
    p = depth / (depth - 2)
    return scipy.optimize.brentq(lambda z: (1 - z) ** -p - (1 + z) ** -p - u,
                                 -1 + 1e-15, 1 - 1e-15, xtol=1e-15, rtol=1e-15)


def grad_Q(beta: np.ndarray, scale: np.ndarray, depth: int) -> np.ndarray:
    """grad Q at beta, scale = alpha w0: arcsinh(beta / (2 scale^2)) for D = 2 (Theorem 1,
    q' = arcsinh(z / 2)); h_D^{-1}(beta / scale^D) / scale^(D-2) for D >= 3 (Theorem 3)."""
    if depth == 2:
        return np.arcsinh(beta / (2 * scale**2))
    return np.array([h_inverse_brent(b / a**depth, depth) / a ** (depth - 2)
                     for b, a in zip(beta, scale, strict=True)])


def stationarity(X: np.ndarray, grad: np.ndarray) -> float:
    """Relative distance of grad from the row space of X (0 at a KKT point of
    min Q s.t. X beta = y); 0 for grad = 0, which lies in every row space."""
    norm = np.linalg.norm(grad)
    if norm == 0:
        return 0.0
    coef = np.linalg.lstsq(X.T, grad, rcond=None)[0]
    return float(np.linalg.norm(X.T @ coef - grad) / norm)


# --- KKT of Theorems 1 and 3 ----------------------------------------------------------------

def kkt_measure(depth: int):
    def measure():
        X, y, w0 = instance("limits", seed=depth, shaped=True)
        alpha = ALPHAS["kkt"]
        return {"X": X, "y": y, "scale": alpha * w0, "depth": depth,
                "beta": flow_limit(X, y, alpha, depth=depth, w0=w0), "l2": bias.min_l2(X, y)}

    return measure


def kkt_judge(e) -> CheckResult:
    d, N = SIZES["limits"]
    instance_ = f"KKT of min Q s.t. X beta = y; D={e['depth']}, d={d}, N={N}, alpha=" \
                f"{ALPHAS['kkt']:g}, random w0"
    quantity = ("worst of (||X beta - y|| / ||y||, rel. distance of grad Q(beta) from the row "
                "space of X)")
    bad = non_finite(beta=e["beta"])
    if bad:
        return CheckResult.compare(_theorem(e["depth"]), instance_, quantity, float("nan"),
                                   FEASIBLE, paper=KEY, failed_runs=bad)
    feas = infeasibility(e["X"], e["y"], e["beta"])
    stat = stationarity(e["X"], grad_Q(e["beta"], e["scale"], e["depth"]))
    error, failed = worst({"feasibility": feas, "stationarity": stat})
    return CheckResult.compare(
        _theorem(e["depth"]), instance_, quantity, error, FEASIBLE,
        detail=(f"||X beta - y|| / ||y|| = {feas:.1e}, stationarity {stat:.1e}; grad Q from the "
                "paper's closed form (arcsinh, or Brent on h_D)"),
        paper=KEY, failed_runs=failed)


KKT_COUNTEREXAMPLES = (
    Counterexample("min-l2 in place of the flow limit (feasible, not stationary for Q)",
                   setting("beta", lambda e: e["l2"])),
    Counterexample("the flow limit shifted by 1e-6 along the null space of X (still feasible)",
                   setting("beta", lambda e: shifted(e["X"], e["beta"], 1e-6))),
    Counterexample("beta = 0 (infeasible)", setting("beta", lambda e: np.zeros_like(e["beta"]))),
    Counterexample("a diverged solve (NaN in beta)", nan_at("beta")),
)


# --- the kernel (alpha -> infinity) and rich (alpha -> 0) limits ----------------------------

def kernel_measure(depth: int):
    def measure():
        X, y, _ = instance("limits", seed=30 + depth)
        return {"X": X, "y": y, "depth": depth, "l1": bias.min_l1(X, y),
                "beta": flow_limit(X, y, ALPHAS["kernel"], depth=depth)}

    return measure


def kernel_judge(e) -> CheckResult:
    d, N = SIZES["limits"]
    instance_ = (f"alpha -> infinity gives min-l2; D={e['depth']}, d={d}, N={N}, "
                 f"alpha={ALPHAS['kernel']:g}")
    quantity = "worst of (rel. distance to min-l2 (LAPACK lstsq), ||X beta - y|| / ||y||)"
    bad = non_finite(beta=e["beta"])
    if bad:
        return CheckResult.compare(_theorem(e["depth"]), instance_, quantity, float("nan"),
                                   1e-8, paper=KEY, failed_runs=bad)
    error, failed = worst({"distance": relative(e["beta"], bias.min_l2(e["X"], e["y"])),
                           "feasibility": infeasibility(e["X"], e["y"], e["beta"])})
    return CheckResult.compare(_theorem(e["depth"]), instance_, quantity, error, 1e-8,
                               paper=KEY, failed_runs=failed)


KERNEL_COUNTEREXAMPLES = (
    Counterexample("min-l1 (the rich limit) in place of the flow limit",
                   setting("beta", lambda e: e["l1"])),
    Counterexample("beta = 0", setting("beta", lambda e: np.zeros_like(e["beta"]))),
    Counterexample("a diverged solve (NaN in beta)", nan_at("beta")),
)


def rich_measure():
    X, y, _ = instance("limits", seed=40)
    return {"X": X, "y": y, "l1": bias.min_l1(X, y), "l2": bias.min_l2(X, y),
            "beta": flow_limit(X, y, ALPHAS["rich"], depth=3)}


def rich_judge(e) -> CheckResult:
    d, N = SIZES["limits"]
    instance_ = f"alpha -> 0 gives min-l1; D=3, d={d}, N={N}, alpha={ALPHAS['rich']:g}"
    quantity = ("worst of (| ||beta||_1 / ||beta_l1||_1 - 1 | (LP by HiGHS), ||X beta - y|| / "
                "||y|| for beta and beta_l1)")
    bad = non_finite(beta=e["beta"], beta_l1=e["l1"])
    if bad:
        return CheckResult.compare("Woodworth Thm 3", instance_, quantity, float("nan"), 1e-9,
                                   paper=KEY, failed_runs=bad)
    ratio = np.abs(e["beta"]).sum() / np.abs(e["l1"]).sum()
    error, failed = worst({"l1 ratio": abs(ratio - 1),
                           "feasibility": infeasibility(e["X"], e["y"], e["beta"]),
                           "LP feasibility": infeasibility(e["X"], e["y"], e["l1"])})
    return CheckResult.compare("Woodworth Thm 3", instance_, quantity, error, 1e-9, paper=KEY,
                               failed_runs=failed)


RICH_COUNTEREXAMPLES = (
    Counterexample("min-l2 (the kernel limit) in place of the flow limit",
                   setting("beta", lambda e: e["l2"])),
    Counterexample("min-l2 in place of the LP's min-l1 reference",
                   setting("l1", lambda e: e["l2"])),
    Counterexample("beta = 0", setting("beta", lambda e: np.zeros_like(e["beta"]))),
    Counterexample("a diverged solve (NaN in beta)", nan_at("beta")),
)


# --- Theorem 2 --------------------------------------------------------------------------------

def _norm(which: str):
    return (lambda b: float(np.abs(b).sum())) if which == "rich" else (
        lambda b: float(np.sum(b**2)))


def theorem2_measure(which: str):
    def measure():
        X, y, _ = instance("theorem2", seed=50)
        if which == "rich":
            alpha, ref = bias.rich_alpha_threshold(EPS, X, y), bias.min_l1(X, y)
        else:
            alpha, ref = bias.kernel_alpha_threshold(EPS, X, y), bias.min_l2(X, y)
        return {"X": X, "y": y, "which": which, "alpha": alpha, "ref": ref,
                "beta": flow_limit(X, y, alpha)}

    return measure


def theorem2_judge(e) -> CheckResult:
    d, N = SIZES["theorem2"]
    rich = e["which"] == "rich"
    instance_ = f"{e['which']} threshold alpha={e['alpha']:.3g}, eps={EPS}; D=2, d={d}, N={N}"
    quantity = ("||beta||_1 / ||beta_l1||_1 - 1 at alpha_rich(eps)" if rich else
                "||beta||_2^2 / ||beta_l2||_2^2 - 1 at alpha_kernel(eps)")
    failed = non_finite(beta=e["beta"], reference=e["ref"])
    if failed:
        return CheckResult.compare("Woodworth Thm 2", instance_, quantity, float("nan"), EPS,
                                   paper=KEY, failed_runs=failed)
    norm = _norm(e["which"])
    excess = norm(e["beta"]) / norm(e["ref"]) - 1
    feas = infeasibility(e["X"], e["y"], e["beta"])
    if not feas <= FEASIBLE:  # Theorem 2 is about interpolators (the setting of Theorem 1)
        failed = [f"beta does not interpolate: ||X beta - y|| / ||y|| = {feas:.2e} > "
                  f"{FEASIBLE:g}"]
    return CheckResult.compare("Woodworth Thm 2", instance_, quantity, excess, EPS,
                               detail=f"||X beta - y|| / ||y|| = {feas:.1e}", paper=KEY,
                               failed_runs=failed)


def _violator(e):
    norm = _norm(e["which"])
    return violating(e["X"], e["beta"], norm, (1 + 2 * EPS) * norm(e["ref"]))


THEOREM2_COUNTEREXAMPLES = (
    Counterexample("beta = 0 (infeasible, though its norm ratio 0 meets the bound)",
                   setting("beta", lambda e: np.zeros_like(e["beta"]))),
    Counterexample("an interpolator off the limit with norm ratio 1 + 2 eps (beta + t v, X v = 0)",
                   setting("beta", _violator)),
    Counterexample("a diverged solve (NaN in beta)", nan_at("beta")),
)


def checks() -> list[Check]:
    """The limit checks, in report order."""
    out = [Check(_theorem(D), f"KKT, D={D}", kkt_measure(D), kkt_judge, KKT_COUNTEREXAMPLES,
                 paper=KEY) for D in (2, 3, 4)]
    out += [Check(_theorem(D), f"kernel limit, D={D}", kernel_measure(D), kernel_judge,
                  KERNEL_COUNTEREXAMPLES, paper=KEY) for D in (2, 3)]
    out.append(Check("Woodworth Thm 3", "rich limit, D=3", rich_measure, rich_judge,
                     RICH_COUNTEREXAMPLES, paper=KEY))
    out += [Check("Woodworth Thm 2", f"{w}, eps={EPS}", theorem2_measure(w), theorem2_judge,
                  THEOREM2_COUNTEREXAMPLES, paper=KEY) for w in ("rich", "kernel")]
    return out
