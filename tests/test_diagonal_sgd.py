"""Minibatch SGD with step schedules on diagonal networks, the effective initialisation of a
run and the limit it predicts (Even et al. 2023; Pesme et al. 2021), and the vmapped sweep.

Every problem has N = 12, d = 30 so that the compiled engine is shared."""

import warnings

import numpy as np
import pytest

import kernelrich  # noqa: F401  (float64)
from kernelrich.diagonal import (
    EffectiveInit,
    GDResult,
    _sgd,
    bregman_limit,
    effective_initialisation,
    flow_limit,
    gradient_descent,
    sgd_sweep,
)

N, D = 12, 30
STOP = 1e-26


def problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    beta = np.zeros(D)
    beta[:3] = [1.0, -0.7, 0.5]
    return X, X @ beta


def relative(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


def test_full_batch_is_plain_gd():
    X, y = problem()
    a = gradient_descent(X, y, 0.3, step=0.01, steps=300)
    b = gradient_descent(X, y, 0.3, step=0.01, steps=300, batch_size=N, seed=5)
    np.testing.assert_array_equal(a.beta, b.beta)
    assert a.batch_size == N and not a.replace


@pytest.mark.parametrize("replace", [False, True])
def test_batches_are_unbiased_draws_of_size_b(replace):
    import jax

    b = 5
    keys = jax.random.split(jax.random.PRNGKey(0), 400)
    masks = np.asarray(jax.vmap(lambda k: _sgd._mask(k, N, b, replace))(keys))
    np.testing.assert_allclose(masks.sum(axis=1), N)  # (N/b) x b draws
    if not replace:
        assert set(np.unique(masks)) <= {0.0, N / b}
        assert np.all(np.count_nonzero(masks, axis=1) == b)
    assert np.abs(masks.mean(axis=0) - 1).max() < 0.25  # E m = 1 (400 draws)


def _runs():
    X, y = problem(1)
    common = dict(loss="mean", steps=200_000, stop_loss=STOP)
    return X, y, {
        "GD": gradient_descent(X, y, 0.2, step=0.05, **common),
        "GD, large step": gradient_descent(X, y, 0.2, step=0.4, **common),
        "SGD b=3": gradient_descent(X, y, 0.2, step=0.05, batch_size=3, seed=1, **common),
        "SGD b=1, replace": gradient_descent(X, y, 0.2, step=0.02, batch_size=1, replace=True,
                                             seed=2, **common),
        "SGD, decreasing schedule": gradient_descent(
            X, y, 0.2, step=lambda k: 0.1 / (1 + k / 500), batch_size=4, seed=3, **common),
        "SGD, array schedule": gradient_descent(
            X, y, 0.2, step=np.where(np.arange(200_000) < 300, 0.1, 0.02), batch_size=6,
            seed=4, **common),
    }


def test_effective_initialisation_predicts_every_converged_run():
    X, y, runs = _runs()
    flow = flow_limit(X, y, 0.2)
    for name, run in runs.items():
        assert run.converged, name
        eff = effective_initialisation(run, X, y)
        assert isinstance(eff, EffectiveInit)
        assert relative(eff.predicted, run.beta) < 1e-9, name
        assert relative(flow, run.beta) > 1e-6, name  # the step matters
        np.testing.assert_allclose(eff.alpha_eff, np.sqrt(eff.alpha_plus * eff.alpha_minus))
        np.testing.assert_allclose(eff.shift, eff.alpha_plus**2 - eff.alpha_minus**2)
        assert np.all(eff.gain > 0), name  # every |x_k| < sqrt 2 here: alpha_inf < alpha


def test_schedules_are_recorded():
    _, _, runs = _runs()
    run = runs["SGD, decreasing schedule"]
    np.testing.assert_allclose(run.step, 0.1 / (1 + np.arange(run.steps_run) / 500))
    assert runs["GD"].step == 0.05


def test_alpha_pm_reproduce_the_iterate_exactly():
    """w_+- = alpha_+- exp(-+ X^T mu) after any number of steps (the identity behind Thm 1)."""
    X, y = problem(2)
    run = gradient_descent(X, y, 0.5, step=0.03, steps=777, loss="mean", batch_size=5, seed=9)
    t = X.T @ run.mu
    np.testing.assert_allclose(np.abs(run.w_plus), np.exp(run.log_alpha_plus - t), rtol=1e-11)
    np.testing.assert_allclose(np.abs(run.w_minus), np.exp(run.log_alpha_minus + t), rtol=1e-11)


def test_bregman_limit_without_gain_is_the_flow_limit():
    """alpha_+ = alpha_- = alpha w0: the flow's limit (flow_limit, an independent solver)."""
    X, y = problem(3)
    w0 = np.random.default_rng(4).uniform(0.5, 2.0, D)
    for alpha in (1e-3, 0.1, 3.0):
        la = np.log(alpha * w0)
        beta, _ = bregman_limit(X, y, la, la)
        np.testing.assert_allclose(beta, flow_limit(X, y, alpha, 2, w0), rtol=1e-9, atol=1e-13)


def test_gain_vanishes_linearly_with_the_step():
    X, y = problem(5)
    gains = [effective_initialisation(gradient_descent(
        X, y, 0.2, step=h, steps=400_000, loss="mean", stop_loss=1e-20), X, y).gain.mean()
        for h in (0.02, 0.01)]
    assert 1.8 < gains[0] / gains[1] < 2.2


def test_sweep_runs_are_the_single_runs():
    X, y = problem(6)
    sweep = sgd_sweep(X, y, 0.2, steps=[0.02, 0.05], batch_sizes=[2, N], seeds=[0, 7],
                      iterations=3000, stop_loss=1e-18, sharpness=True)
    assert sweep.beta.shape == (2, 2, 2, D)
    for i, j, k in [(0, 0, 1), (1, 1, 0), (1, 0, 0)]:
        single = gradient_descent(X, y, 0.2, step=float(sweep.steps[i]), steps=3000, loss="mean",
                                  stop_loss=1e-18, batch_size=int(sweep.batch_sizes[j]),
                                  seed=int(sweep.seeds[k]), sharpness=True)
        np.testing.assert_allclose(sweep.beta[i, j, k], single.beta, rtol=0, atol=1e-12)
        assert sweep.steps_run[i, j, k] == single.steps_run
        assert sweep.sharpness[i, j, k] == pytest.approx(single.sharpness, rel=1e-10)
        run = sweep.run(i, j, k)
        assert isinstance(run, GDResult)
        np.testing.assert_allclose(run.log_alpha_plus, single.log_alpha_plus, atol=1e-12)


def test_sweep_flags_divergence_and_gd_raises_it():
    X, y = problem(0)
    sweep = sgd_sweep(X, y, 0.5, steps=[0.01, 50.0], batch_sizes=[N], seeds=[0],
                      iterations=200)
    assert not sweep.diverged[0, 0, 0] and sweep.diverged[1, 0, 0]
    assert np.all(np.isfinite(sweep.beta))  # the state before the bad step is kept
    with pytest.raises(FloatingPointError, match=r"diverged at step \d+ with step=50"):
        gradient_descent(X, y, 0.5, step=50.0, steps=200, loss="mean", batch_size=3)


def test_a_diverged_sweep_run_has_no_effective_initialisation():
    """The sweep keeps the state before the bad step, whose log alpha_+- are finite but far
    outside float64's exp range: refused by name, without an overflow warning."""
    X, y = problem(0)
    sweep = sgd_sweep(X, y, 0.5, steps=[0.01, 50.0], batch_sizes=[N], seeds=[0],
                      iterations=200)
    assert sweep.diverged[1, 0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"run's log alpha_\+- = .* exceeds 300"):
            effective_initialisation(sweep.run(1, 0, 0), X, y)
        effective_initialisation(sweep.run(0, 0, 0), X, y)


def test_depth_three_sgd_runs_but_has_no_effective_initialisation():
    X, y = problem(0)
    run = gradient_descent(X, y, 0.5, depth=3, step=0.005, steps=2000, batch_size=4)
    assert run.log_alpha_plus is None and np.all(np.diff(run.losses[-100:]) < 1)
    with pytest.raises(ValueError, match="depth-2 run"):
        effective_initialisation(run, X, y)


def test_bad_input_is_refused():
    X, y = problem(0)
    good = dict(X=X, y=y, alpha=0.5, step=0.01, steps=10)
    for kwargs, match in [(dict(batch_size=N + 1), "batch_size must be <= N"),
                          (dict(batch_size=0), "batch_size"),
                          (dict(batch_size=2.5), "batch_size"),
                          (dict(replace="yes"), "replace"),
                          (dict(seed=-1), "seed"),
                          (dict(step=np.full(5, 0.01)), "step has 5 entries"),
                          (dict(step=lambda k: -0.1 + 0 * k), "step must be finite and > 0"),
                          (dict(step=lambda k: 0.1), "one step per index")]:
        with pytest.raises(ValueError, match=match):
            gradient_descent(**{**good, **kwargs})
    with pytest.raises(ValueError, match="GDResult"):
        effective_initialisation("run", X, y)
    with pytest.raises(ValueError, match="batch_sizes"):
        sgd_sweep(X, y, 0.5, steps=[0.1], batch_sizes=[], seeds=[0], iterations=5)
    with pytest.raises(ValueError, match="batch_size must be <= N"):
        sgd_sweep(X, y, 0.5, steps=[0.1], batch_sizes=[N + 2], seeds=[0], iterations=5)
    with pytest.raises(ValueError, match="log_alpha_plus"):
        bregman_limit(X, y, np.full(D, np.nan), np.zeros(D))
