"""An independent, high-precision route to the flow limit: the KKT system
X beta(nu) = y of Woodworth et al. (2020) solved by damped Newton in mpmath at 80 digits,
with the links written directly from the paper's formulas (no code shared with
kernelrich.diagonal). Small instances only."""

from __future__ import annotations

import mpmath as mp
import numpy as np


def _beta(t, a, depth):
    if depth == 2:
        return 2 * a**2 * mp.sinh(t)
    p = mp.mpf(depth) / (depth - 2)
    z = a ** (depth - 2) * t
    return a**depth * ((1 - z) ** (-p) - (1 + z) ** (-p))


def _slope(t, a, depth):
    if depth == 2:
        return 2 * a**2 * mp.cosh(t)
    p = mp.mpf(depth) / (depth - 2)
    z = a ** (depth - 2) * t
    return a ** (2 * depth - 2) * p * ((1 - z) ** (-p - 1) + (1 + z) ** (-p - 1))


def flow_limit_mp(X, y, alpha, depth, w0=None, dps=80):
    """beta at the flow's limit, to about `dps` digits, as a float64 array, and the final
    relative residual |X beta - y| / |y| (to show convergence). Continuation from alpha = 10
    down by factors of 10, each solved by damped Newton from the previous nu scaled by
    (alpha_prev / alpha)^(D - 2)."""
    with mp.workdps(dps):
        path = [mp.mpf(alpha)]
        while path[-1] < 10:
            path.append(path[-1] * 10)
        nu = None
        for a in reversed(path):
            if nu is not None:
                nu = nu * (10 ** (depth - 2))
            beta, rel, nu = _solve(X, y, a, depth, w0, nu, dps)
        return beta, rel


def _solve(X, y, alpha, depth, w0, nu0, dps, max_iter=200):
    with mp.workdps(dps):
        N, d = X.shape
        Xm = mp.matrix(X.tolist())
        ym = mp.matrix(list(map(mp.mpf, y)))
        a = [mp.mpf(alpha) * (1 if w0 is None else mp.mpf(w0[i])) for i in range(d)]
        nu = mp.matrix(N, 1) if nu0 is None else mp.matrix(list(map(mp.mpf, nu0)))

        def feasible(v):
            if depth == 2:
                return True
            t = Xm.T * v
            return all(abs(a[i] ** (depth - 2) * t[i]) < 1 for i in range(d))

        while not feasible(nu):
            nu = nu / 2

        def residual(v):
            t = Xm.T * v
            beta = mp.matrix([_beta(t[i], a[i], depth) for i in range(d)])
            return beta, Xm * beta - ym

        beta, r = residual(nu)
        ynorm = mp.norm(ym)
        for _ in range(max_iter):
            if mp.norm(r) <= mp.mpf(10) ** (-(dps - 10)) * ynorm:
                break
            t = Xm.T * nu
            s = [_slope(t[i], a[i], depth) for i in range(d)]
            M = mp.matrix(N, N)
            for j in range(N):
                for k in range(j, N):
                    M[j, k] = M[k, j] = mp.fsum(Xm[j, i] * s[i] * Xm[k, i] for i in range(d))
            step = mp.lu_solve(M, -r)
            lam = mp.mpf(1)
            while True:
                trial = nu + lam * step
                if feasible(trial):
                    b2, r2 = residual(trial)
                    if mp.norm(r2) < (1 - lam / 4) * mp.norm(r) or lam < mp.mpf(2) ** -60:
                        break
                lam /= 2
            nu, beta, r = trial, b2, r2
        rel = float(mp.norm(r) / ynorm)
        return np.array([float(b) for b in beta]), rel, nu
