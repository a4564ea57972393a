"""Greedy and relaxed-greedy sequential approximation (Jones 1992; Barron 1993, §VIII).

f_0 = c_0 = f(0), f_k = (1 - alpha_k) f_{k-1} + alpha_k g_k with g_k = gamma sigma(a . x + b),
|gamma| <= 2C, found by the multi-start search of `_search`. With the mixture weight alpha_k
optimised ("line-search") or alpha_k = 1 / k, the proof of Theorem 1 gives
||f - f_k||^2 <= beta / k <= (2C)^2 / k with beta = (2C)^2 - ||f - f(0)||^2, provided that
each step is at least as good as the average over the convex-hull representation of f:
e_k <= B_k := min_alpha (1 - alpha)^2 e_{k-1} + alpha^2 beta. B_k is recorded at every step;
e_k > B_k certifies that the inner search missed the optimum by at least e_k - B_k.
With alpha_k = 2 / (k + 1) the same argument gives 4 beta / (k + 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from .. import _validate
from ._network import SigmoidalNetwork, evaluate, probabilities, radius_of, samples
from ._search import _search_unit, initial_units
from ._targets import Target, barron_constant

SCHEDULES = ("line-search", "1/k", "2/(k+1)")


@dataclass(frozen=True)
class GreedyResult:
    """The greedy path f_1, ..., f_n on the measure mu (the samples).

    **Arguments:**

    - `units_a`, `units_b`: `(n, d)` and `(n,)`, the k-th unit added at step k.
    - `gammas`: `(n,)` the outer weight c of unit k when it was added.
    - `alphas`: `(n,)` the mixture weights alpha_k.
    - `c0`: the constant f(0).
    - `errors`: `(n,)` e_k = ||f - f_k||^2 in L2(mu).
    - `initial_error`: e_0 = ||f - f(0)||^2.
    - `step_bounds`: `(n,)` B_k, what the proof guarantees for e_k given e_{k-1}.
    - `coef_l1`: `(n,)` sum |c_j| of f_k (Theorem 1 bounds it by 2C).
    - `C`: the constant C >= C_{f,B} that defines the class; `radius`: r of B_r.
    - `schedule`, `restarts`, `steps`: how it ran.
    """

    units_a: np.ndarray
    units_b: np.ndarray
    gammas: np.ndarray
    alphas: np.ndarray
    c0: float
    errors: np.ndarray
    initial_error: float
    step_bounds: np.ndarray
    coef_l1: np.ndarray
    C: float
    radius: float
    schedule: str
    restarts: int
    steps: int

    def network(self, k: int | None = None) -> SigmoidalNetwork:
        """f_k (default f_n): unit j < k carries gamma_j prod_{j < i <= k} (1 - alpha_i)."""
        n = len(self.errors)
        k = n if k is None else _validate.integer("k", k, minimum=1)
        if k > n:
            raise ValueError(f"k must be <= n={n}, got {k}")
        keep = np.concatenate([np.cumprod((1 - self.alphas[1:k])[::-1])[::-1], [1.0]])
        return SigmoidalNetwork(jnp.asarray(self.units_a[:k]), jnp.asarray(self.units_b[:k]),
                                jnp.asarray(self.gammas[:k] * keep), jnp.asarray(self.c0))

    def theorem_bound(self) -> np.ndarray:
        """(2C)^2 / k for k = 1..n (Theorem 1)."""
        return (2 * self.C) ** 2 / np.arange(1, len(self.errors) + 1)

    def search_gap(self) -> np.ndarray:
        """max(0, e_k - B_k): a certified lower bound on the inner search's optimality gap."""
        return np.maximum(self.errors - self.step_bounds, 0.0)


def _step_bound(e_prev: float, beta: float, alpha: float | None) -> float:
    if alpha is None:  # min over alpha of (1 - alpha)^2 e + alpha^2 beta
        return e_prev * beta / (e_prev + beta) if e_prev + beta > 0 else 0.0
    return (1 - alpha) ** 2 * e_prev + alpha**2 * beta


def _alpha(schedule: str, k: int) -> float | None:
    return {"line-search": None, "1/k": 1 / k, "2/(k+1)": 2 / (k + 1)}[schedule]


def greedy_step_bounds(errors, initial_error: float, C: float,
                       schedule: str = "line-search") -> np.ndarray:
    """B_k, what the proof of Theorem 1 guarantees for step k given e_(k-1) (Barron 1993, §VIII).

    If f - f(0) lies in the closed convex hull of {gamma sigma(a . x + b) : |gamma| <= 2C},
    averaging over its representation shows that some unit reaches
    e_k <= B_k = min_alpha (1 - alpha)^2 e_(k-1) + alpha^2 beta, beta = (2C)^2 - e_0 (the min
    over alpha for the line search; alpha = alpha_k for a fixed schedule). A path with
    e_k > B_k shows that the inner search missed the best unit.

    **Arguments:**

    - `errors`: `(n,)` the path e_1, ..., e_n (NaN propagates).
    - `initial_error`: e_0 = ||f - f(0)||^2.
    - `C`: the class constant.
    - `schedule`: one of `SCHEDULES`.

    **Returns:**

    `(n,)` the bounds B_1, ..., B_n.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import greedy_step_bounds
    >>> greedy_step_bounds(np.array([0.5, 0.2]), initial_error=1.0, C=1.0).round(6)
    array([0.75    , 0.428571])

    ```
    """
    errors = np.asarray(errors, dtype=float)
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    beta = (2 * float(C)) ** 2 - float(initial_error)
    previous = np.concatenate([[float(initial_error)], errors[:-1]])
    return np.array([_step_bound(e, beta, _alpha(schedule, k))
                     for k, e in enumerate(previous, start=1)])


def greedy_bound(n, initial_error: float, C: float) -> np.ndarray:
    """The greedy's own guarantee e_n <= 1 / (1 / e_0 + n / beta), beta = (2C)^2 - e_0, which
    follows from e_k <= B_k at every step (1 / e_k >= 1 / e_(k-1) + 1 / beta); it is below
    both e_0 and Theorem 1's (2C)^2 / n for every n >= 1 (Barron 1993, §VIII; Jones 1992).

    **Arguments:**

    - `n`: the numbers of units (array-like, >= 1).
    - `initial_error`, `C`: e_0 and the class constant.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import greedy_bound
    >>> greedy_bound(np.array([1, 2, 4]), initial_error=1.0, C=1.0).round(6)
    array([0.75    , 0.6     , 0.428571])
    >>> (4.0 / np.array([1, 2, 4])).round(6)
    array([4., 2., 1.])

    ```
    """
    n = np.asarray(n, dtype=float)
    e0 = float(initial_error)
    beta = (2 * float(C)) ** 2 - e0
    if e0 <= 0 or beta <= 0:  # f = f(0), or f at the edge of the class: B_k = 0
        return np.zeros_like(n)
    return 1.0 / (1.0 / e0 + n / beta)


def greedy_fit(X, y, c0: float, n: int, C: float, *, radius: float | None = None,
               weights=None, schedule: str = "line-search", restarts: int = 32,
               steps: int = 200, learning_rate: float = 0.1, seed: int = 0) -> GreedyResult:
    """The greedy path for given values `y` = f(X) (f(0) = `c0`); see `greedy_approximation`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import greedy_fit, uniform_ball
    >>> X = uniform_ball(64, 2, seed=0)
    >>> y = np.tanh(3 * X[:, 0])
    >>> result = greedy_fit(X, y, c0=0.0, n=2, C=2.0, restarts=8, steps=50)
    >>> round(result.initial_error, 6), result.errors.round(4), result.coef_l1.round(4)
    (0.613947, array([0.3128, 0.0514]), array([1.1469, 1.8429]))

    ```
    """
    X = samples(X)
    y = _validate.bounded("y", _validate.finite_array("y", y, ndim=1))
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one value per sample ({X.shape[0]}), got {y.shape}")
    n = _validate.integer("n", n, minimum=1)
    C = _validate.positive("C", C)
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    restarts = _validate.integer("restarts", restarts, minimum=1)
    steps = _validate.integer("steps", steps, minimum=1)
    learning_rate = _validate.positive("learning_rate", learning_rate)
    r = radius_of(X, radius)
    w = probabilities(weights, X.shape[0])
    h = y - float(c0)
    e0 = float(w @ h**2)
    beta = (2 * C) ** 2 - e0
    if beta < 0:
        raise ValueError(f"C={C} is too small: ||f - f(0)||_mu = {np.sqrt(e0):.6g} > 2C, so f "
                         "is not in the class of Theorem 1 (need C >= C_{f,B})")
    N, d = X.shape
    Xs = np.pad(_pad(X / r), ((0, 0), (0, -d % 8)))
    Xj, wj, hj = jnp.asarray(Xs), jnp.asarray(_pad(w)), jnp.asarray(_pad(h))
    u = np.zeros(N)
    rows = {name: [] for name in ("a", "b", "gamma", "alpha", "e", "B")}
    e_prev = e0
    for k in range(1, n + 1):
        alpha_k = _alpha(schedule, k)
        rng = np.random.default_rng([seed, k])
        theta0 = initial_units(rng, Xs[:N, :d], restarts)
        if rows["a"] and restarts >= 4:  # a quarter of the starts along known directions
            theta0[: restarts // 4] = _known_directions(rng, Xs[:N, :d], np.array(rows["a"]) * r,
                                                        restarts // 4)
        theta0 = np.concatenate([theta0[:, :d], np.zeros((restarts, Xs.shape[1] - d)),
                                 theta0[:, d:]], axis=1)
        best = _search_unit(jnp.asarray(theta0), Xj, wj, hj, jnp.asarray(_pad(u)), 2 * C,
                           -1.0 if alpha_k is None else alpha_k, steps=steps,
                           learning_rate=learning_rate)
        a, b = np.asarray(best.a)[:d], float(best.b)
        alpha, c = float(best.alpha), float(best.c)
        u = (1 - alpha) * u + c * _sigmoid(Xs[:N, :d] @ a + b)
        e_k = float(w @ (h - u) ** 2)
        for name, value in (("a", a / r), ("b", b), ("gamma", c), ("alpha", alpha), ("e", e_k),
                            ("B", _step_bound(e_prev, beta, alpha_k))):
            rows[name].append(value)
        e_prev = e_k
    alphas, gammas = np.array(rows["alpha"]), np.array(rows["gamma"])
    return GreedyResult(
        units_a=np.array(rows["a"]), units_b=np.array(rows["b"]), gammas=gammas,
        alphas=alphas, c0=float(c0), errors=np.array(rows["e"]), initial_error=e0,
        step_bounds=np.array(rows["B"]), coef_l1=_coef_l1(gammas, alphas), C=C, radius=r,
        schedule=schedule, restarts=restarts, steps=steps)


def _known_directions(rng: np.random.Generator, X: np.ndarray, units: np.ndarray,
                      count: int) -> np.ndarray:
    """`count` starting units along the directions of randomly chosen earlier units, with a
    fresh scale and a hyperplane through a random sample point (as `initial_units` draws
    them): a target whose residual keeps its directions (a ridge) needs new units along
    them, which random directions in d dimensions rarely meet."""
    fresh = initial_units(rng, X, count)
    pick = units[rng.integers(0, units.shape[0], count)]
    norms = np.linalg.norm(pick, axis=1, keepdims=True)
    size = np.linalg.norm(fresh[:, :-1], axis=1, keepdims=True)
    a = np.where(norms > 0, pick / np.where(norms > 0, norms, 1.0), fresh[:, :-1] / size) * size
    b = -np.sum(a * X[rng.integers(0, X.shape[0], count)], axis=1)
    return np.concatenate([a, b[:, None]], axis=1)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * z))


def _pad(v: np.ndarray) -> np.ndarray:
    """Zero rows up to the next power of two (multiple of 1024 above 1024; zero weight: mu is
    unchanged). With the columns
    padded to a multiple of 8 (zero inputs: a . x and the gradient in a are unchanged), many
    (N, d) share one compiled search."""
    N = v.shape[0]
    size = 1 << max(N - 1, 1).bit_length() if N <= 1024 else -(-N // 1024) * 1024
    return np.concatenate([v, np.zeros((size - N,) + v.shape[1:])])


def _coef_l1(gammas: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """sum_j |c_j| of f_k for every k (the weights shrink by (1 - alpha_k) at step k)."""
    total, out = 0.0, []
    for g, a in zip(gammas, alphas, strict=True):
        total = (1 - a) * total + abs(g)
        out.append(total)
    return np.array(out)


def greedy_approximation(f: Callable | Target, X, n: int, *, C: float | None = None,
                         radius: float | None = None, weights=None,
                         schedule: str = "line-search", restarts: int = 32, steps: int = 200,
                         learning_rate: float = 0.1, seed: int = 0) -> GreedyResult:
    """Greedy / relaxed-greedy approximation of f by n sigmoidal units (Barron 1993, §VIII).

    **Arguments:**

    - `f`: the target; maps `(N, d)` points to `(N,)` values (a `Target` or any callable).
    - `X`: `(N, d)` samples; mu is their empirical measure (weighted by `weights`).
    - `n`: number of units, >= 1.
    - `C`: the class constant, C >= C_{f,B}; default r C_f from the target's closed form.
    - `radius`: r of the ball B_r holding the samples (default max |x_i|).
    - `schedule`: `"line-search"` (alpha_k and the unit optimised jointly), `"1/k"` or
      `"2/(k+1)"` (relaxed greedy with a fixed alpha_k).
    - `restarts`, `steps`, `learning_rate`: the multi-start Adam search for each unit.
    - `seed`: the only source of randomness (the starting units).

    **Returns:**

    A `GreedyResult` with the error e_k, the bound (2C)^2 / k, the per-step certificate
    B_k and sum |c_k| for every k <= n.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import GaussianBump, greedy_approximation, uniform_ball
    >>> X = uniform_ball(64, 2, seed=0)
    >>> result = greedy_approximation(GaussianBump(np.zeros(2)), X, n=3, restarts=8, steps=50)
    >>> round(result.C, 6), result.errors.round(4)
    (1.250125, array([0.0125, 0.0107, 0.008 ]))
    >>> bool(np.all(result.errors <= result.step_bounds))
    True

    ```
    """
    X = samples(X)
    values, f0 = evaluate(f, X)
    r = radius_of(X, radius)
    if C is None:
        if not isinstance(f, Target):
            raise ValueError("C must be given (C >= C_{f,B} = r C_f) when f is not a "
                             "kernelrich.barron Target with a closed-form C_f")
        C = r * barron_constant(f)
    return greedy_fit(X, values, f0, n, C, radius=r, weights=weights, schedule=schedule,
                      restarts=restarts, steps=steps, learning_rate=learning_rate, seed=seed)
