"""The instances and flows shared by the Moroshko et al. (2020) experiments and checks.

The paper's text could not be read beyond its abstract, so its figures' data are not ours to
copy; our instances are synthetic sparse-teacher problems. "teacher": x ~ N(0, I_d) kept where
|x_1| > MARGIN, y = sign(x_1) (separable through the origin by the 1-sparse teacher e_1, with
margin MARGIN); "tight": x_n1 = y_n and the other coordinates N(0, SPREAD^2), so that every
point lies on the l1 max margin (beta = e_1), the case where the multipliers of the points off
the margin cannot linger (see `_checks`).
"""

from __future__ import annotations

import functools

import numpy as np

from ... import bias
from ...diagonal import ClassificationPath, classification_flow

KEY = "moroshko2020"
MARGIN = 0.5  # teacher instance: the teacher's margin |x_1| > MARGIN
SPREAD = 0.3  # tight instance: the spread of the non-teacher coordinates
SIZES = {True: {"teacher": (30, 50), "tight": (20, 40)},
         False: {"teacher": (60, 120), "tight": (20, 40)}}
SEEDS = {"teacher": 0, "tight": 1}
TEST_POINTS = 5000
LOSSES = (1e-3, 1e-10, 1e-30, 1e-100, 1e-300)


def instance(name: str, quick: bool = True, test: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of a named instance; `test`: TEST_POINTS fresh points of the same law."""
    N, d = SIZES[quick][name]
    rng = np.random.default_rng(SEEDS[name] + (1000 if test else 0))
    N = TEST_POINTS if test else N
    if name == "tight":
        y = np.where(rng.random(N) < 0.5, -1.0, 1.0)
        X = SPREAD * rng.standard_normal((N, d))
        X[:, 0] = y
        return X, y
    X = rng.standard_normal((4 * N, d))
    X = X[np.abs(X[:, 0]) > MARGIN][:N]
    return X, np.sign(X[:, 0])


@functools.lru_cache(maxsize=64)
def flow(name: str, alpha: float, quick: bool = True, loss: str = "exponential",
         depth: int = 2) -> ClassificationPath:
    """The classification flow from alpha on an instance, saved at LOSSES."""
    X, y = instance(name, quick)
    return classification_flow(X, y, alpha, depth, losses=LOSSES, loss=loss)


@functools.lru_cache(maxsize=8)
def max_margins(name: str, quick: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(l1, l2) max-margin solutions of an instance."""
    X, y = instance(name, quick)
    return bias.l1_max_margin(X, y), bias.l2_max_margin(X, y)


@functools.lru_cache(maxsize=256)
def q_margin(name: str, alpha: float, margin: float, quick: bool = True,
             depth: int = 2) -> np.ndarray:
    """argmin Q_alpha s.t. y_n <x_n, beta> >= margin: the Q-max-margin at the flow's scale."""
    X, y = instance(name, quick)
    return bias.q_max_margin(X, y, alpha, margin, depth)


def test_error(beta: np.ndarray, name: str, quick: bool = True) -> float:
    """The fraction of TEST_POINTS fresh points that beta misclassifies."""
    X, y = instance(name, quick, test=True)
    return float(np.mean(np.sign(X @ beta) != y))
