"""The learning-curve theory of kernel ridge regression (Bordelon et al. 2020; Simon et al.
2021): the self-consistent kappa, closed forms, limits, the split into degrees, harmonic
targets and the exact per-degree error of a fit."""

import numpy as np
import pytest
import scipy.linalg as sl

from kernelrich.spectrum import (
    fit_mode_errors,
    harmonic_target,
    learning_curve,
    mercer_eigenvalues,
    ntk_kernel,
    sphere_points,
)


def _spectrum():
    mu = 2.0 ** -np.arange(12.0)
    return mu, np.arange(1.0, 13.0)


@pytest.mark.parametrize("ridge", [0.0, 1e-3, 2.0])
def test_kappa_solves_the_self_consistent_equation_for_50_sample_sizes(ridge):
    mu, counts = _spectrum()
    n = np.geomspace(1, 70, 50)
    lc = learning_curve((mu, counts), {0: 1.0, 3: 0.5}, n, ridge=ridge)
    lhs = (mu / (mu + lc.kappa[:, None])) @ counts + ridge / lc.kappa
    np.testing.assert_allclose(lhs, n, rtol=1e-12)
    np.testing.assert_allclose(lc.mode_errors.sum(axis=1), lc.test_error, rtol=1e-12)


def test_one_degenerate_level_has_the_quadratic_closed_form():
    """M copies of mu: M mu / (mu + k) + delta / k = n, i.e.
    n k^2 + (n mu - M mu - delta) k - delta mu = 0."""
    mu, M, delta, n = 0.3, 40.0, 0.05, np.array([5.0, 17.0, 39.0, 80.0])
    lc = learning_curve((np.array([mu]), np.array([M])), [1.0], n, ridge=delta)
    b = n * mu - M * mu - delta
    kappa = (-b + np.sqrt(b * b + 4 * n * delta * mu)) / (2 * n)
    np.testing.assert_allclose(lc.kappa, kappa, rtol=1e-13)
    L = mu / (mu + kappa)
    np.testing.assert_allclose(lc.test_error, n / (n - M * L * L) * (1 - L) ** 2, rtol=1e-12)


def test_bordelons_form_gives_the_same_error():
    """Bordelon et al.: kappa_B = delta + kappa_B sum eta / (kappa_B + p eta),
    gamma = sum p eta^2 / (kappa_B + p eta)^2, E_g = sum eta w^2 kappa_B^2 /
    (kappa_B + p eta)^2 / (1 - gamma) with w^2 = v^2 / eta."""
    mu, counts = _spectrum()
    power = np.zeros(12)
    power[[1, 4]] = [1.0, 2.0]
    p, delta = 30.0, 0.01
    lc = learning_curve((mu, counts), power, p, ridge=delta)
    kb = p * lc.kappa[0]
    assert kb == pytest.approx(delta + kb * np.sum(counts * mu / (kb + p * mu)), rel=1e-12)
    gamma = np.sum(counts * p * mu**2 / (kb + p * mu) ** 2)
    eg = np.sum(power * kb**2 / (kb + p * mu) ** 2) / (1 - gamma)
    assert lc.test_error[0] == pytest.approx(eg, rel=1e-12)


def test_limits_no_learning_at_huge_ridge_and_noise_overfitting():
    mu, counts = _spectrum()
    assert learning_curve((mu, counts), {2: 1.0}, 10, ridge=1e12).test_error[0] == \
        pytest.approx(1.0, rel=1e-9)
    noisy = learning_curve((mu, counts), {2: 1.0}, [5, 50], noise=0.1)
    clean = learning_curve((mu, counts), {2: 1.0}, [5, 50])
    np.testing.assert_allclose(noisy.test_error - clean.test_error,
                               0.1 * (clean.overfitting - 1), rtol=1e-12)


def test_ridgeless_regression_beyond_the_kernels_rank_is_refused():
    mu, counts = _spectrum()  # rank 78
    with pytest.raises(ValueError, match="rank is 78"):
        learning_curve((mu, counts), {0: 1.0}, [10, 80])
    lc = learning_curve((mu, counts), {0: 1.0}, [10, 80], tail_mass=1e-3, max_tail_bound=1e9)
    assert np.all(np.isfinite(lc.test_error))
    with pytest.raises(ValueError, match="stops too early for n = 80"):
        learning_curve((mu, counts), {0: 1.0}, [10, 80], tail_mass=1e-3)
    with pytest.raises(ValueError, match="above the spectrum's max_degree"):
        learning_curve((mu, counts), {20: 1.0}, 10)
    with pytest.raises(ValueError, match="eigenvalues must be >= 0"):
        learning_curve((-mu, counts), {0: 1.0}, 10)


def test_harmonic_target_has_the_power_asked_for_and_no_other_degree():
    dim, r = 6, np.sqrt(6)
    target = harmonic_target(dim, {1: 0.5, 3: 2.0}, anchors=200, radius=r, seed=3)
    X = sphere_points(40_000, dim, radius=r, seed=4)
    f = target(X)
    sem = np.std(f**2) / np.sqrt(f.size)
    assert abs(np.mean(f**2) - 2.5) < 4 * sem
    f1, f3 = target.component(X, 1), target.component(X, 3)
    assert abs(np.mean(f1 * f3)) < 4 * np.std(f1 * f3) / np.sqrt(f.size)
    assert np.all(target.component(X[:5], 2) == 0)
    with pytest.raises(ValueError, match="must lie on the sphere"):
        target(X[:3] * 2)


def test_exact_mode_errors_match_a_test_set_and_sum_to_the_fit_error():
    dim, r = 5, np.sqrt(5)
    kernel = ntk_kernel(dim, depth=3, bias_std=0.1, radius=r)
    spectrum = mercer_eigenvalues(kernel, 60)
    target = harmonic_target(dim, {2: 1.0}, anchors=300, radius=r, seed=1)
    X = sphere_points(60, dim, radius=r, seed=2)
    K = kernel.matrix(X)
    c = sl.solve(K, target(X), assume_a="pos")
    errors, tail = fit_mode_errors(spectrum, X, c, target, gram=K)
    Xt = sphere_points(20_000, dim, radius=r, seed=3)
    residual = kernel.matrix(Xt, X) @ c - target(Xt)
    assert abs(errors.sum() - np.mean(residual**2)) < 4 * np.std(residual**2) / np.sqrt(2e4)
    assert 0 <= tail[0] < 1e-6 * errors.sum()
    assert np.all(errors >= -1e-12)


def test_the_predicted_curve_uses_the_spectrums_tail_and_refuses_beyond_its_reach():
    kernel = ntk_kernel(3, depth=2, bias_std=0.1, radius=np.sqrt(3))
    s = mercer_eigenvalues(kernel, 200)
    lc = learning_curve(s, {1: 1.0}, [10, 100, 1000])
    assert lc.tail_mass == pytest.approx(s.tail_mass, rel=1e-12)
    assert np.all(np.diff(lc.test_error) < 0)
    assert np.all(lc.tail_bound < 1e-2)
    short = mercer_eigenvalues(kernel, 40)
    with pytest.raises(ValueError, match="stops too early for n = 1000"):
        learning_curve(short, {1: 1.0}, [10, 1000])
