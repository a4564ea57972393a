"""Mercer eigenvalues of a dot-product kernel on the sphere by the Funk-Hecke formula.

For kappa(<x, x'>) on S^(d-1) with the uniform probability measure,
    kappa(<x, x'>) = sum_k mu_k sum_{j <= N(d,k)} Y_kj(x) Y_kj(x')
                   = sum_k N(d, k) mu_k P_k(<x, x'>),
    mu_k = c_d int_0^pi kappa(cos theta) P_k(cos theta) sin(theta)^(d-2) d theta
(Funk-Hecke; e.g. Bietti & Mairal 2019, arXiv 1905.12173, Sec. 3, or Smola, Ovari &
Williamson 2001). Setting t = 1 gives the sum rule sum_k N(d, k) mu_k = kappa(1).

Accuracy: the rule is doubled until two successive rules agree to `rtol`, or to the
rounding floor below which float64 cannot resolve mu_k. The floor is
    4 (sum_i (W_i kappa(t_i))^2 (rtol_kernel^2 P_k(t_i)^2 + ((k + 1) eps)^2 M_k(t_i)^2))^(1/2)
      + (d + 8) eps |mu_k|,   M_k = max(|P_(k-1)|, |P_k|, |P_(k+1)|):
four standard deviations of the quadrature sum under independent relative errors of its
terms: the kernel values' own (rtol_kernel), and those of P_k(t_i), which grow like k eps
(the recurrence, and the nodes' rounding amplified by dP_k/dtheta ~ k); plus the
weights' own rounding (sin^(d-2), a smooth relative error of a few d ulps). Relative to mu_k
the floor grows like N(d, k)^(1/2) k^(-2) / mu_k for kernels with mu_k ~ k^-d: fast with
the dimension (~1e-9 at k = 200 for the ReLU NTK on S^2, ~1e-4 on S^9). The error estimate
of mu_k is the largest difference between the last two rules over the degrees k-2..k+2
(rescaled by the floor's shape, so that an accidentally small difference does not pass for
accuracy), and at least the floor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _validate
from ._gegenbauer import _recurrence, degree, dimension, funk_hecke_constant, multiplicity
from ._kernels import DotProductKernel, dot_product_kernel
from ._quadrature import angle_rule

MAX_DEGREE = 2000
"""The largest degree `mercer_eigenvalues` accepts (memory of the rule: degrees x nodes)."""

_EPS = np.finfo(float).eps
_NOISE_FACTOR = 8.0  # two rules whose difference is below 8 floors agree to rounding


@dataclass(frozen=True)
class MercerSpectrum:
    """The Mercer eigenvalues of a dot-product kernel on S^(d-1) (uniform measure).

    **Arguments:**

    - `dim`: d.
    - `eigenvalues`: mu_k, k = 0..K, shape (K + 1,).
    - `multiplicities`: N(d, k), shape (K + 1,).
    - `errors`: the error estimate of each mu_k (absolute).
    - `kappa_one`: kappa(1), the kernel on the diagonal: sum_k N(d, k) mu_k over all k.
    - `nodes`: the number of quadrature nodes of the final rule.
    - `name`: the kernel's description.
    """

    dim: int
    eigenvalues: np.ndarray
    multiplicities: np.ndarray
    errors: np.ndarray
    kappa_one: float
    nodes: int
    name: str = "kernel"

    @property
    def max_degree(self) -> int:
        return self.eigenvalues.size - 1

    @property
    def degrees(self) -> np.ndarray:
        return np.arange(self.eigenvalues.size)

    @property
    def relative_errors(self) -> np.ndarray:
        """errors / |mu_k| (inf where mu_k = 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.eigenvalues != 0, self.errors / np.abs(self.eigenvalues),
                            np.inf)

    @property
    def resolved(self) -> np.ndarray:
        """Whether |mu_k| exceeds its error estimate (at least its order of magnitude)."""
        return self.errors < np.abs(self.eigenvalues)

    @property
    def masses(self) -> np.ndarray:
        """N(d, k) mu_k: each degree's share of kappa(1)."""
        return self.multiplicities * self.eigenvalues

    @property
    def tail_mass(self) -> float:
        """kappa(1) - sum_{k <= K} N(d, k) mu_k: the degrees above K (sum rule)."""
        return float(self.kappa_one - np.sum(self.masses))

    def truncated(self, max_degree: int) -> MercerSpectrum:
        """The same spectrum restricted to degrees 0..max_degree."""
        max_degree = _validate.integer("max_degree", max_degree, minimum=0)
        if max_degree > self.max_degree:
            raise ValueError(f"max_degree must be <= {self.max_degree}, got {max_degree}")
        keep = slice(0, max_degree + 1)
        return MercerSpectrum(self.dim, self.eigenvalues[keep], self.multiplicities[keep],
                              self.errors[keep], self.kappa_one, self.nodes, self.name)


def mercer_eigenvalues(
    kernel: DotProductKernel | Callable, max_degree: int, *, dim: int | None = None,
    rtol: float = 1e-10, max_nodes: int = 8192, kernel_rtol: float | None = None,
    unresolved: str = "raise",
) -> MercerSpectrum:
    """The Mercer eigenvalues mu_0..mu_K of kappa(<x, x'>) on S^(d-1) (Funk-Hecke).

    **Arguments:**

    - `kernel`: a `DotProductKernel` (`ntk_kernel`, `nngp_kernel`, `as_dot_product`) or a
      vectorised callable kappa(t) on [-1, 1].
    - `max_degree`: K, 0 <= K <= 2000.
    - `dim`: d >= 2; taken from a `DotProductKernel` when omitted (and must agree with it).
    - `rtol`: the relative accuracy aimed at: the rule doubles until two successive rules
      agree to `rtol` on every mu_k, or to the rounding floor.
    - `max_nodes`: the largest rule; the doubling stops there and the error estimates say
      what was reached.
    - `kernel_rtol`: the relative accuracy of the kernel's values (default: the kernel's
      `rtol`, or 8 eps for a callable).
    - `unresolved`: `"raise"` refuses a `max_degree` whose two top eigenvalues are both
      below their error estimate (float64 does not resolve them); `"keep"` returns them,
      with `resolved` False.

    **Returns:** a `MercerSpectrum`.

    **Example:**

    ```pycon
    >>> from kernelrich.spectrum import mercer_eigenvalues
    >>> spectrum = mercer_eigenvalues(lambda t: t**2, 2, dim=3)
    >>> spectrum.eigenvalues.round(6), spectrum.multiplicities
    (array([0.333333, 0.      , 0.133333]), array([1., 3., 5.]))
    >>> round(float(spectrum.multiplicities @ spectrum.eigenvalues), 6), spectrum.kappa_one
    (1.0, 1.0)

    ```
    """
    of_angle, dim, name, kernel_rtol = _kernel(kernel, dim, kernel_rtol)
    max_degree = degree("max_degree", max_degree)
    if max_degree > MAX_DEGREE:
        raise ValueError(f"max_degree must be <= {MAX_DEGREE}, got {max_degree}")
    rtol = _validate.positive("rtol", rtol)
    unresolved = _validate.choice("unresolved", unresolved, ("raise", "keep"))
    counts = multiplicity(dim, max_degree)
    nodes = _first_rule(max_degree)
    max_nodes = _validate.integer("max_nodes", max_nodes, minimum=nodes)
    constant = funk_hecke_constant(dim)
    kappa_one = float(_values(of_angle, np.zeros(1), name)[0])
    previous = None
    while True:
        mu, floor = _rule(of_angle, nodes, max_degree, dim, constant, kernel_rtol, name)
        if previous is not None:
            gap = np.abs(mu - previous)
            if np.all(gap <= np.maximum(rtol * np.abs(mu), _NOISE_FACTOR * floor)) or \
                    2 * nodes > max_nodes:
                break
        previous, nodes = mu, 2 * nodes
    spectrum = MercerSpectrum(dim, mu, counts, _estimate(gap, floor), kappa_one, nodes, name)
    if unresolved == "raise":
        _refuse_unresolved(spectrum, kernel_rtol)
    return spectrum


def _kernel(kernel, dim, kernel_rtol):
    if isinstance(kernel, DotProductKernel):
        if dim is not None and dimension(dim) != kernel.dim:
            raise ValueError(f"dim={dim} disagrees with the kernel's dim={kernel.dim}")
        rtol = kernel.rtol if kernel_rtol is None else kernel_rtol
        return kernel.of_angle, kernel.dim, kernel.name, _validate.positive("kernel_rtol", rtol)
    if not callable(kernel):
        raise ValueError(f"kernel must be a DotProductKernel or a callable kappa(t), "
                         f"got {kernel!r}")
    if dim is None:
        raise ValueError("dim is required when kernel is a callable kappa(t)")
    return _kernel(dot_product_kernel(kernel, dim), None, kernel_rtol)


def _first_rule(max_degree: int) -> int:
    """The first rule's size: the integrand has about K/2 oscillations in theta."""
    return max(64, 32 * -(-(max_degree + 16) // 32))


def _rule(of_angle, nodes, max_degree, dim, constant, kernel_rtol, name):
    theta, weights = angle_rule(nodes, dim, constant)
    P = _recurrence(max_degree, dim, np.cos(theta))
    scaled = weights * _values(of_angle, theta, name)
    terms = P * scaled
    mu = terms.sum(axis=1)
    # P_k's rounding is relative to the recurrence's terms, not to P_k near its zeros
    envelope = np.abs(P)
    envelope[1:] = np.maximum(envelope[1:], np.abs(P[:-1]))
    envelope[:-1] = np.maximum(envelope[:-1], np.abs(P[1:]))
    k = np.arange(max_degree + 1)
    noise = np.sqrt(kernel_rtol**2 * np.sum(terms * terms, axis=1)
                    + ((k + 1) * _EPS) ** 2 * np.sum((envelope * scaled) ** 2, axis=1))
    return mu, 4 * noise + (dim + 8) * _EPS * np.abs(mu)


def _estimate(gap: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """max over |j - k| <= 2 of gap_j floor_k / floor_j, and at least floor_k."""
    scaled = gap / floor
    padded = np.pad(scaled, 2, mode="edge")
    window = np.max(np.stack([padded[i:i + scaled.size] for i in range(5)]), axis=0)
    return floor * np.maximum(window, 1.0)


def _values(of_angle, theta, name) -> np.ndarray:
    try:
        values = np.asarray(of_angle(theta), dtype=float)
    except Exception as err:
        raise ValueError(f"kernel {name!r} raised {type(err).__name__} on angles in "
                         f"[0, pi]: {err}") from err
    if values.shape != theta.shape:
        raise ValueError(f"kernel {name!r} must return one value per point, got shape "
                         f"{values.shape} for {theta.shape}")
    if not np.all(np.isfinite(values)):
        bad = theta[~np.isfinite(values)][0]
        raise ValueError(f"kernel {name!r} is not finite at t = cos({bad:.6g}) = "
                         f"{np.cos(bad):.6g}")
    return values


def _refuse_unresolved(spectrum: MercerSpectrum, kernel_rtol: float) -> None:
    top = spectrum.resolved[-2:]
    if np.any(top):
        return
    good = np.flatnonzero(spectrum.resolved)
    last = int(good[-1]) if good.size else -1
    k = spectrum.max_degree
    where = (f"the last resolved degree is {last} (mu = {spectrum.eigenvalues[last]:.3e} "
             f"+- {spectrum.errors[last]:.1e}); ask for max_degree <= {last}"
             if last >= 0 else "no degree is resolved")
    raise ValueError(
        f"max_degree={k} is beyond what float64 resolves for {spectrum.name!r} on "
        f"S^{spectrum.dim - 1}: |mu_k| <= its error estimate at k = {k - 1}, {k} "
        f"(|mu_{k}| = {abs(spectrum.eigenvalues[-1]):.1e}, error {spectrum.errors[-1]:.1e}): "
        f"kernel values with relative errors ~{kernel_rtol:.0e} do not determine eigenvalues "
        f"that small, or they vanish; {where} (or unresolved='keep')")
