"""What the Barron experiments share: the targets (with closed-form C_f), the measure mu and
the way a caption states what ran."""

from __future__ import annotations

import numpy as np

from ...barron import Combination, GaussianBump, Ridge, Target, uniform_ball

TARGETS = ("gaussian", "ridges")
RIDGE_WEIGHTS = (1.0, 0.5, -0.7)


def make_target(name: str, d: int) -> Target:
    """The experiments' targets in dimension d (deterministic: no config seed involved).

    - `"gaussian"`: exp(-|x|^2 / (2 * 0.5^2)), C_f = 2 E|Z_d| (exact).
    - `"ridges"`: exp(-t_1^2 / 2) + 0.5 cos(t_2 + 0.5) - 0.7 exp(-(t_3 - 0.5)^2 / 2) with
      t_j = a_j . x, |a_j| = 2 sqrt(d + 2) along fixed random directions, so that each t_j
      has standard deviation 2 under the uniform measure on the unit ball in every d;
      C_f = sum |w_j| |a_j| C_{g_j} (exact for d >= 2: the spectra lie on distinct lines).
    """
    if name == "gaussian":
        return GaussianBump(np.zeros(d), scale=0.5)
    if name == "ridges":
        rng = np.random.default_rng(1000 + d)
        U = rng.standard_normal((3, d))
        U *= 2 * np.sqrt(d + 2) / np.linalg.norm(U, axis=1, keepdims=True)
        terms = [Ridge(U[0], 0.0, "gaussian"), Ridge(U[1], 0.5, "cos"),
                 Ridge(U[2], -0.5, "gaussian")]
        return Combination(list(RIDGE_WEIGHTS), terms)
    raise ValueError(f"target must be one of {TARGETS}, got {name!r}")


def padded_sample(N: int, d: int, pad_to: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """N points uniform on the unit ball, padded with zero-weight rows up to `pad_to` so that
    every N of a sweep shares one compiled unit search. Returns (X, weights)."""
    X = uniform_ball(N, d, seed=seed)
    pad = max(pad_to - N, 0)
    return (np.concatenate([X, np.zeros((pad, d))]),
            np.concatenate([np.ones(N), np.zeros(pad)]))


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def search_note(config: dict) -> str:
    """How each unit was searched, for captions."""
    return (f"each unit by Adam ({config['steps']} steps, rate 0.1) on the profiled objective "
            f"from {config['restarts']} random starts at once (jit, float64)")
