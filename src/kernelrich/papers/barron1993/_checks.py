"""Theorem checks for Barron 1993 / 1994, each able to fail.

- Theorem 1: the greedy error e_k <= (2C)^2 / k for every k, C = C_{f,B} on the sampling
  ball (f centred at f(0)); a violation is reported with the inner search's certified gap.
- §VIII step inequality: every greedy step is at least as good as the proof's average,
  e_k <= B_k = min_alpha (1 - alpha)^2 e_{k-1} + alpha^2 ((2C)^2 - e_0).
- Theorem 1's coefficients: sum |c_k| <= 2C.
- §IX: numerical C_f within its error estimate of the closed form (or below the bound).
- Barron 1994: the risk exponent against (d/N) log N, with its 95% CI, reaches 1/2.
"""

from __future__ import annotations

import functools

import numpy as np

from ...barron import barron_constant_numerical, greedy_approximation, uniform_ball
from ...experiments import Check, CheckResult
from . import _constants, _estimation
from ._common import TARGETS, make_target

KEY = "barron1993"
_N, _n, _RESTARTS, _STEPS = 512, 10, 16, 100
_DIMS = (1, 2, 5, 10)


@functools.cache
def _greedy(d: int, target: str):
    X = uniform_ball(_N, d, seed=0)
    return greedy_approximation(make_target(target, d), X, _n, radius=1.0, restarts=_RESTARTS,
                                steps=_STEPS, seed=0)


def _instance(d: int, target: str) -> str:
    return f"d={d}, target={target}, N={_N} uniform on B_1, n={_n}"


def _detail(res) -> str:
    gap = res.search_gap()
    return (f"greedy with line search, {_RESTARTS} restarts x {_STEPS} Adam steps; C = "
            f"C_(f,B) = {res.C:.6g}; e_0 = {res.initial_error:.4g}, e_n = {res.errors[-1]:.4g}; "
            f"inner search optimality gap >= {gap.max():.3g} (max_k e_k - B_k, at k = "
            f"{int(np.argmax(gap)) + 1}); sum|c| = {res.coef_l1[-1]:.4g} <= 2C = {2 * res.C:.4g}")


def theorem1(d: int, target: str) -> CheckResult:
    res = _greedy(d, target)
    ratio = res.errors / res.theorem_bound()
    return CheckResult.compare("Barron 1993 Thm 1", _instance(d, target),
                               "max_k e_k / ((2C)^2 / k)", float(ratio.max()), 1.0,
                               _detail(res), KEY)


def step_inequality(d: int, target: str) -> CheckResult:
    res = _greedy(d, target)
    e_prev = np.concatenate([[res.initial_error], res.errors[:-1]])
    excess = (res.errors - res.step_bounds) / e_prev
    return CheckResult.compare("Barron 1993 §VIII greedy step", _instance(d, target),
                               "max_k (e_k - B_k) / e_(k-1)", float(excess.max()), 1e-12,
                               _detail(res), KEY)


def coefficients(d: int, target: str) -> CheckResult:
    res = _greedy(d, target)
    return CheckResult.compare("Barron 1993 Thm 1 (sum |c_k| <= 2C)", _instance(d, target),
                               "max_k sum|c| / 2C - 1", float(res.coef_l1.max() / (2 * res.C) - 1),
                               1e-12, _detail(res), KEY)


def closed_form(name: str) -> CheckResult:
    f = _constants.constant_targets()[name]
    num = barron_constant_numerical(f, f.d, rtol=1e-7)
    closed = f.c_f
    diff = abs(num.value - closed) if f.exact else num.value - closed
    quantity = "|C_f numerical - closed form|" if f.exact else "C_f numerical - upper bound"
    return CheckResult.compare(
        "Barron 1993 §IX C_f", name, quantity, diff, num.error,
        f"numerical {num.value:.12g} +- {num.error:.3g} ({len(num.history)} grid levels), "
        f"closed form {closed:.12g} ({'exact' if f.exact else 'upper bound'}); "
        "tolerance = the error estimate", KEY)


def estimation_rate() -> CheckResult:
    configs = [c for c in _estimation.points(True) if c["d"] == 1]
    rows = [{**c, **_estimation.compute(c)} for c in configs]
    from ...experiments import Table

    fit = _estimation.rate_rows(Table(rows))[0]
    return CheckResult.compare(
        "Barron 1994 risk rate", "d=1, target=ridges, N=128..1024, 2 seeds (quick sweep)",
        "1/2 - upper 95% CI of the risk exponent in (d/N) log N", 0.5 - fit["95% CI high"],
        0.0, f"exponent {fit['exponent']:.3f}, 95% CI [{fit['95% CI low']:.3f}, "
        f"{fit['95% CI high']:.3f}]; Barron 1994 bounds the risk by O(((d/N) log N)^(1/2)), "
        "so the risk must fall at least that fast", KEY)


def _checks() -> list[Check]:
    out = []
    for d in _DIMS:
        for target in TARGETS:
            for theorem, fn in (("Barron 1993 Thm 1", theorem1),
                                ("Barron 1993 §VIII greedy step", step_inequality),
                                ("Barron 1993 Thm 1 (sum |c_k| <= 2C)", coefficients)):
                out.append(Check(theorem, _instance(d, target),
                                 functools.partial(fn, d, target), paper=KEY))
    for name in _constants.constant_targets():
        out.append(Check("Barron 1993 §IX C_f", name, functools.partial(closed_form, name),
                         paper=KEY))
    out.append(Check("Barron 1994 risk rate", "d=1, target=ridges", estimation_rate, paper=KEY))
    return out


CHECKS = _checks()
