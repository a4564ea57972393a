"""Theorem checks for Barron 1993 / 1994, each with counterexamples on which it must fail
(the 1994 checks are in `_checks_estimation`).

Every check judges the quick points of an experiment (computed once per process: a check run
after its experiment reuses the experiment's points).

- §VIII greedy step: every greedy step is at least as good as the proof's average,
  e_k <= B_k; with it the greedy's own bound e_n <= 1 / (1/e_0 + n/beta) < (2C)^2 / n.
  Theorem 1's (2C)^2 / n itself is an existence statement that says nothing for
  n <= (2C)^2 / e_0, which covers every quick instance; it is reported, not checked.
- §IX: the closed-form C_f against the numerical Fourier integral.
- §X: the fixed basis's worst error over the constructed hard targets reaches the width bound
  that every linear space of its dimension must reach (a worst case over the class).
- Barron 1994: the risk is below 2 C_f ((d/N) log N)^(1/2) (the bound with unit constants), and
  its exponent against (d/N) log N is above 1/2 at 95% (it falls at least as fast as the bound).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ...barron import (
    Ridge,
    barron_constant,
    gaussian_first_moment,
    greedy_step_bounds,
    uniform_ball,
    uniform_cube,
)
from ...experiments import Check, CheckResult, Counterexample, nan_at, worst
from . import _approximation, _constants, _fixed_basis
from ._checks_estimation import (
    CONSTANT_COUNTEREXAMPLES_1994,
    EXPONENT_COUNTEREXAMPLES,
    RATE_INSTANCE,
    judge_constant,
    judge_exponent,
    measure_estimation,
)
from ._common import KEY, instance, make_target, path_network

STEP_RTOL = 1e-12
"""Slack of e_k <= B_k relative to e_(k-1) (float64 rounding of the two errors)."""
REBUILD_RTOL = 1e-9
"""A path's reported e_n must match the error of its rebuilt network to this relative error."""


GREEDY_INSTANCE = (instance(_approximation.EXPERIMENT, ("d", "target", "n_max"))
                   + "; barron-fixed-basis's hardest targets")
CONSTANTS_INSTANCE = f"the {len(_constants.constant_targets())} targets of barron-constants"
FIXED_BASIS_INSTANCE = instance(_fixed_basis.EXPERIMENT, ("d", "N", "n_max"))


# --- §VIII: the greedy's step inequality ---------------------------------------------------

def _hardest_target(r: dict) -> Ridge:
    k = np.array(r["basis_worst_k"][-1], dtype=float)
    omega = math.pi * k
    offset = 0.0 if r["basis_worst_kind"][-1] == "cos" else -math.pi / 2
    return Ridge(omega, offset, "cos", _fixed_basis.C_CLASS / float(np.linalg.norm(omega)))


@functools.cache
def _paths() -> dict:
    """Every line-search path with its samples X, the target's values y and the class
    constant C_(f,B) recomputed from the target (radius 1 on the ball)."""
    paths = {}
    for c in _approximation.points(True):
        r = _approximation.compute(c)
        X = uniform_ball(c["N"], c["d"], seed=c["seed"])
        f = make_target(c["target"], c["d"])
        paths[f"greedy d={c['d']} {c['target']}"] = {
            **r["greedy"], "X": X, "y": np.asarray(f(X)), "C_class": barron_constant(f)}
    for c in _fixed_basis.points(True):
        r = _fixed_basis.compute(c)
        X = uniform_cube(c["N"], c["d"], seed=c["seed"])
        f = _hardest_target(r)
        paths[f"greedy d={c['d']} hardest ridge"] = {  # C_(f,B) on the cube: |w|_1 |amplitude|
            **r["hardest"], "X": X, "y": np.asarray(f(X)),
            "C_class": abs(f.amplitude) * float(np.sum(np.abs(f.direction)))}
    return paths


def measure_greedy() -> dict:
    return {"paths": _paths()}


def judge_greedy(evidence: dict) -> CheckResult:
    excess, failed = {}, []
    for name, p in evidence["paths"].items():
        e = np.asarray(p["errors"], float)
        previous = np.concatenate([[p["initial_error"]], e[:-1]])
        bound = greedy_step_bounds(e, p["initial_error"], p["C"], p["schedule"])
        excess[name] = float(np.max((e - bound) / previous))
        rebuilt = float(np.mean((p["y"] - path_network(p)(p["X"])) ** 2))
        e0 = float(np.mean((p["y"] - p["c0"]) ** 2))
        if not abs(rebuilt - e[-1]) <= REBUILD_RTOL * max(rebuilt, 1e-300):
            failed.append(f"{name}: reported e_n = {e[-1]:.6g}, its network's error is "
                          f"{rebuilt:.6g}")
        if not abs(e0 - p["initial_error"]) <= REBUILD_RTOL * max(e0, 1e-300):
            failed.append(f"{name}: reported e_0 = {p['initial_error']:.6g}, ||f - f(0)||^2 = "
                          f"{e0:.6g}")
        if not p["C"] >= p["C_class"] * (1 - 1e-12):
            failed.append(f"{name}: C = {p['C']:.6g} is below the class constant "
                          f"{p['C_class']:.6g}")
    error, bad = worst(excess)
    at = max(excess, key=lambda k: excess[k]) if not bad else bad[0]
    return CheckResult.compare(
        "Barron 1993 §VIII greedy step", GREEDY_INSTANCE,
        "max over paths and k of (e_k - B_k) / e_(k-1)", error, STEP_RTOL,
        f"{len(excess)} line-search paths; worst at {at}; B_k = min_alpha (1-alpha)^2 "
        "e_(k-1) + alpha^2 ((2C)^2 - e_0), recomputed from the reported errors; each path's "
        "e_n and e_0 are recomputed from its network and samples (the relaxed 2/(k+1) paths "
        "are not judged: their B_k = (1-alpha_k)^2 e_(k-1) + alpha_k^2 beta is far above "
        "e_(k-1) at these n)", KEY, failed_runs=failed + bad)


def _stalled(evidence: dict) -> dict:
    for p in evidence["paths"].values():
        p["gamma"] = [0.0] * len(p["gamma"])
        p["errors"] = [p["initial_error"]] * len(p["errors"])
    return evidence


def _half_gain(evidence: dict) -> dict:
    for p in evidence["paths"].values():
        e, out = p["initial_error"], []
        for _ in p["errors"]:
            bound = greedy_step_bounds(out + [0.0], p["initial_error"], p["C"], p["schedule"])
            e = e - (e - bound[-1]) / 2
            out.append(e)
        p["errors"] = out
    return evidence


def _understated(evidence: dict) -> dict:
    for p in evidence["paths"].values():
        p["errors"] = [0.5 * e for e in p["errors"]]
    return evidence


def _first_path_nan(evidence: dict) -> dict:
    name = next(iter(evidence["paths"]))
    evidence["paths"][name] = nan_at("errors", -1)(evidence["paths"][name])
    return evidence


GREEDY_COUNTEREXAMPLES = (
    Counterexample("a stalled search: every unit's outer weight is 0, so f_k = f(0) and "
                   "e_k = e_0", _stalled),
    Counterexample("an inner search that gains half of the proof's guaranteed improvement at "
                   "every step", _half_gain),
    Counterexample("errors reported at half their networks' errors", _understated),
    Counterexample("a diverged run: NaN in one path's last error", _first_path_nan),
)


# --- §IX: closed-form Barron constants -----------------------------------------------------

def measure_constants() -> dict:
    out = {}
    for c in _constants.points(True):
        r = _constants.compute(c)
        out[c["target"]] = {k: r[k] for k in ("d", "closed_form", "exact", "numerical",
                                              "error_estimate", "converged")}
    return {"targets": out}


def judge_constants(evidence: dict) -> CheckResult:
    ratios, failed = {}, []
    for name, t in evidence["targets"].items():
        diff = t["numerical"] - t["closed_form"]
        tol = t["error_estimate"] + 1e-15 * abs(t["closed_form"])
        ratios[name] = (abs(diff) if t["exact"] else diff) / tol
        if not t["converged"]:
            failed.append(f"{name}: the Fourier integral did not converge")
    error, bad = worst(ratios)
    detail = "; ".join(f"{n}: numerical {t['numerical']:.10g} +- {t['error_estimate']:.2g}, "
                       f"closed form {t['closed_form']:.10g}"
                       f"{'' if t['exact'] else ' (upper bound)'}"
                       for n, t in evidence["targets"].items())
    return CheckResult.compare(
        "Barron 1993 §IX C_f", CONSTANTS_INSTANCE,
        "max |C_f numerical - closed form| / error estimate (numerical - bound for an upper "
        "bound)", error, 1.0, detail, KEY, failed_runs=failed + bad)


def _corrupt_closed(names: tuple[str, ...], factor) -> Callable[[dict], dict]:
    def corrupt(evidence: dict) -> dict:
        for name, t in evidence["targets"].items():
            if not names or name in names:
                t["closed_form"] *= factor(t) if callable(factor) else factor
        return evidence

    return corrupt


CONSTANT_COUNTEREXAMPLES = (
    Counterexample("the Gaussian bump's C_f taken as its upper bound sqrt(d) instead of "
                   "E|Z_d|", _corrupt_closed(("bump d=1", "bump d=2"), lambda t: math.sqrt(
                       t["d"]) / gaussian_first_moment(t["d"]))),
    Counterexample("the dilation f(1.7 x) scaling C_f by 1/1.7 instead of 1.7",
                   _corrupt_closed(("dilated bump d=2, f(1.7 x)",), 1 / 1.7**2)),
    Counterexample("the other Fourier convention, exp(2 pi i w.x): every C_f divided by "
                   "2 pi", _corrupt_closed((), 1 / (2 * math.pi))),
    Counterexample("the shifted sum's bound taken as its larger term, not the sum",
                   _corrupt_closed(("shifted sum d=1 (bound)",), 0.5)),
    Counterexample("a numerical integral that returned NaN",
                   lambda e: {**e, "targets": {**e["targets"], "bump d=1": {
                       **e["targets"]["bump d=1"], "numerical": float("nan")}}}),
)


# --- §X: a fixed basis on the hardest constructed targets ----------------------------------

def measure_fixed_basis() -> dict:
    out = {}
    for c in _fixed_basis.points(True):
        r = _fixed_basis.compute(c)
        out[f"d={c['d']}"] = {"worst": r["basis_worst"], "width": r["width_bound"],
                              "bump": r["bump_errors"], "greedy": r["hardest"]["errors"]}
    return {"dims": out}


def judge_fixed_basis(evidence: dict) -> CheckResult:
    ratios, failed = {}, []
    for name, r in evidence["dims"].items():
        worst_e, width = np.asarray(r["worst"], float), np.asarray(r["width"], float)
        for n, (a, b) in enumerate(zip(worst_e, width, strict=True), start=1):
            ratios[f"{name}, n={n}"] = b / a if a != 0 else math.inf  # NaN stays NaN
            if not b > 0:
                failed.append(f"{name}, n={n}: the width bound is {b:.3g} (the family is too "
                              "small to bound anything)")
    error, bad = worst(ratios)
    at = max(ratios, key=lambda k: ratios[k]) if not bad else bad[0]
    return CheckResult.compare(
        "Barron 1993 §X fixed-basis lower bound", FIXED_BASIS_INSTANCE,
        "max over d, n of width bound / (Legendre's worst error over the family)", error, 1.0,
        f"largest at {at}; the width bound holds for every linear space of dimension n + 1 "
        "(Ky Fan on the family's Gram matrix), so only a basis that adapts to the target, or "
        "a comparison on targets that are not the worst case, can fall below it", KEY,
        failed_runs=failed + bad)


def _replace_worst(key: str):
    def corrupt(evidence: dict) -> dict:
        for r in evidence["dims"].values():
            r["worst"] = list(r[key])
        return evidence

    return corrupt


FIXED_BASIS_COUNTEREXAMPLES = (
    Counterexample("one smooth target of the class (a Gaussian bump with C_f = C) in place of "
                   "the worst case over the class", _replace_worst("bump")),
    Counterexample("the greedy sigmoidal network on the hardest target (adapted to the "
                   "target, not a fixed basis) in place of the fixed basis",
                   _replace_worst("greedy")),
    Counterexample("a NaN in the fixed basis's errors",
                   lambda e: {**e, "dims": {**e["dims"], "d=1": nan_at("worst", 0)(
                       dict(e["dims"]["d=1"]))}}),
)


def _checks() -> list[Check]:
    return [
        Check("Barron 1993 §VIII greedy step", GREEDY_INSTANCE, measure_greedy, judge_greedy,
              GREEDY_COUNTEREXAMPLES, paper=KEY),
        Check("Barron 1993 §IX C_f", CONSTANTS_INSTANCE, measure_constants, judge_constants,
              CONSTANT_COUNTEREXAMPLES, paper=KEY),
        Check("Barron 1993 §X fixed-basis lower bound", FIXED_BASIS_INSTANCE,
              measure_fixed_basis, judge_fixed_basis, FIXED_BASIS_COUNTEREXAMPLES, paper=KEY),
        Check("Barron 1994 risk exponent", RATE_INSTANCE, measure_estimation, judge_exponent,
              EXPONENT_COUNTEREXAMPLES, paper=KEY),
        Check("Barron 1994 risk bound", RATE_INSTANCE, measure_estimation, judge_constant,
              CONSTANT_COUNTEREXAMPLES_1994, paper=KEY),
    ]


CHECKS = _checks()
