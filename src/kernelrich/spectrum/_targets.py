"""Target functions made of spherical harmonics of chosen degrees, with known power per
degree: the "pure mode" targets of Bordelon, Canatar & Pehlevan (2020, Sec. 5; authors'
code `NTK_gd_comparison.py`: f(x) = sum_j alpha_j Q_k(<x, z_j>)).

f(x) = sum_k sum_j c_kj P_k(<x, z_kj>/r) with anchors z_kj uniform on the unit sphere is a
harmonic of degree k in each term (the zonal harmonics P_k(<., z>) span the degree-k
space), and by the addition theorem its power in L^2 of the uniform measure is
    ||f_k||^2 = sum_{i,j} c_ki c_kj P_k(<z_ki, z_kj>) / N(d, k),
which fixes the scale of c_k so that each degree has the power asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import _validate
from ._gegenbauer import _single, degree, dimension, multiplicity
from ._sphere import on_sphere, sphere_points

_BLOCK = 256


@dataclass(frozen=True, eq=False)
class HarmonicTarget:
    """A function on the sphere with power `powers[k]` in the degree-k harmonics.

    **Arguments:**

    - `dim`: d; `radius`: r.
    - `powers`: shape (K + 1,), the power (mean square over the sphere) per degree.
    - `anchors`: degree -> (m, d) unit anchors z_kj.
    - `coefficients`: degree -> (m,) coefficients c_kj.

    Calling it on (n, d) points of the sphere returns f at them, shape (n,);
    `component(X, k)` returns the degree-k part alone.
    """

    dim: int
    radius: float
    powers: np.ndarray
    anchors: dict
    coefficients: dict

    def __call__(self, X, *, normalise: bool = False) -> np.ndarray:
        X = on_sphere("X", X, dim=self.dim, radius=self.radius, normalise=normalise)
        return sum((self._part(X, k) for k in self.anchors), np.zeros(X.shape[0]))

    def component(self, X, k: int, *, normalise: bool = False) -> np.ndarray:
        """The degree-k part of f at the points X (zero for a degree without power)."""
        X = on_sphere("X", X, dim=self.dim, radius=self.radius, normalise=normalise)
        k = degree("k", k)
        return self._part(X, k) if k in self.anchors else np.zeros(X.shape[0])

    def _part(self, X: np.ndarray, k: int) -> np.ndarray:
        return _zonal_sum(X / self.radius, self.anchors[k], self.coefficients[k], k,
                          self.dim)


def harmonic_target(
    dim: int, powers: Mapping[int, float], *, anchors: int = 1000, radius: float = 1.0,
    seed: int = 0,
) -> HarmonicTarget:
    """A random target with the given power in each degree.

    **Arguments:**

    - `dim`: d >= 2.
    - `powers`: degree k -> power > 0 (mean square of the degree-k part over the sphere).
    - `anchors`: anchor points per degree (Bordelon et al.'s code uses 10,000).
    - `radius`: the sphere's radius.
    - `seed`: anchors uniform on the sphere and coefficients N(0, 1) from this seed, then
      rescaled to the powers.

    **Returns:** a `HarmonicTarget`.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.spectrum import harmonic_target, sphere_points
    >>> target = harmonic_target(3, {1: 1.0, 2: 0.5}, anchors=20)
    >>> target.powers
    array([0. , 1. , 0.5])
    >>> X = sphere_points(20000, 3, seed=1)
    >>> round(float(np.mean(target(X) ** 2)), 2)
    1.49

    ```
    """
    dim = dimension(dim)
    anchors = _validate.integer("anchors", anchors, minimum=1)
    radius = _validate.positive("radius", radius)
    if not isinstance(powers, Mapping) or not powers:
        raise ValueError(f"powers must be a non-empty dict degree -> power, got {powers!r}")
    table = {degree("powers key", k): _validate.positive(f"powers[{k}]", v)
             for k, v in powers.items()}
    rng = np.random.default_rng(seed)
    top = max(table)
    counts = multiplicity(dim, top)
    kept_anchors, kept_coefficients = {}, {}
    for k in sorted(table):
        Z = sphere_points(anchors, dim, seed=int(rng.integers(2**63)))
        c = rng.standard_normal(anchors)
        power = c @ _zonal_sum(Z, Z, c, k, dim) / counts[k]
        kept_anchors[k], kept_coefficients[k] = Z, c * np.sqrt(table[k] / power)
    dense = np.zeros(top + 1)
    dense[list(table)] = list(table.values())
    return HarmonicTarget(dim, radius, dense, kept_anchors, kept_coefficients)


def _zonal_sum(X: np.ndarray, Z: np.ndarray, c: np.ndarray, k: int, dim: int) -> np.ndarray:
    """sum_j c_j P_k(<x_i, z_j>) for unit x_i, in blocks of rows."""
    out = np.empty(X.shape[0])
    for i in range(0, X.shape[0], _BLOCK):
        t = np.clip(X[i:i + _BLOCK] @ Z.T, -1.0, 1.0)
        out[i:i + _BLOCK] = _single(k, dim, t) @ c
    return out
