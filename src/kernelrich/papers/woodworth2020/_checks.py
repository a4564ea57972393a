"""Theorem checks for Woodworth et al. (2020): each compares the exact flow limit with an
independent route (the paper's closed-form gradient, the integrated trajectory, small-step
gradient descent, the LP / least-squares references, Theorem 2's guarantee)."""

from __future__ import annotations

import numpy as np
import scipy.optimize

from ... import bias
from ...datasets import sparse_regression
from ...diagonal import flow_limit, gradient_descent, gradient_flow
from ...experiments import Check, CheckResult

KEY = "woodworth2020"


def _data(d=40, N=10, seed=0):
    X, y, _ = sparse_regression(d, N, 3, 0.1, seed)
    w0 = np.random.default_rng(seed + 100).uniform(0.5, 2.0, d)
    return X, y, w0


def _h_inverse_brent(u: float, depth: int) -> float:
    """h_D^{-1}(u) by Brent's method on h_D(z) = (1 - z)^(-p) - (1 + z)^(-p) (no kernelrich
    code involved)."""
    p = depth / (depth - 2)
    return scipy.optimize.brentq(lambda z: (1 - z) ** -p - (1 + z) ** -p - u,
                                 -1 + 1e-15, 1 - 1e-15, xtol=1e-15, rtol=1e-15)


def _stationarity(X, beta, grad) -> float:
    """Relative distance of grad Q(beta) from the row space of X (0 at a KKT point)."""
    coef = np.linalg.lstsq(X.T, grad, rcond=None)[0]
    return float(np.linalg.norm(X.T @ coef - grad) / np.linalg.norm(grad))


def kkt(depth: int) -> CheckResult:
    X, y, w0 = _data(seed=depth)
    alpha = 0.1
    beta = flow_limit(X, y, alpha, depth=depth, w0=w0)
    A = alpha * w0
    if depth == 2:  # grad Q = q'(beta / A^2) = arcsinh(beta / (2 A^2))  (Theorem 1)
        grad = np.arcsinh(beta / (2 * A**2))
    else:  # grad Q_D = h_D^{-1}(beta / A^D) / A^(D-2)  (Theorem 3, general w0)
        grad = np.array([_h_inverse_brent(b / a**depth, depth) / a ** (depth - 2)
                         for b, a in zip(beta, A, strict=True)])
    feasibility = np.linalg.norm(X @ beta - y) / np.linalg.norm(y)
    error = max(feasibility, _stationarity(X, beta, grad))
    theorem = "Woodworth Thm 1" if depth == 2 else "Woodworth Thm 3"
    return CheckResult.compare(
        theorem, f"KKT of min Q s.t. X beta = y; D={depth}, d=40, N=10, alpha=0.1, random w0",
        "max(rel. residual of X beta = y, rel. distance of grad Q from row space of X)",
        error, 1e-9, detail="grad Q from the paper's closed form (arcsinh / Brent on h_D)",
        paper=KEY)


def trajectory(depth: int) -> CheckResult:
    X, y, w0 = _data(d=30, N=8, seed=10 + depth)
    alpha = 0.3
    limit = flow_limit(X, y, alpha, depth=depth, w0=w0)
    path = gradient_flow(X, y, alpha, depth=depth, w0=w0, times=np.array([0.0, 1e3, 1e4]))
    error = np.linalg.norm(path.beta[-1] - limit) / np.linalg.norm(limit)
    return CheckResult.compare(
        "Woodworth Thm 1" if depth == 2 else "Woodworth Thm 3",
        f"flow limit = end of the integrated flow; D={depth}, d=30, N=8, alpha=0.3, t=1e4",
        "rel. distance of beta(t = 1e4) (reduced ODE, diffrax) to flow_limit", error, 1e-7,
        detail=f"{path.method}; final loss {path.loss[-1]:.1e}", paper=KEY)


def gd_order() -> CheckResult:
    X, y, _ = _data(d=30, N=8, seed=20)
    alpha = 0.5
    limit = flow_limit(X, y, alpha)
    base = 0.5 / np.linalg.eigvalsh(X @ X.T).max() / 4
    distances = []
    for step in [base, base / 2, base / 4]:
        run = gradient_descent(X, y, alpha, step=step, steps=2_000_000, stop_loss=1e-26)
        distances.append(np.linalg.norm(run.beta - limit) / np.linalg.norm(limit))
    orders = np.log2(np.array(distances[:-1]) / np.array(distances[1:]))
    return CheckResult.compare(
        "Woodworth Thm 1", "GD -> flow limit as step -> 0; D=2, d=30, N=8, alpha=0.5",
        "max |observed order - 1| of GD's distance to the flow limit (steps h, h/2, h/4)",
        float(np.max(np.abs(orders - 1))), 0.1,
        detail=f"distances {', '.join(f'{v:.2e}' for v in distances)}; h = {base:.3g}",
        paper=KEY)


def kernel_limit(depth: int) -> CheckResult:
    X, y, _ = _data(seed=30 + depth)
    l2 = bias.min_l2(X, y)
    error = np.linalg.norm(flow_limit(X, y, 1e3, depth=depth) - l2) / np.linalg.norm(l2)
    return CheckResult.compare(
        "Woodworth Thm 1" if depth == 2 else "Woodworth Thm 3",
        f"alpha -> infinity gives min-l2; D={depth}, d=40, N=10, alpha=1e3",
        "rel. distance to the min-l2 solution", error, 1e-8, paper=KEY)


def rich_limit() -> CheckResult:
    X, y, _ = _data(seed=40)
    l1 = np.abs(bias.min_l1(X, y)).sum()
    error = np.abs(flow_limit(X, y, 1e-8, depth=3)).sum() / l1 - 1
    return CheckResult.compare(
        "Woodworth Thm 3", "alpha -> 0 gives min-l1; D=3, d=40, N=10, alpha=1e-8",
        "||beta_alpha||_1 / ||beta_l1||_1 - 1 (LP by HiGHS)", abs(error), 1e-9, paper=KEY)


def theorem2(which: str, eps: float) -> CheckResult:
    X, y, _ = _data(d=30, N=10, seed=50)
    if which == "rich":
        beta = flow_limit(X, y, bias.rich_alpha_threshold(eps, X, y))
        ratio = np.abs(beta).sum() / np.abs(bias.min_l1(X, y)).sum()
        quantity = "||beta||_1 / ||beta_l1||_1 - 1 at alpha_rich(eps)"
    else:
        beta = flow_limit(X, y, bias.kernel_alpha_threshold(eps, X, y))
        ratio = np.sum(beta**2) / np.sum(bias.min_l2(X, y) ** 2)
        quantity = "||beta||_2^2 / ||beta_l2||_2^2 - 1 at alpha_kernel(eps)"
    return CheckResult.compare(
        "Woodworth Thm 2", f"{which} threshold, eps={eps}; D=2, d=30, N=10",
        quantity, ratio - 1, eps, paper=KEY)


CHECKS = [
    Check("Woodworth Thm 1", "KKT, D=2", lambda: kkt(2), paper=KEY),
    Check("Woodworth Thm 3", "KKT, D=3", lambda: kkt(3), paper=KEY),
    Check("Woodworth Thm 3", "KKT, D=4", lambda: kkt(4), paper=KEY),
    Check("Woodworth Thm 1", "trajectory, D=2", lambda: trajectory(2), paper=KEY),
    Check("Woodworth Thm 3", "trajectory, D=3", lambda: trajectory(3), paper=KEY),
    Check("Woodworth Thm 1", "GD order", gd_order, paper=KEY),
    Check("Woodworth Thm 1", "kernel limit, D=2", lambda: kernel_limit(2), paper=KEY),
    Check("Woodworth Thm 3", "kernel limit, D=3", lambda: kernel_limit(3), paper=KEY),
    Check("Woodworth Thm 3", "rich limit, D=3", rich_limit, paper=KEY),
    Check("Woodworth Thm 2", "rich, eps=0.5", lambda: theorem2("rich", 0.5), paper=KEY),
    Check("Woodworth Thm 2", "kernel, eps=0.5", lambda: theorem2("kernel", 0.5), paper=KEY),
]
