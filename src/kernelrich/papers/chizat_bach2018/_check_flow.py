"""The flow itself in Chizat & Bach (2018): gradient descent converges to the particle flow
at order 1 as the step shrinks (Section 2.3), and the flow of a 2-homogeneous model conserves
w_i^2 - |theta_i|^2 (Section 2.2), both on the plane experiment's problems."""

from __future__ import annotations

import numpy as np

from kernelrich.experiments import Check, CheckResult, Counterexample, setting, worst
from kernelrich.meanfield import particle_descent, replicate

from . import _plane
from ._common import KEY, nan_first

BALANCE_TOL = 1e-8
ORDER_TOL = 0.1


# --- Section 2.3: gradient descent converges to the particle flow at order 1 --------------

EULER_STEPS = (0.2, 0.1, 0.05)
EULER_T = 10.0


def _plane_problem(activation: str, m: int = _plane.SIZE):
    """The plane experiment's problem and m initial particles (its initialisation)."""
    model, _, k_init = _plane.problem(activation)
    return model, _plane.initial(activation, k_init, m)


def _euler_measure() -> dict:
    model, init = _plane_problem("sigmoid")
    flow, _ = _plane.flow(model, init, EULER_T, rtol=1e-11, atol=1e-13)
    gd = [particle_descent(model, init, step=h, num_steps=round(EULER_T / h), throw=False)
          for h in EULER_STEPS]
    return {"flow": _stack(flow), "result": flow.result, "method": flow.method,
            "gd": [_stack(p) for p in gd]}


def _stack(path) -> np.ndarray:
    """The final particles as rows (w_i, theta_i)."""
    return np.concatenate([path.w[-1][:, None], path.theta[-1]], axis=1)


def euler_order(evidence) -> CheckResult:
    errors = {f"GD step {h:g}": float(np.max(np.linalg.norm(x - evidence["flow"], axis=1)))
              for h, x in zip(EULER_STEPS, evidence["gd"], strict=True)}
    _, failed = worst(errors)
    if evidence["result"] != "successful":
        failed.append(f"particle flow: {evidence['result']}")
    e = list(errors.values())
    order = np.log2(e[-2] / e[-1])
    return CheckResult.compare(
        "Chizat-Bach Sec 2.3 (GD -> particle flow)",
        f"the plane's sigmoid problem (m0=3, d=2, n=100), m={_plane.SIZE} from w = 0, "
        f"t={EULER_T:g}, steps {list(EULER_STEPS)}",
        "|observed order - 1| of max_i |x_i^GD(t) - x_i^flow(t)| (explicit Euler)",
        abs(order - 1.0), ORDER_TOL, paper=KEY, failed_runs=failed,
        detail=f"errors {_fmt(errors)}; flow: {evidence['method']}")


def _fmt(errors: dict) -> str:
    return ", ".join(f"{k}: {v:.3e}" for k, v in errors.items())


def _coarse_only(evidence: dict) -> dict:
    evidence["gd"] = [evidence["gd"][0]] * len(evidence["gd"])
    return evidence


def _nan_gd(evidence: dict) -> dict:
    evidence["gd"][-1] = nan_first(evidence["gd"][-1])
    return evidence


# --- Section 2.2: the flow of a 2-homogeneous model conserves w_i^2 - |theta_i|^2 ---------

BALANCE_T = 5.0
BALANCE_GD_STEP = 0.1
BALANCE_M = 11
"""Distinct particles, copied to the plane's 99 (one compiled flow): with 99 distinct ReLU
particles the kinks make a solve at rtol 1e-11 take minutes."""


def _balance_measure() -> dict:
    model, init = _plane_problem("relu", BALANCE_M)
    flow, copies = _plane.flow(model, init, BALANCE_T, rtol=1e-11, atol=1e-13)
    init = replicate(init, copies)
    gd = particle_descent(model, init, step=BALANCE_GD_STEP,
                          num_steps=round(BALANCE_T / BALANCE_GD_STEP), record_every=10)
    return {"w": flow.w, "theta": flow.theta, "result": flow.result, "method": flow.method,
            "gd_w": gd.w, "gd_theta": gd.theta}


def balance(evidence) -> CheckResult:
    invariant = np.asarray(evidence["w"]) ** 2 - np.sum(np.asarray(evidence["theta"]) ** 2, 2)
    drift, failed = worst({"flow": np.max(np.abs(invariant - invariant[0]))})
    if evidence["result"] != "successful":
        failed.append(f"particle flow: {evidence['result']}")
    return CheckResult.compare(
        "Chizat-Bach Sec 2.2 (balance)",
        f"the plane's ReLU problem (m0=3, d=2, n=100), m={BALANCE_M} (copied to "
        f"{_plane.SIZE}), particle flow to t={BALANCE_T:g}",
        "max_i,t |(w_i^2 - |theta_i|^2)(t) - (w_i^2 - |theta_i|^2)(0)| (conserved by the flow)",
        drift, BALANCE_TOL, paper=KEY, failed_runs=failed, detail=evidence["method"])


def _gd_in_place_of_flow(evidence: dict) -> dict:
    evidence["w"], evidence["theta"] = evidence["gd_w"], evidence["gd_theta"]
    return evidence


CHECKS = [
    Check("Chizat-Bach Sec 2.3 (GD -> particle flow)", "sigmoid, d=2", _euler_measure,
          euler_order,
          (Counterexample("every GD run at the coarsest step 0.2 (the step never refined)",
                          _coarse_only),
           Counterexample("a diverged GD run: NaN in the particles at step 0.05", _nan_gd),
           Counterexample("the flow's solve stopped early",
                          setting("result", "max_steps reached before t_end"))), paper=KEY),
    Check("Chizat-Bach Sec 2.2 (balance)", "ReLU, d=2", _balance_measure, balance,
          (Counterexample(f"gradient-descent iterates at step {BALANCE_GD_STEP:g} in place of "
                          "the flow", _gd_in_place_of_flow),
           Counterexample("the flow's solve stopped early",
                          setting("result", "max_steps reached before t_end"))), paper=KEY),
]
