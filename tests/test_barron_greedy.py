"""The greedy construction of Theorem 1: the closed-form mixture step against a QP solver,
the envelope gradient against autodiff, and the theorem's bounds on the path."""

import functools

import cvxpy as cp
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernelrich.barron import (
    GaussianBump,
    Ridge,
    greedy_approximation,
    greedy_bound,
    greedy_fit,
    greedy_step_bounds,
    initial_units,
    search_unit,
    uniform_ball,
)
from kernelrich.barron._search import _best_mixture, _profile

SEARCH = dict(restarts=8, steps=30)  # one compiled shape for the whole file
best_mixture = jax.jit(_best_mixture)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.floats(0.05, 5.0), st.booleans())
def test_mixture_step_matches_qp(seed, bound, fixed):
    rng = np.random.default_rng(seed)
    r, u, v = rng.normal(size=(3, 12))
    v = np.abs(v)
    alpha_fixed = float(rng.uniform()) if fixed else -1.0
    ip = lambda p, q: float(p @ q)  # noqa: E731
    value, alpha, c = best_mixture(ip(r, r), ip(r, u), jnp.array([ip(r, v)]), ip(u, u),
                                    jnp.array([ip(u, v)]), jnp.array([ip(v, v)]), bound,
                                    alpha_fixed)
    a, cc = cp.Variable(), cp.Variable()
    cons = [a == alpha_fixed] if fixed else [a >= 0, a <= 1]
    prob = cp.Problem(cp.Minimize(cp.sum_squares(r + a * u - cc * v)),
                      cons + [cp.abs(cc) <= bound * a])
    prob.solve(solver=cp.CLARABEL)
    value, alpha, c = float(value[0]), float(alpha[0]), float(c[0])
    assert value == pytest.approx(prob.value, rel=1e-6, abs=1e-9)
    assert value == pytest.approx(float(np.sum((r + alpha * u - c * v) ** 2)), rel=1e-12,
                                  abs=1e-12)
    assert 0 <= alpha <= 1 and abs(c) <= bound * alpha + 1e-12


def test_envelope_gradient_matches_autodiff():
    rng = np.random.default_rng(1)
    X, r, u = jnp.asarray(rng.normal(size=(50, 3))), rng.normal(size=50), rng.normal(size=50)
    w = jnp.full(50, 1 / 50)
    r, u = jnp.asarray(r), jnp.asarray(u)
    stats = (w @ (r * r), w @ (r * u), w @ (u * u))
    prof = functools.partial(_profile, X=X, w=w, r=r, u=u, stats=stats, bound=10.0,
                             alpha_fixed=-1.0)
    theta = jnp.asarray(rng.normal(size=(4, 4)))
    _, grad, _, _ = jax.jit(prof)(theta)
    auto = jax.jit(jax.grad(lambda t: jnp.sum(prof(t)[0])))(theta)
    assert np.allclose(grad, auto, rtol=1e-7, atol=1e-12)


def test_search_returns_consistent_unit():
    X = uniform_ball(100, 2, seed=3)
    h = np.sin(3 * X[:, 0])
    theta0 = initial_units(np.random.default_rng(0), X, 8)
    Xp = np.pad(X, ((0, 28), (0, 6)))
    t0 = np.concatenate([theta0[:, :2], np.zeros((8, 6)), theta0[:, 2:]], axis=1)
    w = np.concatenate([np.full(100, 0.01), np.zeros(28)])
    hp = np.concatenate([h, np.zeros(28)])
    out = search_unit(jnp.asarray(t0), jnp.asarray(Xp), jnp.asarray(w), jnp.asarray(hp),
                      jnp.zeros(128), 4.0, -1.0, steps=30, learning_rate=0.1)
    value, c, b = float(out.value), float(out.c), float(out.b)
    fk = c / (1 + np.exp(-(X @ np.asarray(out.a)[:2] + b)))
    assert value == pytest.approx(float(np.mean((h - fk) ** 2)), rel=1e-10)
    assert value == pytest.approx(float(np.min(np.asarray(out.values))))
    assert value < float(np.mean(h**2))


@pytest.mark.parametrize("d,target", [(1, "bump"), (3, "ridge")])
def test_greedy_obeys_theorem_1(d, target):
    f = GaussianBump(np.zeros(d), 0.5) if target == "bump" else Ridge(np.full(d, 2.0), 0.3)
    X = uniform_ball(100, d, seed=0)
    res = greedy_approximation(f, X, 6, radius=1.0, **SEARCH)
    assert res.C == pytest.approx(f.c_f)
    assert np.all(res.errors <= res.theorem_bound())
    assert np.all(res.errors <= res.step_bounds * (1 + 1e-12))
    assert np.all(res.search_gap() == 0)
    assert np.all(res.coef_l1 <= 2 * res.C * (1 + 1e-12))
    assert np.all(np.diff(res.errors) <= 1e-15)  # alpha = 0 is allowed: never worse
    y = np.asarray(f(X))
    for k in (1, 3, 6):
        net = res.network(k)
        assert np.mean((net(X) - y) ** 2) == pytest.approx(res.errors[k - 1], rel=1e-9)
        assert np.sum(np.abs(np.asarray(net.c))) == pytest.approx(res.coef_l1[k - 1])
        assert np.allclose(net(jnp.asarray(X)), net(X))


@pytest.mark.parametrize("schedule", ["1/k", "2/(k+1)"])
def test_relaxed_schedules(schedule):
    X = uniform_ball(100, 2, seed=1)
    res = greedy_approximation(GaussianBump(np.zeros(2), 0.5), X, 4, radius=1.0,
                               schedule=schedule, **SEARCH)
    k = np.arange(1, 5)
    assert np.allclose(res.alphas, 1 / k if schedule == "1/k" else 2 / (k + 1))
    assert np.all(res.errors <= res.step_bounds * (1 + 1e-12))


def test_deterministic_in_seed():
    X = uniform_ball(100, 2, seed=1)
    f = GaussianBump(np.zeros(2), 0.5)
    a = greedy_approximation(f, X, 2, seed=5, **SEARCH)
    b = greedy_approximation(f, X, 2, seed=5, **SEARCH)
    assert np.array_equal(a.errors, b.errors)


def test_bad_inputs():
    X = uniform_ball(20, 2, seed=0)
    f = GaussianBump(np.zeros(2))
    with pytest.raises(ValueError, match="n must be"):
        greedy_approximation(f, X, 0)
    with pytest.raises(ValueError, match="f has dimension"):
        greedy_approximation(GaussianBump(np.zeros(3)), X, 1)
    with pytest.raises(ValueError, match="f must return finite"):
        greedy_approximation(lambda x: np.where(x[:, 0] > 0, np.inf, 0.0), X, 1, C=1.0)
    with pytest.raises(ValueError, match="f must accept"):
        greedy_approximation(lambda x: x[:, 5], X, 1, C=1.0)
    with pytest.raises(ValueError, match="radius"):
        greedy_approximation(f, X, 1, radius=0.0)
    with pytest.raises(ValueError, match="radius"):
        greedy_approximation(f, X, 1, radius=0.1)
    with pytest.raises(ValueError, match="C must be given"):
        greedy_approximation(lambda x: x[:, 0], X, 1)
    with pytest.raises(ValueError, match="C=0.001 is too small"):
        greedy_approximation(f, X, 1, C=1e-3)
    with pytest.raises(ValueError, match="schedule"):
        greedy_approximation(f, X, 1, schedule="fast")
    with pytest.raises(ValueError, match="X must be"):
        greedy_approximation(f, X[:, 0], 1)
    with pytest.raises(ValueError, match="X must be finite"):
        greedy_approximation(f, np.full((3, 2), np.nan), 1)
    with pytest.raises(ValueError, match="y must have one value"):
        greedy_fit(X, np.zeros(3), 0.0, 1, 1.0)
    with pytest.raises(ValueError, match="weights"):
        greedy_approximation(f, X, 1, weights=-np.ones(20))
    with pytest.raises(ValueError, match="k must be"):
        greedy_approximation(f, uniform_ball(100, 2, seed=0), 1, **SEARCH).network(2)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 1000), st.sampled_from(["line-search", "1/k", "2/(k+1)"]),
       st.integers(1, 3))
def test_coefficients_stay_in_theorem_1s_class(seed, schedule, d):
    """sum |c_k| <= 2C holds by construction of the search (|c| <= 2C alpha), whatever the
    schedule, target and start: an invariant of the algorithm, not a theorem check."""
    rng = np.random.default_rng(seed)
    f = Ridge(rng.normal(size=d) * 3, 0.5, "cos")
    res = greedy_approximation(f, uniform_ball(100, d, seed=seed), 5, radius=1.0,
                               schedule=schedule, seed=seed, **SEARCH)
    assert np.all(res.coef_l1 <= 2 * res.C * (1 + 1e-12))
    assert np.sum(np.abs(np.asarray(res.network().c))) <= 2 * res.C * (1 + 1e-12)


def test_step_bounds_and_greedy_bound():
    X = uniform_ball(100, 2, seed=0)
    res = greedy_approximation(GaussianBump(np.zeros(2), 0.5), X, 6, radius=1.0, **SEARCH)
    bounds = greedy_step_bounds(res.errors, res.initial_error, res.C)
    assert np.allclose(bounds, res.step_bounds, rtol=1e-13)
    beta = (2 * res.C) ** 2 - res.initial_error
    n = np.arange(1, 7)
    g = greedy_bound(n, res.initial_error, res.C)
    assert np.all(res.errors <= g * (1 + 1e-12))  # implied by e_k <= B_k at every step
    assert np.all(g < res.initial_error) and np.all(g < (2 * res.C) ** 2 / n)
    assert np.allclose(1 / g, 1 / res.initial_error + n / beta)
    # A greedy that never improves on f(0) is under (2C)^2 / n here (the old, vacuous check)
    # but breaks the step inequality at the first step.
    stalled = np.full(6, res.initial_error)
    assert np.all(stalled <= (2 * res.C) ** 2 / n)
    assert stalled[0] > greedy_step_bounds(stalled, res.initial_error, res.C)[0]
    relaxed = greedy_step_bounds(res.errors, res.initial_error, res.C, "2/(k+1)")
    alpha = 2 / (n + 1)
    previous = np.concatenate([[res.initial_error], res.errors[:-1]])
    assert np.allclose(relaxed, (1 - alpha) ** 2 * previous + alpha**2 * beta)
    with pytest.raises(ValueError, match="schedule"):
        greedy_step_bounds(res.errors, res.initial_error, res.C, "fast")
    assert np.all(greedy_bound(n, 0.0, 1.0) == 0)


def test_search_moves_a_start_that_cannot_improve():
    """A unit with no improving mixture (c = 0) has zero envelope gradient; the search turns
    it towards the residual instead, so it is not stuck at its start."""
    X = uniform_ball(100, 1, seed=3)
    h = np.cos(6 * X[:, 0])
    u = h / 2  # <r, u> = ||h||^2 / 4 > 2C |<r, v>| for every unit: none can improve
    w = jnp.full(100, 1 / 100)
    r, uj = jnp.asarray(h - u), jnp.asarray(u)
    stats = (w @ (r * r), w @ (r * uj), w @ (uj * uj))
    theta = jnp.asarray([[3.0, 0.5], [-2.0, 1.0]])
    prof = functools.partial(_profile, X=jnp.asarray(X), w=w, r=r, u=uj, stats=stats,
                             bound=0.02, alpha_fixed=-1.0)
    value, grad, _, c = prof(theta)
    _, turn, _, _ = prof(theta, search=True)
    assert np.all(np.asarray(c) == 0) and np.all(np.asarray(grad) == 0)
    assert np.allclose(np.asarray(value), float(stats[0]))
    assert np.all(np.linalg.norm(np.asarray(turn), axis=1) > 0)
