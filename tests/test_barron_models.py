"""Least-squares networks, the fixed Legendre basis and the penalised estimator."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial.legendre import leggauss

from kernelrich.barron import (
    GaussianBump,
    estimation_term,
    fit_rate,
    fixed_basis_approximation,
    graded_indices,
    legendre_features,
    penalized_estimator,
    predicted_rate,
    predicted_size,
    risk_bound,
    train_network,
    uniform_ball,
)


@settings(deadline=None)
@given(st.integers(1, 6), st.integers(1, 60))
def test_graded_indices(d, count):
    idx = graded_indices(d, count)
    deg = idx.sum(axis=1)
    assert idx.shape == (count, d) and np.all(np.diff(deg) >= 0)
    assert len({tuple(i) for i in idx}) == count
    full = [k for k in range(10) if math.comb(k + d, d) <= count]
    for k in full:  # every index of total degree <= k comes first
        assert np.all(deg[: math.comb(k + d, d)] <= k)


def test_legendre_orthonormal_by_gauss_quadrature():
    nodes, weights = leggauss(12)
    X = np.stack(np.meshgrid(nodes, nodes, indexing="ij"), -1).reshape(-1, 2)
    w = np.outer(weights, weights).ravel() / 4  # uniform probability on [-1, 1]^2
    Phi = legendre_features(X, graded_indices(2, 21), 1.0)
    assert np.allclose(Phi.T @ (w[:, None] * Phi), np.eye(21), atol=1e-12)


def test_fixed_basis_reproduces_polynomials():
    X = uniform_ball(200, 2, seed=0)

    def f(x):
        return 1 + x[:, 0] - 2 * x[:, 0] * x[:, 1] + x[:, 1] ** 2

    res = fixed_basis_approximation(f, X, [2, 5])
    assert res.errors[1] < 1e-25 and res.errors[0] > 1e-3
    assert res.max_degree.tolist() == [1, 2]
    with pytest.raises(ValueError, match="n_values"):
        fixed_basis_approximation(f, X, [0])
    with pytest.raises(ValueError, match="n_values"):
        fixed_basis_approximation(f, X, [200])


def test_train_network_reports_its_error():
    X = uniform_ball(80, 2, seed=0)
    f = GaussianBump(np.zeros(2), 0.5)
    res = train_network(f, X, 3, restarts=1, max_iter=200)
    net = res.network
    assert np.mean((net(X) - f(X)) ** 2) == pytest.approx(res.error, rel=1e-9)
    assert res.coef_l1 == pytest.approx(np.abs(np.asarray(net.c)).sum())
    assert res.error < np.var(f(X))
    with pytest.raises(ValueError, match="n must be"):
        train_network(f, X, 0)


@settings(max_examples=20, deadline=None)
@given(st.floats(-2, -0.1), st.floats(-3, 3))
def test_fit_rate_recovers_power_laws(slope, intercept):
    x = np.array([1.0, 2, 4, 8, 16, 1, 2, 4])
    fit = fit_rate(x, np.exp(intercept) * x**slope)
    assert fit.slope == pytest.approx(slope, abs=1e-10)
    assert fit.low <= slope + 1e-9 and fit.high >= slope - 1e-9


def test_rate_formulas_and_estimator():
    assert predicted_size(2.0, 100, 4) == pytest.approx(2 * math.sqrt(100 / (4 * math.log(100))))
    assert predicted_rate(np.array([100.0]), 4)[0] == pytest.approx(math.sqrt(4 * math.log(100)
                                                                              / 100))
    X = uniform_ball(100, 1, seed=0)
    f = GaussianBump([0.0], 0.5)
    y = f(X) + 0.1 * np.random.default_rng(0).standard_normal(100)
    est = penalized_estimator(X, y, 4, f.c_f, penalty=0.01, restarts=8, steps=30)
    pen = 0.01 * np.arange(1, 5) * math.log(100) / 100
    assert np.allclose(est.criterion, est.train_errors + pen)
    assert est.n_hat == int(np.argmin(est.criterion)) + 1
    assert est.network().n == est.n_hat
    with pytest.raises(ValueError, match="penalty"):
        penalized_estimator(X, y, 4, f.c_f, penalty=0.0)
    with pytest.raises(ValueError, match="n_max"):
        penalized_estimator(X, y, 0, f.c_f, penalty=1.0)
    with pytest.raises(ValueError, match="risk"):
        fit_rate([1.0, 2.0, 3.0], [1.0, -1.0, 1.0])


@settings(max_examples=30, deadline=None)
@given(st.floats(0.1, 20), st.integers(2, 10**6), st.integers(1, 50))
def test_risk_bound_is_the_balanced_sum(c_f, N, d):
    """2 C_f x^(1/2) = min over n > 0 of C_f^2 / n + n x, attained at n* = predicted_size, and
    its exponent against x = (d/N) log N is 1/2 (against x^(1/2) it would be 1)."""
    x = float(estimation_term(N, d))
    assert x == pytest.approx(d * math.log(N) / N, rel=1e-14)
    n_star = predicted_size(c_f, N, d)
    assert c_f**2 / n_star + n_star * x == pytest.approx(float(risk_bound(c_f, N, d)), rel=1e-12)
    n = np.geomspace(n_star / 50, n_star * 50, 201)
    assert np.all(c_f**2 / n + n * x >= float(risk_bound(c_f, N, d)) * (1 - 1e-12))
    Ns = np.array([64.0, 256, 1024, 8192])
    assert fit_rate(estimation_term(Ns, d), risk_bound(c_f, Ns, d)).slope == pytest.approx(0.5)
    assert fit_rate(predicted_rate(Ns, d), risk_bound(c_f, Ns, d)).slope == pytest.approx(1.0)
