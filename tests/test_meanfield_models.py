"""Particle models of kernelrich.meanfield (Chizat & Bach 2018) against independent routes."""

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kernelrich.meanfield as mf


def _net(activation="relu", bias=False, n=7, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return mf.TwoLayerNet(rng.standard_normal((n, d)), rng.standard_normal(n), activation, bias)


def _loop_predict(X, w, theta, activation, bias, gamma=1.0):
    """The network by plain Python loops."""
    out = np.zeros(len(X))
    for b, th in zip(w, theta, strict=True):
        for k, x in enumerate(X):
            z = x @ th[: X.shape[1]] + (th[-1] if bias else 0.0)
            out[k] += b * (max(z, 0.0) if activation == "relu" else 1 / (1 + np.exp(-z)))
    return out / len(w) ** gamma


@pytest.mark.parametrize("activation,bias,gamma",
                         [("relu", False, 1.0), ("relu", True, 0.5), ("sigmoid", True, 1.0),
                          ("sigmoid", False, 0.5)])
def test_predict_matches_loops(activation, bias, gamma):
    model = _net(activation, bias)
    x = mf.init_gaussian(jax.random.key(3), 5, model.dim)
    f = np.asarray(mf.predict(model, x, gamma))
    ref = _loop_predict(np.asarray(model.X), np.asarray(x.w), np.asarray(x.theta), activation,
                        bias, gamma)
    np.testing.assert_allclose(f, ref, rtol=1e-13, atol=1e-14)


def test_relu_velocity_matches_hand_gradient():
    """-m grad J_m by jax against the closed-form ReLU gradient (NumPy)."""
    model = _net("relu", n=11, d=4)
    x = mf.init_gaussian(jax.random.key(4), 6, 4)
    X, y, w, A = (np.asarray(v) for v in (model.X, model.y, x.w, x.theta))
    m, n = len(w), len(y)
    Z = A @ X.T
    r = (w @ np.maximum(Z, 0) / m - y) / n
    grad_w = np.maximum(Z, 0) @ r
    grad_a = (w[:, None] * (Z > 0)) @ (X * r[:, None])
    value, v = mf.velocity(model, x)
    np.testing.assert_allclose(np.asarray(v.w), -grad_w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(v.theta), -grad_a, rtol=1e-12, atol=1e-15)
    assert float(value) == pytest.approx(0.5 * n * np.sum(r * r), rel=1e-13)


@settings(max_examples=30, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3), st.integers(1, 6))
def test_fourier_features_give_the_dirichlet_kernel(a, b, cutoff):
    """Parseval: <phi(a), phi(b)> = psi(a - b)."""
    pa = mf.fourier_features(np.array(a), cutoff, np)
    pb = mf.fourier_features(np.array(b), cutoff, np)
    assert pa @ pb == pytest.approx(float(mf.dirichlet(a - b, cutoff)), abs=1e-11)


def test_deconvolution_risk_is_the_l2_distance_of_signals():
    """R(int phi dmu) = 1/2 int_T (f - y)^2, by an exact quadrature of trigonometric
    polynomials on N > 2K points; the penalty is lambda |mu|(T)."""
    K, lam = 4, 0.3
    pos, mass = np.array([0.1, 0.45, 0.8]), np.array([0.5, -0.3, 0.2])
    model = mf.SpikeDeconvolution(mf.observe(pos, mass, K), K, lam)
    x = mf.init_torus(None, 7, weight=0.8)
    J = float(mf.objective(model, x))
    t = np.arange(64) / 64
    theta, s = np.asarray(x.theta[:, 0]), np.asarray(x.w * np.abs(x.w)) / 7
    f = s @ mf.dirichlet(t[None] - theta[:, None], K)
    y = mass @ mf.dirichlet(t[None] - pos[:, None], K)
    ref = 0.5 * np.mean((f - y) ** 2) + lam * np.abs(s).sum()
    assert J == pytest.approx(ref, rel=1e-12)


def test_observe_is_predict_of_the_spikes():
    pos, mass = mf.spike_train(jax.random.key(1), 4, 0.1)
    assert np.abs(mass).sum() == pytest.approx(1.0)
    gaps = np.diff(np.concatenate([pos, pos[:1] + 1]))
    assert gaps.min() >= 0.1
    model = mf.SpikeDeconvolution(mf.observe(pos, mass, 5), 5, 0.0)
    r = np.sign(mass) * np.sqrt(np.abs(mass) * 4)  # r|r| / m = mass with m = 4
    x = mf.Particles(r, pos[:, None])
    assert float(mf.objective(model, x)) < 1e-28


def test_to_measure_merges_and_projects():
    model = _net("relu", bias=True)
    theta = np.array([[1.0, 0, 0, 0], [1.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 0, 0]])
    x = mf.Particles(np.array([1.0, -3.0, 2.0, 5.0]), theta)
    mu = mf.to_measure(model, x)
    assert len(mu.masses) == 3 and mu.total_mass == pytest.approx(5.0 / 4)
    assert mu.total_variation == pytest.approx((2 + 2 + 5) / 4)
    proj = mf.to_measure(model, x, project=True)
    assert len(proj.masses) == 2  # the atom at 0 carries no function
    np.testing.assert_allclose(np.linalg.norm(proj.atoms, axis=1), 1.0)
    assert sorted(proj.masses) == pytest.approx([-0.5, 1.0])


def test_inits():
    x = mf.init_sphere(jax.random.key(0), 50, 3, radius=2.0)
    r = np.sqrt(np.asarray(x.w) ** 2 + np.sum(np.asarray(x.theta) ** 2, axis=1))
    np.testing.assert_allclose(r, 2.0, rtol=1e-14)
    t = mf.init_torus(None, 6, weight=0.5)
    np.testing.assert_allclose(np.asarray(t.theta[:, 0]), np.arange(6) / 6)
    assert np.asarray(t.w).tolist() == [0.5, -0.5] * 3
    assert np.asarray(mf.init_torus(None, 4, weight=0.0).w).tolist() == [0.0] * 4
    u = mf.init_torus(jax.random.key(1), 6, grid=False)
    assert ((np.asarray(u.theta) >= 0) & (np.asarray(u.theta) < 1)).all()
    model = _net("sigmoid")
    s = mf.symmetrize(mf.init_gaussian(jax.random.key(2), 4, 3))
    assert s.m == 8 and np.abs(np.asarray(mf.predict(model, s, 0.5))).max() < 1e-15


def test_teacher_is_a_global_minimiser():
    for act in ("relu", "sigmoid"):
        model, teacher = mf.teacher_student(jax.random.key(0), 4, 3, 30, act, bias=True)
        assert float(mf.objective(model, teacher)) < 1e-30
        X = np.asarray(model.X)
        np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-14)


def test_measure_bookkeeping_after_descent():
    """Eq. (3), an identity of the measure representation (formerly a report check): after
    gradient descent, the projected measure (atoms on the unit sphere, masses
    b_i |theta_i| / m) gives the same function as the particles, and mu_m(Theta) =
    sum_i w_i / m."""
    model, _ = mf.teacher_student(jax.random.key(2), 5, 3, 100, "relu", bias=True)
    x = mf.particle_descent(model, mf.init_sphere(jax.random.key(3), 40, 6), step=1.0,
                            num_steps=20).particles()
    f = np.asarray(mf.predict(model, x))
    mu = mf.to_measure(model, x, project=True)
    z = np.asarray(model.X) @ mu.atoms[:, :5].T + mu.atoms[:, 5]
    np.testing.assert_allclose(np.maximum(z, 0) @ mu.masses, f, rtol=0, atol=1e-12 *
                               np.abs(f).max())
    assert mf.to_measure(model, x).total_mass == pytest.approx(float(np.sum(x.w)) / x.m,
                                                               abs=1e-14)


def test_linear_lifting_of_deconvolution():
    """The partially 1-homogeneous lifting: mass w_i / m, penalty lambda sum_i |w_i| / m."""
    pos, mass = np.array([0.2, 0.6]), np.array([0.7, -0.3])
    model = mf.SpikeDeconvolution(mf.observe(pos, mass, 3), 3, 0.1,
                                  lifting="partially 1-homogeneous")
    x = mf.Particles(2 * mass, pos[:, None])  # masses w / m with m = 2
    assert float(mf.objective(model, x)) == pytest.approx(0.1 * 1.0, rel=1e-13)
    assert model.total_variation_weight == 0.1
    assert mf.SpikeDeconvolution(model.observed, 3, 0.1).total_variation_weight is None
