"""What the Barron experiments share: the targets (with closed-form C_f), the measure mu, the
greedy path as evidence, a memo of computed points and the way a caption states what ran."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from ...barron import Combination, GaussianBump, GreedyResult, Ridge, Target, uniform_ball
from ...experiments import Param, canonical_json

KEY = "barron1993"

TARGETS = ("gaussian", "ridges")
"""The targets of the approximation experiment (`make_target` also knows `"ridge"`)."""
RIDGE_WEIGHTS = (1.0, 0.5, -0.7)


def make_target(name: str, d: int) -> Target:
    """The experiments' targets in dimension d (deterministic: no config seed involved).

    - `"gaussian"`: exp(-|x|^2 / (2 * 0.5^2)), C_f = 2 E|Z_d| (exact).
    - `"ridges"`: exp(-t_1^2 / 2) + 0.5 cos(t_2 + 0.5) - 0.7 exp(-(t_3 - 0.5)^2 / 2) with
      t_j = a_j . x, |a_j| = 2 sqrt(d + 2) along fixed random directions, so that each t_j
      has standard deviation 2 under the uniform measure on the unit ball in every d;
      C_f = sum |w_j| |a_j| C_{g_j} (exact for d >= 2: the spectra lie on distinct lines).
    - `"ridge"`: exp(-(a . x + 0.3)^2 / 2), |a| = sqrt(d + 2) along a fixed random direction,
      so that a . x has standard deviation 1 under the uniform measure on the unit ball;
      C_f = |a| sqrt(2 / pi) (exact). Small C_f keeps Barron 1994's balancing size small.
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
    if name == "ridge":
        u = np.random.default_rng(2000 + d).standard_normal(d)
        return Ridge(u * np.sqrt(d + 2) / np.linalg.norm(u), 0.3, "gaussian")
    raise ValueError(f"target must be one of {TARGETS + ('ridge',)}, got {name!r}")


def padded_sample(N: int, d: int, pad_to: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """N points uniform on the unit ball, padded with zero-weight rows up to `pad_to` so that
    every N of a sweep shares one compiled unit search. Returns (X, weights)."""
    X = uniform_ball(N, d, seed=seed)
    pad = max(pad_to - N, 0)
    return (np.concatenate([X, np.zeros((pad, d))]),
            np.concatenate([np.ones(N), np.zeros(pad)]))


def sized(name: str, quick_value, full_value, quick: bool, why: str) -> Param:
    """A size the papers leave open (they run no experiments): our choice, with the full-mode
    value named in quick mode."""
    value = quick_value if quick else full_value
    note = f"; full mode: {full_value}" if quick and quick_value != full_value else ""
    return Param.choice(name, value, why + note)


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def search_note(config: dict) -> str:
    """How each unit was searched, for captions."""
    return (f"each unit by Adam ({config['steps']} steps, rate 0.1) on the profiled objective "
            f"from {config['restarts']} random starts at once (jit, float64)")


def path_record(res: GreedyResult) -> dict:
    """A greedy path as JSON-able evidence: the errors, e_0, C, the schedule and the units of
    f_n, from which f_n can be rebuilt (`path_network`) and its error recomputed."""
    return {"errors": res.errors.tolist(), "initial_error": res.initial_error, "C": res.C,
            "schedule": res.schedule, "a": res.units_a.tolist(), "b": res.units_b.tolist(),
            "gamma": res.gammas.tolist(), "alpha": res.alphas.tolist(), "c0": res.c0}


def path_network(record: dict) -> Callable[[np.ndarray], np.ndarray]:
    """f_n of a `path_record`, in NumPy: unit j carries gamma_j prod_{j < i <= n} (1 - alpha_i)."""
    a, b = np.asarray(record["a"], float), np.asarray(record["b"], float)
    gamma, alpha = np.asarray(record["gamma"], float), np.asarray(record["alpha"], float)
    keep = np.concatenate([np.cumprod((1 - alpha[1:])[::-1])[::-1], [1.0]])

    def f_n(X: np.ndarray) -> np.ndarray:
        return 0.5 * (1 + np.tanh(0.5 * (X @ a.T + b))) @ (gamma * keep) + record["c0"]

    return f_n


_MEMO: dict[tuple[str, str], dict] = {}


def memo_call(compute: Callable[[dict], dict], config: dict) -> dict:
    """`compute(config)`, remembered in this process: a check that judges an experiment's quick
    points reuses the points the experiment computed in the same process (`reproduce`) instead
    of computing them again. Returns a copy (callers may modify it)."""
    key = (f"{compute.__module__}.{compute.__qualname__}", canonical_json(config))
    if key not in _MEMO:
        _MEMO[key] = compute(config)
    return copy.deepcopy(_MEMO[key])


def instance(experiment, keys: tuple[str, ...]) -> str:
    """A check's instance: the experiment's quick points, by the values of `keys`."""
    configs = experiment.points(True)
    parts = [f"{k} = {sorted({c[k] for c in configs})}" for k in keys]
    return f"{experiment.name} quick points: " + ", ".join(parts)
