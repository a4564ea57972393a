"""Checks of the flow's limit against the dynamics themselves: the end of the 2d-dimensional
parameter ODE (`diagonal.parameter_flow`, no closed form of the paper involved) and gradient
descent as its step halves (distance to the limit of order 1 in the step)."""

from __future__ import annotations

import numpy as np

from ... import bias
from ...diagonal import flow_limit, gradient_descent, parameter_flow
from ...experiments import Check, CheckResult, Counterexample, nan_at, setting, worst
from ._evidence import ALPHAS, KEY, SIZES, instance, non_finite, relative, shifted

T_END = 1e4  # parameter-flow end time (sum-normalised loss; the loss is ~1e-30 by t = 1e2)
SAVES = np.array([0.0, 1.0, T_END / 2, T_END])
FLOW_TOL = 1e-8  # parameter_flow runs at rtol 1e-10, atol 1e-12 on w
CONVERGED = 1e-16  # the largest L(T) / ||y||^2 of a converged flow
GD_STOP, GD_MAX_STEPS = 1e-26, 2_000_000


def _theorem(depth: int) -> str:
    return "Woodworth Thm 1" if depth == 2 else "Woodworth Thm 3"


# --- flow_limit = the end of the parameter ODE ------------------------------------------------

def trajectory_measure(depth: int):
    def measure():
        X, y, w0 = instance("trajectory", seed=10 + depth, shaped=True)
        alpha = ALPHAS["trajectory"]
        path = parameter_flow(X, y, alpha, depth=depth, w0=w0, times=SAVES)
        return {"X": X, "y": y, "depth": depth, "l2": bias.min_l2(X, y),
                "limit": flow_limit(X, y, alpha, depth=depth, w0=w0),
                "times": path.times, "beta": path.beta, "loss": path.loss,
                "method": path.method, "num_steps": path.num_steps}

    return measure


def trajectory_judge(e) -> CheckResult:
    d, N = SIZES["trajectory"]
    instance_ = (f"flow limit = end of the parameter ODE; D={e['depth']}, d={d}, N={N}, "
                 f"alpha={ALPHAS['trajectory']:g}, random w0, t={e['times'][-1]:g}")
    quantity = ("rel. distance of flow_limit (Newton on the dual) to w_+^D - w_-^D at the end of "
                "diagonal.parameter_flow (2d-dim ODE w' = -grad L(w), jax.grad, diffrax)")
    failed = non_finite(limit=e["limit"], path=e["beta"], loss=e["loss"])
    if failed:
        return CheckResult.compare(_theorem(e["depth"]), instance_, quantity, float("nan"),
                                   FLOW_TOL, paper=KEY, failed_runs=failed)
    beta, loss = np.asarray(e["beta"]), np.asarray(e["loss"])
    scale = np.linalg.norm(e["limit"])
    drift = float(np.linalg.norm(beta[-1] - beta[-2]) / scale)
    settled = float(loss[-1] / np.sum(np.asarray(e["y"]) ** 2))
    if not settled <= CONVERGED:
        failed.append(f"parameter flow not converged: L(t={e['times'][-1]:g}) / ||y||^2 = "
                      f"{settled:.1e} > {CONVERGED:g}")
    error, bad = worst({"distance": relative(e["limit"], beta[-1]),
                        "drift between the last two saves": drift})
    return CheckResult.compare(
        _theorem(e["depth"]), instance_, quantity, error, FLOW_TOL,
        detail=(f"{e['method']}, {e['num_steps']} steps; L(end) / ||y||^2 = {settled:.1e}; "
                f"||beta(t={e['times'][-1]:g}) - beta(t={e['times'][-2]:g})|| / ||limit|| = "
                f"{drift:.1e}"),
        paper=KEY, failed_runs=failed + bad)


def _stopped_early(e):
    """The parameter flow cut at its second save (t = 1), before it has converged."""
    for key in ("times", "beta", "loss"):
        e[key] = np.asarray(e[key])[:2]
    return e


TRAJECTORY_COUNTEREXAMPLES = (
    Counterexample("min-l2 in place of flow_limit", setting("limit", lambda e: e["l2"])),
    Counterexample("flow_limit shifted by 1e-6 along the null space of X (still feasible)",
                   setting("limit", lambda e: shifted(e["X"], e["limit"], 1e-6))),
    Counterexample("the parameter flow stopped at t = 1 (not converged)", _stopped_early),
    Counterexample("a diverged parameter flow (NaN at its end)", nan_at("beta", (-1, 0))),
)


# --- gradient descent -> the flow's limit, at order 1 in the step ------------------------------

def gd_measure():
    X, y, _ = instance("gd", seed=20)
    alpha = ALPHAS["gd"]
    base = 0.5 / np.linalg.eigvalsh(X @ X.T).max() / 4
    steps = [base, base / 2, base / 4]
    runs = [gradient_descent(X, y, alpha, step=h, steps=GD_MAX_STEPS, stop_loss=GD_STOP)
            for h in steps]
    return {"limit": flow_limit(X, y, alpha), "l2": bias.min_l2(X, y), "steps": np.array(steps),
            "beta": np.array([r.beta for r in runs]),
            "converged": [bool(r.converged) for r in runs],
            "steps_run": [r.steps_run for r in runs]}


def gd_judge(e) -> CheckResult:
    d, N = SIZES["gd"]
    instance_ = f"GD -> flow limit as step -> 0; D=2, d={d}, N={N}, alpha={ALPHAS['gd']:g}"
    quantity = "worst |observed order - 1| of GD's distance to flow_limit (steps h, h/2, h/4)"
    failed = non_finite(limit=e["limit"], gd=e["beta"])
    failed += [f"GD at step {h:.3g} stopped before loss {GD_STOP:g}"
               for h, ok in zip(e["steps"], e["converged"], strict=True) if not ok]
    dist = np.array([relative(b, e["limit"]) for b in np.asarray(e["beta"])])
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero distance gives inf: failed
        orders = np.log2(dist[:-1] / dist[1:])
    error, bad = worst({f"order h/{2**k} -> h/{2**(k + 1)}": abs(o - 1)
                        for k, o in enumerate(orders)})
    return CheckResult.compare(
        "Woodworth Thm 1", instance_, quantity, error, 0.1,
        detail=(f"distances {', '.join(f'{v:.2e}' for v in dist)}; h = {e['steps'][0]:.3g}; "
                f"steps run {e['steps_run']}"),
        paper=KEY, failed_runs=failed + bad)


GD_COUNTEREXAMPLES = (
    Counterexample("GD ends that do not approach the limit as the step halves (all at h's end)",
                   setting("beta", lambda e: np.repeat(e["beta"][:1], 3, axis=0))),
    Counterexample("min-l2 in place of flow_limit", setting("limit", lambda e: e["l2"])),
    Counterexample("the h/4 run stopped before its loss reached 1e-26",
                   setting("converged", [True, True, False])),
    Counterexample("a diverged GD run (NaN at step h/2)", nan_at("beta", (1, 0))),
)


def checks() -> list[Check]:
    """The dynamics checks, in report order."""
    out = [Check(_theorem(D), f"trajectory, D={D}", trajectory_measure(D), trajectory_judge,
                 TRAJECTORY_COUNTEREXAMPLES, paper=KEY) for D in (2, 3)]
    out.append(Check("Woodworth Thm 1", "GD order", gd_measure, gd_judge, GD_COUNTEREXAMPLES,
                     paper=KEY))
    return out
