"""Checks of Even, Pesme, Gunasekar & Flammarion (2023) on the quick sweep's instance.

- Theorem 1: the limit of every converged (S)GD run (GD below and beyond the edge of
  stability, SGD at several batch sizes) is the Bregman projection of its effective
  initialisation; the judge recomputes each prediction from the run's alpha_+- alone
  (`bregman_limit`) and compares it with the run's last iterate.
- Large steps help SGD: on the sparse teacher, SGD with the smallest batch at its largest
  converging step has a lower test error than the gradient-flow limit, beyond 2 SE.
"""

from __future__ import annotations

import functools

import numpy as np

from ...diagonal import bregman_limit, gradient_descent
from ...experiments import Check, CheckResult, Counterexample, nan_at, setting
from . import _eos, _setup

KEY = _setup.KEY
PREDICTION_TOL = 1e-8
GD_FRACTIONS = (0.5, 1.3)  # below and beyond the edge of stability
BENEFIT = 0.9  # SGD's mean test error must be at most this fraction of the flow's
BENEFIT_THEOREM = "Even et al.: SGD at a macroscopic step beats the flow on a sparse teacher"


def _config():
    s = _setup.SIZES[True]
    return s, (s["d"], s["N"], s["r"], s["data_seed"], s["alpha"], tuple(s["fractions"]),
               tuple(s["batch_sizes"]), tuple(s["seeds"]), s["iterations"])


@functools.lru_cache(maxsize=1)
def measure() -> dict:
    s, key = _config()
    X, y, beta_star = _setup.instance(s["d"], s["N"], s["r"], s["data_seed"])
    result, gamma0 = _setup.sweep(*key)
    gamma0_, limit = _setup.edge(X, y, s["alpha"])
    names, betas, lp, lm, converged = [], [], [], [], []
    for idx in np.ndindex(result.converged.shape):
        i, j, k = idx
        if result.batch_sizes[j] < s["N"] and result.converged[idx]:
            names.append(f"SGD b = {result.batch_sizes[j]}, step {s['fractions'][i]:g} gamma_0, "
                         f"seed {result.seeds[k]}")
            betas.append(result.beta[idx]), lp.append(result.log_alpha_plus[idx])
            lm.append(result.log_alpha_minus[idx]), converged.append(True)
    for f in GD_FRACTIONS:
        run = gradient_descent(X, y, s["alpha"], step=f * gamma0, steps=_eos.MAX_STEPS,
                               loss="mean", stop_loss=_setup.STOP, sharpness=True)
        names.append(f"GD, step {f:g} gamma_0 (sharpness met {run.sharpness * f * gamma0 / 2:.3g}"
                     " x 2/gamma)")
        betas.append(run.beta), lp.append(run.log_alpha_plus), lm.append(run.log_alpha_minus)
        converged.append(bool(run.converged))
    test = np.sum((result.beta - beta_star) ** 2, axis=-1)
    test[~result.converged] = np.nan
    return {"X": X, "y": y, "alpha": s["alpha"], "names": names, "beta": np.array(betas),
            "log_alpha_plus": np.array(lp), "log_alpha_minus": np.array(lm),
            "converged": converged, "limit": limit, "beta_star": beta_star,
            "fractions": np.array(s["fractions"]), "batch_sizes": result.batch_sizes,
            "sweep_beta": result.beta, "sweep_converged": result.converged, "test": test}


def _instance() -> str:
    s = _setup.SIZES[True]
    return (f"noiseless sparse regression d = {s['d']}, N = {s['N']}, r* = {s['r']}; D = 2, "
            f"alpha = {s['alpha']:g}, MSE, stopped at {_setup.STOP:g}")


def prediction_judge(e: dict) -> CheckResult:
    failed = [f"{n}: did not converge" for n, ok in zip(e["names"], e["converged"], strict=True)
              if not ok]
    errors, iterations = [], []
    for n, beta, lp, lm in zip(e["names"], e["beta"], e["log_alpha_plus"], e["log_alpha_minus"],
                               strict=True):
        if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(lp)) and np.all(np.isfinite(lm))):
            failed.append(f"{n}: non-finite iterate or alpha_+-")
            errors.append(np.nan)
            continue
        predicted, it = bregman_limit(e["X"], e["y"], lp, lm)
        errors.append(_setup.relative(predicted, beta)), iterations.append(it)
    errors = np.array(errors)
    error = float(np.max(errors)) if errors.size else float("nan")
    to_flow = [_setup.relative(e["limit"], b) for b in e["beta"]]
    return CheckResult.compare(
        "Even et al. Thm 1: the (S)GD limit is the effective initialisation's", _instance(),
        "max over runs of |predicted - run's limit|_inf / |run's limit|_inf, the prediction from "
        "the run's alpha_+- alone (Newton on the dual)", error, PREDICTION_TOL,
        detail=(f"{len(errors)} runs ({sum('SGD' in n for n in e['names'])} SGD, "
                f"{sum(n.startswith('GD') for n in e['names'])} GD: "
                + "; ".join(n for n in e["names"] if n.startswith("GD"))
                + f"); distance of the runs to flow_limit(X, y, alpha): {min(to_flow):.2e} to "
                f"{max(to_flow):.2e}; Newton steps {min(iterations, default=0)}-"
                f"{max(iterations, default=0)}"),
        paper=KEY, failed_runs=failed)


def _mean_se(values) -> tuple[float, float]:
    v = np.asarray(values, float)
    return float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(v.size))


def benefit_judge(e: dict) -> CheckResult:
    flow = float(np.sum((np.asarray(e["limit"]) - e["beta_star"]) ** 2))
    b = int(np.argmin(e["batch_sizes"]))
    test = np.asarray(e["test"], float)[:, b, :]
    failed = [f"SGD b = {e['batch_sizes'][b]}, step {e['fractions'][i]:g} gamma_0: NaN test "
              "error of a converged run" for i in range(test.shape[0])
              if e["sweep_converged"][i][b].any() and not np.all(
                  np.isfinite(test[i][np.asarray(e["sweep_converged"][i][b])]))]
    converged = [i for i in range(test.shape[0]) if np.all(e["sweep_converged"][i][b])]
    if not converged:
        return CheckResult.compare(BENEFIT_THEOREM, _instance(), "SGD / flow test error",
                                   float("nan"), BENEFIT, paper=KEY,
                                   failed_runs=failed + ["no step converged"])
    i = max(converged)
    mean, se = _mean_se(test[i])
    small, small_se = _mean_se(test[min(converged)])
    if not mean + 2 * se < flow:
        failed.append(f"SGD's mean test error {mean:.3g} + 2 SE {2 * se:.2g} is not below the "
                      f"flow's {flow:.3g}")
    return CheckResult.compare(
        BENEFIT_THEOREM, _instance(),
        f"mean test error of SGD (b = {e['batch_sizes'][b]}) at its largest converging step / "
        "that of the gradient-flow limit", mean / flow, BENEFIT,
        detail=(f"SGD at {e['fractions'][i]:g} gamma_0: {mean:.4g} +- {se:.2g} (SE over "
                f"{test.shape[1]} seeds); at its smallest step ({e['fractions'][min(converged)]:g} "
                f"gamma_0): {small:.4g} +- {small_se:.2g}; flow limit: {flow:.4g}"),
        paper=KEY, failed_runs=failed)


def _no_step(e):
    """The prediction that ignores the step: alpha_+- = alpha (flow_limit's)."""
    e["log_alpha_plus"] = np.full_like(e["log_alpha_plus"], np.log(e["alpha"]))
    e["log_alpha_minus"] = np.full_like(e["log_alpha_minus"], np.log(e["alpha"]))
    return e


def _no_shift(e):
    """alpha_inf kept, the shift beta~_0 dropped: alpha_+ = alpha_- = alpha_inf."""
    mean = 0.5 * (np.asarray(e["log_alpha_plus"]) + np.asarray(e["log_alpha_minus"]))
    e["log_alpha_plus"], e["log_alpha_minus"] = mean, mean.copy()
    return e


def _flow_for_sgd(e):
    """SGD's limits replaced by the gradient-flow limit (no benefit)."""
    beta = np.array(e["sweep_beta"])
    beta[:] = e["limit"]
    e["sweep_beta"] = beta
    e["test"] = np.where(e["sweep_converged"], np.sum((beta - e["beta_star"]) ** 2, axis=-1),
                         np.nan)
    return e


CHECKS = [
    Check("Even et al. Thm 1: the (S)GD limit is the effective initialisation's",
          "quick sweep instance", measure, prediction_judge,
          (Counterexample("the step ignored: alpha_+- = alpha, i.e. flow_limit(X, y, alpha)",
                          _no_step),
           Counterexample("the shift dropped: alpha_+ = alpha_- = alpha_inf", _no_shift),
           Counterexample("a run that did not converge",
                          setting("converged", lambda e: [False] + list(e["converged"][1:]))),
           Counterexample("a diverged run (NaN in its alpha_+)",
                          nan_at("log_alpha_plus", (0, 0)))),
          paper=KEY),
    Check(BENEFIT_THEOREM, "quick sweep instance", measure, benefit_judge,
          (Counterexample("the gradient-flow limit in place of SGD's", _flow_for_sgd),
           Counterexample("a converged run with a NaN test error",
                          nan_at("test", (0, 0, 0)))),
          paper=KEY),
]
