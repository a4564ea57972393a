"""The matrix-factorisation and neural-network pieces of Woodworth et al. (2020): the lifted
factorisation is the diagonal network when the A_i are diagonal, the closed-form tangent
kernel and linearised GD agree with kernelrich.ntk and with GD run step by step, and both
experiments run on tiny configs and state what ran."""

import numpy as np
import pytest

from kernelrich import diagonal, ntk
from kernelrich import matrix as km
from kernelrich.datasets import sparse_regression
from kernelrich.experiments import Table
from kernelrich.papers.woodworth2020 import _lifted, _matrix, _network, _nn


def test_lifted_factorisation_with_diagonal_A_is_the_diagonal_network():
    X, y, _ = sparse_regression(6, 3, 2, 0.1, 0)
    problem, alpha, step = km.diagonal_sensing(X, y), 0.5, 1e-3
    lifted = km.gradient_descent(_lifted.lift(problem), _lifted.unbiased_init(6, alpha),
                                 step=step, steps=200, loss="sum")
    gd = diagonal.gradient_descent(X, y, alpha, step=step, steps=200)
    np.testing.assert_allclose(np.diag(_lifted.difference(lifted.matrix)), gd.beta, rtol=1e-10,
                               atol=1e-13)


def test_unbiased_init_is_zero_and_min_frobenius_interpolates():
    problem = _matrix.instance(dict(n=5, m=8, ranks=[1, 1], seed=0))
    Z = _lifted.unbiased_init(5, 3.0)
    assert np.abs(_lifted.difference(np.asarray(Z.matrix()))).max() == 0.0
    frob = _lifted.min_frobenius(problem)
    np.testing.assert_allclose(np.asarray(problem.measure(frob)), problem.y, atol=1e-12)
    assert np.abs(frob - frob.T).max() < 1e-12  # symmetric A_i: a symmetric solution


def test_tangent_kernel_matches_the_empirical_ntk():
    X, _, _, _ = _network.digits(0, 20)
    g0 = _network.init(0, 8, X.shape[1])
    net = _network.model(g0, 1.0)
    K = ntk.empirical_ntk(lambda p, x: net.__class__(p)(x), net.params, X[:6], X[6:10])
    np.testing.assert_allclose(_network.tangent_kernel(g0, X[:6], X[6:10]), K, rtol=1e-10)


def test_linear_gd_closed_form_matches_gd_step_by_step():
    rng = np.random.default_rng(0)
    J, Jt = rng.standard_normal((5, 12)), rng.standard_normal((3, 12))
    y = rng.standard_normal(5)
    K, Kt = J @ J.T, Jt @ J.T
    rate = 0.9 * len(y) / np.linalg.eigvalsh(K)[-1]
    w = np.zeros(12)
    for _ in range(40):  # GD on (1/2n) ||J w - y||^2
        w -= rate * J.T @ (J @ w - y) / len(y)
    np.testing.assert_allclose(_network.linear_gd(K, Kt, y, rate, 40), Jt @ w, rtol=1e-10)
    np.testing.assert_allclose(_network.linear_gd(K, Kt, y, rate, None),
                               Kt @ np.linalg.solve(K, y), rtol=1e-10)
    with pytest.raises(ValueError, match="rate"):
        _network.linear_gd(K, Kt, y, 3 * rate, 40)


def test_network_is_zero_at_init_for_every_alpha():
    X, _, _, _ = _network.digits(0, 30)
    g0 = _network.init(1, 10, X.shape[1])
    for alpha in (1e-3, 1.0, 1e3):
        assert np.abs(np.asarray(_network.model(g0, alpha)(X))).max() == 0.0


@pytest.mark.slow
def test_matrix_experiment_on_a_tiny_config(tmp_path):
    config = dict(n=4, m=6, ranks=[1, 1], seed=0, alphas=[0.1, 100.0], max_steps=20_000)
    out = _matrix.compute(config)
    assert out["nuclear_status"] == "optimal" and all(out["converged"])
    assert out["dist_frobenius"][1] < 1e-4 < out["dist_frobenius"][0]  # kernel end at alpha 100
    assert out["dist_nuclear"][0] < out["dist_nuclear"][1]
    table = Table([{**config, **out}])
    title, rows = _matrix.tables(table, True)[0]
    assert "Clarabel status: optimal" in title and len(rows) == 2
    assert "GD runs that did not reach the stop loss: 0" in _matrix.plot(table, tmp_path,
                                                                       True)[0].caption


@pytest.mark.slow
def test_nn_experiment_on_a_tiny_config(tmp_path):
    config = dict(n_train=40, width=8, seed=0, alphas=[0.1, 100.0], steps=200)
    out = _nn.compute(config)
    assert out["dist_linear"][1] < 1e-2 < out["dist_linear"][0]  # lazy only at large alpha
    assert all(np.isfinite(out["loss"])) and out["n_test"] == 1797 - 40
    table = Table([{**config, **out}])
    figures = _nn.plot(table, tmp_path, True)
    assert "not the flow" in figures[0].caption and "diverged runs: 0" in figures[0].caption
    assert len(_nn.tables(table, True)[0][1]) == 2
