"""The saddle-to-saddle limit of the gradient flow (Pesme & Flammarion 2023): the recursion
against closed forms (orthogonal designs), the minimum-l1 interpolator (an LP), least squares,
the weighted l1 of the D >= 3 extension, and the flow itself at tiny alpha."""

import numpy as np
import pytest

import kernelrich  # noqa: F401  (float64)
from kernelrich.bias import min_l1
from kernelrich.diagonal import SaddlePath, gradient_flow, saddle_to_saddle


def sparse(N, d, seed, teacher=(3.0, -2.0, 1.0)):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, d))
    beta = np.zeros(d)
    beta[: len(teacher)] = teacher
    return X, X @ beta


def test_orthogonal_design_activates_coordinates_in_order_of_size():
    """X = c I: sigma' = 4c(y - c beta), so coordinate i joins at 1 / (4c|y_i|) and jumps to
    y_i / c; the saddles add coordinates in decreasing |y_i|."""
    c, y = 2.0, np.array([0.5, -3.0, 1.0, 2.0])
    path = saddle_to_saddle(c * np.eye(4), y)
    order = np.argsort(-np.abs(y))
    np.testing.assert_allclose(path.times[1:], 1 / (4 * c * np.abs(y[order])), rtol=1e-14)
    for k in range(1, 5):
        expected = np.zeros(4)
        expected[order[:k]] = y[order[:k]] / c
        np.testing.assert_allclose(path.betas[k], expected, rtol=1e-14, atol=1e-15)
    assert path.supports[-1] == (0, 1, 2, 3) and path.degenerate == ()
    np.testing.assert_allclose(path.losses, [np.sum(y[order[k:]] ** 2) for k in range(5)],
                               atol=1e-13)


def test_ties_join_at_the_same_jump():
    y = np.array([2.0, -2.0, 1.0])
    path = saddle_to_saddle(np.eye(3), y)
    assert len(path.times) == 3 and path.supports[1] == (0, 1)
    np.testing.assert_allclose(path.times[1:], [1 / 8, 1 / 4])


def test_dependent_active_columns_are_refused():
    X, y = sparse(5, 8, 0)
    X[:, 1] = X[:, 0]
    with pytest.raises(ValueError, match="general position"):
        saddle_to_saddle(X, X @ np.r_[1.0, 1.0, np.zeros(6)])


@pytest.mark.parametrize("seed", range(6))
def test_last_saddle_is_the_minimum_l1_interpolator_and_the_walk_is_a_descent(seed):
    X, y = sparse(10, 30, seed, teacher=(3.0, -2.0, 1.0, 0.5))
    path = saddle_to_saddle(X, y)
    l1 = min_l1(X, y)
    assert np.abs(path.betas[-1] - l1).max() <= 1e-10 * np.abs(l1).max()
    assert np.all(np.diff(path.losses) < 0) and np.all(np.diff(path.times) > 0)
    assert np.all(np.abs(path.sigma) <= 1 + 1e-12)
    for beta, sigma in zip(path.betas, path.sigma, strict=True):
        on = beta != 0
        np.testing.assert_array_equal(np.sign(beta[on]), np.sign(sigma[on]))
        np.testing.assert_array_equal(np.abs(sigma[on]), 1.0)


def test_underparametrised_walk_ends_at_least_squares():
    X, y = sparse(30, 8, 1)
    y = y + np.random.default_rng(2).standard_normal(30)
    path = saddle_to_saddle(X, y)
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(path.betas[-1], ols, rtol=1e-10, atol=1e-12)


def test_init_shape_does_not_change_the_depth_two_limit():
    X, y = sparse(8, 20, 3)
    w0 = np.random.default_rng(4).uniform(0.2, 3.0, 20)
    a, b = saddle_to_saddle(X, y), saddle_to_saddle(X, y, w0=w0)
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.betas, b.betas)


def test_depth_three_ends_at_the_weighted_l1_interpolator():
    """D >= 3: thresholds lambda = w0^(2-D), so the walk ends at argmin sum lambda_i |beta_i|."""
    X, y = sparse(8, 20, 5)
    w0 = np.random.default_rng(6).uniform(0.5, 2.0, 20)
    path = saddle_to_saddle(X, y, depth=4, w0=w0)
    lam = w0 ** -2.0
    weighted = min_l1(X / lam, y) / lam
    np.testing.assert_allclose(path.betas[-1], weighted, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path.thresholds, lam)
    assert np.all(np.abs(path.sigma) <= lam * (1 + 1e-12))


def test_path_helpers_are_piecewise_constant_and_continuous():
    X, y = sparse(8, 20, 7)
    path = saddle_to_saddle(X, y)
    assert isinstance(path, SaddlePath)
    taus = np.linspace(0, 2 * path.times[-1], 400)
    k = path.index(taus)
    np.testing.assert_array_equal(path.beta_at(taus), path.betas[k])
    np.testing.assert_array_equal(path.loss_at(taus), path.losses[k])
    # sigma is continuous: its limit from the left at each jump is the next record
    left = path.sigma[:-1] + np.diff(path.times)[:, None] * path.velocity[:-1]
    np.testing.assert_allclose(left, path.sigma[1:], atol=1e-12)
    assert path.flow_time(1.0, 1e-10) == pytest.approx(np.log(1e10))
    assert saddle_to_saddle(X, y, 3).flow_time(1.0, 1e-3) == pytest.approx(1e3)


def test_bad_input_is_refused():
    X, y = sparse(5, 8, 0)
    with pytest.raises(ValueError, match="y must be finite"):
        saddle_to_saddle(X, np.r_[np.nan, y[1:]])
    with pytest.raises(ValueError, match="depth"):
        saddle_to_saddle(X, y, depth=1)
    with pytest.raises(ValueError, match="rtol"):
        saddle_to_saddle(X, y, rtol=-1.0)
    with pytest.raises(RuntimeError, match="max_saddles"):
        saddle_to_saddle(X, y, max_saddles=1)
    with pytest.raises(ValueError, match="alpha must be < 1"):
        saddle_to_saddle(X, y).flow_time(1.0, 2.0)


@pytest.mark.slow
@pytest.mark.parametrize(("depth", "alphas", "rate"), [(2, (1e-10, 1e-30), 1.0),
                                                       (3, (1e-2, 1e-3), 1.0)])
def test_flow_at_tiny_alpha_approaches_the_limit(depth, alphas, rate):
    """gradient_flow's rescaled dual approaches sigma(tau) uniformly, at order 1 in
    1 / log(1/alpha) (D = 2) or in alpha^(D-2) (D = 3, our extension). The instance's plateaus
    are long against the jumps' width (seed 113 of N = 8, d = 16: the longest of 200); with
    short plateaus the order 1 shows only at smaller alpha."""
    X, y = sparse(8, 16, 113, teacher=(4.0, -2.0, 1.0))
    path = saddle_to_saddle(X, y, depth)
    taus = np.linspace(0, 1.3 * path.times[-1], 256)
    errs = []
    for alpha in alphas:
        run = gradient_flow(X, y, alpha, depth, times=path.flow_time(taus, alpha))
        errs.append(np.abs(path.rescaled_dual(run.nu, X, alpha) - path.sigma_at(taus)).max())
    scale = [np.log(1 / a) if depth == 2 else a ** (2.0 - depth) for a in alphas]
    order = -np.log(errs[1] / errs[0]) / np.log(scale[1] / scale[0])
    assert abs(order - rate) < 0.35, (errs, order)
