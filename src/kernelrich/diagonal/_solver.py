"""One alpha of `flow_limit`, warm-started along the path of alphas: which stage runs from
which start (Woodworth et al. 2020, Theorems 1 and 3).

- D = 2: stage 1 (`_dual`) from the minimiser of phi over the span of the last three
  solutions' nu (O(d) work, no pass over X), with the previous alpha's Hessian as CG's
  preconditioner unless it had to be replaced there.
- D >= 3: stage 2 (`_kkt`) from nu predicted to first order in mu = alpha^(D-2) nu
  (implicit function theorem) and beta consistent with it; then the deep rich regime, then
  stage 1 from a safe start followed by stage 2.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg.lapack

from . import _links
from ._dual import _EPS, Point, _with
from ._kkt import KKTStage

_SUBSPACE_ITERATIONS = 3  # Newton steps of the subspace start


class Problem(KKTStage):
    """One data set (design, y), depth and init shape; solves for any alpha."""

    def solve(self, log_alpha: float, history: list[Point], factor=None) -> Point:
        """The limit at alpha = exp(log_alpha), warm-started from the points of `history`
        (larger alphas, the last one nearest) when given: for D = 2 the dual stage from
        the minimiser of phi over the span of their nu; for D >= 3 the primal-dual stage
        from the predicted nu and beta (where nu -> beta is ill-conditioned, the previous
        beta, which moves slowly with alpha there); the other stage if that fails.
        `factor` preconditions the first Newton system when there is no history."""
        log_a = log_alpha + self.log_w0
        radius = _links.dual_radius(log_a, self.depth)
        N, d = len(self.y), len(log_a)
        nu, t, iterations = np.zeros(N), np.zeros(d), 0
        prev = history[-1] if history else None
        if prev is not None and self.depth == 2:
            nu, t = self._subspace_start(history, log_a)
            # The previous alpha's Hessian preconditions CG here, unless it already had
            # to be replaced there (the rich regime, where the slopes change by the
            # factor alpha^2 from one alpha to the next): then CG would fail again.
            factor = None if prev.refactored else prev.factor
        elif prev is not None:
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
            if not self._inside(t, radius):
                nu, t = np.zeros(N), np.zeros(d)
            else:
                nu, t = self._pull_inside(nu, t, nu_p, t_p, log_a)

        point, ok = self.dual(log_alpha, nu, t, factor)
        iterations += point.iterations
        if ok and point.residual <= self.tol:
            return _with(point, iterations, refactored=point.factor is not factor)
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

    def _subspace_start(self, history: list[Point], log_a) -> tuple[np.ndarray, np.ndarray]:
        """About argmin phi over the span of the last (up to) three nu's: Newton steps in
        <= 3 variables from the last nu, O(d) each and no pass over X (their X^T nu are
        kept), kept if they lowered phi. In the kernel regime this finds nu ~
        alpha^-2, in the rich regime nu ~ log(1 / alpha): the start is then a few digits
        from the solution, where a first-order predictor gets about one."""
        points = history[-3:]
        B = np.array([p.nu for p in points])  # (k, N): rows contiguous, so that the
        T = np.array([p.t for p in points])  # (k, d) products below are single BLAS calls
        yB = B @ self.y
        radius = _links.dual_radius(log_a, self.depth)
        c = np.zeros(len(points))
        c[-1] = 1.0
        t = T[-1]
        c_new, t_new = c, t
        for _ in range(_SUBSPACE_ITERATIONS):
            beta, slope = _links.beta_and_slope(t_new, log_a, self.depth)
            if np.max(np.abs(beta)) > self.beta_cap:
                break
            # eigh of the k x k Hessian by LAPACK directly (numpy's wrapper costs 4x more)
            w, V, info = scipy.linalg.lapack.dsyev((T * slope) @ T.T)
            if info != 0:
                break
            keep = w > 1e-12 * w[-1]  # collinear nu's make it singular: drop those
            trial_c = c_new - V[:, keep] @ ((V[:, keep].T @ (T @ beta - yB)) / w[keep])
            trial = trial_c @ T
            if not self._inside(trial, radius):
                break
            c_new, t_new = trial_c, trial
        # Newton steps in the subspace, then kept only if they lowered phi
        if c_new is not c and self._phi(t_new, yB @ c_new, log_a) < self._phi(t, yB @ c, log_a):
            c, t = c_new, t_new
        return c @ B, t

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
        s = min(1.0, 0.9 * self._room(t[inside], (t_p - t)[inside], radius[inside]))
        nu, t = nu + s * (nu_p - nu), t + s * (t_p - t)
        inside = np.abs(t) < radius * (1 - 64 * _EPS)
        beta = np.where(inside, _links.beta_of_dual(np.where(inside, t, 0.0), log_a,
                                                    self.depth), prev.beta)
        return nu, beta

    def _pull_inside(self, nu, t, nu_p, t_p, log_a):
        """The predicted nu_p moved towards nu (inside the domain) until it is inside too,
        kept only if it lowers phi below nu's."""
        radius = _links.dual_radius(log_a, self.depth)
        s = min(1.0, 0.9 * self._room(t, t_p - t, radius))
        trial = t + s * (t_p - t)
        if not (s > 0 and self._inside(trial, radius)):
            return nu, t
        trial_nu = nu + s * (nu_p - nu)
        if self._phi(trial, self.y @ trial_nu, log_a) <= self._phi(t, self.y @ nu, log_a):
            return trial_nu, trial
        return nu, t
