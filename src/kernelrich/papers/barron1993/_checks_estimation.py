"""Barron 1994's risk bound as two checks on the estimation experiment's quick points: its
level (the risk below 2 C_f ((d/N) log N)^(1/2), the bound with unit constants) and its rate
(the exponent of the risk against (d/N) log N above 1/2 at 95%: shown, not merely not
rejected, so that noise makes the check harder to pass, not easier).
"""

from __future__ import annotations

import math

import numpy as np

from ...barron import fit_rate
from ...experiments import CheckResult, Counterexample, nan_at, worst
from . import _estimation
from ._common import KEY, instance

LEVEL = 0.95
"""Confidence level of the risk exponent's interval."""
RATE_INSTANCE = instance(_estimation.EXPERIMENT, ("d", "N", "seed", "n_max"))


def measure_estimation() -> dict:
    configs = _estimation.points(True)
    rows = [{**c, **_estimation.compute(c)} for c in configs]
    keys = ("d", "N", "seed", "risk", "x", "bound", "n_predicted", "n_max", "c_f")
    return {k: np.array([r[k] for r in rows], dtype=float) for k in keys}


def _runs(evidence: dict) -> tuple[dict[int, np.ndarray], list[str]]:
    """The runs of each d, and the failed ones: a non-finite or non-positive risk, or a size
    sweep that stops below the balancing size n*."""
    d, failed = evidence["d"].astype(int), []
    for i in range(d.size):
        name = f"d={d[i]}, N={int(evidence['N'][i])}, seed={int(evidence['seed'][i])}"
        if not (np.isfinite(evidence["risk"][i]) and evidence["risk"][i] > 0):
            failed.append(f"{name}: risk is {evidence['risk'][i]}")
        if not evidence["n_max"][i] >= evidence["n_predicted"][i]:
            failed.append(f"{name}: n_max = {evidence['n_max'][i]:g} is below n* = "
                          f"{evidence['n_predicted'][i]:.3g}")
    return {int(v): np.flatnonzero(d == v) for v in np.unique(d)}, failed


def _fit(evidence: dict, idx: np.ndarray):
    risk = evidence["risk"][idx]
    if not np.all(np.isfinite(risk) & (risk > 0)):
        return None
    return fit_rate(evidence["x"][idx], risk, level=LEVEL)


def judge_exponent(evidence: dict) -> CheckResult:
    groups, failed = _runs(evidence)
    fits = {d: _fit(evidence, idx) for d, idx in groups.items()}
    error, bad = worst({f"d={d}": (0.5 - f.low if f is not None else math.nan)
                        for d, f in fits.items()})
    detail = "; ".join(f"d={d}: exponent {f.slope:.3f}, {LEVEL:.0%} CI [{f.low:.3f}, "
                       f"{f.high:.3f}]" for d, f in fits.items() if f is not None)
    return CheckResult.compare(
        "Barron 1994 risk exponent", RATE_INSTANCE,
        f"1/2 - lower {LEVEL:.0%} CI of the risk's exponent against (d/N) log N", error, 0.0,
        detail + "; the bound O(C_f ((d/N) log N)^(1/2)) has exponent 1/2: the risk must fall "
        "at least that fast, shown here at 95% (noise widens the interval and makes the check "
        "harder to pass, not easier)", KEY, failed_runs=failed + bad)


def judge_constant(evidence: dict) -> CheckResult:
    groups, failed = _runs(evidence)
    ratios = {}
    for d, idx in groups.items():
        for N in np.unique(evidence["N"][idx]):
            at = idx[evidence["N"][idx] == N]
            ratios[f"d={d}, N={int(N)}"] = float(np.mean(evidence["risk"][at])
                                                 / evidence["bound"][at[0]])
    error, bad = worst(ratios)
    at = max(ratios, key=lambda k: ratios[k]) if not bad else bad[0]
    return CheckResult.compare(
        "Barron 1994 risk bound", RATE_INSTANCE,
        "max over d, N of mean risk / (2 C_f ((d/N) log N)^(1/2))", error, 1.0,
        f"largest at {at}; 2 C_f x^(1/2) = min_n C_f^2/n + n x is Barron's bound with unit "
        "constants (an assumption: the paper's constants depend on lambda and b)", KEY,
        failed_runs=failed + bad)


def _tilted(exponent: float):
    """The measured runs of each d tilted to the given exponent against x (scatter kept)."""

    def corrupt(evidence: dict) -> dict:
        groups, _ = _runs(evidence)
        for idx in groups.values():
            fit = fit_rate(evidence["x"][idx], evidence["risk"][idx])
            x0 = evidence["x"][idx].max()
            evidence["risk"][idx] *= (evidence["x"][idx] / x0) ** (exponent - fit.slope)
        return evidence

    return corrupt


def _capped(evidence: dict) -> dict:
    evidence["n_max"] = np.floor(evidence["n_predicted"] / 2)
    return evidence


def _above_bound(evidence: dict) -> dict:
    evidence["risk"] = 1.5 * evidence["bound"]
    return evidence


EXPONENT_COUNTEREXAMPLES = (
    Counterexample("the measured risks tilted to exponent 1/4 against (d/N) log N (slower than "
                   "the bound, still below it)", _tilted(0.25)),
    Counterexample("a size sweep that stops at n* / 2", _capped),
    Counterexample("a diverged run: NaN risk", nan_at("risk", 3)),
)
CONSTANT_COUNTEREXAMPLES_1994 = (
    Counterexample("a risk with the bound's exponent and 1.5 times its constant: "
                   "3 C_f x^(1/2)", _above_bound),
    Counterexample("a diverged run: NaN risk", nan_at("risk", 0)),
)
