"""`kernelrich.ntk.empirical_ntk` and `kernelrich.lazy` on inputs of any shape (n, ...): a CNN
from `kernelrich.stax` on images, without flattening, against stax's own empirical kernels
(an independent route: one vjp per output channel) and against the flattened call."""

import jax
import numpy as np
import pytest

from kernelrich import lazy, stax
from kernelrich.ntk import empirical_ntk


def _cnn():
    init_fn, apply_fn, _ = stax.serial(
        stax.Conv(3, (2, 2), padding="SAME", W_std=1.4, b_std=0.1), stax.Relu(),
        stax.AvgPool((2, 2)), stax.Conv(3, (2, 2)), stax.Erf(), stax.GlobalAvgPool(),
        stax.Dense(2))
    X = np.random.default_rng(3).standard_normal((5, 4, 4, 1))
    return init_fn(jax.random.key(4), X.shape)[1], apply_fn, X


@pytest.mark.parametrize("method", ["jacobian", "ntvp"])
def test_empirical_ntk_takes_images_and_matches_stax(method):
    params, apply_fn, X = _cnn()
    ref = stax.empirical_kernels(apply_fn, params, X, get="ntk")
    got = empirical_ntk(apply_fn, params, X, method=method, outputs="mean")
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    cross = empirical_ntk(apply_fn, params, X[:2], X[2:], method=method, outputs="mean",
                          batch_size=2)
    np.testing.assert_allclose(cross, ref[:2, 2:], rtol=1e-12)


def test_empirical_ntk_refuses_images_of_another_shape():
    params, apply_fn, X = _cnn()
    with pytest.raises(ValueError, match="X2"):
        empirical_ntk(apply_fn, params, X, X[:, :2])


def test_lazy_kernel_change_takes_images_as_the_flattened_call():
    params, apply_fn, X = _cnn()
    moved = jax.tree_util.tree_map(lambda p: p * 1.1, params)
    got = lazy.kernel_change(apply_fn, params, moved, X)

    def flat(p, x):
        return apply_fn(p, x.reshape(-1, 4, 4, 1))

    ref = lazy.kernel_change(flat, params, moved, X.reshape(5, -1))
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    assert got > 0


def test_lazy_refuses_a_vector_without_batch_axis():
    params, apply_fn, _ = _cnn()
    with pytest.raises(ValueError, match="X"):
        lazy.kernel_change(apply_fn, params, params, np.ones(16))
