"""The commuting case of Gunasekar et al. (2017), Theorem 1 / Corollary 2: with diagonal
A_i = diag(x_i), gradient descent on U U^T (the generic matrix code) follows the exact
limit `commuting_limit`, which tends to min-l1 as alpha -> 0, as does Woodworth et al.'s
D = 2 diagonal network (`kernelrich.diagonal.flow_limit`) on the same instance."""

import numpy as np
import pytest

from kernelrich import bias, diagonal
from kernelrich import matrix as km


def _sparse_instance():
    """A nonnegative sparse truth whose min-l1 interpolant is nonnegative, so the PSD
    model (x = u^2 >= 0) and the two-sided network (beta = w_+^2 - w_-^2) share a limit."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 12))
    b = np.zeros(12)
    b[:2] = [1.0, 0.5]
    return X, X @ b


def test_small_alpha_limit_is_min_l1_and_the_diagonal_network():
    X, y = _sparse_instance()
    l1 = bias.min_l1(X, y)
    assert l1.min() >= 0
    scale = np.linalg.norm(l1)
    psd = km.commuting_limit(X, y, 1e-30)
    woodworth = diagonal.flow_limit(X, y, 1e-30, depth=2)
    assert np.linalg.norm(psd - l1) <= 1e-10 * scale
    assert np.linalg.norm(woodworth - l1) <= 1e-10 * scale
    assert np.linalg.norm(psd - woodworth) <= 1e-10 * scale
    # not a vacuous check: at alpha = 0.1 the two parametrisations still differ
    far_psd, far_w = km.commuting_limit(X, y, 0.1), diagonal.flow_limit(X, y, 0.1)
    assert np.linalg.norm(far_psd - far_w) >= 0.05 * scale
    # the exact min-trace PSD solution (cvxpy) agrees too
    sdp = km.min_nuclear_norm(km.diagonal_sensing(X, y), psd=True)
    assert np.linalg.norm(np.diag(sdp.X) - l1) <= 1e-7 * scale


def test_commuting_limit_solves_its_kkt_system():
    """beta = alpha^2 exp(X^T nu) with X beta = y: log(beta / alpha^2) lies in range(X^T)."""
    X, y = _sparse_instance()
    for alpha in (10.0, 0.3, 1e-3):
        beta = km.commuting_limit(X, y, alpha)
        assert np.linalg.norm(X @ beta - y) <= 1e-11 * np.linalg.norm(y)
        t = np.log(beta) - 2 * np.log(alpha)
        nu = np.linalg.lstsq(X.T, t, rcond=None)[0]
        assert np.linalg.norm(X.T @ nu - t) <= 1e-9 * np.linalg.norm(t)


@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_gradient_descent_on_uu_t_reaches_the_limit(alpha):
    """GD on U U^T from U(0) = alpha I (generic code, sum loss) stays diagonal and its limit
    is commuting_limit + O(step): errors at steps h and h/2 halve, and the Richardson
    extrapolation 2 x_{h/2} - x_h is closer still."""
    rng = np.random.default_rng(0)
    X, b = rng.standard_normal((4, 8)), rng.uniform(0.5, 1.5, 8)
    problem = km.diagonal_sensing(X, X @ b, b)
    exact = km.commuting_limit(X, X @ b, alpha)
    limits = []
    for step in (2.5e-3, 1.25e-3):
        model = km.symmetric_factor(0, 8, 8, alpha, "balanced")
        result = km.gradient_descent(problem, model, step=step, steps=20000, loss="sum",
                                     stop_loss=1e-26, chunk=1000)
        assert result.converged
        off = result.matrix - np.diag(np.diag(result.matrix))
        assert np.abs(off).max() == 0.0  # U stays diagonal exactly
        limits.append(np.diag(result.matrix))
    err = [np.linalg.norm(x - exact) / np.linalg.norm(exact) for x in limits]
    richardson = np.linalg.norm(2 * limits[1] - limits[0] - exact) / np.linalg.norm(exact)
    assert err[1] <= 0.7 * err[0]
    assert err[1] <= 0.01
    assert richardson <= 0.25 * err[1]


def test_commuting_limit_reaches_tol_where_the_line_search_used_to_stall():
    """m=5, n=12, support 2, seed 0 at alpha = 1e-30: an Armijo test on the difference of two
    values of the dual (|phi| ~ 220, change ~ 1e-20) stalled at relative residual 1.8e-11."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 12))
    b = np.zeros(12)
    b[:2] = rng.uniform(0.5, 1.5, 2)
    y = X @ b
    for alpha in (1e-20, 1e-30, 1e-50, 1e-100):
        beta = km.commuting_limit(X, y, alpha)
        assert np.linalg.norm(X @ beta - y) <= 1e-12 * np.linalg.norm(y)
    assert np.linalg.norm(beta - bias.min_l1(X, y)) <= 1e-10 * np.linalg.norm(b)


def _random_instance(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian or nonnegative designs, sparse or dense positive truths, m in [2, 24]."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 25))
    n = int(rng.integers(m + 1, 4 * m + 3))
    k = int(rng.integers(1, m // 2 + 2))
    X = rng.uniform(0, 1, (m, n)) if seed % 3 == 2 else rng.standard_normal((m, n))
    b = np.zeros(n)
    b[rng.choice(n, k, replace=False)] = rng.uniform(0.5, 1.5, k)
    if seed % 3 == 1:
        b += 1e-3 * rng.uniform(0, 1, n)  # interior of the cone: every beta_j > 0 at the limit
    return X, X @ b


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("seed", range(30))
def test_commuting_limit_reaches_tol_on_random_instances(seed):
    """X beta = y to 1e-12 relative and log(beta / alpha^2) in range(X^T) (the two KKT
    conditions), for alpha from 10 to 1e-150, with no RuntimeWarning."""
    X, y = _random_instance(seed)
    for alpha in (10.0, 1.0, 1e-3, 1e-30, 1e-100, 1e-150):
        beta = km.commuting_limit(X, y, alpha)
        assert np.all(beta >= 0)
        assert np.linalg.norm(X @ beta - y) <= 1e-12 * np.linalg.norm(y)
        if alpha >= 1e-3:  # below, log(beta) of the vanishing entries is not resolved
            t = np.log(beta) - 2 * np.log(alpha)
            nu = np.linalg.lstsq(X.T, t, rcond=None)[0]
            assert np.linalg.norm(X.T @ nu - t) <= 1e-8 * np.linalg.norm(t)


def test_commuting_limit_says_which_tol_it_reaches():
    """A tol below float64's rounding floor raises with the residual reached, and that tol
    then succeeds."""
    X, y = _sparse_instance()
    with pytest.raises(RuntimeError, match="rounding floor") as info:
        km.commuting_limit(X, y, 1e-30, tol=1e-17)
    reachable = float(str(info.value).rsplit("pass tol >= ", 1)[1])
    assert reachable < 1e-12
    beta = km.commuting_limit(X, y, 1e-30, tol=reachable)
    assert np.linalg.norm(X @ beta - y) <= reachable * np.linalg.norm(y)


def test_the_dual_change_is_computed_without_cancellation():
    """expm1(x) - x (the change of the dual along a Newton step) to 4e-15 relative against
    50-digit arithmetic, from 1e-12 to 30 in |x|."""
    import mpmath

    from kernelrich.matrix._commuting import _excess

    x = np.concatenate([-np.logspace(-12, 1.4, 60), np.logspace(-12, 1.4, 60)])
    with mpmath.workdps(50):
        exact = np.array([float(mpmath.expm1(mpmath.mpf(v)) - mpmath.mpf(v)) for v in x])
    assert np.max(np.abs(_excess(x) - exact) / np.abs(exact)) <= 4e-15


def test_commuting_limit_bad_inputs():
    X, y = _sparse_instance()
    with pytest.raises(ValueError, match="alpha"):
        km.commuting_limit(X, y, 0.0)
    with pytest.raises(RuntimeError, match="outside the cone"):
        km.commuting_limit(np.ones((1, 3)), np.array([-1.0]), 1.0, max_iter=50)
    with pytest.raises(RuntimeError, match="outside the cone"):  # X beta = y needs beta_2 < 0
        km.commuting_limit(np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]]), np.array([0.0, -1.0]),
                           1.0, max_iter=50)
