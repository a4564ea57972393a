"""Empirical and Monte Carlo kernels of kernelrich.stax's finite networks: against
kernelrich.ntk.empirical_ntk (an independent route), any input shape, dropout masks."""

import jax
import numpy as np

from kernelrich import stax
from kernelrich.ntk import empirical_ntk


def test_empirical_ntk_matches_kernelrich_ntk():
    init_fn, apply_fn, _ = stax.serial(stax.Dense(16, 1.3, 0.2), stax.Erf(),
                                       stax.Dense(3, 1.3, 0.2))
    _, params = init_fn(jax.random.key(0), (-1, 4))
    X, Z = (np.random.default_rng(s).standard_normal((n, 4)) for s, n in [(0, 5), (1, 3)])
    ours = stax.empirical_kernels(apply_fn, params, X, Z)
    ref = empirical_ntk(lambda p, x: apply_fn(p, x), params, X, Z, outputs="mean")
    np.testing.assert_allclose(ours.ntk, ref, rtol=1e-12)
    f_x, f_z = np.asarray(apply_fn(params, X)), np.asarray(apply_fn(params, Z))
    np.testing.assert_allclose(ours.nngp, f_x @ f_z.T / 3, rtol=1e-12)


def test_images_need_no_flattening_and_cross_is_a_block():
    init_fn, apply_fn, _ = stax.serial(stax.Conv(4, (2, 2)), stax.Relu(), stax.GlobalAvgPool(),
                                       stax.Dense(2))
    X = np.random.default_rng(2).standard_normal((5, 4, 3, 2))
    _, params = init_fn(jax.random.key(1), X.shape)
    full = stax.empirical_kernels(apply_fn, params, X)
    cross = stax.empirical_kernels(apply_fn, params, X[:2], X[2:], get="ntk")
    np.testing.assert_allclose(cross, full.ntk[:2, 2:], rtol=1e-12)
    flat = empirical_ntk(lambda p, x: apply_fn(p, x.reshape(-1, 4, 3, 2)), params,
                         X.reshape(5, -1), outputs="mean")
    np.testing.assert_allclose(full.ntk, flat, rtol=1e-12)


def test_monte_carlo_is_the_mean_over_initialisations():
    init_fn, apply_fn, _ = stax.serial(stax.Dense(8), stax.Relu(), stax.Dense(1))
    X = np.random.default_rng(3).standard_normal((4, 2))
    key = jax.random.key(7)
    mc = stax.monte_carlo_kernel_fn(init_fn, apply_fn, key, 3)(X)
    samples = []
    for s in range(3):
        k_init, _ = jax.random.split(jax.random.fold_in(key, s))
        samples.append(stax.empirical_kernels(apply_fn, init_fn(k_init, (-1, 2))[1], X))
    for got, k in zip(mc, zip(*samples, strict=True), strict=True):
        np.testing.assert_allclose(got, np.mean(k, axis=0), rtol=1e-13)


def test_dropout_masks_are_one_draw_for_all_inputs():
    init_fn, apply_fn, _ = stax.serial(stax.Dense(64), stax.Relu(), stax.Dropout(0.5),
                                       stax.Dense(1))
    X = np.random.default_rng(4).standard_normal((3, 2))
    _, params = init_fn(jax.random.key(0), (-1, 2))
    a = stax.empirical_kernels(apply_fn, params, X, rng=jax.random.key(1))
    b = stax.empirical_kernels(apply_fn, params, X, rng=jax.random.key(1))
    c = stax.empirical_kernels(apply_fn, params, X, rng=jax.random.key(2))
    np.testing.assert_array_equal(a.ntk, b.ntk)
    assert np.abs(a.ntk - c.ntk).max() > 1e-3
