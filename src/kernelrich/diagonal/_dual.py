"""Newton's method on the N-dimensional dual of the flow limit, for one alpha (Woodworth
et al. 2020, Theorems 1 and 3): stage 1 of `flow_limit`.

The limit is the beta = b(X^T nu) with X beta = y (`_links`); nu minimises the convex dual
phi(nu) = sum_i Qstar_i((X^T nu)_i) - y.nu, whose Hessian is X diag(b') X^T. Damped Newton
(Armijo backtracking inside the domain of phi, inexact CG directions from `_newton`); its
beta = b(X^T nu) is stationary by construction and it stops when X beta = y to `tol`.
Where 1 - |z| is below what nu can resolve (D >= 3, small alpha) it cannot get there,
and stage 2 (`_kkt`) takes over.

Every stage reports the relative KKT residual max(||X beta - y|| / ||y||,
||grad Q(beta) - X^T nu||_inf / ||grad Q(beta)||_inf), with X^T nu from nu, and succeeds
only when it is <= tol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _links

_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Point:
    """The limit at one alpha with what the next alpha's warm start needs."""

    log_alpha: float
    nu: np.ndarray
    t: np.ndarray  # X^T nu
    beta: np.ndarray
    slope: np.ndarray  # d beta / d t
    factor: object  # a factorised Hessian near this point
    residual: float  # relative KKT residual
    iterations: int
    primal_dual: bool  # found by stage 2
    refactored: bool = False  # the Hessian it was started with had to be replaced


class DualStage:
    """One data set (design, y), depth and init shape: the pieces every stage uses and
    stage 1 at any alpha."""

    def __init__(self, design, y, depth, w0, tol, max_iter):
        self.design, self.y, self.depth, self.tol, self.max_iter = (
            design, y, depth, tol, max_iter)
        self.log_w0 = np.log(w0)
        self.y_norm = np.linalg.norm(y)
        # |X beta| <= 1e150 (its squares finite) for every beta with |beta_i| <= beta_cap:
        # a trial point beyond it is rejected before X beta or its norm can overflow.
        self.beta_cap = 1e150 / max(float(np.max(np.abs(design.host))) * len(w0), 1e-300)
        self._vertex = None  # the weighted-l1 vertex and its certificate, once (D >= 3)

    @staticmethod
    def _inside(t, radius) -> bool:
        """t strictly inside the dual domain |t| < radius, with 1 - |z| resolvable."""
        return bool(np.all(np.abs(t) <= radius * (1 - 8 * _EPS)))

    @staticmethod
    def _room(t, dt, radius) -> float:
        """The largest s keeping t + s * dt inside the dual domain |t| < radius."""
        moving = dt != 0
        if not moving.any():
            return np.inf
        room = radius[moving] - np.sign(dt[moving]) * t[moving]
        return float(np.min(np.maximum(room, 0.0) / np.abs(dt[moving])))

    def _phi(self, t, y_nu, log_a) -> float:
        return float(np.sum(_links.dual_potential(t, log_a, self.depth)) - y_nu)

    def _stationarity(self, beta, t_nu, log_a):
        """||grad Q(beta) - t_nu||_inf / ||grad Q(beta)||_inf, grad Q(beta), b' there."""
        t_beta, slope = _links.dual_of_beta(beta, log_a, self.depth)
        scale = np.max(np.abs(t_beta))
        gap = np.max(np.abs(t_beta - t_nu))
        return (gap / scale if scale > 0 else gap), t_beta, slope

    def _forcing(self, residual: float) -> float:
        """CG's relative tolerance for a Newton system: inexact Newton with forcing term
        ~ the residual keeps quadratic convergence."""
        return min(max(float(residual), 1e-14), 1e-1)

    def dual(self, log_alpha, nu, t, factor) -> tuple[Point, bool]:
        """Damped Newton on the dual from nu (t = X^T nu, inside the domain). A full step
        that lowers the residual ||X beta - y|| is taken as it is (its beta and residual
        are the next iteration's); otherwise Armijo backtracking on phi."""
        design, y, depth, log_a = self.design, self.y, self.depth, log_alpha + self.log_w0
        radius = _links.dual_radius(log_a, depth)
        beta, slope = _links.beta_and_slope(t, log_a, depth)
        grad = design.matvec(beta) - y
        res = math.sqrt(grad @ grad) / self.y_norm
        last, full, stalls, exact = np.inf, False, 0, False
        for it in range(1, self.max_iter + 1):
            if res <= self.tol:
                return self._dual_point(log_alpha, nu, t if exact else None, beta, slope, res,
                                        factor, it), True
            # At the floating-point floor of nu -> beta a full Newton step stops halving
            # the residual (damped steps far from the solution need not).
            stalls = stalls + 1 if full and res > 0.5 * last else 0
            if stalls >= 3:
                break
            last = res
            direction, factor = design.solve(slope, -grad, factor, self._forcing(res))
            t_full = design.rmatvec(nu + direction)  # exact X^T nu after a full step
            inside = self._inside(t_full, radius)
            if inside:
                b_full, s_full = _links.beta_and_slope(t_full, log_a, depth)
            if inside and np.max(np.abs(b_full)) <= self.beta_cap:
                g_full = design.matvec(b_full) - y
                r_full = math.sqrt(g_full @ g_full) / self.y_norm
                if r_full < res:
                    nu, t, beta, slope, grad, res = (nu + direction, t_full, b_full, s_full,
                                                     g_full, r_full)
                    full = exact = True
                    continue
            step = self._backtrack(nu, t, t_full - t, direction, grad, log_a, radius)
            if step is None:
                break  # no decrease of phi left: its floating-point floor
            nu, t = nu + step * direction, t + step * (t_full - t)
            full, exact = step == 1.0, False
            beta, slope = _links.beta_and_slope(t, log_a, depth)
            grad = design.matvec(beta) - y
            res = math.sqrt(grad @ grad) / self.y_norm
        return Point(log_alpha, nu, t, beta, slope, factor, np.inf, self.max_iter, False), False

    def _backtrack(self, nu, t, dt, direction, grad, log_a, radius) -> float | None:
        """Armijo backtracking on phi along `direction` from nu, inside the domain: the
        step, or None where phi cannot be lowered (its floating-point floor)."""
        decrease = float(grad @ direction)
        if not decrease < 0:
            return None
        y_nu, y_d = float(self.y @ nu), float(self.y @ direction)
        phi = self._phi(t, y_nu, log_a)
        step = min(1.0, 0.99 * self._room(t, dt, radius))
        for _ in range(50):
            if not step > 0:
                return None
            trial = t + step * dt
            if self._inside(trial, radius):
                phi_trial = self._phi(trial, y_nu + step * y_d, log_a)
                if phi_trial <= phi + 0.25 * step * decrease + 1e-13 * (abs(phi) + 1):
                    return step if (step == 1.0 or phi_trial < phi) else None
            step /= 2
        return None

    def _dual_point(self, log_alpha, nu, t, beta, slope, primal, factor, iterations) -> Point:
        """The dual stage's answer with its stationarity residual; X^T nu is recomputed
        unless `t` is it (after a full step; damped steps update it incrementally)."""
        if t is None:
            t = self.design.rmatvec(nu)
        stat, _, _ = self._stationarity(beta, t, log_alpha + self.log_w0)
        return Point(log_alpha, nu, t, beta, slope, factor, max(primal, stat), iterations,
                     False)


def _with(point: Point, iterations: int, refactored: bool = False) -> Point:
    return Point(point.log_alpha, point.nu, point.t, point.beta, point.slope, point.factor,
                 point.residual, iterations, point.primal_dual, refactored)
