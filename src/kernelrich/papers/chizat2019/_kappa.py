"""The check of the laziness criterion's estimator (Section 2.2): the operator norms ||Dh(w0)||
(power iteration on Jacobian-vector products) and ||D^2h(w0)|| (alternating restarted Lanczos
on Hessian-vector products) that `kernelrich.lazy.laziness` combines into kappa, against the
dense Jacobian and Hessian of a model small enough to form them.

The dense route: ||Dh|| is the largest singular value of the Jacobian (SVD). ||D^2h|| =
sup_{|e| = 1} ||sum_i e_i Hess h_i||_op; with n = 2 outputs, e = (cos t, sin t) and the sup
is a one-dimensional maximisation, done on a grid of `GRID` angles in [0, pi) and refined by
a bounded scalar search around the best one: a reference that does not share the
estimator's iteration. The Lanczos ascent gives a *lower* bound (a local maximum over e and
u), so the check also reports whether the estimate exceeds the reference (it must not)."""

from __future__ import annotations

import functools

import jax
import numpy as np
from jax.flatten_util import ravel_pytree
from scipy.optimize import minimize_scalar

from kernelrich import lazy
from kernelrich.experiments import CheckResult, Counterexample, nan_at, setting

from ._common import KEY, sphere

SIZE = {"m": 4, "d": 3, "n": 2, "seed": 0, "iterations": 30, "restarts": 3}
TOL = 1e-6
ABOVE = 1e-9
"""The largest relative excess of the ||D^2h|| estimate over the dense sup (rounding)."""
GRID = 4001
THEOREM = "Chizat-Oyallon-Bach kappa (Section 2.2)"
INSTANCE = (f"tanh two-layer, m={SIZE['m']}, d={SIZE['d']}, n={SIZE['n']} outputs, "
            f"{SIZE['iterations']} iterations, {SIZE['restarts']} restarts")


@functools.lru_cache(maxsize=1)
def measure() -> dict:
    """The estimator's norms and the dense Jacobian (n, p) and Hessians (n, p, p) of
    h(w) / sqrt(n) (the empirical norm of the outputs)."""
    rng = np.random.default_rng(SIZE["seed"])
    X = sphere(rng, SIZE["n"], SIZE["d"])
    p0 = lazy.two_layer_init(jax.random.key(SIZE["seed"]), SIZE["m"], SIZE["d"],
                             symmetrised=False)
    theta, unravel = ravel_pytree(p0)

    def h(t):
        return lazy.smooth_two_layer(unravel(t), X) / np.sqrt(len(X))

    J_est, H_est = lazy.operator_norms(lazy.smooth_two_layer, p0, X,
                                       iterations=SIZE["iterations"],
                                       restarts=SIZE["restarts"], seed=SIZE["seed"])
    return {"jacobian": np.asarray(jax.jacfwd(h)(theta)),
            "hessians": np.asarray(jax.hessian(h)(theta)),
            "jacobian_norm": float(J_est), "hessian_norm": float(H_est)}


def hessian_norm(hessians: np.ndarray) -> float:
    """sup_{|e| = 1} ||e_1 H_1 + e_2 H_2||_op for two symmetric matrices (the dense
    reference; NaN if any entry is not finite)."""
    H = np.asarray(hessians, dtype=float)
    if H.shape[0] != 2 or not np.isfinite(H).all():
        return float("nan")

    def norm(t: float) -> float:
        return float(np.max(np.abs(np.linalg.eigvalsh(np.cos(t) * H[0] + np.sin(t) * H[1]))))

    grid = np.linspace(0.0, np.pi, GRID, endpoint=False)
    mixed = np.cos(grid)[:, None, None] * H[0] + np.sin(grid)[:, None, None] * H[1]
    values = np.max(np.abs(np.linalg.eigvalsh(mixed)), axis=1)
    i, width = int(np.argmax(values)), np.pi / GRID
    best = minimize_scalar(lambda t: -norm(t), bounds=(grid[i] - width, grid[i] + width),
                           method="bounded", options={"xatol": 1e-13})
    return max(float(values[i]), -float(best.fun))


def judge(evidence: dict) -> CheckResult:
    J = np.asarray(evidence["jacobian"], dtype=float)
    J_ref = float(np.linalg.svd(J, compute_uv=False)[0]) if np.isfinite(J).all() else np.nan
    H_ref = hessian_norm(evidence["hessians"])
    J_est, H_est = float(evidence["jacobian_norm"]), float(evidence["hessian_norm"])
    errors = np.array([abs(J_est / J_ref - 1.0), abs(H_est / H_ref - 1.0)])
    above = H_est > H_ref * (1.0 + ABOVE)  # the ascent's value is attained: <= the sup
    hessians = np.asarray(evidence["hessians"], dtype=float)
    upper = (float(np.sqrt(sum(np.linalg.norm(Hi, 2) ** 2 for Hi in hessians)))
             if np.isfinite(hessians).all() else float("nan"))
    return CheckResult.compare(
        THEOREM, INSTANCE,
        "max relative error of the estimated ||Dh(w0)|| and ||D^2h(w0)|| against the dense "
        "Jacobian's largest singular value and sup_e ||sum_i e_i Hess h_i||",
        float(np.max(errors)), TOL,
        detail=(f"||Dh||: estimate {J_est:.12g}, dense SVD {J_ref:.12g}; ||D^2h||: estimate "
                f"(a lower bound) {H_est:.12g}, dense sup over e {H_ref:.12g}, dense upper "
                f"bound sqrt(sum_i ||Hess h_i||^2) = {upper:.6g}"),
        paper=KEY, failed_runs=[f"the ||D^2h|| estimate {H_est:.12g} exceeds the dense sup "
                                f"{H_ref:.12g}: not a lower bound"] if above else [])


def _axis_hessian(evidence: dict) -> dict:
    evidence["hessian_norm"] = float(max(np.linalg.norm(H, 2) for H in evidence["hessians"]))
    return evidence


def _upper_hessian(evidence: dict) -> dict:
    evidence["hessian_norm"] = float(np.sqrt(sum(np.linalg.norm(H, 2) ** 2
                                                 for H in evidence["hessians"])))
    return evidence


COUNTEREXAMPLES = (
    Counterexample("||D^2h|| as max_i ||Hess h_i|| (e restricted to the output axes)",
                   _axis_hessian),
    Counterexample("||D^2h|| as the upper bound sqrt(sum_i ||Hess h_i||^2)", _upper_hessian),
    Counterexample("||Dh|| as the Jacobian's Frobenius norm",
                   setting("jacobian_norm", lambda e: float(np.linalg.norm(e["jacobian"])))),
    Counterexample("a diverged estimate (||D^2h|| = NaN)", nan_at("hessian_norm")),
)
