"""serial / parallel / FanOut / FanInSum / FanInConcat / Identity: kernels written out by hand
and the finite networks' shapes."""

import jax
import numpy as np

from kernelrich import stax


def _X(seed=0, n=4, d=3):
    return np.random.default_rng(seed).standard_normal((n, d))


def test_residual_block_adds_the_branch_kernels():
    """x -> Dense -> [Relu -> Dense(W2, b2)] + x: K = K_main + K_in (independent branches)."""
    X = _X()
    block = stax.serial(stax.FanOut(2),
                        stax.parallel(stax.serial(stax.Relu(), stax.Dense(5, 1.7, 0.2)),
                                      stax.Identity()),
                        stax.FanInSum())
    net = stax.serial(stax.Dense(5, 1.2, 0.1), block)
    main = stax.serial(stax.Dense(5, 1.2, 0.1), stax.Relu(), stax.Dense(5, 1.7, 0.2))
    skip = stax.serial(stax.Dense(5, 1.2, 0.1))
    got, a, b = (f[2](X) for f in (net, main, skip))
    for g, ka, kb in zip(got, a, b, strict=True):
        np.testing.assert_allclose(g, ka + kb, rtol=1e-14)


def test_concatenation_averages_by_width():
    X = _X(1)
    net = stax.serial(stax.Dense(4), stax.Relu(), stax.FanOut(2),
                      stax.parallel(stax.Dense(3, 1.5), stax.Dense(5, 0.5, 0.3)),
                      stax.FanInConcat(), stax.Dense(1, 1.0, 0.0))
    one = stax.serial(stax.Dense(4), stax.Relu(), stax.Dense(3, 1.5))[2](X)
    two = stax.serial(stax.Dense(4), stax.Relu(), stax.Dense(5, 0.5, 0.3))[2](X)
    got = net[2](X)
    np.testing.assert_allclose(got.nngp, (3 * one.nngp + 5 * two.nngp) / 8, rtol=1e-14)
    np.testing.assert_allclose(got.ntk, got.nngp + (3 * one.ntk + 5 * two.ntk) / 8, rtol=1e-14)


def test_finite_branches():
    init_fn, apply_fn, _ = stax.serial(
        stax.Dense(6), stax.FanOut(3),
        stax.parallel(stax.Dense(2), stax.serial(stax.Relu(), stax.Dense(3)), stax.Identity()),
        stax.FanInConcat(), stax.Dense(1))
    shape, params = init_fn(jax.random.key(0), (-1, 3))
    assert shape == (-1, 1)
    assert apply_fn(params, _X(2, 5)).shape == (5, 1)
    init_fn, apply_fn, _ = stax.serial(stax.Dense(4), stax.FanOut(2),
                                       stax.parallel(stax.Dense(4), stax.Identity()),
                                       stax.FanInSum())
    _, params = init_fn(jax.random.key(1), (-1, 3))
    X = _X(3, 2)
    inner = X @ params[0][0] / np.sqrt(3)
    np.testing.assert_allclose(apply_fn(params, X), inner + inner @ params[2][0][0] / 2,
                               rtol=1e-12)
