"""One alpha of `flow_limit`: Newton's method on the N-dimensional dual, and on the KKT
system where the dual cannot resolve the solution (Woodworth et al. 2020, Theorems 1, 3).

The limit is the beta = b(X^T nu) with X beta = y (`_links`). Two stages:

1. damped Newton on the convex dual phi(nu) = sum_i Qstar_i((X^T nu)_i) - y.nu (Hessian
   X diag(b') X^T; Armijo backtracking inside the domain of phi). Its beta = b(X^T nu) is
   stationary by construction; it stops when X beta = y to `tol`.
2. primal-dual Newton on grad Q(beta) = X^T nu, X beta = y, in (beta, nu), backtracking on
   the norm of the two residuals. Its beta-update is X_S^{-1}-like on the coordinates that
   carry the solution, so it stays accurate where nu -> beta is ill-conditioned (D >= 3 at
   small alpha, where the gap 1 - |z| ~ alpha^(D-2) is below what nu can resolve).

Both report the relative KKT residual max(||X beta - y|| / ||y||, ||grad Q(beta) -
X^T nu||_inf / ||grad Q(beta)||_inf), with X^T nu recomputed from nu, and succeed only
when it is <= tol. A path is warm-started: nu from the previous alpha by a first-order
predictor in mu = alpha^(D-2) nu (implicit function theorem), the Newton systems by CG
preconditioned with the previous factorisation (`_newton`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _links, _rich

_EPS = np.finfo(float).eps
_GAP = 1e-3  # 1 - |z| below which beta_i is a variable of stage 2


@dataclass(frozen=True)
class Point:
    log_alpha: float
    nu: np.ndarray
    t: np.ndarray  # X^T nu
    beta: np.ndarray
    slope: np.ndarray  # d beta / d t
    factor: object  # a factorised Hessian near this point
    residual: float  # relative KKT residual
    iterations: int
    primal_dual: bool  # found by stage 2


class Problem:
    """One data set (design, y), depth and init shape; solves for any alpha."""

    def __init__(self, design, y, depth, w0, tol, max_iter):
        self.design, self.y, self.depth, self.tol, self.max_iter = (
            design, y, depth, tol, max_iter)
        self.log_w0 = np.log(w0)
        self.y_norm = np.linalg.norm(y)
        self._vertex = None  # the weighted-l1 vertex and its certificate, once (D >= 3)

    # --- pieces -------------------------------------------------------------------------

    def _inside(self, t, log_a) -> bool:
        """t strictly inside the dual domain, with 1 - |z| resolvable (D >= 3)."""
        return bool(np.all(np.abs(t) <= _links.dual_radius(log_a, self.depth) * (1 - 8 * _EPS)))

    def _room(self, t, dt, log_a) -> float:
        """The largest s keeping t + s * dt inside the dual domain."""
        radius = _links.dual_radius(log_a, self.depth)
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
        return float(np.clip(residual, 1e-14, 1e-1))

    # --- stage 1 ------------------------------------------------------------------------

    def dual(self, log_alpha, nu, t, factor) -> tuple[Point, bool]:
        """Damped Newton on the dual from nu (t = X^T nu, inside the domain)."""
        design, y, depth, log_a = self.design, self.y, self.depth, log_alpha + self.log_w0
        y_nu = float(y @ nu)
        phi = self._phi(t, y_nu, log_a)
        last, full, stalls = np.inf, False, 0
        for it in range(1, self.max_iter + 1):
            beta = _links.beta_of_dual(t, log_a, depth)
            slope = _links.beta_slope_of_dual(t, log_a, depth)
            grad = design.matvec(beta) - y
            res = np.linalg.norm(grad) / self.y_norm
            if res <= self.tol:
                return self._dual_point(log_alpha, nu, beta, slope, res, factor, it), True
            # At the floating-point floor of nu -> beta a full Newton step stops halving
            # the residual (damped steps far from the solution need not).
            stalls = stalls + 1 if full and res > 0.5 * last else 0
            if stalls >= 3:
                break
            last = res
            direction, factor = design.solve(slope, -grad, factor, self._forcing(res))
            dt = design.rmatvec(direction)
            decrease = float(grad @ direction)
            if not decrease < 0:
                break
            step, y_d = min(1.0, 0.99 * self._room(t, dt, log_a)), float(y @ direction)
            if not step > 0:
                break  # at the boundary of the domain in floating point
            for _ in range(50):  # Armijo backtracking, inside the domain
                trial = t + step * dt
                if self._inside(trial, log_a):
                    phi_trial = self._phi(trial, y_nu + step * y_d, log_a)
                    if phi_trial <= phi + 0.25 * step * decrease + 1e-13 * (abs(phi) + 1):
                        break
                step /= 2
            else:
                break
            full = step == 1.0
            if not (full or phi_trial < phi):
                break  # a damped step that cannot lower phi: its floating-point floor
            nu, t, phi, y_nu = nu + step * direction, trial, phi_trial, y_nu + step * y_d
        beta = _links.beta_of_dual(t, log_a, depth)
        return Point(log_alpha, nu, t, beta, _links.beta_slope_of_dual(t, log_a, depth),
                     factor, np.inf, self.max_iter, False), False

    def _dual_point(self, log_alpha, nu, beta, slope, primal, factor, iterations) -> Point:
        """The dual stage's answer, with X^T nu recomputed (the iteration updates it
        incrementally) and its stationarity residual."""
        t = self.design.rmatvec(nu)
        stat, _, _ = self._stationarity(beta, t, log_alpha + self.log_w0)
        return Point(log_alpha, nu, t, beta, slope, factor, max(primal, stat), iterations,
                     False)

    # --- stage 2 ------------------------------------------------------------------------

    def _split(self, t, beta, log_a, boundary=None):
        """Partition the coordinates: those with |z| <= 1 - GAP (GAP = 1e-3) follow nu,
        beta_i = b(t_i), accurate to eps / GAP; the others (near the boundary of the
        domain, or outside it in floating point) keep their own beta_i, with grad Q(beta_i)
        as the stationarity residual's side. A coordinate leaves the boundary set only
        below 1 - 2 GAP (hysteresis). Returns the set, beta, slopes, r = grad Q(beta) - t
        on the set (0 elsewhere) and the stationarity residual."""
        radius = _links.dual_radius(log_a, self.depth)
        z = np.abs(t) / radius
        near = z > 1 - _GAP if boundary is None else np.where(boundary, z > 1 - 2 * _GAP,
                                                                z > 1 - _GAP)
        tf = np.where(near, 0.0, t)
        beta = np.where(near, beta, _links.beta_of_dual(tf, log_a, self.depth))
        slope = _links.beta_slope_of_dual(tf, log_a, self.depth)
        r = np.zeros_like(t)
        scale = np.max(np.abs(np.where(near, 0.0, t)))
        if near.any():
            t_beta, slope_b = _links.dual_of_beta(beta[near], log_a[near], self.depth)
            slope[near], r[near] = slope_b, t_beta - t[near]
            scale = max(scale, np.max(np.abs(t_beta)))
        stat = np.max(np.abs(r)) / scale if scale > 0 else 0.0
        return near, beta, slope, r, stat

    def kkt(self, log_alpha, nu, beta, factor) -> tuple[Point, bool]:
        """Newton on the KKT system X beta = y, grad Q(beta) = X^T nu, in nu and the beta_i
        of the coordinates near the boundary (`_split`; the others are b((X^T nu)_i)),
        from nu and those beta_i; backtracking on the two residuals."""
        design, y, log_a = self.design, self.y, log_alpha + self.log_w0
        t = design.rmatvec(nu)
        near, beta, slope, r, stat = self._split(t, beta, log_a)
        rp = y - design.matvec(beta)
        primal = np.linalg.norm(rp) / self.y_norm
        slow = 0
        for it in range(1, self.max_iter + 1):
            if primal <= self.tol and stat <= self.tol:
                t = design.rmatvec(nu)  # X^T nu without the updates' rounding
                near2, beta2, slope2, r2, stat2 = self._split(t, beta, log_a, near)
                if stat2 <= self.tol and np.array_equal(near, near2):
                    return Point(log_alpha, nu, t, beta, slope, factor, max(primal, stat),
                                 it, bool(near.any())), True
                near, slope, r, stat = near2, slope2, r2, stat2
            # Solved to rounding where the set is non-empty: the right-hand side carries
            # slope * r, large where slope is, and it cancels in beta's update.
            rtol = 1e-14 if near.any() else self._forcing(primal)
            d_nu, factor = design.solve(slope, rp + design.matvec(slope * r), factor, rtol)
            dt = design.rmatvec(d_nu)
            d_beta = slope * (dt - r)
            inner = ~near
            lam = min(1.0, 0.99 * self._room(t[inner], dt[inner], log_a[inner]))
            merit = primal + stat
            for _ in range(40):  # backtracking
                t_trial = t + lam * dt
                b_trial = np.where(near, beta + lam * d_beta, beta)
                near_t, b_trial, slope_t, r_t, stat_t = self._split(t_trial, b_trial, log_a,
                                                                    near)
                rp_t = y - design.matvec(b_trial)
                primal_t = np.linalg.norm(rp_t) / self.y_norm
                if np.isfinite(primal_t + stat_t) and primal_t + stat_t <= (
                        1 - 1e-4 * lam) * merit:
                    break
                lam /= 2
            else:
                break  # no decrease: at the floating-point floor
            slow = slow + 1 if primal_t + stat_t > 0.5 * merit else 0
            if slow >= 5:
                break  # linear at best: the floating-point floor, or a wrong start
            nu, t, near, beta, slope, r, stat = (nu + lam * d_nu, t_trial, near_t, b_trial,
                                                 slope_t, r_t, stat_t)
            rp, primal = rp_t, primal_t
        return Point(log_alpha, nu, t, beta, slope, factor, max(primal, stat),
                     self.max_iter, bool(near.any())), False

    # --- the deep rich regime (D >= 3) ---------------------------------------------------

    def rich(self, log_alpha) -> Point | None:
        """The weighted-l1 vertex as the limit (`_rich`), with its KKT residual; None if the
        LP has no usable certificate or the vertex is not the limit to tol here."""
        X = self.design.host
        if self._vertex is None:
            weights = np.exp((2 - self.depth) * self.log_w0)
            beta, lam = _rich.weighted_l1(X, self.y, weights)
            self._vertex = _rich.vertex_certificate(X, beta, lam, weights) or ()
        if not self._vertex:
            return None
        support, mu = self._vertex
        log_a = log_alpha + self.log_w0
        nu = mu * np.exp((2 - self.depth) * log_alpha)  # mu = alpha^(D-2) nu
        t = self.design.rmatvec(nu)
        radius = _links.dual_radius(log_a, self.depth)
        if np.any(np.abs(t[~support]) >= radius[~support] * (1 - 64 * _EPS)):
            return None
        beta = _links.beta_of_dual(np.where(support, 0.0, t), log_a, self.depth)
        beta[support] = np.linalg.lstsq(X[:, support], self.y - X @ beta, rcond=None)[0]
        near, beta, slope, _, stat = self._split(t, beta, log_a, support)
        if not np.array_equal(near, support):
            return None
        primal = np.linalg.norm(self.y - self.design.matvec(beta)) / self.y_norm
        return Point(log_alpha, nu, t, beta, slope, None, max(primal, stat), 0, True)

    # --- one alpha, warm-started ----------------------------------------------------------

    def solve(self, log_alpha: float, prev: Point | None) -> Point:
        """The limit at alpha = exp(log_alpha), warm-started from `prev` when given: for
        D = 2 the dual stage from the predicted nu; for D >= 3 the primal-dual stage from
        the predicted nu and beta (where nu -> beta is ill-conditioned, the previous beta,
        which moves slowly with alpha there); the other stage if that fails."""
        log_a = log_alpha + self.log_w0
        N, d = len(self.y), len(log_a)
        nu, t, factor, iterations = np.zeros(N), np.zeros(d), None, 0
        if prev is not None:
            scale = np.exp((2 - self.depth) * (log_alpha - prev.log_alpha))
            nu, t = scale * prev.nu, scale * prev.t  # mu = alpha^(D-2) nu fixed
            nu_p, t_p, factor = self._predict(prev, log_alpha, nu)
            if self.depth > 2:
                point, ok = self.kkt(log_alpha, *self._kkt_start(prev, nu, t, nu_p, t_p, log_a),
                                     factor)
                if ok:
                    return point
                iterations, factor = point.iterations, point.factor
                if prev.primal_dual:
                    point = self.rich(log_alpha)
                    if point is not None and point.residual <= self.tol:
                        return _with(point, iterations)
            if not self._inside(t, log_a):
                nu, t = np.zeros(N), np.zeros(d)
            else:
                nu, t = self._pull_inside(nu, t, nu_p, t_p, log_a)
        point, ok = self.dual(log_alpha, nu, t, factor)
        iterations += point.iterations
        if ok and point.residual <= self.tol:
            return _with(point, iterations)
        point, ok = self.kkt(log_alpha, point.nu, point.beta, point.factor)
        iterations += point.iterations
        if ok:
            return _with(point, iterations)
        if self.depth > 2:
            rich = self.rich(log_alpha)
            if rich is not None and rich.residual <= self.tol:
                return _with(rich, iterations)
        raise RuntimeError(
            f"flow_limit: Newton did not reach the relative KKT residual tol={self.tol:.1e} "
            f"at alpha={np.exp(log_alpha):.3e}, depth={self.depth} (reached "
            f"{point.residual:.2e}): the problem is too ill-conditioned for this tol in "
            "float64; a larger tol, or rescaled X and y, may help")

    def _predict(self, prev: Point, log_alpha, nu):
        """nu at log_alpha to first order from `prev`, from the scaled previous nu:
        d nu / d log alpha = -M^{-1} X d beta / d log alpha at fixed nu (implicit function
        theorem), with d beta / d log alpha = D beta + (D - 2) t b'(t). Returns it, X^T of
        it and the factorisation used."""
        k, d_log = self.depth - 2, log_alpha - prev.log_alpha
        partial = self.depth * prev.beta + k * prev.t * prev.slope
        d_nu, factor = self.design.solve(prev.slope, -self.design.matvec(partial),
                                         prev.factor, 1e-3)
        step = np.exp(-k * d_log) * d_log * (d_nu + k * prev.nu)
        return nu + step, np.exp(-k * d_log) * prev.t + self.design.rmatvec(step), factor

    def _kkt_start(self, prev, nu, t, nu_p, t_p, log_a):
        """Stage 2's start: nu_p moved towards the scaled previous nu until the coordinates
        inside the domain there stay inside; beta = b(X^T nu) wherever it is representable,
        the previous beta elsewhere (consistent: a large stationarity residual times the
        huge slopes near |z| = 1 would cancel in the Newton step below rounding)."""
        radius = _links.dual_radius(log_a, self.depth)
        inside = np.abs(t) < radius * (1 - 64 * _EPS)
        s = min(1.0, 0.9 * self._room(t[inside], (t_p - t)[inside], log_a[inside]))
        nu, t = nu + s * (nu_p - nu), t + s * (t_p - t)
        inside = np.abs(t) < radius * (1 - 64 * _EPS)
        beta = np.where(inside, _links.beta_of_dual(np.where(inside, t, 0.0), log_a,
                                                    self.depth), prev.beta)
        return nu, beta

    def _pull_inside(self, nu, t, nu_p, t_p, log_a):
        """The predicted nu_p moved towards nu (inside the domain) until it is inside too,
        kept only if it lowers phi below nu's."""
        s = min(1.0, 0.9 * self._room(t, t_p - t, log_a))
        trial = t + s * (t_p - t)
        if not (s > 0 and self._inside(trial, log_a)):
            return nu, t
        trial_nu = nu + s * (nu_p - nu)
        if self._phi(trial, self.y @ trial_nu, log_a) <= self._phi(t, self.y @ nu, log_a):
            return trial_nu, trial
        return nu, t


def _with(point: Point, iterations: int) -> Point:
    return Point(point.log_alpha, point.nu, point.t, point.beta, point.slope, point.factor,
                 point.residual, iterations, point.primal_dual)
