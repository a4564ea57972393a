"""The learning-curve check: the prediction from the spectrum against the measured test
error of ridgeless kernel regression, where the theory is asymptotically exact (the highest
dimension of the experiment). The evidence is the kernel's Mercer spectrum and the measured
errors per (n, seed, target); the judge recomputes the prediction from the spectrum.
Counterexamples: the spectrum of the wrong network (depth 2), the eigenvalues shifted by
one degree, an under-powered measurement (half the seeds' spread inflated), a failed fit."""

from __future__ import annotations

import functools

import numpy as np

from ...experiments import Check, CheckResult, Counterexample, nan_at
from ...spectrum import MercerSpectrum, learning_curve
from . import _curves, _setup

KEY = _setup.KEY
CHECK = {"dim": _curves.REGIME_DIM, "n": (150, 300), "seeds": 48, "anchors": 300,
         "tol": 0.05, "se": 0.03, "other_depth": 2}


@functools.lru_cache(maxsize=1)
def measure() -> dict:
    c = CHECK
    runs = [[_setup.regression(c["dim"], n, seed, c["anchors"], 0, modes_to=_curves.modes_to(
        c["dim"]))
             for seed in range(c["seeds"])] for n in c["n"]]
    s, other = _setup.spectrum(c["dim"]), _setup.spectrum(c["dim"], c["other_depth"])
    return {"n": np.array(c["n"], float), "degrees": list(_setup.DEGREES),
            "measured": np.array([[r["error"] for r in per_n] for per_n in runs]),
            "tail_bound": np.array([[r["tail_bound"] for r in per_n] for per_n in runs]),
            "status": [[r["status"] for r in per_n] for per_n in runs],
            **_arrays(s), "other": _arrays(other)}


def _arrays(s: MercerSpectrum) -> dict:
    return {"eigenvalues": s.eigenvalues.copy(), "errors": s.errors.copy(),
            "multiplicities": s.multiplicities.copy(), "kappa_one": s.kappa_one}


def judge(e: dict) -> CheckResult:
    c = CHECK
    failed = [f"n={int(n)}, seed {s}: fit {status}" for n, row in zip(e["n"], e["status"],
                                                                      strict=True)
              for s, status in enumerate(row) if status != "ok"]
    s = MercerSpectrum(c["dim"], np.asarray(e["eigenvalues"]), np.asarray(e["multiplicities"]),
                       np.asarray(e["errors"]), float(e["kappa_one"]), 0)
    measured = np.asarray(e["measured"], float)  # (n, seed, target)
    tail = np.asarray(e["tail_bound"], float)
    if not np.all(tail <= 1e-3 * measured):
        failed.append(f"the fits' power above the integrated degrees may reach "
                      f"{np.nanmax(tail / measured):.1e} of their error (> 1e-3)")
    mean = measured.mean(axis=1)
    se = measured.std(axis=1, ddof=1) / np.sqrt(measured.shape[1])
    excess, parts = [], []
    for j, k in enumerate(e["degrees"]):
        predicted = learning_curve(s, {k: 1.0}, e["n"], ridge=_setup.RIDGE).test_error
        for i, n in enumerate(e["n"]):
            excess.append((abs(mean[i, j] - predicted[i]) - 2 * se[i, j]) / predicted[i])
            parts.append(f"n={int(n)}, k={k}: {mean[i, j] / predicted[i] - 1:+.2%} +- "
                         f"{se[i, j] / predicted[i]:.1%}")
            if not se[i, j] <= c["se"] * predicted[i]:
                failed.append(f"n={int(n)}, k={k}: SE {se[i, j] / predicted[i]:.1%} of the "
                              f"prediction exceeds {c['se']:.0%} (too few seeds to test "
                              f"{c['tol']:.0%})")
    error = float(np.max(excess))
    return CheckResult.compare(
        "Bordelon et al. / Simon et al.: learning curve from the spectrum",
        f"ridgeless kernel regression, limiting ReLU NTK (depth {_setup.DEPTH}, no bias), "
        f"S^{c['dim'] - 1}, n = {list(c['n'])}, pure modes k = {list(e['degrees'])}, "
        f"{measured.shape[1]} seeds, exact integration",
        "largest (|measured mean - predicted| - 2 SE) / predicted", error, c["tol"],
        detail="deviations: " + "; ".join(parts), paper=KEY, failed_runs=failed)


def _other_kernel(e: dict) -> dict:
    e.update(e["other"])
    return e


def _shifted(e: dict) -> dict:
    mu = np.asarray(e["eigenvalues"])
    e["eigenvalues"] = np.append(mu[1:], mu[-1] / 2)
    return e


def _spread(e: dict) -> dict:
    m = np.asarray(e["measured"], float)
    e["measured"] = np.concatenate([m[:, ::2] * 1.5, m[:, 1::2] * 0.5], axis=1)
    return e


CHECKS = [
    Check("Bordelon et al. / Simon et al.: learning curve from the spectrum",
          f"d = {CHECK['dim']}", measure, judge,
          (Counterexample(f"the prediction from the depth-{CHECK['other_depth']} NTK's "
                          "spectrum (the wrong network)", _other_kernel),
           Counterexample("eigenvalues shifted by one degree (mu_(k+1) for mu_k)", _shifted),
           Counterexample("seeds' errors scattered by +-50% (an under-powered measurement)",
                          _spread),
           Counterexample("a failed fit", nan_at("measured", (0, 3, 1)))),
          paper=KEY),
]
