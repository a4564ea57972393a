"""The asymptotic decay of a spectrum, mu_k ~ C k^(-p), and the mass of the degrees above
the computed ones that it implies.

A kernel kappa(t) with an endpoint term (1 - t)^nu has mu_k ~ Gamma(k - nu) /
Gamma(k + nu + d - 1) (its exact Funk-Hecke transform), so p = d - 1 + 2 nu: the ReLU NTK
((1 - t)^(1/2)) has p = d, the ReLU NNGP ((1 - t)^(3/2)) p = d + 2 (Bietti & Mairal 2019,
arXiv 1905.12173, Thm 1; Bietti & Bach 2021, arXiv 2009.14397, Thm 1 for any depth).
Gamma(k + a) / Gamma(k + b) = (k + (a + b - 1)/2)^(a - b) (1 + O(k^-2)), so fitting
log mu_k against log(k + (d - 2)/2) leaves no O(1/k) bias in the fitted p. A term at
t = -1 adds (-1)^k C' k^(-p): even and odd degrees get their own constants.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _validate
from ._mercer import MercerSpectrum

_FAR = 10**6


def _shift(dim: int) -> float:
    return (dim - 2) / 2


def _degrees(spectrum: MercerSpectrum, k_min: int, k_max: int | None) -> np.ndarray:
    if not isinstance(spectrum, MercerSpectrum):
        raise ValueError(f"spectrum must be a MercerSpectrum, got {spectrum!r}")
    k_min = _validate.integer("k_min", k_min, minimum=1)
    k_max = spectrum.max_degree if k_max is None else _validate.integer(
        "k_max", k_max, minimum=k_min)
    if k_max > spectrum.max_degree:
        raise ValueError(f"k_max={k_max} exceeds the spectrum's max_degree "
                         f"{spectrum.max_degree}")
    k = np.arange(k_min, k_max + 1)
    keep = spectrum.resolved[k] & (spectrum.eigenvalues[k] > 0)
    if np.count_nonzero(keep) < 3:
        raise ValueError(f"fewer than 3 resolved positive eigenvalues in degrees "
                         f"{k_min}..{k_max}: no decay to fit")
    return k[keep]


def decay_exponent(spectrum: MercerSpectrum, k_min: int, k_max: int | None = None) -> float:
    """The exponent p of mu_k ~ C k^(-p), fitted on the resolved positive eigenvalues of
    degrees k_min..k_max.

    Least squares of log mu_k on log(k + (d-2)/2), one slope and one intercept per parity
    (even and odd degrees may have different constants; a parity whose eigenvalues vanish,
    as the odd ones of the two-layer ReLU NTK without bias, drops out).

    **Returns:** p (> 0 for a decaying spectrum).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import decay_exponent, mercer_eigenvalues
    >>> laplace = lambda t: np.exp(-np.sqrt(np.maximum(2 - 2 * t, 0.0)))
    >>> spectrum = mercer_eigenvalues(laplace, 40, dim=3)
    >>> round(decay_exponent(spectrum, k_min=10), 2)
    3.0

    ```
    """
    k = _degrees(spectrum, k_min, k_max)
    x = np.log(k + _shift(spectrum.dim))
    columns = [x] + [(k % 2 == r).astype(float) for r in (0, 1) if np.any(k % 2 == r)]
    coef, *_ = np.linalg.lstsq(np.stack(columns, axis=1), np.log(spectrum.eigenvalues[k]),
                               rcond=None)
    return float(-coef[0])


def extrapolated_tail(spectrum: MercerSpectrum, exponent: float, *, k_min: int | None = None
                      ) -> float:
    """sum_{k > K} N(d, k) mu_k with mu_k = C_parity (k + (d-2)/2)^(-p) beyond the computed
    degrees, the constants fitted on the resolved degrees k_min..K (default: the top half).

    **Arguments:**

    - `spectrum`: a `MercerSpectrum`.
    - `exponent`: p > d - 1 (otherwise the tail's mass is infinite).
    - `k_min`: the first degree of the fit.

    **Returns:** the estimated mass of the degrees above K (sum to 10^6, then the integral).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import extrapolated_tail, mercer_eigenvalues
    >>> laplace = lambda t: np.exp(-np.sqrt(np.maximum(2 - 2 * t, 0.0)))
    >>> spectrum = mercer_eigenvalues(laplace, 40, dim=3)
    >>> tail = extrapolated_tail(spectrum, exponent=3.0)
    >>> kept = float(spectrum.multiplicities @ spectrum.eigenvalues)
    >>> round(tail, 4), round(kept + tail, 4), spectrum.kappa_one
    (0.0244, 1.0, 1.0)

    ```
    """
    p = _validate.positive("exponent", exponent)
    d, top = spectrum.dim, spectrum.max_degree
    if p <= d - 1:
        raise ValueError(f"exponent must be > dim - 1 = {d - 1} for a finite tail mass, got {p}")
    k = _degrees(spectrum, max(1, top // 2) if k_min is None else k_min, None)
    shift = _shift(d)
    far = np.arange(top + 1, _FAR + 1, dtype=float)
    log_count = (np.log(2 * far + d - 2) + _lgamma(far + d - 2) - _lgamma(far + 1)
                 - math.lgamma(d - 1))
    total = 0.0
    for r in (0, 1):
        fit = k[k % 2 == r]
        if fit.size == 0:
            continue
        log_c = np.mean(np.log(spectrum.eigenvalues[fit]) + p * np.log(fit + shift))
        terms = far % 2 == r
        total += float(np.sum(np.exp(log_count[terms] + log_c - p * np.log(far[terms] + shift))))
        # beyond 10^6: N(d, k) ~ 2 k^(d-2) / (d-2)!, half the degrees of this parity
        total += math.exp(log_c) * _FAR ** (d - 1 - p) / ((p - d + 1) * math.gamma(d - 1))
    return total


def _lgamma(x: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln

    return gammaln(x)
