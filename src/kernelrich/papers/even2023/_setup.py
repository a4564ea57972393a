"""The instance, step grid and sweep shared by the (S)GD experiments and checks (Even, Pesme,
Gunasekar & Flammarion 2023, arXiv 2302.08982).

The paper's experimental setup could not be read beyond its abstract; ours is the noiseless
sparse regression of Woodworth et al. (x_n ~ N(0, I_d), y = X beta*, beta* r-sparse with entries
1/sqrt(r)), the mean-squared loss L = (1/N) sum_n r_n^2 (SGD on the MSE), w_+ = w_- = alpha.
Steps are fractions of gamma_0 = 2 / lambda_flow, with lambda_flow the Gauss-Newton sharpness
(8/N) lambda_max(X diag(sqrt(beta^2 + 4 alpha^4)) X^T) of the loss at the gradient-flow limit
beta = flow_limit(X, y, alpha) (its Hessian's top eigenvalue there): GD with a larger step
cannot converge to the flow's limit, so gamma > gamma_0 is the edge-of-stability window.
"""

from __future__ import annotations

import functools

import numpy as np

from ...datasets import sparse_regression
from ...diagonal import SweepResult, effective_initialisation, flow_limit, sgd_sweep

KEY = "even2023"
STOP = 1e-22  # mean-squared loss at which a run counts as converged
SIZES = {
    True: {"d": 100, "N": 40, "r": 5, "alpha": 0.1, "data_seed": 0,
           "fractions": [0.1, 0.3, 0.6, 1.2], "batch_sizes": [1, 4, 40], "seeds": [0, 1],
           "iterations": 20_000},
    False: {"d": 1000, "N": 100, "r": 5, "alpha": 0.1, "data_seed": 0,
            "fractions": np.geomspace(0.05, 2.0, 20).round(4).tolist(),
            "batch_sizes": [1, 2, 5, 10, 20, 30, 50, 70, 90, 100], "seeds": list(range(10)),
            "iterations": 200_000},
}


def instance(d: int, N: int, r: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, beta*) of the noiseless sparse regression."""
    return sparse_regression(d, N, r, 0.0, seed)


def sharpness(X: np.ndarray, w_plus: np.ndarray, w_minus: np.ndarray) -> float:
    """The Gauss-Newton sharpness (2/N) lambda_max(J J^T), J = X [diag(2 w_+), -diag(2 w_-)],
    of the mean-squared loss at w (its Hessian's top eigenvalue at an interpolator)."""
    c = w_plus**2 + w_minus**2
    return float(8 / len(X) * np.linalg.eigvalsh((X * c) @ X.T).max())


def edge(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float, np.ndarray]:
    """(gamma_0, the flow limit): gamma_0 = 2 / the sharpness at the flow's limit, where
    w_+^2 + w_-^2 = sqrt(beta^2 + 4 alpha^4) (w_+ w_- = alpha^2 along the flow)."""
    limit = flow_limit(X, y, alpha)
    c = np.sqrt(limit**2 + 4 * alpha**4)
    return float(2 / (8 / len(X) * np.linalg.eigvalsh((X * c) @ X.T).max())), limit


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@functools.lru_cache(maxsize=4)
def sweep(d: int, N: int, r: int, seed: int, alpha: float, fractions: tuple,
          batch_sizes: tuple, seeds: tuple, iterations: int) -> tuple[SweepResult, float]:
    """The vmapped sweep on one instance, and gamma_0."""
    X, y, _ = instance(d, N, r, seed)
    gamma0, _ = edge(X, y, alpha)
    result = sgd_sweep(X, y, alpha, steps=gamma0 * np.asarray(fractions),
                       batch_sizes=list(batch_sizes), seeds=list(seeds), iterations=iterations,
                       loss="mean", stop_loss=STOP, sharpness=True)
    return result, gamma0


def summarise(result: SweepResult, X, y, beta_star, limit) -> dict:
    """Per run (step, batch, seed): test error ||beta - beta*||^2 (the population error of the
    noiseless isotropic design), effective alpha (geometric mean of alpha_inf / alpha over
    coordinates, on and off the support of beta*), the prediction's relative error against
    the run's last iterate, the distance to the flow limit, the final sharpness; NaN for runs
    that did not converge."""
    S, B, R = result.converged.shape
    support = beta_star != 0
    out = {k: np.full((S, B, R), np.nan) for k in (
        "test_error", "alpha_eff", "alpha_eff_support", "alpha_eff_off", "prediction_error",
        "to_flow", "final_sharpness")}
    for idx in np.ndindex(S, B, R):
        if not result.converged[idx]:
            continue
        eff = effective_initialisation(result.run(*idx), X, y)
        ratio = np.log(eff.alpha_eff / eff.alpha)
        beta = result.beta[idx]
        out["test_error"][idx] = float(np.sum((beta - beta_star) ** 2))
        out["alpha_eff"][idx] = float(np.exp(ratio.mean()))
        out["alpha_eff_support"][idx] = float(np.exp(ratio[support].mean()))
        out["alpha_eff_off"][idx] = float(np.exp(ratio[~support].mean()))
        out["prediction_error"][idx] = relative(eff.predicted, beta)
        out["to_flow"][idx] = relative(limit, beta)
        out["final_sharpness"][idx] = sharpness(X, result.w_plus[idx], result.w_minus[idx])
    return out
