"""The complexity-penalised least-squares network estimator (Barron 1994, §2 and Theorem 3).

For each size n the network is fitted to the N noisy observations; the estimator picks
n_hat minimising  training error(n) + lambda n d log(N) / N.  Barron's bound
E||f - f_hat||^2 <= O(C_f^2 / n) + O((n d / N) log N), balanced at
n ~ C_f (N / (d log N))^(1/2), gives the rate O(C_f ((d / N) log N)^(1/2)).

Here the size-n fits are the greedy path of `greedy_fit` on the data (one run gives every
n <= n_max; its coefficients obey sum |c_k| <= 2C as in Barron 1994's parameter restriction),
standing in for the exact least-squares minimiser, which no algorithm computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.stats

from .. import _validate
from ._greedy import GreedyResult, greedy_fit
from ._network import probabilities, samples


@dataclass(frozen=True)
class PenalizedEstimate:
    """The minimum-complexity estimate.

    **Arguments:**

    - `path`: the greedy path f_1, ..., f_{n_max} on the data.
    - `train_errors`: `(n_max,)` empirical squared error of f_n on the data.
    - `criterion`: `(n_max,)` train_errors + lambda n d log N / N.
    - `n_hat`: the chosen size (argmin of the criterion, 1-based).
    - `penalty`: lambda.
    """

    path: GreedyResult
    train_errors: np.ndarray
    criterion: np.ndarray
    n_hat: int
    penalty: float

    def network(self):
        """The estimator f_hat = f_{n_hat}."""
        return self.path.network(self.n_hat)


def penalized_estimator(X, y, n_max: int, C: float, *, penalty: float, weights=None,
                        restarts: int = 16, steps: int = 100, seed: int = 0
                        ) -> PenalizedEstimate:
    """Complexity-penalised least squares over network size (Barron 1994, eq. (4)).

    **Arguments:**

    - `X`, `y`: the N observations (x_i, y_i), y_i = f(x_i) + noise; `weights` may give
      zero weight to padding rows (then N counts the positive weights only).
    - `n_max`: the largest size considered, >= 1.
    - `C`: the class constant (sum |c_k| <= 2C on the path), C >= C_{f,B}.
    - `penalty`: lambda > 0 in lambda n d log(N) / N.
    - `restarts`, `steps`, `seed`: the greedy path's unit search.

    **Returns:**

    A `PenalizedEstimate` with the chosen size `n_hat`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import penalized_estimator, uniform_ball
    >>> X = uniform_ball(64, 2, seed=0)
    >>> y = np.tanh(3 * X[:, 0]) + 0.1 * np.random.default_rng(0).standard_normal(64)
    >>> estimate = penalized_estimator(X, y, n_max=3, C=2.0, penalty=0.1, restarts=8, steps=50)
    >>> estimate.n_hat, estimate.criterion.round(4)
    (3, array([0.3329, 0.0576, 0.053 ]))

    ```
    """
    X = samples(X)
    y = _validate.finite_array("y", y, ndim=1)
    n_max = _validate.integer("n_max", n_max, minimum=1)
    penalty = _validate.positive("penalty", penalty)
    w = probabilities(weights, X.shape[0])
    N = int(np.count_nonzero(w))
    if N < 2:
        raise ValueError(f"the estimator needs N >= 2 observations, got N={N}")
    c0 = float(w @ y)
    path = greedy_fit(X, y, c0, n_max, C, weights=w, restarts=restarts, steps=steps, seed=seed)
    sizes = np.arange(1, n_max + 1)
    criterion = path.errors + penalty * sizes * X.shape[1] * math.log(N) / N
    return PenalizedEstimate(path, path.errors, criterion, int(np.argmin(criterion)) + 1,
                             penalty)


def predicted_size(c_f: float, N: int, d: int) -> float:
    """The balancing size n* = C_f (N / (d log N))^(1/2) (Barron 1994, §3).

    **Example:**

    ```pycon
    >>> from kernelrich.barron import predicted_size
    >>> round(predicted_size(2.0, N=100, d=1), 6)
    9.319812

    ```
    """
    c_f = _validate.positive("c_f", c_f)
    N = _validate.integer("N", N, minimum=2)
    d = _validate.integer("d", d, minimum=1)
    return c_f * math.sqrt(N / (d * math.log(N)))


def estimation_term(N, d: int) -> np.ndarray:
    """x = (d / N) log N, the estimation error per unit in Barron 1994's bound: the risk bound
    is O(C_f^2 / n) + O(n x), and O(C_f x^(1/2)) at the balancing size (see `risk_bound`).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import estimation_term
    >>> estimation_term(np.array([100, 10000]), d=2).round(6)
    array([0.092103, 0.001842])

    ```
    """
    N = _validate.finite_array("N", N)
    if (N < 2).any():
        raise ValueError(f"N must be >= 2, got {N}")
    d = _validate.integer("d", d, minimum=1)
    return d * np.log(N) / N


def predicted_rate(N, d: int) -> np.ndarray:
    """((d / N) log N)^(1/2), the rate of Barron 1994's risk bound (up to C_f): the square root
    of `estimation_term`, so that a risk following it has exponent 1/2 against (d / N) log N.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import predicted_rate
    >>> predicted_rate(np.array([100, 10000]), d=2).round(6)
    array([0.303485, 0.042919])

    ```
    """
    return np.sqrt(estimation_term(N, d))


def risk_bound(c_f: float, N, d: int) -> np.ndarray:
    """Barron 1994's bound with both O-constants set to 1: min over n > 0 of
    C_f^2 / n + n (d / N) log N = 2 C_f ((d / N) log N)^(1/2), attained at the balancing size
    n* = `predicted_size` (the abstract's n ~ C_f (N / (d log N))^(1/2)).

    The paper's constants depend on the penalty lambda and the range b of the responses
    (Theorem 2's gamma = (3 lambda + b^2) / (3 lambda - 5 b^2)); unit constants are a choice.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import predicted_rate, risk_bound
    >>> risk_bound(1.5, np.array([100, 10000]), d=2).round(6)
    array([0.910456, 0.128758])
    >>> (2 * 1.5 * predicted_rate(np.array([100, 10000]), d=2)).round(6)
    array([0.910456, 0.128758])

    ```
    """
    c_f = _validate.positive("c_f", c_f)
    return 2 * c_f * predicted_rate(N, d)


@dataclass(frozen=True)
class RateFit:
    """risk ~ const * x^slope fitted by least squares in logs, with a `level` confidence
    interval `(low, high)` from Student's t (n - 2 degrees of freedom)."""

    slope: float
    intercept: float
    low: float
    high: float
    level: float


def fit_rate(x, risk, *, level: float = 0.95) -> RateFit:
    """Fit log risk = intercept + slope log x (ordinary least squares) with a t-interval.

    **Arguments:**

    - `x`: the abscissa, e.g. `estimation_term` (d / N) log N, against which Barron 1994's
      risk bound has exponent 1/2.
    - `risk`: the positive risks, one per x (repeated x for seeds are fine).
    - `level`: the confidence level of the interval.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import fit_rate
    >>> x = np.array([0.1, 0.01, 0.001, 0.0001])
    >>> fit = fit_rate(x, 3 * x**0.5 * np.array([1.1, 0.9, 1.05, 0.95]))
    >>> round(fit.slope, 3), round(fit.low, 3), round(fit.high, 3)
    (0.512, 0.427, 0.598)

    ```
    """
    x = _validate.finite_array("x", x, ndim=1)
    risk = _validate.finite_array("risk", risk, ndim=1)
    if x.shape != risk.shape or x.size < 3 or (x <= 0).any() or (risk <= 0).any():
        raise ValueError(f"x and risk must be >= 3 positive numbers of equal shape, got "
                         f"{x.shape} and {risk.shape}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    out = scipy.stats.linregress(np.log(x), np.log(risk))
    half = scipy.stats.t.ppf(0.5 + level / 2, x.size - 2) * out.stderr
    return RateFit(float(out.slope), float(out.intercept), float(out.slope - half),
                   float(out.slope + half), level)
