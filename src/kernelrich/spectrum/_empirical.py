"""The eigenvalues of a Gram matrix on sampled points beside the Mercer eigenvalues they
estimate: the spectrum of K/n on n uniform points of the sphere converges to the
mu_k, each repeated N(d, k) times (Koltchinskii & Gine 2000)."""

from __future__ import annotations

import numpy as np

from .. import _validate
from ._kernels import DotProductKernel
from ._mercer import MercerSpectrum


def gram_eigenvalues(kernel: DotProductKernel, X, *, normalise: bool = False) -> np.ndarray:
    """The eigenvalues of K/n, K = kernel(X, X), in decreasing order.

    **Arguments:**

    - `kernel`: a `DotProductKernel`.
    - `X`: (n, dim) points on its sphere (`normalise=True` projects them onto it).

    **Returns:** n eigenvalues, largest first.

    **Example:**

    ```pycon
    >>> from kernelrich.spectrum import dot_product_kernel, gram_eigenvalues, sphere_points
    >>> kernel = dot_product_kernel(lambda t: t**2, 3)
    >>> values = gram_eigenvalues(kernel, sphere_points(200, 3, seed=0))
    >>> values.shape, round(float(values.sum()), 6), int((values > 1e-10).sum())
    ((200,), 1.0, 6)
    >>> values[:6].round(2)
    array([0.34, 0.16, 0.15, 0.13, 0.12, 0.11])

    ```
    """
    if not isinstance(kernel, DotProductKernel):
        raise ValueError(f"kernel must be a DotProductKernel, got {kernel!r}")
    K = kernel.matrix(X, normalise=normalise)
    return np.linalg.eigvalsh(K)[::-1] / K.shape[0]


def population_eigenvalues(spectrum: MercerSpectrum, count: int) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """The `count` largest Mercer eigenvalues with multiplicity: mu_k repeated N(d, k)
    times, sorted in decreasing order, and the degree k of each.

    **Arguments:**

    - `spectrum`: a `MercerSpectrum` whose degrees cover the `count` largest.
    - `count`: how many.

    **Returns:** `(values, degrees)`, each of length `count`. Raises `ValueError` when the
    list would reach eigenvalues as small as those of the spectrum's top two degrees
    (larger ones may then lie above its degree K: ask for a higher max_degree).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import mercer_eigenvalues, population_eigenvalues
    >>> spectrum = mercer_eigenvalues(np.exp, 8, dim=3)
    >>> values, degrees = population_eigenvalues(spectrum, 5)
    >>> values.round(6), degrees
    (array([1.175201, 0.367879, 0.367879, 0.367879, 0.071563]), array([0, 1, 1, 1, 2]))
    >>> spectrum.eigenvalues[:2].round(6)
    array([1.175201, 0.367879])

    ```
    """
    if not isinstance(spectrum, MercerSpectrum):
        raise ValueError(f"spectrum must be a MercerSpectrum, got {spectrum!r}")
    count = _validate.integer("count", count, minimum=1)
    mu = spectrum.eigenvalues
    order = np.argsort(-mu, kind="stable")
    repeats = spectrum.multiplicities[order]
    total = np.cumsum(repeats)
    last = int(np.searchsorted(total, count))  # degrees order[:last + 1] cover `count`
    if last >= mu.size or mu[order[last]] <= np.max(mu[-2:]):
        raise ValueError(f"the {count} largest eigenvalues reach the top degrees of the "
                         f"spectrum (max_degree {spectrum.max_degree}): ask for a higher "
                         "max_degree")
    capped = np.minimum(repeats[:last + 1], count).astype(np.int64)
    degrees = np.repeat(order[:last + 1], capped)[:count]
    return mu[degrees], degrees
