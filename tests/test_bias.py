"""Implicit-bias potentials and references (Woodworth et al. 2020) vs high precision."""

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernelrich import bias
from kernelrich.diagonal import _links, flow_limit


def _q_mp(z):
    z = mp.mpf(z)
    return 2 - mp.sqrt(4 + z * z) + z * mp.asinh(z / 2)


@settings(max_examples=200, deadline=None)
@given(log_z=st.floats(-150, 300), sign=st.sampled_from([-1.0, 1.0]))
def test_q_accurate_from_tiny_to_huge(log_z, sign):
    z = sign * 10.0**log_z
    with mp.workdps(700):  # enough digits for the cancellation at z = 1e-150
        exact = _q_mp(z)
        assert abs(float(mp.mpf(bias.q(z)) / exact - 1)) <= 1e-14


def test_q_series_and_asymptotics():
    # q(z) = z^2 / 4 + O(z^4) and q(z) = |z| log|z| - |z| + O(1/|z|)  (section 1.6)
    assert bias.q(1e-5) == pytest.approx(1e-10 / 4, rel=1e-9)
    z = 1e12
    assert bias.q(z) == pytest.approx(z * np.log(z) - z, rel=1e-12)


@pytest.mark.parametrize("depth", [3, 4, 6])
def test_q_D_is_antiderivative_of_h_inverse(depth):
    """q_D(u) = int_0^u h_D^{-1} = int_0^{z(u)} s h_D'(s) ds (substituting v = h_D(s)),
    by mpmath quadrature with z(u) from a bracketing root finder."""
    with mp.workdps(50):
        p = mp.mpf(depth) / (depth - 2)

        def h(s):
            return (1 - s) ** (-p) - (1 + s) ** (-p)

        def h_prime(s):
            return p * ((1 - s) ** (-p - 1) + (1 + s) ** (-p - 1))

        for u in [1e-8, 0.3, 2.0, 50.0, -7.0]:
            a, lo, hi = mp.mpf(abs(u)), mp.mpf(0), mp.mpf(1)
            for _ in range(200):  # bisection for z(u) = h_D^{-1}(|u|)
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if h(mid) < a else (lo, mid)
            z = (lo + hi) / 2
            exact = mp.quad(lambda s: s * h_prime(s), [0, z])
            assert abs(float(mp.mpf(bias.q_D(u, depth)) / exact - 1)) <= 1e-12


def test_Q_matches_definition_and_stays_finite_at_tiny_alpha():
    rng = np.random.default_rng(0)
    beta, w0 = rng.standard_normal(10), rng.uniform(0.5, 2, 10)
    alpha = 0.7
    c = alpha**2 * w0**2
    assert bias.Q(beta, alpha, w0) == pytest.approx(np.sum(c * bias.q(beta / c)), rel=1e-13)
    for tiny in [1e-100, 1e-200, 1e-300]:
        value = bias.Q(beta, tiny)
        # Q / log(1 / alpha^2) -> ||beta||_1  (section 1.6)
        assert np.isfinite(value)
        assert value / (-2 * np.log(tiny)) == pytest.approx(np.abs(beta).sum(), rel=5e-3)


def test_Q_D_reduces_to_Q_and_to_l2_at_large_alpha():
    beta = np.array([0.3, -1.2, 0.0, 2.0])
    assert bias.Q_D(beta, 0.5, 2) == bias.Q(beta, 0.5)
    for depth in [3, 4]:
        alpha = 1e3
        # q_D(u) ~ u^2 / (4p) near 0 (h_D'(0) = 2p): Q_D = alpha^D sum q_D(beta / alpha^D)
        # ~ alpha^(-D) ||beta||^2 / (4p), a multiple of the l2 norm (the kernel regime)
        p = depth / (depth - 2)
        expected = alpha ** (-depth) * np.sum(beta**2) / (4 * p)
        assert bias.Q_D(beta, alpha, depth) == pytest.approx(expected, rel=1e-6)


def test_R_against_direct_minimisation():
    import scipy.optimize

    for b, a in [(0.7, 1.0), (-2.0, 0.3), (5.0, 2.0), (1e-3, 1.0)]:
        def cost(v, b=b, a=a):
            u = np.sqrt(b + v[0] ** 2) if b + v[0] ** 2 >= 0 else np.nan
            return (u - a) ** 2 + (v[0] - a) ** 2

        v0 = [max(a, np.sqrt(max(-b, 0)) + 1e-3)]
        res = scipy.optimize.minimize(cost, v0, method="Nelder-Mead",
                                      options=dict(xatol=1e-12, fatol=1e-15))
        assert bias.R(np.array([b]), a) == pytest.approx(res.fun, rel=1e-7, abs=1e-14)


def test_R_approaches_l1_polynomially_Q_logarithmically():
    """Section 1.7 / Figure 2: R_alpha -> ||beta||_1 polynomially, Q_alpha only like log."""
    beta = np.array([1.0, -0.5, 0.25])
    l1 = np.abs(beta).sum()
    for alpha in [1e-3, 1e-6]:
        assert abs(bias.R(beta, alpha) - l1) <= 10 * alpha * l1
    q_ratio = bias.Q(beta, 1e-6) / np.log(1 / 1e-12)
    assert abs(q_ratio - l1) > 1e-2  # still visibly off at alpha = 1e-6


def test_min_l1_and_min_l2():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((20, 40))
    beta_star = np.zeros(40)
    beta_star[[3, 17]] = [1.5, -2.0]
    y = X @ beta_star
    np.testing.assert_allclose(bias.min_l1(X, y), beta_star, atol=1e-12)  # exact recovery
    l2 = bias.min_l2(X, y)
    np.testing.assert_allclose(X @ l2, y, atol=1e-12)
    np.testing.assert_allclose(l2, X.T @ np.linalg.solve(X @ X.T, y), atol=1e-12)


def test_min_l1_is_optimal_against_the_lp_dual():
    """Strong duality: ||beta||_1 = y.lam for the LP's dual lam with |X^T lam| <= 1."""
    from kernelrich.diagonal._rich import weighted_l1

    rng = np.random.default_rng(3)
    X = rng.standard_normal((8, 30))
    y = rng.standard_normal(8)
    beta, lam = weighted_l1(X, y, np.ones(30))
    assert np.max(np.abs(X.T @ lam)) <= 1 + 1e-9
    assert np.abs(beta).sum() == pytest.approx(y @ lam, rel=1e-9)
    np.testing.assert_allclose(bias.min_l1(X, y), beta, rtol=0, atol=1e-14)


@pytest.mark.parametrize("status,message", [
    (1, "Iteration limit reached."), (4, "Numerical difficulties encountered.")])
def test_min_l1_raises_on_a_non_optimal_lp_status(monkeypatch, status, message):
    import scipy.optimize

    real = scipy.optimize.linprog

    def stopped(*args, **kwargs):
        result = real(*args, **kwargs)
        result.status, result.message = status, message
        return result

    monkeypatch.setattr(scipy.optimize, "linprog", stopped)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 12))
    with pytest.raises(RuntimeError, match=f"HiGHS status {status}"):
        bias.min_l1(X, rng.standard_normal(5))


@pytest.mark.parametrize("eps", [0.25, 0.5, 1.0, 3.0])
def test_theorem_2_thresholds_hold(eps):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 20))
    y = X @ np.r_[1.0, -0.7, np.zeros(18)] + 0.1 * rng.standard_normal(6)
    l1, l2 = bias.min_l1(X, y), bias.min_l2(X, y)
    rich = flow_limit(X, y, bias.rich_alpha_threshold(eps, X, y))
    kernel = flow_limit(X, y, bias.kernel_alpha_threshold(eps, X, y))
    assert np.abs(rich).sum() <= (1 + eps) * np.abs(l1).sum()
    assert kernel @ kernel <= (1 + eps) * (l2 @ l2)
    log_threshold = bias.rich_alpha_threshold(eps, X, y, log=True)
    assert np.exp(log_threshold) == pytest.approx(bias.rich_alpha_threshold(eps, X, y))


def test_h_inverse_round_trip():
    for depth in [3, 4, 5, 8]:
        u = np.concatenate([-np.logspace(-300, 300, 61), np.logspace(-300, 300, 61)])
        z, e = _links.h_inverse(u, depth)
        p = depth / (depth - 2)
        small = np.abs(u) <= 1
        back = np.empty_like(u)  # each branch only where it is finite
        back[small] = _links.h(z[small], depth)
        big = ~small
        back[big] = np.sign(u[big]) * np.exp(-p * np.log(e[big])
                                             + np.log1p(-(e[big] / (2 - e[big])) ** p))
        np.testing.assert_allclose(back, u, rtol=2e-13)


@pytest.mark.parametrize("fn,args,name", [
    (bias.Q, (np.array([1.0, np.nan]), 1.0), "beta"),
    (bias.Q, (np.ones(2), 0.0), "alpha"),
    (bias.Q_D, (np.ones(2), 1.0, 1), "depth"),
    (bias.R, (np.ones(2), 1.0, np.array([1.0, -1.0])), "w0"),
    (bias.rich_alpha_threshold, (0.0, np.eye(2), np.ones(2)), "eps"),
    (bias.kernel_alpha_threshold, (5.0, np.eye(2), np.ones(2)), "eps"),
])
def test_bad_input(fn, args, name):
    with pytest.raises(ValueError, match=name):
        fn(*args)
