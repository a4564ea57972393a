"""Kernel gradient flow / descent and the trained Gaussian process, against direct routes."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from kernelrich.ntk import (
    MLP,
    KernelFlow,
    infinite_kernels,
    kernel_flow,
    train_gd,
    train_online,
    trained_gp,
)


def _kernel(seed=0, n=6, rank=None):
    A = np.random.default_rng(seed).standard_normal((n, rank or n))
    return A @ A.T


@pytest.mark.parametrize("normalization,c", [("mean", 1 / 6), ("sum", 1.0)])
def test_flow_matches_matrix_exponential(normalization, c):
    K, rng = _kernel(), np.random.default_rng(1)
    y, f0 = rng.standard_normal(6), rng.standard_normal(6)
    Kt = rng.standard_normal((3, 6))
    flow = KernelFlow(K, y, f0=f0, normalization=normalization)
    for t in (0.0, 0.3, 5.0):
        expected = y + scipy.linalg.expm(-c * K * t) @ (f0 - y)
        np.testing.assert_allclose(flow.predict_train(t), expected, rtol=1e-11, atol=1e-12)
    # the test prediction solves d f_test / dt = -c Kt r(t): integrate it by quadrature
    ts = np.linspace(0, 2.0, 4001)
    r = np.array([flow.predict_train(s) - y for s in ts])
    integral = scipy.integrate.trapezoid(r, ts, axis=0)
    np.testing.assert_allclose(flow.predict(Kt, 2.0), -c * Kt @ integral, atol=1e-6)


def test_singular_kernel_is_stable():
    K = _kernel(2, 8, rank=3)
    y = np.random.default_rng(3).standard_normal(8)
    f_train, f_test = kernel_flow(K, y, [0.0, 1.0, 1e6, np.inf], ntk_test_train=K[:2])
    assert np.isfinite(f_train).all() and np.isfinite(f_test).all()
    # in the range of K the residual vanishes; its null-space part stays
    P = K @ np.linalg.pinv(K)
    np.testing.assert_allclose(P @ (f_train[-1] - y), 0, atol=1e-9)
    np.testing.assert_allclose(f_train[-1], f_train[-2], atol=1e-8)


def test_components_decay_exponentially_and_descent_matches_iteration():
    K = _kernel(4)
    y = np.random.default_rng(5).standard_normal(6)
    flow = KernelFlow(K, y, normalization="sum")
    c = flow.components([0.0, 0.7])
    np.testing.assert_allclose(c[1], np.exp(-0.7 * flow.eigenvalues) * c[0], rtol=1e-12)
    lr, f = 0.5 / flow.eigenvalues[0], np.zeros(6)
    for _ in range(37):
        f = f - lr * K @ (f - y)
    np.testing.assert_allclose(flow.predict_train(37, lr=lr), f, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(flow.predict(K, 37, lr=lr), f, rtol=1e-10, atol=1e-12)


def test_trained_gp_monte_carlo():
    """Sample f_0 ~ GP(0, K), run the linear flow (expm, inverse), compare mean / covariance."""
    X = np.random.default_rng(6).standard_normal((7, 2))
    nngp, ntk = infinite_kernels(X, depth=3)
    y, t, c = np.array([0.5, -0.3, 0.2]), 3.0, 1 / 3
    mean, cov = trained_gp(nngp, ntk, y, t)
    phi = np.linalg.solve(ntk[:3, :3], np.eye(3) - scipy.linalg.expm(-c * t * ntk[:3, :3]))
    f0 = np.random.default_rng(7).multivariate_normal(np.zeros(7), nngp, size=40_000)
    ft = f0[:, 3:] - (f0[:, :3] - y) @ (ntk[3:, :3] @ phi).T
    sd = np.sqrt(np.diag(cov))
    assert (np.abs(ft.mean(0) - mean) <= 5 * sd / np.sqrt(len(ft))).all()
    np.testing.assert_allclose(np.cov(ft.T), cov, atol=0.05 * np.abs(cov).max())


def test_trained_gp_interpolates_at_infinity():
    X = np.random.default_rng(8).standard_normal((6, 2))
    nngp, ntk = infinite_kernels(X, depth=2)
    mean, cov = trained_gp(nngp, ntk, np.zeros(2) + 1, np.inf)
    # test points equal to training points: predicted exactly, zero variance
    nngp2, ntk2 = infinite_kernels(np.vstack([X[:2], X[:2]]), depth=2)
    m2, c2 = trained_gp(nngp2, ntk2, np.array([1.0, -1.0]), np.inf)
    np.testing.assert_allclose(m2, [1.0, -1.0], atol=1e-10)
    np.testing.assert_allclose(c2, 0, atol=1e-10)
    assert mean.shape == (4,) and cov.shape == (4, 4)


class _Linear(eqx.Module):
    w: jax.Array

    def __call__(self, X):
        return X @ self.w


def test_train_gd_on_a_linear_model_is_kernel_descent_and_near_the_flow():
    """f(x) = w.x has the constant NTK X X^T: GD with step lr is exactly kernel gradient
    descent (loss normalisation included), and within O(lr) of the kernel flow at t = lr k."""
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((5, 3)), rng.standard_normal(5)
    model = _Linear(jnp.asarray(rng.standard_normal((3, 1))))
    f0 = np.asarray(model(X))[:, 0]
    flow = KernelFlow(X @ X.T, y, f0=f0)
    for lr in (0.5, 0.05):
        steps = int(round(4.0 / lr))
        run = train_gd(model, X, y, lr=lr, steps=steps, record=[0, steps // 2, steps])
        expected = np.stack([flow.predict_train(k, lr=lr) for k in run.steps])
        np.testing.assert_allclose(run.predictions, expected, rtol=1e-12, atol=1e-12)
        gap = np.max(np.abs(run.predictions[-1] - flow.predict_train(lr * steps)))
        assert gap < 0.5 * lr, (lr, gap)
    assert run.loss[2] < run.loss[1] < run.loss[0]


def test_train_online_with_one_fixed_batch_is_train_gd():
    X = np.random.default_rng(10).standard_normal((6, 2))
    model = MLP((2, 16, 1), key=jax.random.key(1))

    def fixed(key):
        return jnp.asarray(X), jnp.asarray(X[:, 0])

    start, end = train_online(model, fixed, key=jax.random.key(0), lr=0.3, steps=7)
    ref = train_gd(model, X, X[:, 0], lr=0.3, steps=7).model
    np.testing.assert_allclose(end(X), ref(X), rtol=1e-13)
    np.testing.assert_array_equal(start(X), model(X))


def test_train_online_draws_a_new_batch_each_step():
    """The k-th step's batch is sample(fold_in(key, k)): resuming from a recorded model gives
    the same result as one run, and another key gives another model."""
    model = MLP((2, 16, 1), key=jax.random.key(1))

    def sample(key):
        X = jax.random.normal(key, (8, 2), dtype=jnp.float64)
        return X, X[:, 0] * X[:, 1]

    X = np.random.default_rng(11).standard_normal((4, 2))
    one = train_online(model, sample, key=jax.random.key(3), lr=0.5, steps=6)[-1]
    split = train_online(model, sample, key=jax.random.key(3), lr=0.5, steps=6,
                         record=[0, 2, 6])[-1]
    other = train_online(model, sample, key=jax.random.key(4), lr=0.5, steps=6)[-1]
    np.testing.assert_allclose(split(X), one(X), rtol=1e-13)
    assert np.max(np.abs(other(X) - one(X))) > 1e-6


def test_trained_gp_descent_tends_to_the_flow():
    X = np.random.default_rng(12).standard_normal((6, 2))
    nngp, ntk = infinite_kernels(X, depth=2)
    y = np.array([0.4, -0.2, 0.1])
    flow = trained_gp(nngp, ntk, y, 2.0)
    gaps = [np.max(np.abs(trained_gp(nngp, ntk, y, int(2.0 / lr), lr=lr)[0] - flow[0]))
            for lr in (0.2, 0.02)]
    assert gaps[1] < 0.2 * gaps[0]


@pytest.mark.parametrize("kwargs,name", [
    ({"y": np.ones(5)}, "y"), ({"f0": np.ones(5)}, "f0"),
    ({"normalization": "half"}, "normalization"), ({"ntk_train": np.ones((3, 4))}, "ntk_train"),
])
def test_bad_input(kwargs, name):
    args = {"ntk_train": np.eye(4), "y": np.ones(4)} | kwargs
    with pytest.raises(ValueError, match=name):
        KernelFlow(args.pop("ntk_train"), args.pop("y"), **args)
    with pytest.raises(ValueError, match="t"):
        KernelFlow(np.eye(2), np.ones(2)).predict_train(-1.0)
