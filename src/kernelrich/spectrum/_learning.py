"""The learning curve of kernel ridge regression predicted from the kernel's spectrum
(Bordelon, Canatar & Pehlevan 2020, arXiv 2002.02561, Prop. 3 / Alg. 1; Simon, Dickens,
Karkada & DeWeese, "eigenlearning", arXiv 2110.03922, Eqs. 8-11).

Kernel ridge regression f = k(., X) (K + delta I)^(-1) y on n points drawn from the data
measure, labels y = f*(x) + noise of variance sigma^2. With the kernel's eigenvalues mu_i
(with multiplicity) and the target's power v_i^2 along each eigenfunction:
    sum_i mu_i / (mu_i + kappa) + delta / kappa = n          (self-consistent kappa > 0),
    L_i = mu_i / (mu_i + kappa)                              (learnability of mode i),
    E_0 = n / (n - sum_i L_i^2)                              (overfitting coefficient),
    E_g = E_0 (sum_i (1 - L_i)^2 v_i^2 + sigma^2) - sigma^2  (test error against f*),
    train MSE = (delta / (n kappa))^2 E_0 (sum_i (1 - L_i)^2 v_i^2 + sigma^2).
Bordelon et al.'s kappa is n times this one (their gamma = sum L^2 / n, 1/(1 - gamma) = E_0).
The error in the degree-k harmonics splits as
    E_k = (1 - L_k)^2 V_k + N(d, k) L_k^2 E_0 (sum (1 - L)^2 v^2 + sigma^2) / n,
which sums to E_g. The estimate is asymptotically exact as n and the number of modes near
kappa grow; at small n it is an approximation (measured in `kernelrich.papers.bordelon2020`).

Degrees above the spectrum's max_degree K enter through their total mass T (the sum rule
kappa(1) - sum_{k <= K} N(d, k) mu_k): when their eigenvalues are << kappa, they contribute
T / kappa to the left side, an extra ridge. `tail_bound` = mu_K / kappa bounds the relative
error of that approximation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import _validate
from ._mercer import MercerSpectrum

_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class LearningCurve:
    """The predicted learning curve of kernel (ridge) regression.

    **Arguments:**

    - `n`: the sample sizes, shape (m,).
    - `kappa`: the effective regularisation kappa(n), shape (m,).
    - `learnability`: L_k(n), shape (m, K + 1).
    - `overfitting`: E_0(n), shape (m,).
    - `test_error`: E_g(n) = E[(f - f*)^2] over a fresh point, shape (m,).
    - `mode_errors`: E_k(n), the test error in the degree-k harmonics, shape (m, K + 1).
    - `train_error`: the training MSE against the noisy labels, shape (m,).
    - `ridge`, `noise`, `tail_mass`: delta, sigma^2 and T as used.
    - `tail_bound`: mu_K / kappa(n), shape (m,): the size of the neglected tail terms
      relative to the ones kept.
    """

    n: np.ndarray
    kappa: np.ndarray
    learnability: np.ndarray
    overfitting: np.ndarray
    test_error: np.ndarray
    mode_errors: np.ndarray
    train_error: np.ndarray
    ridge: float
    noise: float
    tail_mass: float
    tail_bound: np.ndarray


def learning_curve(
    spectrum, target_power, n, *, ridge: float = 0.0, noise: float = 0.0,
    tail_mass: float | None = None, max_tail_bound: float = 0.05,
) -> LearningCurve:
    """The test error of kernel ridge regression against n, from the spectrum.

    **Arguments:**

    - `spectrum`: a `MercerSpectrum` (its unresolved degrees count as tail mass), or a pair
      `(eigenvalues, multiplicities)` of 1-D arrays (eigenvalues >= 0).
    - `target_power`: the target's power per degree: a 1-D array (index = degree), a dict
      degree -> power, or an object with a `powers` array (`harmonic_target`).
    - `n`: sample sizes > 0 (a number or 1-D array; non-integers are allowed).
    - `ridge`: delta >= 0 (added to the Gram matrix K, not n K); 0 is ridgeless regression.
    - `noise`: sigma^2 >= 0, the variance of the label noise.
    - `tail_mass`: T >= 0, the mass of eigenvalues beyond the ones given (default: the sum
      rule for a `MercerSpectrum`, 0 for a pair).
    - `max_tail_bound`: with a tail, refuse an n where the top eigenvalue given exceeds this
      fraction of kappa (the tail's eigenvalues would not be negligible against kappa).

    **Returns:** a `LearningCurve`. Raises `ValueError` for a ridgeless request at an n
    that the kernel's rank does not exceed (no interpolating solution is defined), and for
    an n beyond the spectrum's reach (`max_tail_bound`).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import learning_curve
    >>> spectrum = (np.array([0.5, 0.1]), np.array([1, 5]))
    >>> curve = learning_curve(spectrum, {0: 1.0, 1: 0.5}, np.array([1.0, 3.0, 10.0]), ridge=1e-3)
    >>> curve.test_error.round(4)
    array([0.9708, 0.4253, 0.    ])
    >>> curve.learnability.round(4)
    array([[0.4033, 0.1191],
           [0.7965, 0.4391],
           [0.9995, 0.9975]])

    ```
    """
    mu, counts, tail = _spectrum(spectrum, tail_mass)
    power = _power(target_power, mu.size)
    n = np.atleast_1d(_validate.finite_array("n", n))
    if n.ndim != 1 or np.any(n <= 0):
        raise ValueError(f"n must be a positive number or 1-D array of them, got {n}")
    ridge = _validate.nonnegative("ridge", ridge)
    noise = _validate.nonnegative("noise", noise)
    max_tail_bound = _validate.positive("max_tail_bound", max_tail_bound)
    kappa = _solve_kappa(mu, counts, ridge + tail, n)
    L = mu / (mu + kappa[:, None])
    overfit = n / (n - (L * L) @ counts)
    bias = ((1 - L) ** 2) @ power
    total = overfit * (bias + noise)
    modes = (1 - L) ** 2 * power + counts * L * L * (total / n)[:, None]
    train = (ridge / (n * kappa)) ** 2 * total
    top = np.max(mu[-2:]) if mu.size > 1 else mu[-1]
    bound = top / kappa
    if tail > 0 and np.any(bound > max_tail_bound):
        i = int(np.argmax(bound > max_tail_bound))
        raise ValueError(f"the spectrum stops too early for n = {n[i]:g}: its top eigenvalue "
                         f"is {bound[i]:.2g} kappa > max_tail_bound={max_tail_bound:g} kappa, "
                         "so the degrees above it are not negligible against kappa; compute "
                         "more degrees")
    return LearningCurve(n, kappa, L, overfit, total - noise, modes, train, ridge, noise,
                         tail, bound)


def _spectrum(spectrum, tail_mass):
    if isinstance(spectrum, MercerSpectrum):
        mu = np.where(spectrum.resolved, spectrum.eigenvalues, 0.0)
        counts = spectrum.multiplicities
        slack = np.sum(counts * spectrum.errors) + 1e-12 * abs(spectrum.kappa_one)
        negative = (mu < 0) & (np.abs(mu) > spectrum.errors)
        if np.any(negative):
            k = int(np.argmax(negative))
            raise ValueError(f"the kernel is not positive semi-definite: mu_{k} = "
                             f"{mu[k]:.3e} +- {spectrum.errors[k]:.1e} < 0")
        mu = np.maximum(mu, 0.0)
        if tail_mass is None:
            tail = spectrum.kappa_one - np.sum(counts * mu)
            if tail < -slack:
                raise ValueError(f"the eigenvalues' masses exceed kappa(1) by {-tail:.3e} "
                                 f"(more than their errors, {slack:.1e}): not a spectrum of "
                                 "this kernel")
            tail_mass = max(tail, 0.0)
    else:
        try:
            mu, counts = spectrum
        except (TypeError, ValueError) as err:
            raise ValueError("spectrum must be a MercerSpectrum or a pair (eigenvalues, "
                             f"multiplicities), got {spectrum!r}") from err
        mu = _validate.finite_array("eigenvalues", mu, ndim=1)
        counts = _validate.finite_array("multiplicities", counts, ndim=1)
        if mu.shape != counts.shape:
            raise ValueError(f"eigenvalues and multiplicities must have the same length, got "
                             f"{mu.shape} and {counts.shape}")
        if np.any(mu < 0):
            raise ValueError(f"eigenvalues must be >= 0 (a positive semi-definite kernel), got "
                             f"min {mu.min():.3e}")
        if np.any(counts < 1):
            raise ValueError(f"multiplicities must be >= 1, got min {counts.min()}")
    tail = 0.0 if tail_mass is None else _validate.nonnegative("tail_mass", tail_mass)
    return mu, counts, tail


def _power(target_power, size: int) -> np.ndarray:
    if hasattr(target_power, "powers"):
        target_power = target_power.powers
    if isinstance(target_power, Mapping):
        dense = np.zeros(max(int(k) for k in target_power) + 1)
        for k, v in target_power.items():
            dense[int(k)] = _validate.nonnegative(f"target_power[{k}]", v)
        target_power = dense
    power = _validate.finite_array("target_power", target_power, ndim=1)
    if np.any(power < 0):
        raise ValueError(f"target_power must be >= 0, got min {power.min()}")
    if power.size > size:
        if np.any(power[size:] > 0):
            k = size + int(np.argmax(power[size:] > 0))
            raise ValueError(f"target_power has power at degree {k}, above the spectrum's "
                             f"max_degree {size - 1}")
        power = power[:size]
    return np.pad(power, (0, size - power.size))


def _solve_kappa(mu, counts, extra, n) -> np.ndarray:
    """kappa(n) > 0 solving sum_k N_k mu_k / (mu_k + kappa) + extra / kappa = n, for each n:
    safeguarded Newton in log kappa inside a bracket on which the left side is monotone."""
    positive = mu > 0
    mass = np.sum(counts * mu) + extra
    if mass <= 0:
        raise ValueError("the kernel has no positive eigenvalue and no tail mass")
    hi = mass / n
    if extra > 0:
        lo = extra / n
    else:
        order = np.argsort(-mu[positive])
        values, cumulative = mu[positive][order], np.cumsum(counts[positive][order])
        rank = cumulative[-1]
        if np.any(n >= rank):
            bad = float(n[np.argmax(n >= rank)])
            raise ValueError(f"ridgeless regression (ridge=0, no tail mass) needs more positive "
                             f"eigenvalues than samples: the kernel's rank is {rank:.0f}, n = "
                             f"{bad:g}; use ridge > 0 or a spectrum with more degrees")
        group = np.searchsorted(cumulative, n, side="right")  # first group with count > n
        lo = values[group] * (cumulative[group] - n) / n

    def g(x):  # the left side at kappa = e^x (decreasing in x) and its x-derivative
        kappa = np.exp(x)[:, None]
        share = mu / (mu + kappa)
        return (share @ counts + extra / kappa[:, 0],
                -(share * (kappa / (mu + kappa))) @ counts - extra / kappa[:, 0])

    return np.exp(_bracketed_newton(g, n, np.log(lo), np.log(hi)))


def _bracketed_newton(g, target, lo, hi, *, max_iter: int = 200) -> np.ndarray:
    """x in [lo, hi] with g(x) = target for g decreasing: Newton steps, a bisection of the
    current bracket whenever a step leaves it; stops at a few ulps (vectorised)."""
    x = 0.5 * (lo + hi)
    for _ in range(max_iter):
        value, slope = g(x)
        lo, hi = np.where(value > target, x, lo), np.where(value < target, x, hi)
        new = x - (value - target) / slope
        done = value == target
        new = np.where(done, x, np.where((new >= lo) & (new <= hi), new, 0.5 * (lo + hi)))
        if np.all(done | (np.abs(new - x) <= 4 * _EPS * np.maximum(1.0, np.abs(x)))):
            return new
        x = new
    return x
