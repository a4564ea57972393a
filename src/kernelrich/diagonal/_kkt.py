"""Stage 2 of `flow_limit`: Newton on the KKT system where the dual cannot resolve the
solution, and the deep rich regime of D >= 3 (Woodworth et al. 2020, Theorem 3).

Near |z| = 1 (D >= 3, small alpha, where 1 - |z| ~ alpha^(D-2)) the map nu -> beta is
too ill-conditioned for stage 1. Here the coordinates near the boundary keep their own
beta_i, with the stationarity grad Q(beta_i) = (X^T nu)_i as an equation, and the others
follow nu: Newton on that system updates beta on the coordinates that carry the solution
X_S^{-1}-like, accurately. Below float64 resolution of 1 - |z| the weighted-l1 vertex is
the limit (`_rich`), accepted only with its KKT certificate.
"""

from __future__ import annotations

import numpy as np

from . import _links, _rich
from ._dual import _EPS, DualStage, Point

_GAP = 1e-3  # 1 - |z| below which beta_i is a variable of stage 2


class KKTStage(DualStage):
    """Stages 1 and 2 and the deep rich regime, at any alpha."""

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
        radius = _links.dual_radius(log_a, self.depth)
        t = design.rmatvec(nu)
        near, beta, slope, r, stat = self._split(t, beta, log_a)
        if not np.max(np.abs(beta)) <= self.beta_cap:
            return Point(log_alpha, nu, t, beta, slope, factor, np.inf, 0, True), False
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
            lam = min(1.0, 0.99 * self._room(t[inner], dt[inner], radius[inner]))
            merit = primal + stat
            for _ in range(40):  # backtracking
                t_trial = t + lam * dt
                b_trial = np.where(near, beta + lam * d_beta, beta)
                near_t, b_trial, slope_t, r_t, stat_t = self._split(t_trial, b_trial, log_a,
                                                                    near)
                if np.max(np.abs(b_trial)) <= self.beta_cap:  # X beta cannot overflow
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
