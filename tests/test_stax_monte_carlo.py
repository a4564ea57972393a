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


def test_dropout_masks_are_fixed_by_rng():
    init_fn, apply_fn, _ = stax.serial(stax.Dense(64), stax.Relu(), stax.Dropout(0.5),
                                       stax.Dense(1))
    X = np.random.default_rng(4).standard_normal((3, 2))
    _, params = init_fn(jax.random.key(0), (-1, 2))
    a = stax.empirical_kernels(apply_fn, params, X, rng=jax.random.key(1))
    b = stax.empirical_kernels(apply_fn, params, X, rng=jax.random.key(1))
    c = stax.empirical_kernels(apply_fn, params, X, rng=jax.random.key(2))
    np.testing.assert_array_equal(a.ntk, b.ntk)
    assert np.abs(a.ntk - c.ntk).max() > 1e-3


def _residual_cnn(outputs=3):
    conv = stax.Conv(3, (2, 2), padding="SAME", W_std=1.4, b_std=0.1)
    init_fn, apply_fn, _ = stax.serial(
        conv, stax.Relu(), stax.AvgPool((2, 2)), stax.FanOut(2),
        stax.parallel(stax.serial(stax.Conv(3, (2, 2), padding="SAME"), stax.Relu()),
                      stax.Identity()),
        stax.FanInSum(), stax.Flatten(), stax.Dense(outputs, W_std=1.2, b_std=0.3))
    X = np.random.default_rng(5).standard_normal((5, 4, 4, 2))
    return init_fn(jax.random.key(3), X.shape)[1], apply_fn, X


def _dense_reference(apply_fn, params, X, Z=None, masks=None):
    """f f^T / O and J J^T / O from one jax.jacrev of the batch [X; Z] (each row's Dropout
    key fold_in(masks, row) if given): the block X x Z (X x X if Z is None)."""
    XZ = X if Z is None else np.concatenate([X, Z])

    def f(p):
        if masks is None:
            out = apply_fn(p, XZ)
        else:
            out = jax.vmap(lambda x, i: apply_fn(p, x[None], rng=jax.random.fold_in(masks, i))[0])(
                XZ, np.arange(XZ.shape[0]))
        return out, out

    jac, out = jax.jit(jax.jacrev(f, has_aux=True))(params)
    out = np.asarray(out)
    J = np.concatenate([np.reshape(j, out.shape + (-1,)) for j in jax.tree_util.tree_leaves(jac)],
                       axis=2)
    O, n1 = out.shape[1], X.shape[0]
    rows, cols = slice(0, n1), slice(0, n1) if Z is None else slice(n1, None)
    return (out[rows] @ out[cols].T / O,
            np.einsum("aop,bop->ab", J[rows], J[cols]) / O)


def test_per_example_route_equals_the_dense_jacobian_of_the_batch():
    params, apply_fn, X = _residual_cnn(outputs=3)
    Z = np.random.default_rng(6).standard_normal((3, 4, 4, 2))
    nngp, ntk = _dense_reference(apply_fn, params, X)
    full = stax.empirical_kernels(apply_fn, params, X)
    np.testing.assert_allclose(full.nngp, nngp, rtol=1e-12)
    np.testing.assert_allclose(full.ntk, ntk, rtol=1e-12)
    nngp, ntk = _dense_reference(apply_fn, params, X, Z)
    cross = stax.empirical_kernels(apply_fn, params, X, Z, get=("ntk", "nngp"))
    np.testing.assert_allclose(cross.nngp, nngp, rtol=1e-12)
    np.testing.assert_allclose(cross.ntk, ntk, rtol=1e-12)
    assert cross.ntk.shape == (5, 3)


def test_a_callable_that_is_not_stax_takes_the_batch_route_with_the_same_kernels():
    params, apply_fn, X = _residual_cnn(outputs=2)
    Z = X[:2] + 0.5
    ours = stax.empirical_kernels(apply_fn, params, X, Z)
    batch = stax.empirical_kernels(lambda p, x, rng=None: apply_fn(p, x, rng=rng), params, X, Z)
    for a, b in zip(ours, batch, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_dropout_masks_are_per_example_fold_ins_shared_by_nngp_and_ntk():
    init_fn, apply_fn, _ = stax.serial(stax.Conv(3, (2, 2), padding="SAME", b_std=0.1),
                                       stax.Relu(), stax.Dropout(0.6), stax.Flatten(),
                                       stax.Dense(2, b_std=0.3))
    X = np.random.default_rng(5).standard_normal((3, 4, 4, 2))
    params, rng = init_fn(jax.random.key(3), X.shape)[1], jax.random.key(9)
    joint = stax.empirical_kernels(apply_fn, params, X, rng=rng)
    nngp, ntk = _dense_reference(apply_fn, params, X, masks=rng)
    np.testing.assert_allclose(joint.nngp, nngp, rtol=1e-12)
    np.testing.assert_allclose(joint.ntk, ntk, rtol=1e-12)
    alone = stax.empirical_kernels(apply_fn, params, X, get="nngp", rng=rng)
    np.testing.assert_allclose(alone, joint.nngp, rtol=1e-12)
    cross = stax.empirical_kernels(apply_fn, params, X[:1], X[1:], get="ntk", rng=rng)
    np.testing.assert_allclose(cross, joint.ntk[:1, 1:], rtol=1e-12)
