"""flow_limit (Woodworth et al. 2020, Theorems 1 and 3) against independent routes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _mp_reference import flow_limit_mp
from kernelrich import bias
from kernelrich.diagonal import flow_limit


def _instance(seed, N=4, d=12, noise=0.05):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, d))
    beta_star = np.zeros(d)
    beta_star[:3] = [1.0, -1.0, 0.5]
    return X, X @ beta_star + noise * rng.standard_normal(N), rng.uniform(0.5, 2.0, d)


FAST_CASES = [(2, 1e-100), (2, 1e-5), (2, 1.0), (2, 1e3), (3, 1e-8), (3, 0.1), (3, 1e3),
              (4, 1e-4), (4, 1.0), (5, 1e-2)]
# The deep rich regime of D >= 3 (1 - |z| ~ alpha^(D-2) far below float64 resolution, found
# by the weighted-l1 vertex with its KKT certificate, `_rich`) is tested through the KKT
# residual in 50-digit arithmetic (test_reported_residual_is_the_kkt_residual): the 80-digit
# Newton reference needs hundreds of digits there and minutes per case.
SLOW_CASES = [(4, 1e-8), (4, 1e3), (5, 1e-6), (5, 1e3)]


def _check_against_mp(depth, alpha, use_w0):
    X, y, w0 = _instance(3)
    w0 = w0 if use_w0 else None
    beta = flow_limit(X, y, alpha, depth=depth, w0=w0)
    # enough digits to resolve 1 - |z| ~ alpha^(D-2)
    digits = max(80, int(-np.log10(alpha) * (depth - 2)) + 60)
    reference, resid = flow_limit_mp(X, y, alpha, depth, w0=w0, dps=digits)
    assert resid < 1e-50  # the 80-digit Newton converged
    assert np.linalg.norm(beta - reference) <= 1e-10 * np.linalg.norm(reference)


@pytest.mark.parametrize("depth,alpha", FAST_CASES)
@pytest.mark.parametrize("use_w0", [False, True])
def test_matches_80_digit_reference(depth, alpha, use_w0):
    _check_against_mp(depth, alpha, use_w0)


@pytest.mark.slow
@pytest.mark.parametrize("depth,alpha", SLOW_CASES)
@pytest.mark.parametrize("use_w0", [False, True])
def test_matches_80_digit_reference_extremes(depth, alpha, use_w0):
    _check_against_mp(depth, alpha, use_w0)


def test_path_equals_pointwise_solves():
    X, y, w0 = _instance(5, N=6, d=20)
    alphas = np.array([3.0, 1e-6, 0.01, 1e-40, 100.0])  # unsorted on purpose
    path = flow_limit(X, y, alphas, w0=w0)
    assert path.shape == (5, 20)
    for alpha, row in zip(alphas, path, strict=True):
        single = flow_limit(X, y, alpha, w0=w0)
        np.testing.assert_allclose(row, single, rtol=0, atol=1e-12 * np.abs(single).max())


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_kkt_of_theorem_1_and_3(depth):
    """X beta = y, and grad Q(beta) lies in the row space of X (stationarity)."""
    X, y, w0 = _instance(7, N=8, d=40)
    alpha = 0.05
    beta = flow_limit(X, y, alpha, depth=depth, w0=w0)
    assert np.linalg.norm(X @ beta - y) <= 1e-12 * np.linalg.norm(y)
    grad = _grad_Q(beta, alpha, depth, w0)
    coef = np.linalg.lstsq(X.T, grad, rcond=None)[0]
    assert np.linalg.norm(X.T @ coef - grad) <= 1e-8 * np.linalg.norm(grad)


def _grad_Q(beta, alpha, depth, w0):
    """Central differences of each coordinate's term of the public Q / Q_D (an independent
    route to grad Q: no link code), with a step matched to the coordinate's scale."""
    scale = (alpha * w0) ** depth
    grad = np.empty_like(beta)
    for i, (b, c, w) in enumerate(zip(beta, scale, w0, strict=True)):
        h = 1e-5 * max(abs(b), c)

        def term(v, c=c, w=w):
            if depth == 2:
                return c * bias.q(v / c)
            return alpha**depth * w**2 * bias.q_D(v / c, depth)

        grad[i] = (term(b + h) - term(b - h)) / (2 * h)
    return grad


@pytest.mark.parametrize("depth", [2, 3])
def test_limit_minimises_Q_among_interpolators(depth):
    """Moving along the null space of X never lowers Q (Theorems 1, 3)."""
    X, y, w0 = _instance(11, N=5, d=15)
    alpha = 0.3
    beta = flow_limit(X, y, alpha, depth=depth, w0=w0)
    null = np.linalg.svd(X)[2][5:]
    base = bias.Q_D(beta, alpha, depth, w0)
    rng = np.random.default_rng(0)
    for _ in range(20):
        step = 1e-3 * rng.standard_normal(len(null)) @ null
        assert bias.Q_D(beta + step, alpha, depth, w0) >= base - 1e-12 * abs(base)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_rich_and_kernel_limits(depth):
    X, y, _ = _instance(13, N=8, d=30)
    small = 1e-100 if depth == 2 else 1e-8
    l1, l2 = bias.min_l1(X, y), bias.min_l2(X, y)
    rich = flow_limit(X, y, small, depth=depth)
    kernel = flow_limit(X, y, 1e3, depth=depth)
    # D = 2 approaches l1 only like 1 / log(1 / alpha^2) (Theorem 2).
    assert np.abs(rich).sum() <= (1 + (1e-3 if depth == 2 else 1e-9)) * np.abs(l1).sum()
    assert np.linalg.norm(kernel - l2) <= 1e-5 * np.linalg.norm(l2)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), log_alpha=st.floats(-40, 3), depth=st.sampled_from([2, 3]))
def test_interpolates_random_instances(seed, log_alpha, depth):
    X, y, w0 = _instance(seed, N=5, d=25, noise=0.3)
    alpha = 10.0 ** (log_alpha if depth == 2 else max(log_alpha, -8))
    beta = flow_limit(X, y, alpha, depth=depth, w0=w0)
    assert np.all(np.isfinite(beta))
    assert np.linalg.norm(X @ beta - y) <= 1e-11 * np.linalg.norm(y)


@pytest.mark.parametrize(
    "kwargs,name",
    [
        (dict(X=np.array([[np.nan, 1.0]]), y=np.array([1.0])), "X"),
        (dict(X=np.ones((2, 3)), y=np.array([1.0, np.inf])), "y"),
        (dict(X=np.ones((2, 3)), y=np.ones(3)), "same number of rows"),
        (dict(alpha=0.0), "alpha"),
        (dict(alpha=-1.0), "alpha"),
        (dict(alpha=np.nan), "alpha"),
        (dict(alpha=np.array([1.0, -2.0])), "alpha"),
        (dict(depth=1), "depth"),
        (dict(depth=2.5), "depth"),
        (dict(w0=np.r_[np.ones(11), 0.0]), "w0"),
        (dict(w0=np.ones(5)), "w0"),
        (dict(tol=0.0), "tol"),
        (dict(tol=1e-15), "tol"),
        (dict(tol=0.1), "tol"),
        (dict(alpha=1e-60, depth=4), "alpha"),
        (dict(alpha=1e-160), "alpha"),
        (dict(alpha=1e160), "alpha"),
        (dict(backend="torch"), "backend"),
        (dict(max_iter=0), "max_iter"),
    ],
)
def test_bad_input(kwargs, name):
    X, y, _ = _instance(0)
    args = dict(X=X, y=y, alpha=1.0) | kwargs
    with pytest.raises(ValueError, match=name):
        flow_limit(**args)


@pytest.mark.parametrize("depth,alpha", [(2, 0.1), (2, 1e-30), (3, 0.3), (4, 1e-2), (3, 1e-30),
                                         (4, 1e-12)])
def test_reported_residual_is_the_kkt_residual(depth, alpha):
    """FlowLimit.residual against the KKT residual of (beta, nu) computed here, with
    grad Q(beta) from the paper's formulas in 50-digit arithmetic (no link code)."""
    import mpmath as mp

    X, y, w0 = _instance(17, N=5, d=14)
    out = flow_limit(X, y, alpha, depth=depth, w0=w0, full_output=True)
    beta, nu = out.beta[0], out.nu[0]
    with mp.workdps(50):
        grad = []
        for b, w in zip(beta, w0, strict=True):
            a = mp.mpf(alpha) * mp.mpf(w)
            if depth == 2:
                grad.append(mp.asinh(mp.mpf(b) / (2 * a**2)))
            else:
                p = mp.mpf(depth) / (depth - 2)
                u = mp.mpf(b) / a**depth
                lo, hi = mp.mpf(-1), mp.mpf(1)
                for _ in range(200):  # bisection for h_D(z) = u, h_D increasing on (-1, 1)
                    z = (lo + hi) / 2
                    if (1 - z) ** (-p) - (1 + z) ** (-p) < u:
                        lo = z
                    else:
                        hi = z
                grad.append((lo + hi) / 2 / a ** (depth - 2))
        grad = np.array([float(g) for g in grad])
    stationarity = np.max(np.abs(grad - X.T @ nu)) / np.max(np.abs(grad))
    primal = np.linalg.norm(X @ beta - y) / np.linalg.norm(y)
    kkt = max(primal, stationarity)
    assert out.residual[0] <= 1e-12
    assert kkt <= 1e-12
    assert abs(kkt - out.residual[0]) <= 1e-13


def test_path_in_any_order_with_repeats():
    X, y, w0 = _instance(5, N=6, d=20)
    alphas = np.array([0.01, 3.0, 0.01, 1e-6, 3.0])
    path = flow_limit(X, y, alphas, w0=w0)
    np.testing.assert_array_equal(path[0], path[2])
    np.testing.assert_array_equal(path[1], path[4])


def test_alpha_range_is_what_flow_limit_accepts():
    from kernelrich.diagonal import alpha_range

    X, y, w0 = _instance(0)
    for depth in [2, 3, 4]:
        lo, hi = alpha_range(depth, w0)
        for alpha in [lo * 1.01, hi / 1.01]:
            assert np.all(np.isfinite(flow_limit(X, y, alpha, depth=depth, w0=w0)))
        for alpha in [lo / 1.01, hi * 1.01]:
            with pytest.raises(ValueError, match="alpha must be within"):
                flow_limit(X, y, alpha, depth=depth, w0=w0)


def test_infeasible_system_is_refused():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 4))  # N > d: generic y has no exact solution
    with pytest.raises(ValueError, match="no exact solution"):
        flow_limit(X, rng.standard_normal(6), 1.0)
