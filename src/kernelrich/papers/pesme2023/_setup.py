"""The instances and flows shared by the saddle-to-saddle experiment and checks (Pesme &
Flammarion 2023, arXiv 2304.00488).

The paper's own instance (its Appendix A) could not be read; ours are noiseless sparse
regressions, x_n ~ N(0, I_d), y = X beta*, with teacher entries of distinct magnitudes on the
first coordinates. "staircase" has plateaus long against the O(1 / log(1/alpha)) width of the
jumps (picked for that among 200 seeds); "non-monotone" visits six saddles and drops a
coordinate from the support on the way (a case the paper covers: "no monotonicity of the
number of active coordinates"; the seed with the longest plateaus among 300 that do). Both
have the same shape, so that one compiled flow serves them.
"""

from __future__ import annotations

import functools

import numpy as np

from ...diagonal import SaddlePath, gradient_flow, saddle_to_saddle

KEY = "pesme2023"
INSTANCES = {
    "staircase": {"N": 20, "d": 40, "seed": 15, "teacher": (4.0, -2.0, 1.0)},
    "non-monotone": {"N": 20, "d": 40, "seed": 67, "teacher": (4.0, -2.0, 1.0, 0.5, 0.25)},
}
SAVES = 1024  # flow save times on [0, HORIZON t_K] (rescaled time)
HORIZON = 1.5
RTOL, ATOL = 1e-10, 1e-12  # gradient_flow's tolerances (its defaults)


def instance(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of a named instance."""
    spec = INSTANCES[name]
    rng = np.random.default_rng(spec["seed"])
    X = rng.standard_normal((spec["N"], spec["d"]))
    beta = np.zeros(spec["d"])
    beta[: len(spec["teacher"])] = spec["teacher"]
    return X, X @ beta


@functools.lru_cache(maxsize=8)
def limit(name: str, depth: int = 2) -> SaddlePath:
    return saddle_to_saddle(*instance(name), depth)


def grid(path: SaddlePath) -> np.ndarray:
    """The rescaled save times: SAVES points on [0, HORIZON t_K]."""
    return np.linspace(0.0, HORIZON * path.times[-1], SAVES)


@functools.lru_cache(maxsize=32)
def flow(name: str, alpha: float, depth: int = 2) -> dict:
    """Gradient flow at scale alpha on the rescaled grid: beta, the rescaled dual sigma and the
    loss at each save time."""
    X, y = instance(name)
    path = limit(name, depth)
    taus = grid(path)
    run = gradient_flow(X, y, alpha, depth, times=path.flow_time(taus, alpha), rtol=RTOL,
                        atol=ATOL)
    return {"tau": taus, "beta": run.beta, "sigma": path.rescaled_dual(run.nu, X, alpha),
            "loss": run.loss, "num_steps": run.num_steps}


def jump_times(taus: np.ndarray, loss: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The first rescaled time at which the flow's loss falls to each level (the midpoints
    between consecutive plateaus), linearly interpolated; NaN if it never does."""
    out = np.full(len(levels), np.nan)
    for k, level in enumerate(levels):
        below = np.flatnonzero(loss <= level)
        if below.size == 0 or below[0] == 0:
            continue
        i = below[0]
        out[k] = taus[i - 1] + (level - loss[i - 1]) * (taus[i] - taus[i - 1]) / (
            loss[i] - loss[i - 1])
    return out


def levels(path_losses: np.ndarray) -> np.ndarray:
    """Loss levels that mark the jumps: the arithmetic midpoints of consecutive plateaus."""
    losses = np.asarray(path_losses)
    return 0.5 * (losses[:-1] + losses[1:])


def plateau_mask(taus: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The save times in the central half of a plateau (away from the jumps); the last
    plateau ends at the horizon."""
    edges = np.append(times, HORIZON * times[-1])
    mask = np.zeros(len(taus), bool)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        mask |= (taus >= a + 0.25 * (b - a)) & (taus <= b - 0.25 * (b - a))
    return mask


def errors(taus, beta, sigma, loss, times, betas, path_sigma, velocity, losses) -> dict:
    """The flow's distance to the limit, from arrays (NaN-propagating): the largest plateau
    error |beta - beta_k|_inf / |beta_K|_inf, the sup of |sigma - sigma_limit| over the grid,
    and the largest jump-time error relative to t_K."""
    times, betas = np.asarray(times), np.asarray(betas)
    k = np.maximum(np.searchsorted(times, taus, side="right") - 1, 0)
    scale = np.abs(betas[-1]).max()
    mask = plateau_mask(taus, times)
    plateau = np.max(np.abs(np.asarray(beta)[mask] - betas[k[mask]]), axis=1) / scale
    limit_sigma = np.asarray(path_sigma)[k] + (taus - times[k])[:, None] * np.asarray(velocity)[k]
    measured = jump_times(taus, np.asarray(loss), levels(losses))
    return {"plateau": float(np.max(plateau)),
            "sigma": float(np.max(np.abs(np.asarray(sigma) - limit_sigma))),
            "jumps": float(np.max(np.abs(measured - times[1:])) / times[-1]),
            "measured_jumps": measured.tolist()}
