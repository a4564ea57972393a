"""Theorem checks for Chizat & Bach (2018): each compares with a closed form (inf J = 0, a
conservation law, an identity of the measure representation) or an independent route (an
adaptive ODE solver, a convex program), with an explicit tolerance."""

from __future__ import annotations

import functools

import jax
import numpy as np

from kernelrich.experiments import Check, CheckResult
from kernelrich.meanfield import (
    init_sphere,
    particle_descent,
    particle_flow,
    predict,
    teacher_student,
    to_measure,
)

from . import _deconv, _excess, _scaling
from ._common import KEY

GLOBAL_MS = (5, 20, 80)
SEEDS = (0, 1, 2)


@functools.lru_cache(maxsize=1)
def _excess_runs() -> dict[int, list[float]]:
    """Worst-case inputs of the two global-convergence checks: the quick sweep's runs."""
    setup = _excess.setup(True)
    return {m: [float(_excess.compute({**setup, "m": m, "seed": s})["relative_excess"])
                for s in SEEDS] for m in GLOBAL_MS}


def _instance() -> str:
    s = _excess.setup(True)
    return (f"ReLU teacher m0={s['m0']}, d={s['d']}, n={s['n']}, m in {list(GLOBAL_MS)}, "
            f"seeds {list(SEEDS)}, GD step {s['step']:g} x {s['num_steps']}")


def global_convergence() -> CheckResult:
    runs = _excess_runs()
    worst = max(runs[GLOBAL_MS[-1]])
    return CheckResult.compare(
        "Chizat-Bach Thm 3.5 (global minimum)", _instance(),
        f"max over seeds of (J_m(t) - inf J) / J(0) at m = {GLOBAL_MS[-1]} (inf J = 0)",
        worst, 1e-2, detail=f"worst per m: {[max(runs[m]) for m in GLOBAL_MS]}", paper=KEY)


def trend_in_m() -> CheckResult:
    runs = _excess_runs()
    worst = np.array([max(runs[m]) for m in GLOBAL_MS])
    slope = np.polyfit(np.log(GLOBAL_MS), np.log(worst), 1)[0]
    return CheckResult.compare(
        "Chizat-Bach Thm 3.5 (trend in m)", _instance(),
        "max_k worst(m_{k+1}) / worst(m_k): the worst excess loss must not grow with m",
        float(np.max(worst[1:] / worst[:-1])), 1.0,
        detail=f"worst per m: {worst.tolist()}, log-log slope {slope:.2f}", paper=KEY)


def _sigmoid_problem(m: int = 20):
    k_data, k_init = jax.random.split(jax.random.key(0))
    model, _ = teacher_student(k_data, 2, 3, 100, "sigmoid", teacher_norm=4.0)
    return model, init_sphere(k_init, m, 2, radius=2.0)


def euler_order() -> CheckResult:
    model, init = _sigmoid_problem()
    T, steps = 10.0, (0.2, 0.1, 0.05)
    flow = particle_flow(model, init, times=np.array([0.0, T]), rtol=1e-11, atol=1e-13)
    errors = [particle_descent(model, init, step=h, num_steps=round(T / h)).distance(flow)
              for h in steps]
    order = np.log2(errors[-2] / errors[-1])
    return CheckResult.compare(
        "Chizat-Bach Sec 2.3 (GD -> particle flow)",
        f"sigmoid teacher m0=3, d=2, n=100, m=20, t={T:g}, steps {list(steps)}",
        "|observed order - 1| of max_i |x_i^GD(t) - x_i^flow(t)| (explicit Euler)",
        abs(order - 1.0), 0.1,
        detail=f"errors {errors}; flow: {flow.method}", paper=KEY)


def balance() -> CheckResult:
    k_data, k_init = jax.random.split(jax.random.key(1))
    model, _ = teacher_student(k_data, 2, 3, 50, "relu")
    init = init_sphere(k_init, 10, 2, radius=1.0)
    flow = particle_flow(model, init, times=np.array([0.0, 2.0, 5.0]), rtol=1e-11, atol=1e-13)
    invariant = flow.w**2 - np.sum(flow.theta**2, axis=2)
    return CheckResult.compare(
        "Chizat-Bach Sec 2.2 (balance)",
        "ReLU teacher m0=3, d=2, n=50, m=10, particle flow to t=5",
        "max_i,t |(w_i^2 - |theta_i|^2)(t) - (w_i^2 - |theta_i|^2)(0)| (conserved by the flow)",
        float(np.max(np.abs(invariant - invariant[0]))), 1e-8,
        detail=flow.method, paper=KEY)


def bookkeeping() -> CheckResult:
    k_data, k_init = jax.random.split(jax.random.key(2))
    model, _ = teacher_student(k_data, 5, 3, 100, "relu", bias=True)
    init = init_sphere(k_init, 40, 6, radius=1.0)
    x = particle_descent(model, init, step=1.0, num_steps=200).particles()
    f = np.asarray(predict(model, x))
    mu = to_measure(model, x, project=True)
    z = np.asarray(model.X) @ mu.atoms[:, :5].T + mu.atoms[:, 5]
    f_mu = np.maximum(z, 0) @ mu.masses
    plain = to_measure(model, x)
    mass_error = abs(plain.total_mass - float(np.sum(x.w)) / x.m)
    error = max(float(np.max(np.abs(f_mu - f)) / np.max(np.abs(f))), mass_error)
    return CheckResult.compare(
        "Chizat-Bach eq. (3) (bookkeeping)",
        "ReLU with bias, d=5, m=40, after 200 GD steps",
        "max(|int phi dmu_proj - f_m|_inf / |f_m|_inf, |mu_m(Theta) - sum_i w_i / m|)",
        error, 1e-12, detail="mu_proj: atoms on the unit sphere, masses b_i |theta_i| / m",
        paper=KEY)


def deconvolution_minimum() -> CheckResult:
    config = _deconv.points(True)[1]
    model, _, _ = _deconv.problem(config)
    from kernelrich.meanfield import deconvolution_minimum as grid_min

    path = _deconv.descend(model, config)
    ref = grid_min(model, config["grid_size"])
    return CheckResult.compare(
        "Chizat-Bach Thm 3.5 (deconvolution)",
        f"K={config['cutoff']}, {config['spikes']} spikes, lambda={config['lam']:g}, "
        f"m={config['m']}, GD step {config['step']:g} x {config['num_steps']}",
        "|J_m(t) - J_grid| / J_grid (J_grid: convex Lasso on a grid, Clarabel)",
        abs(path.curve[-1] - ref.value) / ref.value, 1e-4, detail=ref.method, paper=KEY)


def lazy_slope() -> CheckResult:
    setup = _scaling.setup(True)
    ms = (64, 256, 1024)
    change = [_scaling.compute({**setup, "scaling": "lazy", "m": m, "seed": 0})[
        "relative_change"] for m in ms]
    slope = float(np.polyfit(np.log(ms), np.log(change), 1)[0])
    return CheckResult.compare(
        "Chizat-Oyallon-Bach (lazy slope)",
        f"ReLU teacher d={setup['d']}, n={setup['n']}, m in {list(ms)}, "
        f"GD step {setup['step']:g} x {setup['num_steps']}",
        "|fitted log-log slope of ||x(t) - x(0)|| / ||x(0)|| in m + 1/2|",
        abs(slope + 0.5), 0.1, detail=f"relative changes {change}", paper=KEY)


CHECKS = [
    Check("Chizat-Bach Thm 3.5 (global minimum)", "teacher-student ReLU", global_convergence,
          paper=KEY),
    Check("Chizat-Bach Thm 3.5 (trend in m)", "teacher-student ReLU", trend_in_m, paper=KEY),
    Check("Chizat-Bach Sec 2.3 (GD -> particle flow)", "sigmoid, d=2", euler_order, paper=KEY),
    Check("Chizat-Bach Sec 2.2 (balance)", "ReLU, d=2", balance, paper=KEY),
    Check("Chizat-Bach eq. (3) (bookkeeping)", "ReLU + bias, d=5", bookkeeping, paper=KEY),
    Check("Chizat-Bach Thm 3.5 (deconvolution)", "torus, m=100", deconvolution_minimum,
          paper=KEY),
    Check("Chizat-Oyallon-Bach (lazy slope)", "ReLU, d=10", lazy_slope, paper=KEY),
]
