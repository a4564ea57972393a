"""Particle forward-backward descent for the total-variation penalty, the solver statuses of
the convex reference, and the flow's result code (kernelrich.meanfield)."""

import jax
import numpy as np
import pytest

import kernelrich.meanfield as mf

LINEAR = "partially 1-homogeneous"


@pytest.fixture(scope="module")
def model():
    pos, mass = mf.spike_train(jax.random.key(0), 3, 0.15)
    return mf.SpikeDeconvolution(mf.observe(pos, mass, 4), 4, 0.05, lifting=LINEAR)


def _numpy_step(model, w, theta, step, beta):
    """One forward-backward step by hand: the gradient of 1/2 |(1/m) Phi^T w - y|^2 in
    mean-field time (factor m), then soft thresholding of the weights at step * lambda."""
    K, m = model.cutoff, len(w)
    k = np.arange(1, K + 1)
    angle = 2 * np.pi * theta[:, None] * k
    Phi = np.concatenate([np.ones((m, 1)), np.sqrt(2) * np.cos(angle),
                          np.sqrt(2) * np.sin(angle)], 1)
    dPhi = np.concatenate([np.zeros((m, 1)), -np.sqrt(2) * 2 * np.pi * k * np.sin(angle),
                           np.sqrt(2) * 2 * np.pi * k * np.cos(angle)], 1)
    r = w @ Phi / m - np.asarray(model.observed)
    w_new = w - step * Phi @ r
    w_new = np.sign(w_new) * np.maximum(np.abs(w_new) - step * model.lam, 0.0)
    return w_new, theta - step * beta * w * (dPhi @ r)


def test_steps_match_numpy(model):
    x = mf.Particles(np.array([0.0, 0.3, -0.2, 1.5, 0.0]), np.array([[0.1], [0.3], [0.55],
                                                                     [0.7], [0.9]]))
    path = mf.particle_forward_backward(model, x, step=0.2, num_steps=3, record_every=1,
                                        position_rate=0.3)
    w, theta = np.asarray(x.w), np.asarray(x.theta[:, 0])
    for k in range(1, 4):
        w, theta = _numpy_step(model, w, theta, 0.2, 0.3)
        # XLA's and NumPy's sin/cos differ by an ulp or so, and each update cancels terms of
        # the size of the largest entry into smaller ones: errors of a few 1e-13 after three
        # steps, relative to the largest entry (measured: 6.9e-13 on a position of -0.41
        # among positions up to 5.1)
        np.testing.assert_allclose(path.w[k], w, rtol=0, atol=1e-12 * np.abs(w).max())
        np.testing.assert_allclose(path.theta[k, :, 0], theta, rtol=0,
                                   atol=1e-12 * np.abs(theta).max())
    np.testing.assert_allclose(path.curve[0], float(mf.objective(model, x)), rtol=1e-14)
    assert path.ok and "forward-backward" in path.method


def test_zero_weights_keep_their_positions_for_one_step(model):
    """At w = 0 the positions' velocity w_i grad phi(theta_i) . r vanishes: the first step
    moves the weights only (the separating initialisation {0} x T of Theorem 3.5)."""
    init = mf.init_torus(None, 8, weight=0.0)
    path = mf.particle_forward_backward(model, init, step=0.1, num_steps=1)
    np.testing.assert_array_equal(path.theta[-1], np.asarray(init.theta))
    assert np.abs(path.w[-1]).max() > 0


def test_fixed_positions_solve_the_grid_lasso(model):
    """With positions frozen (position_rate ~ 0) forward-backward is ISTA on the Lasso over
    the m grid points, whose minimum is deconvolution_minimum on the same grid."""
    m = 32
    path = mf.particle_forward_backward(model, mf.init_torus(None, m, weight=0.0), step=1.0,
                                        num_steps=4000, position_rate=1e-300)
    ref = mf.deconvolution_minimum(model, m)
    assert ref.status == "optimal"
    assert path.curve[-1] == pytest.approx(ref.value, rel=1e-8)
    np.testing.assert_allclose(path.w[-1] / m, ref.masses, atol=1e-6)


def test_objective_decreases(model):
    path = mf.particle_forward_backward(model, mf.init_torus(None, 20, weight=0.0), step=0.2,
                                        num_steps=300, position_rate=1e-4)
    assert np.all(np.diff(path.curve) <= 1e-15)


def test_needs_a_total_variation_penalty(model):
    smooth = mf.SpikeDeconvolution(model.observed, model.cutoff, model.lam)
    with pytest.raises(ValueError, match="total-variation penalty"):
        mf.particle_forward_backward(smooth, mf.init_torus(None, 4), step=0.1, num_steps=1)
    with pytest.raises(ValueError, match="lifting must be one of"):
        mf.SpikeDeconvolution(model.observed, model.cutoff, model.lam, lifting="linear")
    with pytest.raises(ValueError, match="record_every must divide"):
        mf.particle_forward_backward(model, mf.init_torus(None, 4), step=0.1, num_steps=5,
                                     record_every=2)


def test_divergence_is_reported(model):
    big = mf.Particles(np.full(4, 1e3), np.array([[0.0], [0.25], [0.5], [0.75]]))
    path = mf.particle_forward_backward(model, big, step=1e3, num_steps=50, position_rate=1.0,
                                        throw=False)
    assert path.diverged_at is not None and not path.ok
    with pytest.raises(mf.DivergenceError):
        mf.particle_forward_backward(model, big, step=1e3, num_steps=50, position_rate=1.0)


def test_grid_minimum_reports_a_failed_solve(model, monkeypatch):
    import cvxpy as cp

    def fail(self, *args, **kwargs):
        raise cp.error.SolverError("forced")

    monkeypatch.setattr(cp.Problem, "solve", fail)
    ref = mf.deconvolution_minimum(model, 16)
    assert ref.status.startswith("solver error") and np.isnan(ref.value)


def test_flow_that_stops_early_says_so():
    model, _ = mf.teacher_student(jax.random.key(0), 2, 2, 20, "relu")
    init = mf.init_sphere(jax.random.key(1), 4, 2)
    path = mf.particle_flow(model, init, times=np.array([0.0, 50.0]), max_steps=3, throw=False)
    assert not path.ok and "stopped before t=50" in path.result
    assert not np.isfinite(path.loss[-1]) and path.solver_steps == 3
    with pytest.raises(RuntimeError, match="stopped before"):
        mf.particle_flow(model, init, times=np.array([0.0, 50.0]), max_steps=3)
