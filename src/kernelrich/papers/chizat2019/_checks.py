"""Theorem checks for Chizat, Oyallon, Bach (2019). Each `measure` returns the evidence (the
flows' distances and solver statuses, the residual curves, the estimator's norms beside the
dense Jacobian and Hessian, the particles' movement), each `judge` computes its error from
it, and each has counterexamples (a biased slope, a failed or truncated solve, a NaN, a rate
below the bound, a wrong estimator) on which the same judge must fail.

Theorems 2.2 and 2.4 are upper bounds (O(1/alpha), a rate at least m sigma_min^2 / 4): a
check passes when the measured slope is at most the bound's (plus a tolerance for the fit),
or the measured rate at least the bound's."""

from __future__ import annotations

import functools

import numpy as np

from kernelrich.experiments import Check, CheckResult, Counterexample, Param, worst

from . import _kappa, _scaling, _thm22, _thm24
from ._common import KEY, slope

SLOPE_TOL = 0.15
BOUNDS = {"dist_init": (-1.0, "||w - w0|| = O(1/alpha)"),
          "dist_linear": (-2.0, "||w - wbar|| = O(1/alpha^2)"),
          "dist_output": (-1.0, "||alpha h(w) - alpha hbar(wbar)|| = O(1/alpha)")}
LAZY_MS, LAZY_TOL = (64, 256, 1024), 0.1


def solver_failures(label: str, alphas, ok, t_stop, horizon: float) -> list[str]:
    """The runs whose solve did not succeed or ended before the horizon, each named."""
    out = []
    for a, good, t in zip(alphas, ok, t_stop, strict=True):
        if not good:
            out.append(f"{label}, alpha={a:.3g}: solver status not successful")
        elif not t >= horizon * (1 - 1e-12):
            out.append(f"{label}, alpha={a:.3g}: the solve stopped at t={t:.4g} < {horizon:g}")
    return out


# Theorem 2.2 ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def thm22_measure() -> dict:
    """The quick grid's flows of the three models (lazy-thm22's points)."""
    return {"runs": {c["model"]: _thm22.compute(c) for c in _thm22.points(True)},
            "horizon": _thm22.SIZE["horizon"]}


def thm22_instance() -> str:
    lo, hi, k = _thm22.log_alpha(True)
    s = _thm22.SIZE
    return (f"{', '.join(_thm22.MODELS)}; n={s['n']}, d={s['d']}, m={s['m']}, horizon "
            f"{s['horizon']:g}, {k} alphas in [1e{lo:g}, 1e{hi:g}], flow rtol {s['rtol']:g}")


def thm22_judge(name: str):
    bound, statement = BOUNDS[name]

    def judge(evidence: dict) -> CheckResult:
        failed, excess, slopes = [], {}, {}
        for model, run in evidence["runs"].items():
            failed += solver_failures(model, run["alpha"], run["ok"], run["t_stop"],
                                      evidence["horizon"])
            slopes[model] = slope(run["alpha"], run[name])
            excess[model] = slopes[model] - bound
        error, bad = worst(excess)
        return CheckResult.compare(
            f"Chizat-Oyallon-Bach Thm 2.2 ({statement})", thm22_instance(),
            f"largest (over models) log-log slope of sup_t {name} against alpha minus the "
            f"bound's {bound:g} (the bound holds if <= the fit tolerance)",
            error, SLOPE_TOL, detail=f"slopes: {_rounded(slopes)}", paper=KEY,
            failed_runs=failed + bad)

    return judge


def _thm22_counterexamples(name: str) -> tuple[Counterexample, ...]:
    last = _thm22.MODELS[1]

    def biased(e):
        for run in e["runs"].values():
            run[name] = (np.asarray(run[name]) * np.asarray(run["alpha"]) ** 0.3).tolist()
        return e

    def at_last(key, value):
        def corrupt(e):
            e["runs"][last][key][-1] = value(e) if callable(value) else value
            return e
        return corrupt

    return (
        Counterexample("every model's distances times alpha^0.3 (slope biased by +0.3)", biased),
        Counterexample(f"{last}: solver status not successful at the largest alpha",
                       at_last("ok", False)),
        Counterexample(f"{last}: the solve at the largest alpha stopped at half the horizon",
                       at_last("t_stop", lambda e: e["horizon"] / 2)),
        Counterexample(f"{last}: a diverged run (distance NaN at the largest alpha)",
                       at_last(name, float("nan"))),
    )


# Theorem 2.4 ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def thm24_measure() -> dict:
    return _thm24.compute(_thm24.points(True)[0])


def thm24_instance() -> str:
    s = _thm24.SIZE
    return (f"antisymmetric tanh two-layer, m={s['m']}, d={s['d']}, n={s['n']}, alpha in "
            f"[{_thm24.ALPHAS[0]:g}, {_thm24.ALPHAS[-1]:g}] ({len(_thm24.ALPHAS)} values), "
            f"flow rtol {s['rtol']:g}")


def _thm24_failures(e: dict) -> list[str]:
    return solver_failures("antisymmetric", e["alpha"], e["ok"], e["t_stop"], e["horizon"])


def thm24_rate(e: dict) -> CheckResult:
    bound = e["sigma_min_sq"] / 4.0
    rates = {f"alpha={a:.3g}": _thm24.rate(e["times"], r)
             for a, r in zip(e["alpha"], e["residual"], strict=True)}
    error, _ = worst({k: bound / v for k, v in rates.items()})
    unmeasured = [f"{k}: no rate measured (a NaN, or under 3 saved times in the fit window)"
                  for k, v in rates.items() if not np.isfinite(v)]
    return CheckResult.compare(
        "Chizat-Oyallon-Bach Thm 2.4 (rate)", thm24_instance(),
        "largest (over alpha) ratio of the bound's rate m sigma_min^2 / 4 to the measured "
        "linear rate (the bound holds if <= 1)", error, 1.0,
        detail=(f"measured rates {_rounded(rates)}; sigma_min^2 = {e['sigma_min_sq']:.6g} "
                f"(the linearised flow's slowest mode), bound sigma_min^2 / 4 = {bound:.6g}"),
        paper=KEY, failed_runs=_thm24_failures(e) + unmeasured)


def thm24_bound(e: dict) -> CheckResult:
    ratio = _thm24.bound_ratio(e["times"], e["residual"], e["sigma_min_sq"])
    return CheckResult.compare(
        "Chizat-Oyallon-Bach Thm 2.4 (bound)", thm24_instance(),
        "max over t and alpha of ||alpha h(w(t)) - y*|| / (||alpha h(w0) - y*|| "
        "exp(-m sigma_min^2 t / 4)) - 1 (kappa = M / m = 1)", ratio - 1.0, 1e-8,
        detail=e["method"], paper=KEY, failed_runs=_thm24_failures(e))


def _slower(e: dict) -> dict:
    """The largest alpha's residual decaying at 0.9 times the bound's rate."""
    t = np.asarray(e["times"])
    resid = np.array(e["residual"], dtype=float)
    resid[-1] = resid[-1, 0] * np.exp(-0.9 * e["sigma_min_sq"] / 4.0 * t)
    e["residual"] = resid
    return e


def _thm24_set(key: str, value):
    def corrupt(e):
        array = np.array(e[key], dtype=object if key == "ok" else float)
        array[-1] = value(e) if callable(value) else value
        e[key] = array.tolist()
        return e
    return corrupt


THM24_COUNTEREXAMPLES = (
    Counterexample("the largest alpha's residual decaying at 0.9 times the bound's rate",
                   _slower),
    Counterexample("solver status not successful at the largest alpha", _thm24_set("ok", False)),
    Counterexample("the solve at the largest alpha stopped at half the horizon",
                   _thm24_set("t_stop", lambda e: e["horizon"] / 2)),
)


def _nan_residual(e: dict) -> dict:
    resid = np.array(e["residual"], dtype=float)
    resid[-1, -1] = np.nan
    e["residual"] = resid
    return e


# Width scaling: lazy 1/sqrt(m) ---------------------------------------------------------

@functools.lru_cache(maxsize=1)
def lazy_slope_measure() -> dict:
    """Relative parameter change of lazy-meanfield-scaling's runs (seed 0, quick sizes) at
    three widths, under both scalings (the mean-field ones for the counterexample)."""
    sizes = _scaling.sizes(True)
    out = {"m": list(LAZY_MS)}
    for s in _scaling.SCALINGS:
        runs = [_scaling.compute({**sizes, "scaling": s, "m": m, "seed": 0}) for m in LAZY_MS]
        out[s] = [r["relative_change"] for r in runs]
        out[f"{s} final_loss"] = [r["final_loss"] for r in runs]
    return out


def lazy_slope_instance() -> str:
    sizes = _scaling.sizes(True)
    return (f"ReLU teacher d={sizes['d']}, n={sizes['n']}, m in {list(LAZY_MS)}, seed 0, "
            f"particle GD step {sizes['step']:g} x {sizes['num_steps']}")


def lazy_slope(e: dict) -> CheckResult:
    failed = [f"m={m}: final loss is {v}" for m, v in zip(e["m"], e["lazy final_loss"],
                                                        strict=True) if not np.isfinite(v)]
    s = slope(e["m"], e["lazy"])
    return CheckResult.compare(
        "Chizat-Oyallon-Bach (lazy slope)", lazy_slope_instance(),
        "fitted log-log slope in m of ||x(t) - x(0)|| / ||x(0)|| under the 1/sqrt(m) scaling "
        "minus the bound's -1/2 (the bound holds if <= the fit tolerance)", s + 0.5, LAZY_TOL,
        detail=f"relative changes {np.round(e['lazy'], 6).tolist()}", paper=KEY,
        failed_runs=failed)


def _lazy_biased(e: dict) -> dict:
    e["lazy"] = (np.asarray(e["lazy"]) * np.asarray(e["m"], dtype=float) ** 0.3).tolist()
    return e


def _lazy_mean_field(e: dict) -> dict:
    e["lazy"] = list(e["mean-field"])
    return e


def _lazy_nan(e: dict) -> dict:
    e["lazy"][-1], e["lazy final_loss"][-1] = float("nan"), float("nan")
    return e


def _rounded(values: dict) -> dict:
    return {k: round(float(v), 4) for k, v in values.items()}


ASSUMPTIONS = [
    Param.choice("Thm 2.2 slope tolerance", SLOPE_TOL, "the fit over 7 alphas from 3 to 100 "
                 "includes pre-asymptotic alphas"),
    Param.choice("Thm 2.4 alphas checked", "every alpha of lazy-thm24's grid",
                 "the theorem needs alpha > ||y*|| / C0, whose Lip(Dh) is not computed; every "
                 "alpha of the grid must meet the bound"),
    Param.choice("kappa check instance", _kappa.INSTANCE,
                 "small enough to form the Jacobian and Hessians densely; n = 2 outputs make "
                 "sup_e ||sum_i e_i Hess h_i|| a one-dimensional maximisation"),
    Param.choice("kappa check tolerance", _kappa.TOL, "relative, float64; the ascent converges "
                 "to the sup on this instance"),
    Param.choice("lazy slope instance", f"m in {list(LAZY_MS)}, seed 0, lazy-meanfield-"
                 "scaling's quick sizes", "three widths over 1.2 decades"),
    Param.choice("lazy slope tolerance", LAZY_TOL, "the fit over three widths"),
]

CHECKS = [
    *[Check(f"Chizat-Oyallon-Bach Thm 2.2 ({statement})", thm22_instance(), thm22_measure,
            thm22_judge(name), _thm22_counterexamples(name), paper=KEY)
      for name, (_, statement) in BOUNDS.items()],
    Check(_kappa.THEOREM, _kappa.INSTANCE, _kappa.measure, _kappa.judge,
          _kappa.COUNTEREXAMPLES, paper=KEY),
    Check("Chizat-Oyallon-Bach Thm 2.4 (rate)", thm24_instance(), thm24_measure, thm24_rate,
          (*THM24_COUNTEREXAMPLES,
           Counterexample("a diverged run (NaN residual at the largest alpha)", _nan_residual)),
          paper=KEY),
    Check("Chizat-Oyallon-Bach Thm 2.4 (bound)", thm24_instance(), thm24_measure, thm24_bound,
          (*THM24_COUNTEREXAMPLES,
           Counterexample("a diverged run (NaN residual at the largest alpha)", _nan_residual)),
          paper=KEY),
    Check("Chizat-Oyallon-Bach (lazy slope)", lazy_slope_instance(), lazy_slope_measure,
          lazy_slope,
          (Counterexample("the mean-field runs' relative changes in place of the lazy ones",
                          _lazy_mean_field),
           Counterexample("the lazy relative changes times m^0.3 (slope biased by +0.3)",
                          _lazy_biased),
           Counterexample("a diverged run at m = 1024 (NaN change and loss)", _lazy_nan)),
          paper=KEY),
]
