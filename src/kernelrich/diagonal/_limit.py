"""The limit of gradient flow on a diagonal network, exactly (Woodworth et al. 2020,
Theorems 1 and 3), by Newton's method on the N-dimensional dual.

The flow from alpha * w0 interpolates and its limit is beta = b(X^T nu) for the nu
solving X b(X^T nu) = y (see `_links`). Two stages per alpha:

1. damped Newton on the convex dual phi(nu) = sum_i Qstar_i((X^T nu)_i) - y.nu
   (Hessian X diag(b') X^T, N x N; Armijo backtracking that stays in the domain);
2. primal-dual Newton on the KKT system grad Q(beta) = X^T nu, X beta = y, in (beta, nu).
   Its beta-update is X_S^{-1}-like on the coordinates that carry the solution, so it
   stays accurate where the dual map nu -> beta is ill-conditioned (D >= 3 at small alpha,
   where 1 - |z| ~ alpha^(D-2) cannot be resolved in nu).

A path of alphas is solved from large to small with a first-order predictor
d nu / d log alpha = -M^{-1} X d beta / d log alpha (implicit function theorem), so each
alpha costs a few Newton steps; the Newton systems are solved by conjugate gradients
preconditioned with the last factorised Hessian, and a Hessian is formed only when that
stalls.

Range: D = 2 for any alpha whose square is a normal float (tested 1e-100 .. 1e3); D >= 3 while
alpha^(D-2) >= ~1e-20 (D = 3, 4: alpha >= 1e-8 tested; D = 5: alpha >= ~1e-7). Below that the
gap 1 - |z| is under float64 resolution in nu and a clear RuntimeError is raised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.linalg.blas
import threadpoolctl
from jaxtyping import Float

from .. import _validate
from . import _links


@dataclass(frozen=True)
class _Point:
    nu: np.ndarray
    beta: np.ndarray
    t: np.ndarray  # grad Q(beta) = X^T nu at the solution
    slope: np.ndarray  # d beta / d t there
    hessian: _SPD  # X diag(slope) X^T near the solution, factorised
    iterations: int


class _SPD:
    """A symmetric positive (semi)definite matrix, Jacobi-equilibrated and factorised once
    (Cholesky; least squares if it is numerically singular)."""

    def __init__(self, M: np.ndarray):
        self.scale = 1 / np.sqrt(np.maximum(np.diag(M), np.finfo(float).tiny))
        scaled = M * self.scale[:, None] * self.scale[None, :]
        try:
            self.cholesky, self.matrix = scipy.linalg.cho_factor(scaled), None
        except (np.linalg.LinAlgError, ValueError):
            self.cholesky, self.matrix = None, scaled

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        rhs = self.scale * rhs
        if self.cholesky is not None:
            return self.scale * scipy.linalg.cho_solve(self.cholesky, rhs)
        return self.scale * np.linalg.lstsq(self.matrix, rhs, rcond=None)[0]


class _Problem:
    """One data set (X, y), depth and init shape; solves for any alpha."""

    def __init__(self, X, y, depth, w0, tol, max_iter):
        self.X, self.y, self.depth, self.tol, self.max_iter = X, y, depth, tol, max_iter
        self.log_w0 = np.log(w0)
        self.y_norm = max(np.linalg.norm(y), np.finfo(float).tiny)

    def hessian(self, slope: np.ndarray) -> _SPD:
        """X diag(slope) X^T, factorised. A symmetric rank-k update (BLAS syrk, about 30x
        faster than a general matmul at N = 100, d = 1000) over the coordinates whose slope
        is above 1e-14 of the largest: the others change M by less than its rounding, and M
        only steers Newton's steps (the residuals that define the solution are exact)."""
        keep = slope >= 1e-14 * slope.max()
        X = self.X if keep.all() else self.X[:, keep]
        root = (X * np.sqrt(slope[keep])).T  # (d, N), Fortran-ordered: no copy for BLAS
        upper = scipy.linalg.blas.dsyrk(1.0, root, trans=1)
        return _SPD(upper + np.triu(upper, 1).T)

    def newton_direction(self, slope: np.ndarray, rhs: np.ndarray, factor: _SPD | None
                         ) -> tuple[np.ndarray, _SPD]:
        """Solve X diag(slope) X^T x = rhs. With `factor`, a factorised Hessian from a nearby
        point (the previous Newton step or alpha), by conjugate gradients preconditioned with
        it: each iteration costs two products with X (O(Nd)) instead of a new Hessian
        (O(N^2 d)). Falls back to a fresh factorisation when CG needs more than 12 iterations
        to reach a relative residual 1e-12. Returns x and the factorisation used."""
        if factor is not None:
            X = self.X
            x, r = np.zeros_like(rhs), rhs.copy()
            z = factor.solve(r)
            p, rz, target = z.copy(), r @ z, 1e-12 * np.linalg.norm(rhs)
            for _ in range(12):
                Mp = X @ (slope * (X.T @ p))
                step = rz / (p @ Mp)
                x, r = x + step * p, r - step * Mp
                if np.linalg.norm(r) <= target:
                    return x, factor
                z = factor.solve(r)
                rz, rz_old = r @ z, rz
                p = z + (rz / rz_old) * p
        factor = self.hessian(slope)
        return factor.solve(rhs), factor

    def _phi(self, nu, log_a):
        t = self.X.T @ nu
        return np.sum(_links.dual_potential(t, log_a, self.depth)) - self.y @ nu

    def _max_step(self, nu, direction, log_a) -> float:
        """The largest s keeping nu + s * direction in the dual domain (inf for D = 2)."""
        if self.depth == 2:
            return np.inf
        t, dt = self.X.T @ nu, self.X.T @ direction
        room = _links.dual_radius(log_a, self.depth) - np.sign(dt) * t
        with np.errstate(divide="ignore"):
            return float(np.min(np.where(dt != 0, room / np.abs(dt), np.inf)))

    def _dual_newton(self, nu, log_a, M: _SPD | None = None) -> tuple[_Point, bool]:
        """Damped Newton on the dual from nu. Returns the last point and whether beta has
        converged to `tol` (a full step that moved beta by less than tol, relatively). `M`
        is a factorised Hessian from nearby, used to precondition the Newton systems."""
        X, y, depth = self.X, self.y, self.depth
        first = True
        for it in range(self.max_iter):
            t = X.T @ nu
            beta = _links.beta_of_dual(t, log_a, depth)
            slope_t = _links.beta_slope_of_dual(t, log_a, depth)
            grad = X @ beta - y
            if np.linalg.norm(grad) <= self.tol * self.y_norm and not first:
                return _Point(nu, beta, t, slope_t, M, it), True
            first = False
            direction, M = self.newton_direction(slope_t, -grad, M)
            decrease = grad @ direction  # < 0: M is positive definite
            phi = self._phi(nu, log_a)
            if -decrease <= 1e-14 * (abs(phi) + 1):
                break  # at the dual's floating-point floor: polish in (beta, nu)
            step = min(1.0, 0.99 * self._max_step(nu, direction, log_a))
            for _ in range(60):  # Armijo backtracking, inside the domain
                trial = nu + step * direction
                if self._phi(trial, log_a) <= phi + 0.25 * step * decrease + 1e-13 * (
                        abs(phi) + 1):
                    break
                step /= 2
            else:
                break
            nu = trial
            d_beta = slope_t * (X.T @ (step * direction))  # to first order
            if step == 1.0 and np.linalg.norm(d_beta) <= self.tol * np.linalg.norm(beta):
                t = X.T @ nu
                return _Point(nu, _links.beta_of_dual(t, log_a, depth), t,
                              _links.beta_slope_of_dual(t, log_a, depth), M, it + 1), True
        t = X.T @ nu
        return _Point(nu, _links.beta_of_dual(t, log_a, depth), t,
                      _links.beta_slope_of_dual(t, log_a, depth), M, it + 1), False

    def _polish(self, nu, beta, log_a, max_iter: int) -> tuple[_Point | None, float]:
        """Primal-dual Newton on the KKT system from (nu, beta).

        Returns the point and its last relative step, or (None, inf) if the iteration
        left the finite numbers. Stops at `tol`, or where the steps stop shrinking below
        1e-9 (the floating-point floor of an ill-conditioned KKT system).
        """
        X, y = self.X, self.y
        last, iterations, last_M = np.inf, 0, None
        while iterations < max_iter:
            iterations += 1
            t, slope = _links.dual_of_beta(beta, log_a, self.depth)
            r = t - X.T @ nu
            rhs = (y - X @ beta) + X @ (slope * r)
            if not (np.all(np.isfinite(rhs)) and np.all(np.isfinite(slope))):
                return None, np.inf
            M = self.hessian(slope)
            if last_M is None:
                last_M = M
            d_nu = M.solve(rhs)
            d_beta = slope * (X.T @ d_nu - r)
            beta, nu, last_M = beta + d_beta, nu + d_nu, M
            if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(nu))):
                return None, np.inf
            rel = np.linalg.norm(d_beta) / max(np.linalg.norm(beta), 1e-300)
            if rel <= self.tol or (rel <= 1e-9 and rel > 0.5 * last):
                break
            last = rel
        t, slope = _links.dual_of_beta(beta, log_a, self.depth)
        return _Point(nu, beta, t, slope, last_M, iterations), rel

    def solve(self, log_alpha: float, start: _Point | None = None, d_log_alpha: float = 0.0
              ) -> _Point:
        """Solve at alpha = exp(log_alpha), warm-started from the solution `start` at
        log(alpha) - d_log_alpha when given."""
        log_a = log_alpha + self.log_w0
        nu = np.zeros(len(self.y))
        if start is not None:
            predicted = self.predict(start, d_log_alpha)
            nu = start.nu + min(1.0, 0.9 * self._max_step(start.nu, predicted - start.nu,
                                                           log_a)) * (predicted - start.nu)
        dual, converged = self._dual_newton(nu, log_a, None if start is None else start.hessian)
        if converged and self.depth == 2:
            return dual  # the sinh link is well conditioned: the dual answer is accurate
        point, rel = self._polish(dual.nu, dual.beta, log_a, max_iter=self.max_iter)
        if (point is None or rel > max(self.tol, 1e-9)) and start is not None:
            # Where nu cannot resolve 1 - |z| (D >= 3, alpha^(D-2) below ~1e-20), start the
            # primal-dual iteration from the previous beta instead: deep in the rich regime
            # beta hardly moves with alpha, while nu -> beta is numerically singular.
            point, rel = self._polish(predicted, start.beta, log_a, max_iter=self.max_iter)
        if point is None or rel > max(self.tol, 1e-9):
            raise RuntimeError(
                f"flow_limit: Newton did not converge at alpha={np.exp(log_alpha):.3e}, "
                f"depth={self.depth} (last relative step {rel:.2e}, tol={self.tol:.1e})"
                + ("" if self.depth == 2 else
                   f"; alpha^(D-2) = {np.exp((self.depth - 2) * log_alpha):.1e}: below about "
                   "1e-20 the gap 1 - |z| of the h_D link is not representable in float64")
            )
        return _Point(point.nu, point.beta, point.t, point.slope, point.hessian,
                      dual.iterations + point.iterations)

    def predict(self, point: _Point, d_log_alpha: float) -> np.ndarray:
        """nu at log(alpha) + d_log_alpha, to first order in the scaled variable
        mu = alpha^(D-2) nu (which tends to a constant, the LP dual, as alpha -> 0).

        d nu / d log(alpha) = -M^{-1} X d beta / d log(alpha) at fixed nu (implicit
        function theorem), with d beta / d log(alpha) = D beta + (D - 2) t b'(t).
        """
        k = self.depth - 2
        partial = self.depth * point.beta + k * point.t * point.slope
        d_nu = -self.newton_direction(point.slope, self.X @ partial, point.hessian)[0]
        return np.exp(-k * d_log_alpha) * (point.nu + d_log_alpha * (d_nu + k * point.nu))


def _alphas(alpha) -> tuple[np.ndarray, bool]:
    if np.ndim(alpha) == 0:
        return np.array([_validate.positive("alpha", alpha)]), True
    return _validate.positive("alpha", alpha, allow_array=True), False


def _path(log_alphas: np.ndarray, beta_l2: np.ndarray, max_gap: float = 2 * np.log(10)
          ) -> list[tuple[float, int]]:
    """The continuation path, from large to small alpha: the requested log-alphas (with their
    index) plus unreturned stepping stones (index -1), so that consecutive points are at
    most a factor 100 apart and the path starts where Newton from nu = 0 converges
    (alpha^2 above the size of the min-l2 solution: the nearly quadratic kernel regime)."""
    start = max(log_alphas.max(), 0.5 * np.log(max(np.abs(beta_l2).max(), 1e-300)) + np.log(10))
    path, current = [], start
    if start > log_alphas.max():
        path.append((start, -1))
    for k in np.argsort(-log_alphas):
        target = float(log_alphas[k])
        while current - target > max_gap:
            current -= max_gap
            path.append((current, -1))
        path.append((target, int(k)))
        current = target
    return path


def flow_limit(
    X: Float[np.ndarray, "N d"],
    y: Float[np.ndarray, " N"],
    alpha: float | Float[np.ndarray, " K"],
    depth: int = 2,
    w0: Float[np.ndarray, " d"] | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 200,
) -> Float[np.ndarray, " d"] | Float[np.ndarray, "K d"]:
    """The limit beta_{alpha, w0}^infty of gradient flow on the depth-D diagonal network.

    Woodworth et al. (2020), Theorem 1 (D = 2) and Theorem 3 (D >= 3): the limit is
    argmin Q(beta) s.t. X beta = y, computed from its N-dimensional dual by Newton's method
    (module docstring). Works in logs of alpha: alpha from 1e-100 to 1e3 for D = 2 and
    1e-8 to 1e3 for D >= 3.

    **Arguments:**
    - `X`, `y`: the data, shapes (N, d) and (N,); X beta = y must be solvable.
    - `alpha`: the initialisation scale, a number or a 1-D array of numbers (solved along
      the path from large to small alpha with warm starts).
    - `depth`: D >= 2, the order of homogeneity.
    - `w0`: the initialisation shape (positive, length d); default all ones.
    - `tol`: relative accuracy of beta (the last Newton step relative to ||beta||).
    - `max_iter`: Newton steps allowed per stage and alpha.

    **Returns:** beta of shape (d,) for a scalar alpha, (K, d) for K alphas (rows in the
    order of `alpha`).
    """
    X, y = _validate.design(X, y)
    _validate.bounded("X", X)
    alphas, scalar = _alphas(alpha)
    depth = _validate.integer("depth", depth, minimum=2)
    w0 = _validate.init_shape(w0, X.shape[1])
    tol = _validate.positive("tol", tol)
    max_iter = _validate.integer("max_iter", max_iter, minimum=1)
    # The linear algebra is N x N and N x d: BLAS threads only cost (they spin when the cores
    # are shared: 10-100x slowdowns measured on 2 busy cores), so it runs single-threaded.
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        beta_l2 = _validate.feasible(X, y)
        problem = _Problem(X, y, depth, w0, tol, max_iter)
        out = np.empty((len(alphas), X.shape[1]))
        point, previous = None, None
        for log_alpha, k in _path(np.log(alphas), beta_l2):
            point = problem.solve(log_alpha, point,
                                  0.0 if previous is None else log_alpha - previous)
            previous = log_alpha
            if k >= 0:
                out[k] = point.beta
    return out[0] if scalar else out
