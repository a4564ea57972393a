"""Theorem checks for Jacot et al. (2018): each compares two independent routes in float64."""

from __future__ import annotations

import functools

import jax
import numpy as np

from ...experiments import Check, CheckResult
from ...ntk import (
    MLP,
    KernelFlow,
    activation,
    apply_mlp,
    empirical_ntk,
    infinite_kernels,
    infinite_ntk,
    train_gd,
)
from ...ntk._gaussian import dual
from . import _setup

KEY = _setup.KEY
WIDTHS = (64, 128, 256, 512, 1024)
SEEDS = 12


def _points() -> np.ndarray:
    return np.random.default_rng(1).standard_normal((5, 3))


@functools.lru_cache(maxsize=4)
def _width_study(act: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per width: mean over seeds of Theta_n - Theta_inf, its std, on 5 points (depth 3)."""
    X = _points()
    limit = infinite_ntk(X, depth=3, activation=act, bias_std=0.2)
    means, stds = [], []
    for width in WIDTHS:
        errs = np.array([empirical_ntk(apply_mlp, MLP((3, width, width, 1), activation=act,
                         beta=0.2, key=jax.random.key(seed)), X) - limit
                         for seed in range(SEEDS)])
        means.append(errs.mean(axis=0))
        stds.append(errs.std(axis=0, ddof=1))
    return np.array(means), np.array(stds), limit


def convergence_slope(act: str) -> CheckResult:
    _, stds, _ = _width_study(act)
    fitted = np.polyfit(np.log(WIDTHS), np.log(stds.mean(axis=(1, 2))), 1)[0]
    return CheckResult.compare(
        "Jacot Thm 1", f"{act}, depth 3, widths {WIDTHS[0]}-{WIDTHS[-1]}, {SEEDS} seeds",
        "|slope of std(Theta_n - Theta_inf) vs width + 1/2|", abs(fitted + 0.5), 0.1,
        detail=f"fitted log-log slope {fitted:.3f}; structured empirical NTK, 5 points in R^3")


def convergence_mean(act: str) -> CheckResult:
    means, stds, limit = _width_study(act)
    z = np.abs(means[-1]) / (stds[-1] / np.sqrt(SEEDS))
    return CheckResult.compare(
        "Jacot Thm 1", f"{act}, depth 3, width {WIDTHS[-1]}, {SEEDS} seeds",
        "max z-score of mean_seeds(Theta_n) - Theta_inf", float(z.max()), 4.5,
        detail=f"max |mean error| {np.abs(means[-1]).max():.3e}, "
               f"max |Theta_inf| {np.abs(limit).max():.3f}")


def closed_vs_quadrature(act: str, tol: float) -> CheckResult:
    X = np.random.default_rng(2).standard_normal((12, 4))
    closed = np.stack(infinite_kernels(X, depth=4, activation=act, method="closed_form"))
    quad = np.stack(infinite_kernels(X, depth=4, activation=act, method="quadrature"))
    err = np.abs(closed - quad).max() / np.abs(closed).max()
    return CheckResult.compare("Jacot Thm 1 (recursion)", f"{act}, depth 4, quadrature",
                               "max relative |closed form - quadrature| (NNGP and NTK)", err,
                               tol)


def closed_vs_monte_carlo(act: str) -> CheckResult:
    """E[sigma(u) sigma(v)] and E[sigma' sigma'] against 400000 Gaussian draws (5 sigma)."""
    a = activation(act)
    cov = np.array([[1.3, 0.7], [0.7, 0.9]])
    uv = np.random.default_rng(3).multivariate_normal(np.zeros(2), cov, size=400_000)
    u, v = uv[:, 0], uv[:, 1]
    closed = np.asarray(dual(a, cov[0, 0], cov[1, 1], cov[0, 1], quadrature=False,
                             nodes=(8, 8))).ravel()
    samples = [np.asarray(a(u) * a(v)), np.asarray(a.derivative(u) * a.derivative(v))]
    z = [abs(s.mean() - c) / (s.std() / np.sqrt(s.size)) for s, c in zip(samples, closed,
                                                                        strict=True)]
    return CheckResult.compare("Jacot Thm 1 (recursion)", f"{act}, one layer, 4e5 draws",
                               "max z-score of Monte Carlo - closed form", max(z), 5.0)


def strategies_agree(parametrization: str) -> CheckResult:
    X = np.random.default_rng(4).standard_normal((9, 3))
    model = MLP((3, 48, 32, 2), key=jax.random.key(0), activation="tanh",
                parametrization=parametrization)
    kernels = [empirical_ntk(apply_mlp, model, X, method=m, outputs="full", batch_size=4)
               for m in ("jacobian", "ntvp", "structured")]
    scale = np.abs(kernels[0]).max()
    err = max(np.abs(k - kernels[0]).max() for k in kernels[1:]) / scale
    return CheckResult.compare("empirical NTK", f"{parametrization} parametrisation, 2 outputs",
                               "max relative difference jacobian / ntvp / structured", err, 1e-10)


def flow_vs_network() -> CheckResult:
    """A wide erf network trained by GD with a small step against kernel flow from its init."""
    X, y = _setup.product_task(8)
    model = MLP((2, 2048, 2048, 1), key=jax.random.key(0), activation="erf", beta=0.1)
    lr, steps = 0.2, 250
    theta = empirical_ntk(apply_mlp, model, X)
    f0 = np.asarray(model(X))[:, 0]
    flow = KernelFlow(theta, y, f0=f0)
    net = train_gd(model, X, y, lr=lr, steps=steps).predictions[-1]
    scale = np.abs(y - f0).max()
    err = np.abs(net - flow.predict_train(lr * steps)).max() / scale
    gd_gap = np.abs(flow.predict_train(steps, lr=lr) - flow.predict_train(lr * steps)).max()
    return CheckResult.compare(
        "Jacot Thm 2", "erf, depth 3, width 2048, 8 points, GD lr 0.2 x 250 steps",
        "max |f_net(t) - f_kernel flow(t)| / max |y - f_0|", err, 0.03,
        detail=f"kernel GD vs kernel flow at t = {lr * steps}: {gd_gap / scale:.2e} (relative)")


def sphere_positive_definite() -> CheckResult:
    Z = np.random.default_rng(5).standard_normal((400, 3))
    X = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    lam = np.linalg.eigvalsh(infinite_ntk(X, depth=3, bias_std=0.0))
    resolvable = lam.size * np.finfo(float).eps * lam[-1]
    return CheckResult.compare("Jacot Prop 2", "ReLU, depth 3, beta 0, 400 points on S^2",
                               "N eps lambda_max / lambda_min (PD iff < 1)",
                               resolvable / lam[0] if lam[0] > 0 else np.inf, 1.0,
                               detail=f"lambda_min {lam[0]:.3e}, lambda_max {lam[-1]:.3e}")


CHECKS = [
    Check("Jacot Thm 1", "relu std slope", functools.partial(convergence_slope, "relu"), paper=KEY),
    Check("Jacot Thm 1", "relu mean", functools.partial(convergence_mean, "relu"), paper=KEY),
    Check("Jacot Thm 1", "tanh std slope", functools.partial(convergence_slope, "tanh"), paper=KEY),
    Check("Jacot Thm 1", "tanh mean", functools.partial(convergence_mean, "tanh"), paper=KEY),
    Check("recursion", "erf closed vs quadrature",
          functools.partial(closed_vs_quadrature, "erf", 1e-10), paper=KEY),
    Check("recursion", "relu closed vs quadrature",
          functools.partial(closed_vs_quadrature, "relu", 1e-2), paper=KEY),
    Check("recursion", "relu Monte Carlo", functools.partial(closed_vs_monte_carlo, "relu"),
          paper=KEY),
    Check("recursion", "erf Monte Carlo", functools.partial(closed_vs_monte_carlo, "erf"),
          paper=KEY),
    Check("empirical NTK", "ntk", functools.partial(strategies_agree, "ntk"), paper=KEY),
    Check("empirical NTK", "standard", functools.partial(strategies_agree, "standard"), paper=KEY),
    Check("Jacot Thm 2", "erf flow vs network", flow_vs_network, paper=KEY),
    Check("Jacot Prop 2", "sphere", sphere_positive_definite, paper=KEY),
]
