"""Particle gradient descent / flow of kernelrich.meanfield (Chizat & Bach 2018, Sec. 2.3)."""

import jax
import numpy as np
import pytest

import kernelrich.meanfield as mf


@pytest.fixture(scope="module")
def problem():
    model, _ = mf.teacher_student(jax.random.key(0), 3, 2, 40, "relu")
    return model, mf.init_sphere(jax.random.key(1), 6, 3, radius=1.0)


def _numpy_step(model, x, step, m_factor):
    """One mean-field GD step of the ReLU network by hand (NumPy)."""
    X, y, w, A = (np.asarray(v) for v in (model.X, model.y, x.w, x.theta))
    m, n = len(w), len(y)
    Z = A @ X.T
    r = (w @ np.maximum(Z, 0) / m - y) / n
    gw = np.maximum(Z, 0) @ r / m
    ga = (w[:, None] * (Z > 0)) @ (X * r[:, None]) / m
    return w - step * m_factor * gw, A - step * m_factor * ga


def test_descent_steps_match_numpy(problem):
    model, x = problem
    path = mf.particle_descent(model, x, step=0.3, num_steps=3, record_every=1)
    w, A = np.asarray(x.w), np.asarray(x.theta)
    for k in range(1, 4):
        w, A = _numpy_step(model, mf.Particles(w, A), 0.3, x.m)
        np.testing.assert_allclose(path.w[k], w, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(path.theta[k], A, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(path.times, [0, 0.3, 0.6, 0.9])
    assert path.curve.shape == (4,) and path.loss[0] == path.curve[0]


def test_mean_field_time_is_m_independent(problem):
    """Copying every particle k times leaves the mean-field dynamics unchanged (exactly),
    and changes the lazy one."""
    model, x = problem
    copies = mf.Particles(np.tile(np.asarray(x.w), 3), np.tile(np.asarray(x.theta), (3, 1)))
    a = mf.particle_descent(model, x, step=0.5, num_steps=40)
    b = mf.particle_descent(model, copies, step=0.5, num_steps=40)
    np.testing.assert_allclose(b.w[-1][: x.m], a.w[-1], rtol=1e-11)
    np.testing.assert_allclose(b.curve, a.curve, rtol=1e-11)
    lazy = mf.particle_descent(model, copies, step=0.5, num_steps=40, scaling="lazy")
    assert not np.allclose(lazy.curve[1:], a.curve[1:], rtol=1e-3)


@pytest.mark.slow
def test_descent_approaches_the_flow(problem):
    model, x = problem
    flow = mf.particle_flow(model, x, times=np.array([0.0, 1.0]), rtol=1e-11, atol=1e-13)
    errors = [mf.particle_descent(model, x, step=h, num_steps=round(1 / h)).distance(flow)
              for h in (0.1, 0.05)]
    assert errors[1] < 0.6 * errors[0]
    assert flow.step is None and "Tsit5" in flow.method
    np.testing.assert_allclose(flow.w[0], np.asarray(x.w))


def test_weight_decay_and_position_rate(problem):
    model, x = problem
    decayed = mf.particle_descent(model, x, step=0.1, num_steps=1, weight_decay=0.5)
    plain = mf.particle_descent(model, x, step=0.1, num_steps=1)
    np.testing.assert_allclose(decayed.w[-1] - plain.w[-1], -0.1 * 0.5 * np.asarray(x.w),
                               rtol=1e-12)
    frozen = mf.particle_descent(model, x, step=0.1, num_steps=1, position_rate=1e-300)
    np.testing.assert_allclose(frozen.theta[-1], np.asarray(x.theta), rtol=1e-15)
    assert "weight decay 0.5" in decayed.method


def test_divergence_reports_the_step(problem):
    model, x = problem
    big = mf.Particles(np.asarray(x.w) * 1e3, np.asarray(x.theta) * 1e3)
    with pytest.raises(mf.DivergenceError) as info:
        mf.particle_descent(model, big, step=50.0, num_steps=20)
    assert info.value.step >= 1 and f"step {info.value.step}" in str(info.value)
    path = mf.particle_descent(model, big, step=50.0, num_steps=20, throw=False)
    assert path.diverged_at == info.value.step
    assert np.isfinite(path.curve[: path.diverged_at]).all()


def test_relative_change_and_distance(problem):
    model, x = problem
    path = mf.particle_descent(model, x, step=0.5, num_steps=10)
    x0 = np.concatenate([path.w[0], path.theta[0].ravel()])
    x1 = np.concatenate([path.w[-1], path.theta[-1].ravel()])
    assert path.relative_change() == pytest.approx(np.linalg.norm(x1 - x0) / np.linalg.norm(x0))
    assert path.distance(path) == 0.0


@pytest.mark.slow
def test_copies_give_the_same_flow(problem):
    """`replicate`: k copies of each particle give the m-particle flow, to the solver's
    tolerance, and the copies move together."""
    model, x = problem
    times = np.array([0.0, 0.5, 1.0])
    flow = mf.particle_flow(model, x, times=times, rtol=1e-10, atol=1e-12)
    copied = mf.particle_flow(model, mf.replicate(x, 4), times=times, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(copied.w[:, : x.m], flow.w, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(copied.w[:, x.m:2 * x.m], copied.w[:, : x.m], rtol=0, atol=0)
    np.testing.assert_allclose(copied.loss, flow.loss, rtol=1e-8)


def test_copies_give_the_same_forward_backward():
    """`replicate`: k copies of each particle give the m-particle forward-backward steps."""
    pos, mass = np.array([0.2, 0.7]), np.array([0.5, -0.5])
    deconv = mf.SpikeDeconvolution(mf.observe(pos, mass, 3), 3, 0.05,
                                   lifting="partially 1-homogeneous")
    init = mf.init_torus(None, 5, weight=0.0)
    a = mf.particle_forward_backward(deconv, init, step=0.1, num_steps=50, position_rate=0.01)
    b = mf.particle_forward_backward(deconv, mf.replicate(init, 3), step=0.1, num_steps=50,
                                     position_rate=0.01)
    np.testing.assert_allclose(b.w[-1][:5], a.w[-1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.curve, a.curve, rtol=1e-12)
