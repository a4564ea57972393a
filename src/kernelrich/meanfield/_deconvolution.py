"""Sparse spikes deconvolution on the torus T = R/Z with a total-variation penalty
(Chizat & Bach 2018, Section 4.1): J(mu) = 1/2 ||psi * mu - y||^2_{L2(T)} + lambda |mu|(T)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _validate
from ._model import ParticleModel

LIFTINGS = ("2-homogeneous", "partially 1-homogeneous")


def fourier_features(theta: Float[Array, "..."], cutoff: int, xp=jnp) -> Float[Array, "... F"]:
    """phi(theta) = (1, sqrt2 cos 2 pi k theta, sqrt2 sin 2 pi k theta)_{k = 1..K}.

    The real Fourier coefficients of the shifted Dirichlet kernel psi(. - theta), with
    psi(t) = sum_{|k| <= K} exp(2 i pi k t): by Parseval <phi(theta), phi(theta')> =
    psi(theta - theta') and ||int phi dmu - y|| is the L2(T) distance of the signals.

    **Example:**

    ```pycon
    >>> from kernelrich.meanfield import fourier_features
    >>> fourier_features(0.25, cutoff=1).round(6)
    Array([1.      , 0.      , 1.414214], dtype=float64)

    ```
    """
    if not isinstance(theta, jax.core.Tracer):  # traced inside jit: checked by the caller
        theta = xp.asarray(_validate.finite_values("theta", theta))
    k = xp.arange(1, cutoff + 1)
    angle = 2 * np.pi * theta[..., None] * k
    one = xp.ones(theta.shape + (1,))
    return xp.concatenate([one, np.sqrt(2) * xp.cos(angle), np.sqrt(2) * xp.sin(angle)], -1)


def dirichlet(t: Float[np.ndarray, "..."], cutoff: int) -> Float[np.ndarray, "..."]:
    """psi(t) = sum_{|k| <= K} exp(2 i pi k t) = 1 + 2 sum_{k=1}^K cos(2 pi k t).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.meanfield import dirichlet
    >>> dirichlet(np.array([0.0, 0.5]), cutoff=2).round(6)
    array([5., 1.])

    ```
    """
    k = np.arange(1, cutoff + 1)
    t = _validate.finite_values("t", t)
    return 1 + 2 * np.cos(2 * np.pi * t[..., None] * k).sum(-1)


class SpikeDeconvolution(ParticleModel):
    """Sparse spikes deconvolution on T = R/Z with the low-pass (Dirichlet) filter psi.

    Chizat & Bach (2018), Section 4.1: phi(theta) = psi(. - theta), R(f) = 1/2 ||f - y||^2
    in L2(T), G(mu) = lambda |mu|(T). F is represented by the 2K + 1 real Fourier
    coefficients of `fourier_features`. Two liftings of a particle (w, theta) to a mass:

    - `"partially 1-homogeneous"`: mass w / m, the paper's Phi(w, theta) = w phi(theta) and
      V = lambda |w| (Section 2.2, Theorem 3.5). The penalty is not differentiable at w = 0:
      use `particle_forward_backward`.
    - `"2-homogeneous"`: mass r |r| / m, so |mu_m|(T) = (1/m) sum_i r_i^2 is smooth (exact when
      atoms are distinct) and `particle_descent` / `particle_flow` apply (Theorem 3.3's
      2-homogeneous case).

    **Arguments:**

    - `observed`: the observed signal's Fourier vector y, shape (2K + 1,) (see `observe`).
    - `cutoff`: K >= 1, the filter's highest frequency.
    - `lam`: lambda >= 0, the total-variation weight.
    - `lifting`: `"2-homogeneous"` (default) or `"partially 1-homogeneous"`.
    """

    observed: Float[Array, " F"]
    lam: float
    cutoff: int = eqx.field(static=True)
    lifting: str = eqx.field(static=True)

    def __init__(self, observed, cutoff: int, lam: float, lifting: str = "2-homogeneous"):
        self.cutoff = _validate.integer("cutoff", cutoff, minimum=1)
        observed = _validate.finite_array("observed", observed, ndim=1)
        if observed.shape != (2 * self.cutoff + 1,):
            raise ValueError(
                f"observed must have 2 * cutoff + 1 = {2 * self.cutoff + 1} entries, "
                f"got shape {observed.shape}"
            )
        self.observed = jnp.asarray(observed)
        self.lam = _validate.nonnegative("lam", lam)
        self.lifting = _validate.choice("lifting", lifting, LIFTINGS)

    def feature(self, theta: Float[Array, " 1"]) -> Float[Array, " F"]:
        return fourier_features(theta[0], self.cutoff)

    def risk(self, f: Float[Array, " F"]) -> Float[Array, ""]:
        r = f - self.observed
        return 0.5 * jnp.sum(r * r)

    def signed_weight(self, w: Float[Array, " m"]) -> Float[Array, " m"]:
        return w * jnp.abs(w) if self.lifting == "2-homogeneous" else w

    @property
    def total_variation_weight(self) -> float | None:
        """lambda when the penalty lambda |w| is not smooth (linear lifting), else None."""
        return self.lam if self.lifting == "partially 1-homogeneous" else None

    def penalty(self, masses: Float[Array, " m"], theta: Float[Array, "m p"]) -> Float[Array, ""]:
        return self.lam * jnp.sum(jnp.abs(masses))


def observe(positions, masses, cutoff: int) -> np.ndarray:
    """y = int phi d mu* for mu* = sum_j masses_j delta_{positions_j}: the noiseless low-pass
    observation of a spike train, as a Fourier vector of length 2K + 1.

    **Example:**

    ```pycon
    >>> from kernelrich.meanfield import observe
    >>> observe([0.25, 0.5], [1.0, -0.5], cutoff=1).round(6)
    array([0.5     , 0.707107, 1.414214])

    ```
    """
    positions = _validate.finite_array("positions", positions, ndim=1)
    masses = _validate.finite_array("masses", masses, ndim=1)
    cutoff = _validate.integer("cutoff", cutoff, minimum=1)
    if positions.shape != masses.shape:
        raise ValueError(
            f"positions and masses must have the same shape, got {positions.shape} "
            f"and {masses.shape}"
        )
    return masses @ fourier_features(positions, cutoff, np)


def spike_train(key: jax.Array, count: int, min_separation: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """`count` signed spikes on T at pairwise torus distance >= `min_separation`
    (<= 1 / (2 count)).

    Our choice of ground truth: positions uniform (redrawn until separated), masses
    sign(g)/2 + (u - 1/2)/2 normalised to total variation 1.

    **Returns:** `(positions, masses)`, positions sorted in [0, 1).

    **Example:**

    ```pycon
    >>> import jax
    >>> import numpy as np
    >>> from kernelrich.meanfield import spike_train
    >>> positions, masses = spike_train(jax.random.key(0), count=3, min_separation=0.1)
    >>> positions.shape, round(float(np.abs(masses).sum()), 6)
    ((3,), 1.0)

    ```
    """
    count = _validate.integer("count", count, minimum=1)
    min_separation = _validate.positive("min_separation", min_separation)
    if count * min_separation > 0.5:
        raise ValueError(  # beyond this, rejection sampling would almost never stop
            f"min_separation must be <= 1 / (2 count) = {0.5 / count:g}, got {min_separation}"
        )
    key, k_sign, k_size = jax.random.split(key, 3)
    while True:
        key, sub = jax.random.split(key)
        pos = np.sort(np.asarray(jax.random.uniform(sub, (count,))))
        gaps = np.diff(np.concatenate([pos, pos[:1] + 1]))
        if count == 1 or gaps.min() >= min_separation:
            break
    sign = np.sign(np.asarray(jax.random.normal(k_sign, (count,))))
    w = sign / 2 + (np.asarray(jax.random.uniform(k_size, (count,))) - 0.5) / 2
    return pos, w / np.abs(w).sum()
