"""Checks of the saddle-to-saddle limit (Pesme & Flammarion 2023, Theorem 1 and Algorithm 1)
against `gradient_flow` at alpha = 1e-10 and 1e-30, time rescaled by log(1/alpha).

The evidence is the flow on a grid of rescaled times at both scales and the limit process
(jump times, saddles, the rescaled dual); the judges recompute the errors from them:

- plateaus: between jumps (central half of each plateau) the flow is at the saddle beta_k;
- jumps: the flow's jump times (where its loss crosses the midpoint of two plateaus) and its
  rescaled dual sigma converge at the derived rate 1 / log(1/alpha) (observed order in
  log(1/alpha) near 1);
- the last saddle is the minimum-l1 interpolator (an LP, `bias.min_l1`).
"""

from __future__ import annotations

import functools

import numpy as np

from ... import bias
from ...experiments import Check, CheckResult, Counterexample, nan_at
from . import _setup

KEY = _setup.KEY
NAME = "staircase"
ALPHAS = (1e-10, 1e-30)
PLATEAU_TOL = 1e-6  # plateau error at alpha = 1e-30, relative to |beta_K|_inf
SHRINK = 3.0  # the plateau error must shrink at least as fast as 1 / log(1/alpha)
ORDER_TOL = 0.2  # |observed order in log(1/alpha) - 1| of the jump times and sigma
JUMP_TOL = 0.01  # jump-time error at alpha = 1e-30, relative to t_K
L1_TOL = 1e-10


@functools.lru_cache(maxsize=1)
def measure() -> dict:
    X, y = _setup.instance(NAME)
    path = _setup.limit(NAME)
    runs = [_setup.flow(NAME, a) for a in ALPHAS]
    return {"alphas": np.array(ALPHAS), "X": X, "y": y,
            "tau": runs[0]["tau"], "beta": np.array([r["beta"] for r in runs]),
            "sigma": np.array([r["sigma"] for r in runs]),
            "loss": np.array([r["loss"] for r in runs]),
            "times": path.times, "betas": path.betas, "path_sigma": path.sigma,
            "velocity": path.velocity, "losses": path.losses,
            "l1": bias.min_l1(X, y), "l2": bias.min_l2(X, y)}


def _errors(e: dict) -> list[dict]:
    return [_setup.errors(e["tau"], e["beta"][j], e["sigma"][j], e["loss"][j], e["times"],
                          e["betas"], e["path_sigma"], e["velocity"], e["losses"])
            for j in range(len(e["alphas"]))]


def _failed(e: dict) -> list[str]:
    failed = []
    for j, a in enumerate(e["alphas"]):
        for key in ("beta", "sigma", "loss"):
            if not np.all(np.isfinite(e[key][j])):
                failed.append(f"alpha = {a:g}: the flow's {key} is not finite")
    return failed


def _instance() -> str:
    s = _setup.INSTANCES[NAME]
    return (f"Gaussian X, N = {s['N']}, d = {s['d']}, y = X beta*, beta* = {list(s['teacher'])} "
            f"on the first coordinates; D = 2; alpha = {', '.join(f'{a:g}' for a in ALPHAS)}")


def _order(a: np.ndarray, err: np.ndarray) -> float:
    """The observed order p in err ~ log(1/alpha)^(-p) between the two scales."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.log(err[1] / err[0]) / np.log(np.log(1 / a[1]) / np.log(1 / a[0])))


def plateau_judge(e: dict) -> CheckResult:
    failed = _failed(e)
    errs = np.array([r["plateau"] for r in _errors(e)])
    if not errs[1] * SHRINK <= errs[0]:
        failed.append(f"the plateau error did not shrink by {SHRINK:g} (the ratio of the two "
                      f"log(1/alpha)) from alpha = {e['alphas'][0]:g} to {e['alphas'][1]:g}: "
                      f"{errs[0]:.2e} -> {errs[1]:.2e}")
    return CheckResult.compare(
        "Pesme & Flammarion Thm 1: the flow sits at the saddles between jumps", _instance(),
        "max |beta_alpha(tau log(1/alpha)) - beta_k|_inf / |beta_K|_inf over the central half "
        f"of each plateau, at alpha = {e['alphas'][1]:g}", errs[1], PLATEAU_TOL,
        detail=(f"plateau errors {errs[0]:.2e} (alpha = {e['alphas'][0]:g}), {errs[1]:.2e} "
                f"(alpha = {e['alphas'][1]:g}); {len(e['times']) - 1} jumps at tau = "
                + ", ".join(f"{t:.4g}" for t in e["times"][1:])
                + "; gradient_flow (Kvaerno5, rtol 1e-10, atol 1e-12) on "
                f"{len(e['tau'])} rescaled times"),
        paper=KEY, failed_runs=failed)


def jumps_judge(e: dict) -> CheckResult:
    failed = _failed(e)
    rows = _errors(e)
    a = np.asarray(e["alphas"])
    jumps = np.array([r["jumps"] for r in rows])
    sigma = np.array([r["sigma"] for r in rows])
    orders = {"jump times": _order(a, jumps), "rescaled dual sigma": _order(a, sigma)}
    if not jumps[1] <= JUMP_TOL:
        failed.append(f"jump-time error {jumps[1]:.2e} of t_K at alpha = {a[1]:g} exceeds "
                      f"{JUMP_TOL:g}")
    error = float(np.max(np.abs(np.array(list(orders.values())) - 1.0)))
    return CheckResult.compare(
        "Pesme & Flammarion Thm 1: jump times at the rate 1 / log(1/alpha)", _instance(),
        "max |observed order - 1| of the jump-time error and of sup |sigma_alpha - sigma| in "
        "log(1/alpha) (derived rate: order 1)", error, ORDER_TOL,
        detail=(f"jump-time errors (of t_K = {e['times'][-1]:.4g}) {jumps[0]:.2e}, "
                f"{jumps[1]:.2e}; sup sigma errors {sigma[0]:.2e}, {sigma[1]:.2e}; orders "
                + ", ".join(f"{k} {v:.3f}" for k, v in orders.items())
                + "; measured jump times at alpha = "
                f"{a[1]:g}: " + ", ".join(f"{t:.4g}" for t in rows[1]["measured_jumps"])
                + " against " + ", ".join(f"{t:.4g}" for t in e["times"][1:])),
        paper=KEY, failed_runs=failed)


def l1_judge(e: dict) -> CheckResult:
    last, l1 = np.asarray(e["betas"])[-1], np.asarray(e["l1"])
    X, y = np.asarray(e["X"]), np.asarray(e["y"])
    residual = float(np.linalg.norm(X @ last - y) / np.linalg.norm(y))
    failed = [] if residual <= L1_TOL else [f"the last saddle does not interpolate: "
                                             f"||X beta_K - y|| / ||y|| = {residual:.2e}"]
    error = float(np.max(np.abs(last - l1)) / np.max(np.abs(l1)))
    return CheckResult.compare(
        "Pesme & Flammarion: the last saddle is the minimum-l1 interpolator", _instance(),
        "|beta_K - argmin{||beta||_1 : X beta = y}|_inf / |.|_inf (HiGHS LP, polished)", error,
        L1_TOL, detail=(f"{len(e['times']) - 1} saddles; ||X beta_K - y|| / ||y|| = "
                        f"{residual:.1e}; ||beta_K||_1 = {np.abs(last).sum():.10g}, "
                        f"||beta_l1||_1 = {np.abs(l1).sum():.10g}"),
        paper=KEY, failed_runs=failed)


def _clock(factor: float):
    """The limit's jump times (and its sigma's velocity) on a clock off by `factor`."""
    def corrupt(e):
        e["times"] = np.asarray(e["times"]) * factor
        e["velocity"] = np.asarray(e["velocity"]) / factor
        return e
    return corrupt


def _stale(e):
    """The alpha = 1e-30 flow replaced by the 1e-10 one: an error that does not shrink."""
    for key in ("beta", "sigma", "loss"):
        e[key] = np.repeat(np.asarray(e[key])[:1], 2, axis=0)
    return e


def _last(value):
    def corrupt(e):
        betas = np.array(e["betas"])
        betas[-1] = value(e)
        e["betas"] = betas
        return e
    return corrupt


def _skipped(e):
    betas = np.array(e["betas"])
    betas[2] = betas[1]
    e["betas"] = betas
    return e


_NAN = Counterexample("a flow that diverged (NaN in its last save at alpha = 1e-30)",
                      nan_at("beta", (1, -1, 0)))
CHECKS = [
    Check("Pesme & Flammarion Thm 1: the flow sits at the saddles between jumps",
          f"{NAME}, alpha = 1e-10, 1e-30", measure, plateau_judge,
          (Counterexample("the limit on a clock off by a factor 2 (time rescaled by "
                          "log(1/alpha^2))", _clock(2.0)),
           Counterexample("a saddle skipped (beta_1 in place of beta_2)", _skipped),
           Counterexample("min-l2 in place of the last saddle",
                          _last(lambda e: np.asarray(e["l2"]))),
           Counterexample("the alpha = 1e-30 flow replaced by the 1e-10 one (no shrinking)",
                          _stale), _NAN),
          paper=KEY),
    Check("Pesme & Flammarion Thm 1: jump times at the rate 1 / log(1/alpha)",
          f"{NAME}, alpha = 1e-10, 1e-30", measure, jumps_judge,
          (Counterexample("the limit on a clock off by 10% (times tau / 1.1)", _clock(1.1)),
           Counterexample("the alpha = 1e-30 flow replaced by the 1e-10 one (no shrinking)",
                          _stale),
           Counterexample("a flow that diverged (NaN in its loss at alpha = 1e-30)",
                          nan_at("loss", (1, 5)))),
          paper=KEY),
    Check("Pesme & Flammarion: the last saddle is the minimum-l1 interpolator", NAME, measure,
          l1_judge,
          (Counterexample("min-l2 in place of the last saddle",
                          _last(lambda e: np.asarray(e["l2"]))),
           Counterexample("the walk stopped one saddle early",
                          _last(lambda e: np.asarray(e["betas"])[-2])),
           Counterexample("the last saddle off by 1e-8 in one coordinate",
                          _last(lambda e: np.asarray(e["betas"])[-1]
                                + 1e-8 * np.eye(len(e["l1"]))[0] * np.abs(e["l1"]).max()))),
          paper=KEY),
]
