"""Diagonal networks on the exponential and logistic losses (Moroshko et al. 2020): the
log-domain flow against an independent parameter-space integration and against GD at small
steps, the losses down to 1e-300 without warnings, the l1 / l2 max margins against cvxpy, the
Q-max-margin between them, and bad input."""

import warnings

import numpy as np
import pytest
import scipy.integrate
import scipy.special

import kernelrich  # noqa: F401  (float64)
from kernelrich.bias import angle_between, l1_max_margin, l2_max_margin, q_max_margin
from kernelrich.diagonal import classification_descent, classification_flow, flow_limit
from kernelrich.diagonal._classification import log_terms


def data(N=12, d=20, seed=0, spread=None):
    """Gaussian inputs labelled by the first coordinate; `spread`: x_n1 = y_n (every point on
    the l1 margin) and the other coordinates N(0, spread^2)."""
    rng = np.random.default_rng(seed)
    if spread is None:
        X = rng.standard_normal((4 * N, d))
        X = X[np.abs(X[:, 0]) > 0.3][:N]
        return X, np.sign(X[:, 0])
    y = np.where(rng.random(N) < 0.5, -1.0, 1.0)
    X = spread * rng.standard_normal((N, d))
    X[:, 0] = y
    return X, y


def parameter_flow(X, y, alpha, depth, loss, target):
    """The 2d-dimensional flow w' = -grad L(w), integrated directly (float64, tight
    tolerances) until L = target: an independent route to classification_flow."""
    Z = X * y[:, None]

    def field(t, w):
        wp, wm = np.split(w, 2)
        _, log_g = log_terms(Z @ (wp**depth - wm**depth), loss)
        zg = Z.T @ np.exp(log_g)
        return np.concatenate([depth * wp ** (depth - 1) * zg, -depth * wm ** (depth - 1) * zg])

    def event(t, w):
        wp, wm = np.split(w, 2)
        return scipy.special.logsumexp(log_terms(Z @ (wp**depth - wm**depth), loss)[0]) - np.log(
            target)
    event.terminal = True
    w0 = np.full(2 * X.shape[1], alpha)
    sol = scipy.integrate.solve_ivp(field, (0, 1e7), w0, method="LSODA", rtol=1e-12,
                                    atol=1e-14, events=event)
    wp, wm = np.split(sol.y_events[0][0], 2)
    return wp**depth - wm**depth


def test_log_terms_agree_with_direct_formulas_and_warn_nowhere():
    m = np.linspace(-30, 30, 61)
    for loss, ell, g in (("exponential", np.exp(-m), np.exp(-m)),
                         ("logistic", np.log1p(np.exp(-m)), 1 / (1 + np.exp(m)))):
        log_l, log_g = log_terms(m, loss)
        np.testing.assert_allclose(log_l, np.log(ell), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(log_g, np.log(g), rtol=1e-13, atol=1e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_l, log_g = log_terms(np.array([-800.0, 745.0, 800.0, 1e5]), "logistic")
    np.testing.assert_allclose(log_l[1:], [-745.0, -800.0, -1e5], rtol=1e-15)
    assert np.isfinite(log_l).all() and np.isfinite(log_g).all()


@pytest.mark.parametrize(("depth", "loss", "alpha"), [(2, "exponential", 0.3),
                                                      (2, "logistic", 1.0),
                                                      (3, "exponential", 0.5)])
def test_flow_matches_the_parameter_space_integration(depth, loss, alpha):
    X, y = data()
    path = classification_flow(X, y, alpha, depth, losses=[1e-2], loss=loss)
    direct = parameter_flow(X, y, alpha, depth, loss, 1e-2)
    np.testing.assert_allclose(path.beta[0], direct, rtol=1e-6, atol=1e-7 * np.abs(direct).max())


def test_flow_reaches_1e_300_without_warnings_and_at_the_requested_losses():
    X, y = data()
    Z = X * y[:, None]
    losses = np.array([1e-3, 1e-30, 1e-100, 1e-300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loss in ("exponential", "logistic"):
            path = classification_flow(X, y, 1e-3, losses=losses, loss=loss)
            reached = [scipy.special.logsumexp(log_terms(Z @ b, loss)[0]) for b in path.beta]
            np.testing.assert_allclose(reached, np.log(losses), rtol=1e-8)
            assert np.all(np.diff(path.margin) > 0) and np.all(np.diff(path.log_time) > 0)


def test_flow_minimises_Q_with_its_own_margins():
    """beta(t) = argmin Q_alpha s.t. Z beta = m(t) exactly (the module's reduction), solved
    independently by flow_limit's Newton."""
    X, y = data()
    Z = X * y[:, None]
    path = classification_flow(X, y, 0.1, losses=[1e-5, 1e-50])
    for beta in path.beta:
        np.testing.assert_allclose(flow_limit(Z, Z @ beta, 0.1), beta, rtol=1e-7,
                                   atol=1e-9 * np.abs(beta).max())


def test_descent_converges_to_the_flow_at_order_one_in_the_step():
    """GD on log L against the flow at the loss GD reached (its first step at or below 1e-3)."""
    X, y = data()
    Z = X * y[:, None]
    gaps = []
    for h in (0.02, 0.01, 0.005):
        gd = classification_descent(X, y, 0.5, step=h, losses=[1e-3]).beta[0]
        reached = np.exp(scipy.special.logsumexp(log_terms(Z @ gd, "exponential")[0]))
        flow = classification_flow(X, y, 0.5, losses=[reached]).beta[0]
        gaps.append(np.abs(gd - flow).max() / np.abs(flow).max())
    ratios = np.array(gaps[:-1]) / np.array(gaps[1:])
    assert np.all((1.7 < ratios) & (ratios < 2.3)) and gaps[-1] < 1e-2


def test_max_margins_agree_with_cvxpy():
    cp = pytest.importorskip("cvxpy")
    X, y = data(20, 30, 1)
    Z = X * y[:, None]
    for norm, ours in ((1, l1_max_margin(X, y)), (2, l2_max_margin(X, y))):
        b = cp.Variable(X.shape[1])
        cp.Problem(cp.Minimize(cp.norm(b, norm)), [Z @ b >= 1]).solve(solver="CLARABEL")
        assert np.linalg.norm(ours, norm) <= np.linalg.norm(b.value, norm) * (1 + 1e-7)
        assert np.all(Z @ ours >= 1 - 1e-10)
        assert angle_between(ours, b.value) < 1e-4


def test_l1_max_margin_is_sparse_and_exact_on_its_tight_set():
    X, y = data(20, 30, 1)
    beta = l1_max_margin(X, y)
    Z = X * y[:, None]
    tight = np.abs(Z @ beta - 1) < 1e-12
    assert tight.sum() == (beta != 0).sum()


def test_q_max_margin_runs_from_l1_to_l2():
    X, y = data(15, 25, 2)
    l1, l2 = l1_max_margin(X, y), l2_max_margin(X, y)
    # the approach to l1 is slow (like mu^c, c the smallest reduced cost): 6.6e-3 at 1e-15
    assert angle_between(q_max_margin(X, y, 1e-30), l1) < 1e-5
    assert angle_between(q_max_margin(X, y, 1e4), l2) < 1e-6
    middle = q_max_margin(X, y, 1.0)
    assert np.all((X * y[:, None]) @ middle >= 1 - 1e-9)
    assert angle_between(middle, l1) > 1e-3 and angle_between(middle, l2) > 1e-3


def test_small_alpha_reaches_the_l1_max_margin_when_every_point_is_on_it():
    X, y = data(20, 40, 1, spread=0.3)
    path = classification_flow(X, y, 1e-4, losses=[1e-3, 1e-100])
    assert angle_between(path.beta[-1], l1_max_margin(X, y)) < 1e-7


def test_angle_between_is_accurate_for_tiny_angles():
    a = np.array([1.0, 0.0])
    assert angle_between(a, np.array([1.0, 1e-12])) == pytest.approx(1e-12, rel=1e-6)
    assert angle_between(a, -a) == pytest.approx(np.pi)


def test_bad_input_is_refused_with_the_cause():
    X, y = data()
    with pytest.raises(ValueError, match="not linearly separable"):
        classification_flow(np.vstack([X, X[:1]]), np.r_[y, -y[0]], 1.0, losses=[1e-3])
    with pytest.raises(ValueError, match="not linearly separable"):
        l2_max_margin(np.vstack([X, X[:1]]), np.r_[y, -y[0]])
    with pytest.raises(ValueError, match="labels -1 or"):
        l1_max_margin(X, y * 2)
    with pytest.raises(ValueError, match="decreasing"):
        classification_flow(X, y, 1.0, losses=[1e-5, 1e-3])
    with pytest.raises(ValueError, match="1e-307"):
        classification_flow(X, y, 1.0, losses=[1e-320])
    with pytest.raises(ValueError, match="loss"):
        classification_flow(X, y, 1.0, losses=[1e-3], loss="hinge")
    with pytest.raises(ValueError, match="alpha"):
        classification_descent(X, y, -1.0, step=0.1, losses=[1e-3])
    with pytest.raises(ValueError, match="alpha must be >= 1e-200"):
        classification_flow(X, y, 1e-300, losses=[1e-3])
    with pytest.raises(RuntimeError, match="max_steps reached"):
        classification_descent(X, y, 1.0, step=1e-3, losses=[1e-3], max_steps=5)


def test_an_alpha_whose_square_underflows_still_trains():
    """alpha = 1e-200: alpha^2 is below float64's range; the flow still reaches the losses."""
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = classification_flow(X, y, 1e-200, losses=[1e-3, 1e-300])
    assert np.all(np.isfinite(path.beta)) and np.all(np.diff(path.margin) > 0)
    assert angle_between(path.beta[-1], classification_flow(X, y, 1e-150, losses=[1e-300]
                                                            ).beta[-1]) < 0.05
