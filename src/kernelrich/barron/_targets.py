"""Targets with a closed-form Barron constant C_f = int |omega| |F(d omega)| (Barron 1993, §III
and §IX): Gaussian bumps, ridge functions, translations, dilations and linear combinations.

Fourier convention (Barron 1993, eq. (1)): f(x) = int exp(i omega . x) F(d omega), so the
standard Gaussian exp(-|x|^2 / 2) has F(d omega) = N(0, I_d) density and C_f = E|Z|.
"""

from __future__ import annotations

import abc
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float
from scipy.special import gammaln

from .. import _validate


def gaussian_first_moment(d: int) -> float:
    """E|Z| for Z ~ N(0, I_d): sqrt(2) Gamma((d + 1) / 2) / Gamma(d / 2) (Barron 1993, §IX.1).

    This is C_f of the standard Gaussian bump exp(-|x|^2 / 2) in dimension `d`; it is <= sqrt(d).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import gaussian_first_moment
    >>> round(gaussian_first_moment(1), 6), round(float(np.sqrt(2 / np.pi)), 6)
    (0.797885, 0.797885)
    >>> round(gaussian_first_moment(2), 6), round(float(np.sqrt(np.pi / 2)), 6)
    (1.253314, 1.253314)

    ```
    """
    d = _validate.integer("d", d, minimum=1)
    return float(math.sqrt(2.0) * math.exp(gammaln((d + 1) / 2) - gammaln(d / 2)))


_PROFILE_C = {"gaussian": math.sqrt(2 / math.pi), "cos": 1.0}
"""C_g of the 1-d ridge profiles: exp(-t^2 / 2) has C_g = E|Z_1| = sqrt(2 / pi), and cos(t)
has F = (delta_1 + delta_{-1}) / 2, so C_g = 1."""


def _namespace(x):
    """NumPy for NumPy input (no compilation), jax.numpy for JAX arrays and tracers."""
    return jnp if isinstance(x, jax.Array) else np


class Target(eqx.Module):
    """A function on R^d with a closed-form Barron constant.

    Subclasses define `d`, `__call__(x)` on arrays of shape `(..., d)`, `c_f` (the closed
    form, or an upper bound when `exact` is False) and `exact`.
    """

    @abc.abstractmethod
    def __call__(self, x: Float[Array, "... d"]) -> Float[Array, "..."]:
        """f(x) on arrays of shape (..., d)."""

    @property
    @abc.abstractmethod
    def d(self) -> int:
        """The input dimension."""

    @property
    @abc.abstractmethod
    def c_f(self) -> float:
        """C_f, the closed form (an upper bound when `exact` is False)."""

    @property
    def exact(self) -> bool:
        return True


class GaussianBump(Target):
    """f(x) = amplitude * exp(-|x - center|^2 / (2 scale^2)).

    **Arguments:**

    - `center`: shape `(d,)`; translation leaves C_f unchanged (Barron 1993, §IX).
    - `scale`: > 0; f(x / s) has C_f scaled by 1 / s.
    - `amplitude`: any real; C_f scales by |amplitude|.

    C_f = |amplitude| sqrt(2) Gamma((d + 1) / 2) / (Gamma(d / 2) scale).
    """

    center: np.ndarray
    scale: float
    amplitude: float

    def __init__(self, center, scale: float = 1.0, amplitude: float = 1.0):
        self.center = _validate.finite_array("center", center, ndim=1)
        self.scale = _validate.positive("scale", scale)
        self.amplitude = float(_validate.finite_array("amplitude", amplitude))

    @property
    def d(self) -> int:
        return int(self.center.shape[0])

    def __call__(self, x):
        xp = _namespace(x)
        z = (xp.asarray(x) - self.center) / self.scale
        return self.amplitude * xp.exp(-0.5 * xp.sum(z * z, axis=-1))

    @property
    def c_f(self) -> float:
        return abs(self.amplitude) * gaussian_first_moment(self.d) / self.scale


class Ridge(Target):
    """A ridge function f(x) = amplitude * g(direction . x + offset).

    **Arguments:**

    - `direction`: the vector a, shape `(d,)`.
    - `offset`: b; a shift along the ridge leaves C_f unchanged.
    - `profile`: `"gaussian"` (g(t) = exp(-t^2 / 2), C_g = sqrt(2 / pi)) or `"cos"` (C_g = 1).
    - `amplitude`: any real.

    C_f = |amplitude| |a| C_g (Barron 1993, §IX: ridge functions).
    """

    direction: np.ndarray
    offset: float
    profile: str = eqx.field(static=True)
    amplitude: float

    def __init__(self, direction, offset: float = 0.0, profile: str = "gaussian",
                 amplitude: float = 1.0):
        self.direction = _validate.finite_array("direction", direction, ndim=1)
        self.offset = float(_validate.finite_array("offset", offset))
        if profile not in _PROFILE_C:
            raise ValueError(f"profile must be one of {sorted(_PROFILE_C)}, got {profile!r}")
        self.profile = profile
        self.amplitude = float(_validate.finite_array("amplitude", amplitude))

    @property
    def d(self) -> int:
        return int(self.direction.shape[0])

    def __call__(self, x):
        xp = _namespace(x)
        t = xp.asarray(x) @ self.direction + self.offset
        g = xp.exp(-0.5 * t * t) if self.profile == "gaussian" else xp.cos(t)
        return self.amplitude * g

    @property
    def c_f(self) -> float:
        return abs(self.amplitude) * float(np.linalg.norm(self.direction)) * _PROFILE_C[
            self.profile]


class Translated(Target):
    """f(x - shift): same Fourier modulus, so the same C_f (Barron 1993, §IX)."""

    target: Target
    shift: np.ndarray

    def __init__(self, target: Target, shift):
        self.target = target
        self.shift = _validate.finite_array("shift", shift, ndim=1)
        if self.shift.shape != (target.d,):
            raise ValueError(f"shift must have shape ({target.d},), got {self.shift.shape}")

    @property
    def d(self) -> int:
        return self.target.d

    def __call__(self, x):
        return self.target(_namespace(x).asarray(x) - self.shift)

    @property
    def c_f(self) -> float:
        return self.target.c_f

    @property
    def exact(self) -> bool:
        return self.target.exact


class Dilated(Target):
    """f(factor * x): the Fourier measure is pushed to omega * factor, so C_f scales by |factor|."""

    target: Target
    factor: float

    def __init__(self, target: Target, factor: float):
        self.target = target
        self.factor = float(_validate.finite_array("factor", factor))
        if self.factor == 0:
            raise ValueError("factor must be non-zero, got 0.0")

    @property
    def d(self) -> int:
        return self.target.d

    def __call__(self, x):
        return self.target(self.factor * _namespace(x).asarray(x))

    @property
    def c_f(self) -> float:
        return abs(self.factor) * self.target.c_f

    @property
    def exact(self) -> bool:
        return self.target.exact


class Combination(Target):
    """sum_j weights[j] * terms[j](x), with C_f <= sum_j |weights[j]| C_{f_j} (triangle inequality).

    The sum is exact (`exact` is True) when the terms' Fourier measures cannot cancel: Gaussian
    bumps sharing one center with weighted amplitudes of one sign (positive spectra), or
    ridges with pairwise non-parallel directions in d >= 2 (spectra on distinct lines).
    Otherwise `c_f` is an upper bound, which is all that Theorem 1 needs (C_{f,B} <= C).
    """

    weights: np.ndarray
    terms: tuple[Target, ...]

    def __init__(self, weights, terms):
        self.weights = _validate.finite_array("weights", weights, ndim=1)
        self.terms = tuple(terms)
        if len(self.terms) != self.weights.shape[0]:
            raise ValueError(f"weights must have one entry per term ({len(self.terms)}), "
                             f"got shape {self.weights.shape}")
        dims = {t.d for t in self.terms}
        if len(dims) != 1:
            raise ValueError(f"terms must share one dimension d, got {sorted(dims)}")

    @property
    def d(self) -> int:
        return self.terms[0].d

    def __call__(self, x):
        return sum(w * t(x) for w, t in zip(self.weights, self.terms, strict=True))

    @property
    def c_f(self) -> float:
        return float(sum(abs(w) * t.c_f for w, t in zip(self.weights, self.terms, strict=True)))

    @property
    def exact(self) -> bool:
        terms = self.terms
        if len(terms) == 1:
            return terms[0].exact
        if all(isinstance(t, GaussianBump) for t in terms):
            same = all(np.array_equal(t.center, terms[0].center) for t in terms)
            signs = {np.sign(w * t.amplitude) for w, t in zip(self.weights, terms, strict=True)}
            return same and len(signs - {0.0}) <= 1
        if self.d >= 2 and all(isinstance(t, Ridge) for t in terms):
            units = [t.direction / np.linalg.norm(t.direction) for t in terms]
            return all(abs(abs(units[i] @ units[j]) - 1) > 1e-12
                       for i in range(len(units)) for j in range(i))
        return False


def barron_constant(target: Target) -> float:
    """C_f = int |omega| |F(d omega)| in closed form (Barron 1993, eq. (3) and §IX).

    **Arguments:**

    - `target`: a `Target` (Gaussian bump, ridge, translation, dilation, combination).

    **Returns:**

    C_f, exact when `target.exact`, otherwise the triangle-inequality upper bound.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import GaussianBump, Ridge, barron_constant
    >>> round(barron_constant(GaussianBump(np.zeros(2))), 6)
    1.253314
    >>> round(barron_constant(GaussianBump(np.zeros(2), scale=0.5, amplitude=-2.0)), 6)
    5.013257
    >>> round(barron_constant(Ridge(np.array([3.0, 4.0]), profile="cos")), 6)
    5.0

    ```
    """
    if not isinstance(target, Target):
        raise ValueError(f"target must be a kernelrich.barron Target, got {type(target).__name__}")
    return float(target.c_f)


def barron_constant_ball(c_f: float, radius: float) -> float:
    """C_{f,B} = r C_f on the ball B_r = {|x| <= r} (Barron 1993, §III; Theorem 4).

    **Arguments:**

    - `c_f`: C_f (a float, or a `Target` whose closed form is used).
    - `radius`: r > 0.

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.barron import GaussianBump, barron_constant_ball
    >>> barron_constant_ball(1.5, radius=2.0)
    3.0
    >>> round(barron_constant_ball(GaussianBump(np.zeros(1)), radius=1.0), 6)
    0.797885

    ```
    """
    if isinstance(c_f, Target):
        c_f = barron_constant(c_f)
    c_f = float(_validate.finite_array("c_f", c_f))
    if c_f < 0:
        raise ValueError(f"c_f must be >= 0, got {c_f}")
    return _validate.positive("radius", radius) * c_f
