"""Helpers shared by the Chizat & Bach (2018) experiments."""

from __future__ import annotations

import jax
import numpy as np

KEY = "chizat_bach2018"


def keys(seed: int, count: int) -> list[jax.Array]:
    """`count` independent JAX keys from the config's seed (the only randomness)."""
    return list(jax.random.split(jax.random.key(seed), count))


def log_indices(length: int, count: int) -> np.ndarray:
    """About `count` indices into range(length), log-spaced, always with 0 and length - 1."""
    raw = np.unique(np.round(np.geomspace(1, length, count)).astype(int) - 1)
    return np.unique(np.concatenate([[0], raw, [length - 1]]))


def log_times(t_end: float, count: int, first: float = 1e-2) -> np.ndarray:
    """0 and `count - 1` log-spaced times from `first` to `t_end` (the flows' save times)."""
    return np.concatenate([[0.0], np.geomspace(first, t_end, count - 1)])


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def rounded(array, digits: int = 6) -> list:
    """A nested list with `digits` significant digits (smaller JSON records)."""
    return np.vectorize(lambda v: float(f"{v:.{digits}g}"))(np.asarray(array)).tolist()


def nan_first(array) -> np.ndarray:
    """A copy of `array` with a NaN in its first entry (a diverged run, for counterexamples)."""
    out = np.array(array, dtype=float)
    out.flat[0] = np.nan
    return out

