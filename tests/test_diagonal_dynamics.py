"""Gradient flow and gradient descent on depth-D diagonal networks (Woodworth et al. 2020).

The reduced N-dimensional ODE of `gradient_flow` is checked against the generic
parameter ODE of `parameter_flow`, and plain GD against the flow it discretises.
Every problem here has N = 3, d = 10 and 16 save times, so each depth compiles once.
"""

import logging

import jax
import numpy as np
import pytest

import kernelrich  # noqa: F401  (float64)
from kernelrich.diagonal import FlowPath, GDResult, gradient_descent, gradient_flow, parameter_flow

N, D_IN = 3, 10
TIMES = np.concatenate([[0.0], np.logspace(-2, 1.5, 15)])  # 16 save times
TIGHT = dict(rtol=1e-12, atol=1e-14)
# Measured max relative deviation at TIGHT tolerances: 2.2e-9 over D in {2, 3, 4},
# alpha in {0.1, 1} and three seeds (8.4e-8 at the default rtol=1e-10, atol=1e-12).
CROSS_TOL = 1e-8


def problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian X (N x d), y = X beta* for a 2-sparse beta* with entries +-1."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D_IN))
    beta_star = np.zeros(D_IN)
    beta_star[rng.choice(D_IN, 2, replace=False)] = rng.choice([-1.0, 1.0], 2)
    return X, X @ beta_star


def relative_gap(a: FlowPath, b: FlowPath) -> float:
    return float(np.abs(a.beta - b.beta).max() / np.abs(a.beta).max())


# --- the reduction: N-dim dual ODE == 2d-dim parameter ODE ---------------------------


@pytest.mark.parametrize(
    "depth", [2, 3, pytest.param(4, marks=pytest.mark.slow)]
)
@pytest.mark.parametrize("seed", [0, 1])
def test_reduced_matches_parameter_flow(depth, seed):
    X, y = problem(seed)
    for alpha in (0.1, 1.0):
        reduced = gradient_flow(X, y, alpha, depth, times=TIMES, **TIGHT)
        direct = parameter_flow(X, y, alpha, depth, times=TIMES, **TIGHT)
        assert relative_gap(reduced, direct) <= CROSS_TOL, (depth, seed, alpha)
        scale = CROSS_TOL * np.linalg.norm(X, 2) * np.abs(reduced.beta).max()
        np.testing.assert_allclose(np.sqrt(reduced.loss), np.sqrt(direct.loss), atol=scale)
        assert direct.nu.shape == (len(TIMES), 0)


def test_reduced_matches_parameter_flow_with_shape():
    X, y = problem(2)
    w0 = np.random.default_rng(3).uniform(0.5, 2.0, D_IN)
    reduced = gradient_flow(X, y, 0.3, 2, w0, times=TIMES, **TIGHT)
    direct = parameter_flow(X, y, 0.3, 2, w0, times=TIMES, **TIGHT)
    assert relative_gap(reduced, direct) <= CROSS_TOL


def _assert_nonincreasing(loss):
    """The flow's loss never increases, up to the rounding of each value (4 eps of it: on a
    plateau two evaluations of the same loss differ by that much, measured +1.0e-17 at
    2.0e-2)."""
    assert np.all(np.diff(loss) <= 4 * np.finfo(float).eps * loss[:-1] + 1e-20 * loss[0])


@pytest.mark.parametrize("depth", [2, 3])
def test_flow_interpolates_and_loss_decreases(depth):
    X, y = problem(1)
    path = gradient_flow(X, y, 1.0, depth, times=TIMES)
    assert isinstance(path, FlowPath)
    assert path.beta.shape == (16, D_IN) and path.nu.shape == (16, N)
    assert path.loss.shape == (16,) and path.num_steps > 0
    assert path.method == "reduced N-dim ODE (diffrax Kvaerno5, rtol=1e-10, atol=1e-12)"
    np.testing.assert_array_equal(path.beta[0], 0.0)
    assert path.loss[0] == pytest.approx(np.sum(y**2))
    _assert_nonincreasing(path.loss)
    assert np.linalg.norm(X @ path.beta[-1] - y) / np.linalg.norm(y) < 1e-10


def test_tiny_alpha_stays_finite_and_interpolates():
    X, y = problem(0)
    times = np.concatenate([[0.0], np.logspace(-2, 3, 15)])
    path = gradient_flow(X, y, 1e-30, 2, times=times)
    assert np.isfinite(path.beta).all() and np.isfinite(path.nu).all()
    _assert_nonincreasing(path.loss)
    assert np.linalg.norm(X @ path.beta[-1] - y) / np.linalg.norm(y) < 1e-3


def test_zero_horizon():
    X, y = problem(0)
    path = gradient_flow(X, y, 1.0, times=np.zeros(3))
    np.testing.assert_array_equal(path.beta, 0.0)
    np.testing.assert_allclose(path.loss, np.sum(y**2))


def test_new_alpha_and_tolerances_do_not_recompile(caplog):
    X, y = problem(0)
    gradient_flow(X, y, 1.0, times=TIMES)
    with jax.log_compiles(), caplog.at_level(logging.WARNING):
        gradient_flow(X, y, 0.2, times=TIMES[:9], rtol=1e-9, atol=1e-11)
    assert not [r for r in caplog.records if "_reduced" in r.getMessage()]


@pytest.mark.slow
def test_max_steps_raises():
    X, y = problem(0)
    with pytest.raises(RuntimeError, match="max_steps=3"):
        gradient_flow(X, y, 0.1, times=TIMES, max_steps=3)


# --- gradient descent ------------------------------------------------------------


def test_gd_tracks_the_flow_at_first_order():
    X, y = problem(0)
    t = 1.0
    flow = gradient_flow(X, y, 0.5, 2, times=np.linspace(0, t, 16), **TIGHT).beta[-1]
    gaps = []
    for step in (2e-3, 1e-3):
        gd = gradient_descent(X, y, 0.5, 2, step=step, steps=round(t / step))
        assert gd.steps_run == round(t / step)
        gaps.append(np.abs(gd.beta - flow).max())
    assert 1.6 <= gaps[0] / gaps[1] <= 2.4, gaps


def test_gd_mean_is_sum_with_step_over_n():
    X, y = problem(1)
    mean = gradient_descent(X, y, 0.5, step=0.03, steps=1500, loss="mean")
    total = gradient_descent(X, y, 0.5, step=0.03 / N, steps=1500, loss="sum")
    assert mean.loss == "mean" and total.loss == "sum"
    np.testing.assert_allclose(mean.w_plus, total.w_plus, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mean.w_minus, total.w_minus, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mean.beta, total.beta, rtol=0, atol=1e-12)
    np.testing.assert_allclose(N * mean.losses, total.losses, rtol=1e-10, atol=1e-14)


def test_gd_result_fields_and_partial_chunk():
    X, y = problem(0)
    gd = gradient_descent(X, y, 0.5, step=1e-3, steps=2500)
    assert isinstance(gd, GDResult)
    assert gd.steps_run == 2500 and gd.losses.shape == (2500,)
    assert gd.step == 1e-3 and gd.converged is None
    np.testing.assert_allclose(gd.beta, gd.w_plus**2 - gd.w_minus**2)
    assert np.all(np.diff(gd.losses) <= 0)


def test_gd_stops_at_stop_loss():
    X, y = problem(0)
    gd = gradient_descent(X, y, 0.5, step=1e-3, steps=100_000, stop_loss=1e-6)
    assert gd.converged is True and gd.steps_run < 100_000
    assert len(gd.losses) == gd.steps_run
    assert gd.losses[-1] < 1e-6 <= gd.losses[-2]
    short = gradient_descent(X, y, 0.5, step=1e-3, steps=10, stop_loss=1e-6)
    assert short.converged is False and short.steps_run == 10


def test_gd_divergence_raises():
    X, y = problem(0)
    with pytest.raises(FloatingPointError, match=r"diverged at step \d+ with step=1"):
        gradient_descent(X, y, 0.5, step=1.0, steps=1000)


def test_gd_progress_bar_runs():
    X, y = problem(0)
    gd = gradient_descent(X, y, 0.5, step=1e-3, steps=1500, progress=True)
    assert gd.steps_run == 1500


def test_gd_new_alpha_and_step_do_not_recompile(caplog):
    X, y = problem(0)
    gradient_descent(X, y, 0.5, step=1e-3, steps=10)
    with jax.log_compiles(), caplog.at_level(logging.WARNING):
        gradient_descent(X, y, 0.7, step=2e-3, steps=10)
    assert not [r for r in caplog.records if "_chunk" in r.getMessage()]


# --- argument checks -----------------------------------------------------------------


def _bad_calls():
    X, y = problem(0)
    nan_X = X.copy()
    nan_X[0, 0] = np.nan
    good = dict(X=X, y=y, alpha=1.0)
    return [
        ("X", dict(good, X=nan_X)),
        ("X", dict(good, y=y[:2])),
        ("alpha", dict(good, alpha=0.0)),
        ("alpha", dict(good, alpha=-1.0)),
        ("depth", dict(good, depth=1)),
        ("depth", dict(good, depth=2.5)),
        ("w0", dict(good, w0=np.concatenate([[0.0], np.ones(D_IN - 1)]))),
        ("w0", dict(good, w0=np.ones(D_IN + 1))),
    ]


@pytest.mark.parametrize("name, kwargs", _bad_calls())
@pytest.mark.parametrize("fn", ["gradient_flow", "parameter_flow", "gradient_descent"])
def test_bad_inputs(fn, name, kwargs):
    extra = dict(step=1e-3, steps=10) if fn == "gradient_descent" else dict(times=TIMES)
    call = {"gradient_flow": gradient_flow, "parameter_flow": parameter_flow,
            "gradient_descent": gradient_descent}[fn]
    with pytest.raises(ValueError, match=name):
        call(**kwargs, **extra)


@pytest.mark.parametrize(
    "name, times",
    [("times", np.array([0.0, 2.0, 1.0])), ("times", np.array([-1.0, 1.0])),
     ("times", np.array([0.0, np.inf])), ("times", np.ones((2, 2))),
     ("rtol", None), ("max_steps", None)],
)
def test_bad_times_and_tolerances(name, times):
    X, y = problem(0)
    extra = {"rtol": dict(rtol=0.0), "max_steps": dict(max_steps=0)}.get(name, {})
    with pytest.raises(ValueError, match=name):
        gradient_flow(X, y, 1.0, times=TIMES if times is None else times, **extra)


@pytest.mark.parametrize(
    "name, kwargs",
    [("step", dict(step=0.0)), ("step", dict(step=-1e-3)), ("steps", dict(steps=0)),
     ("steps", dict(steps=2.5)), ("loss", dict(loss="l2")), ("stop_loss", dict(stop_loss=-1.0)),
     ("chunk", dict(chunk=0))],
)
def test_bad_gd_options(name, kwargs):
    X, y = problem(0)
    options = dict(step=1e-3, steps=10) | kwargs
    with pytest.raises(ValueError, match=name):
        gradient_descent(X, y, 1.0, **options)
