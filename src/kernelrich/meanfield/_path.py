"""A recorded particle path, and what is measured on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import Float

from ._particles import Particles


class DivergenceError(FloatingPointError):
    """The objective became non-finite during particle gradient descent.

    **Attributes:** `step`, the first step k whose objective J_m(x_k) is not finite, and
    `path`, the partial `ParticlePath` (entries after the divergence are not finite).
    """

    def __init__(self, message: str, step: int, path: ParticlePath):
        super().__init__(message)
        self.step = step
        self.path = path


@dataclass(frozen=True)
class ParticlePath:
    """Particles recorded along gradient descent or gradient flow, in mean-field time.

    **Fields:**

    - `times`: the record times t_r, shape (T,) (step k of descent is at time k * step).
    - `w`: weights at each record, shape (T, m).
    - `theta`: positions at each record, shape (T, m, p).
    - `loss`: J_m at each record, shape (T,).
    - `curve`: J_m after every step (descent: shape (num_steps + 1,)) or at `times` (flow).
    - `step`: the step in mean-field time (descent), or None (flow).
    - `scaling`: `"mean-field"` or `"lazy"`.
    - `method`: what ran, e.g. `"particle GD, step 0.1 (mean-field time), 1000 steps"`.
    - `diverged_at`: the first step with a non-finite J_m, or None.
    - `result`: `"successful"`, or why an ODE solve stopped before the last time (flow with
      `throw=False`; the records after the stop are not finite).
    - `solver_steps`: the ODE solver's accepted steps (flow), or None (descent).
    """

    times: Float[np.ndarray, " T"]
    w: Float[np.ndarray, "T m"]
    theta: Float[np.ndarray, "T m p"]
    loss: Float[np.ndarray, " T"]
    curve: Float[np.ndarray, " S"]
    step: float | None
    scaling: str
    method: str
    diverged_at: int | None = None
    result: str = "successful"
    solver_steps: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the run reached its last time with finite values (not diverged, not
        stopped early)."""
        return self.result == "successful" and self.diverged_at is None

    def particles(self, index: int = -1) -> Particles:
        """The particles at record `index` (default: the last)."""
        return Particles(self.w[index], self.theta[index])

    def relative_change(self) -> float:
        """||x(T) - x(0)|| / ||x(0)|| over all parameters x = (w, theta) (Frobenius norms).

        Chizat, Oyallon & Bach (2019): it vanishes as m grows under the lazy 1/sqrt(m)
        scaling and stays of order one under the mean-field 1/m scaling.
        """
        x0 = np.concatenate([self.w[0], self.theta[0].ravel()])
        x1 = np.concatenate([self.w[-1], self.theta[-1].ravel()])
        return float(np.linalg.norm(x1 - x0) / np.linalg.norm(x0))

    def distance(self, other: ParticlePath) -> float:
        """max_i |x_i(T) - x_i'(T)| between the final particles of two paths (same m, p)."""
        a = np.concatenate([self.w[-1][:, None], self.theta[-1]], axis=1)
        b = np.concatenate([other.w[-1][:, None], other.theta[-1]], axis=1)
        if a.shape != b.shape:
            raise ValueError(f"other must have the same particle shape {a.shape}, got {b.shape}")
        return float(np.max(np.linalg.norm(a - b, axis=1)))
