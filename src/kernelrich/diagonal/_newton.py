"""The linear algebra of `flow_limit`'s Newton steps on NumPy and BLAS (one thread).

Every Newton system of the flow limit has the form X diag(s) X^T x = b with s > 0 (the
dual Hessian, N x N). Forming it costs one BLAS syrk, O(N^2 d); a product with it costs
two passes over X, O(N d). `Design` solves such systems by conjugate gradients
preconditioned with a factorisation from a nearby point (the previous Newton step or the
previous alpha), and forms a new one only when CG would cost more than that: the cost of
the path is then a few Hessian formations in all, not one per Newton step.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg.blas
import scipy.linalg.lapack

_TINY = np.finfo(float).tiny


class SPD:
    """A symmetric positive (semi)definite matrix, given by its upper triangle,
    Jacobi-equilibrated and factorised once (LAPACK Cholesky, called directly: at N = 100
    SciPy's checking wrappers cost more than the solve; least squares if the matrix is
    numerically singular)."""

    def __init__(self, upper: np.ndarray):
        self.scale = 1 / np.sqrt(np.maximum(np.diag(upper), _TINY))
        scaled = upper * self.scale[:, None] * self.scale[None, :]
        factor, info = scipy.linalg.lapack.dpotrf(scaled, lower=0, clean=0)
        self.cholesky = factor if info == 0 else None
        self.matrix = None if info == 0 else np.triu(scaled) + np.triu(scaled, 1).T

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        rhs = self.scale * rhs
        if self.cholesky is not None:
            return self.scale * scipy.linalg.lapack.dpotrs(self.cholesky, rhs, lower=0)[0]
        return self.scale * np.linalg.lstsq(self.matrix, rhs, rcond=None)[0]


def kept(slope: np.ndarray) -> np.ndarray | None:
    """The coordinates whose slope is above 1e-14 of the largest (None: all of them). The
    others change X diag(slope) X^T by less than its rounding; the Hessian only steers
    Newton's steps (the residuals that define the solution are exact)."""
    keep = slope >= 1e-14 * slope.max()
    return None if keep.all() else keep


class Design:
    """The data X with the products the Newton iterations need (NumPy, BLAS).

    `cg_iterations` is how many CG iterations (two passes over X each) are worth one
    Hessian formation (one syrk); beyond it a system is solved by a new factorisation.
    """

    def __init__(self, X: np.ndarray):
        self.X = self.host = np.ascontiguousarray(X)
        N, d = X.shape
        # A syrk does N^2 d flops at BLAS speed; a CG iteration streams X twice (16 N d
        # bytes) at memory speed: about N / 80 iterations per syrk, and never fewer than 6
        # (small problems are bound by per-call overhead on both sides).
        self.cg_iterations = int(np.clip(N // 80, 6, 16))
        self.factorisations = 0
        self._buffer: np.ndarray | None = None

    def rmatvec(self, u: np.ndarray) -> np.ndarray:
        return self.X.T @ u

    def matvec(self, v: np.ndarray) -> np.ndarray:
        return self.X @ v

    def factor(self, slope: np.ndarray) -> SPD:
        """X diag(slope) X^T, factorised: a symmetric rank-k update (BLAS syrk) of the
        columns scaled by sqrt(slope) (written into one reused buffer) over `kept`
        coordinates."""
        self.factorisations += 1
        keep = kept(slope)
        if keep is None:
            if self._buffer is None:
                self._buffer = np.empty_like(self.X)
            root = np.multiply(self.X, np.sqrt(slope), out=self._buffer)
        else:
            root = self.X[:, keep] * np.sqrt(slope[keep])
        # root.T is (k, N) and Fortran-ordered: BLAS reads it without a copy.
        return SPD(scipy.linalg.blas.dsyrk(1.0, root.T, trans=1))  # the upper triangle

    def solve(self, slope: np.ndarray, rhs: np.ndarray, factor: SPD | None, rtol: float
              ) -> tuple[np.ndarray, SPD]:
        """x with ||X diag(slope) X^T x - rhs|| <= rtol ||rhs|| (rtol >= 1e-14), and the
        factorisation used. With `factor` (from a nearby point), by preconditioned CG,
        abandoned for a new factorisation when the rate of its first iterations says it
        would need more than `cg_iterations`, or when it breaks down (a zero or negative
        curvature in floating point)."""
        norm = math.sqrt(rhs @ rhs)
        if norm == 0:
            return np.zeros_like(rhs), factor if factor is not None else self.factor(slope)
        if factor is not None:
            x = _cg(self, slope, rhs, factor, rtol * norm, self.cg_iterations)
            if x is not None:
                return x, factor
        factor = self.factor(slope)
        return factor.solve(rhs), factor


def _cg(design: Design, slope: np.ndarray, rhs: np.ndarray, factor: SPD, target: float,
        budget: int) -> np.ndarray | None:
    """Preconditioned CG from x = 0 to ||residual|| <= target; None if it would need more
    than `budget` iterations or breaks down."""
    norm0 = math.sqrt(rhs @ rhs)
    x, r = np.zeros_like(rhs), rhs.copy()
    z = factor.solve(r)
    p, rz = z.copy(), float(r @ z)
    for k in range(budget):
        Mp = design.matvec(slope * design.rmatvec(p))
        curvature = float(p @ Mp)
        if not (rz > 0 and curvature > 0 and math.isfinite(curvature)):
            return None
        step = rz / curvature
        x += step * p
        r -= step * Mp
        norm = math.sqrt(r @ r)
        if norm <= target:
            return x
        if k >= 1:  # linear rate so far: iterations still needed at that rate
            rate = (norm / norm0) ** (1 / (k + 1))
            if not 0 < rate < 1 or math.log(target / norm) / math.log(rate) > budget - k - 1:
                return None
        z = factor.solve(r)
        rz_new = float(r @ z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    return None
