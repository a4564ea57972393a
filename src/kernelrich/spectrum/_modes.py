"""The test error of a kernel regression fit, degree by degree, integrated exactly over
the sphere through the Mercer expansion (no test set).

For f = sum_i c_i kappa(<., x_i>/r^2) with kappa(t) = sum_k N(d, k) mu_k P_k(t) and a
target f* with degree-k parts f*_k, the addition theorem and the reproducing property
int P_k(<x, y>) Y(x) dsigma(x) = Y(y) / N(d, k) of a degree-k harmonic Y give
    E_k = int (f_k - f*_k)^2 dsigma
        = N(d, k) mu_k^2 c^T P_k(G) c - 2 mu_k c^T f*_k(X) + ||f*_k||^2,   G = X X^T / r^2,
the error in the degree-k harmonics (Bordelon, Canatar & Pehlevan 2020, Sec. 4; their code
`kernel_regression_lc.py` computes the same sums). Degrees above the spectrum's K carry
f's power sum_{k > K} N(d, k) mu_k^2 c^T P_k(G) c <= mu_max c^T K_tail c with
K_tail = K - sum_{k <= K} N(d, k) mu_k P_k(G) and mu_max the largest eigenvalue above K.
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from ._mercer import MercerSpectrum
from ._sphere import on_sphere
from ._targets import HarmonicTarget


def fit_mode_errors(
    spectrum: MercerSpectrum, X, coefficients, targets, *, gram=None,
) -> tuple[np.ndarray, np.ndarray]:
    """E_k(f_j) for the fits f_j = sum_i c_ij kappa(<., x_i>/r^2) to targets f*_j.

    **Arguments:**

    - `spectrum`: the kernel's `MercerSpectrum` (degrees 0..K).
    - `X`: (n, d) training points on the targets' sphere.
    - `coefficients`: (n,) or (n, m) fit coefficients c (e.g. (K + delta I)^(-1) y).
    - `targets`: a `HarmonicTarget` or a list of m of them (same dim and radius).
    - `gram`: optional (n, n) kernel matrix of the fit, for the bound on the degrees
      above K.

    **Returns:** `(errors, tail)`: errors of shape (m, K + 1) (m = 1 for one target), the
    test error of f_j in each degree k <= K; tail of shape (m,), a bound on f_j's power above
    K (NaN without `gram`). The test error is errors.sum(axis=1) + (tail between 0 and the
    bound).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import (dot_product_kernel, fit_mode_errors, harmonic_target,
    ...                                  mercer_eigenvalues, sphere_points)
    >>> kernel = dot_product_kernel(lambda t: t**2, 3)
    >>> spectrum = mercer_eigenvalues(kernel, 2)
    >>> target = harmonic_target(3, {2: 1.0}, anchors=20)
    >>> X = sphere_points(30, 3, seed=0)
    >>> coefficients = np.linalg.lstsq(kernel.matrix(X), target(X), rcond=None)[0]
    >>> errors, tail = fit_mode_errors(spectrum, X, coefficients, target, gram=kernel.matrix(X))
    >>> bool(np.abs(errors).max() < 1e-12), bool(tail[0] < 1e-12)  # an exact fit: all 0
    (True, True)

    ```
    """
    if not isinstance(spectrum, MercerSpectrum):
        raise ValueError(f"spectrum must be a MercerSpectrum, got {spectrum!r}")
    targets = [targets] if isinstance(targets, HarmonicTarget) else list(targets)
    if not targets or not all(isinstance(t, HarmonicTarget) for t in targets):
        raise ValueError("targets must be a HarmonicTarget or a list of them")
    radius, dim = targets[0].radius, targets[0].dim
    if dim != spectrum.dim or any(t.dim != dim or t.radius != radius for t in targets):
        raise ValueError(f"targets must share the spectrum's dim {spectrum.dim} and one radius")
    X = on_sphere("X", X, dim=dim, radius=radius)
    C = _validate.finite_array("coefficients", coefficients)
    C = C[:, None] if C.ndim == 1 else C
    if C.shape != (X.shape[0], len(targets)):
        raise ValueError(f"coefficients must have shape ({X.shape[0]}, {len(targets)}), got "
                         f"{C.shape}")
    K = spectrum.max_degree
    if any(t.powers.size > K + 1 and np.any(t.powers[K + 1:] > 0) for t in targets):
        raise ValueError(f"a target has power above the spectrum's max_degree {K}")
    mu = np.where(spectrum.resolved, spectrum.eigenvalues, 0.0)
    counts = spectrum.multiplicities
    G = np.clip(X @ X.T / radius**2, -1.0, 1.0)
    quadratic = np.empty((K + 1, C.shape[1]))
    truncated = np.zeros_like(G) if gram is not None else None
    for k, P in enumerate(_recurrence_rows(K, dim, G)):
        PC = P @ C
        quadratic[k] = np.sum(C * PC, axis=0)
        if truncated is not None:
            truncated += counts[k] * mu[k] * P
    errors = counts[:, None] * mu[:, None] ** 2 * quadratic
    for j, target in enumerate(targets):
        for k in np.flatnonzero(target.powers):
            errors[k, j] += target.powers[k] - 2 * mu[k] * C[:, j] @ target.component(X, k)
    if gram is None:
        return errors.T, np.full(len(targets), np.nan)
    gram = _validate.finite_array("gram", gram, ndim=2)
    if gram.shape != G.shape:
        raise ValueError(f"gram must have shape {G.shape}, got {gram.shape}")
    top = np.max(np.abs(spectrum.eigenvalues[-2:]))
    return errors.T, top * np.maximum(np.sum(C * ((gram - truncated) @ C), axis=0), 0.0)


def _recurrence_rows(max_degree: int, dim: int, G: np.ndarray):
    """P_0(G), P_1(G), ... one matrix at a time (two kept in memory)."""
    previous, current = np.ones_like(G), G.copy()
    yield previous
    for k in range(1, max_degree + 1):
        yield current
        previous, current = current, ((2 * k + dim - 2) * G * current - k * previous) / (
            k + dim - 2)
