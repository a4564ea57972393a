"""Convolutional kernels of kernelrich.stax against the dense joint-covariance reference
(tests/_stax_reference.py): convolutions with every padding and strides, pooling, flattening,
LayerNorm and Dropout, both layouts (full position-position and diagonal), and spatial
outputs in neural-tangents' layout."""

import jax
import numpy as np
import pytest

from _stax_reference import Joint
from kernelrich import stax

W, B = 1.4, 0.3


def _conv(n, f, s=None, pad="VALID"):
    return stax.Conv(n, f, strides=s, padding=pad, W_std=W, b_std=B)


NETWORKS = {
    "same, valid stride 2, global average pool": (
        (5, 5, 2),
        [_conv(3, (3, 3), pad="SAME"), stax.Relu(), _conv(3, (2, 2), (2, 2)), stax.Relu(),
         stax.GlobalAvgPool(), stax.Dense(1, W, B)],
        lambda j: j.conv((3, 3), (1, 1), "SAME", W, B).relu().conv((2, 2), (2, 2), "VALID", W, B)
        .relu().global_avg_pool().dense(W, B)),
    "circular stride 2, average pool, flatten": (
        (5, 4, 2),
        [_conv(3, (3, 2), (2, 1), "CIRCULAR"), stax.Relu(),
         stax.AvgPool((2, 2), (1, 1), "SAME"), _conv(2, (2, 2), pad="SAME"), stax.Relu(),
         stax.Flatten(), stax.Dense(1, W, B)],
        lambda j: j.conv((3, 2), (2, 1), "CIRCULAR", W, B).relu().pool((2, 2), (1, 1), "SAME")
        .conv((2, 2), (1, 1), "SAME", W, B).relu().flatten().dense(W, B)),
    "1-D, flatten (diagonal layout)": (
        (7, 3),
        [_conv(3, (3,), pad="SAME"), stax.Relu(), _conv(3, (2,), (2,)), stax.Relu(),
         stax.Flatten(), stax.Dense(1, W, B)],
        lambda j: j.conv((3,), (1,), "SAME", W, B).relu().conv((2,), (2,), "VALID", W, B)
        .relu().flatten().dense(W, B)),
    "2-D, flatten (diagonal layout)": (
        (4, 4, 2),
        [_conv(3, (3, 3)), stax.Relu(), _conv(3, (2, 2), pad="SAME"), stax.Relu(),
         stax.Flatten(), stax.Dense(1, W, B)],
        lambda j: j.conv((3, 3), (1, 1), "VALID", W, B).relu().conv((2, 2), (1, 1), "SAME", W, B)
        .relu().flatten().dense(W, B)),
    "layer norm, dropout, sum pool": (
        (4, 4, 2),
        [_conv(3, (3, 3), pad="SAME"), stax.LayerNorm(axis=(1, 2, 3)), stax.Relu(),
         stax.Dropout(0.7), _conv(3, (2, 2)), stax.LayerNorm(), stax.Relu(),
         stax.SumPool((2, 2), (2, 2)), stax.GlobalAvgPool(), stax.Dense(1, W, B)],
        lambda j: j.conv((3, 3), (1, 1), "SAME", W, B).layer_norm(True).relu().dropout(0.7)
        .conv((2, 2), (1, 1), "VALID", W, B).layer_norm(False).relu()
        .pool((2, 2), (2, 2), "VALID", total=True).global_avg_pool().dense(W, B)),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_cnn_matches_joint_covariance_reference(name):
    shape, layers, reference = NETWORKS[name]
    X = np.random.default_rng(0).standard_normal((3,) + shape)
    _, _, kernel_fn = stax.serial(*layers)
    ref = reference(Joint(X)).kernels()
    got = kernel_fn(X)
    cross = kernel_fn(X[:2], X[2:])
    for g, c, r in zip(got, cross, ref, strict=True):
        scale = np.abs(r).max()
        assert np.abs(g - r).max() <= 1e-13 * scale
        if "dropout" not in name:  # distinct inputs: no mask correlation, as x1 != x2
            assert np.abs(c - r[:2, 2:]).max() <= 1e-13 * scale


def test_spatial_output_has_neural_tangents_layout():
    X = np.random.default_rng(1).standard_normal((2, 4, 3, 2))
    _, _, kernel_fn = stax.serial(_conv(3, (3, 3), pad="SAME"), stax.Relu(),
                                  _conv(3, (2, 2)))
    ref = Joint(X).conv((3, 3), (1, 1), "SAME", W, B).relu().conv((2, 2), (1, 1), "VALID", W, B)
    nngp, ntk = kernel_fn(X)
    for got, r in [(nngp, ref.sigma), (ntk, ref.theta)]:
        r = r.reshape(2, 3, 2, 2, 3, 2).transpose(0, 3, 1, 4, 2, 5)
        assert got.shape == (2, 2, 3, 3, 2, 2)
        np.testing.assert_allclose(got, r, rtol=1e-13, atol=1e-14 * np.abs(r).max())


def test_diagonal_and_full_layouts_agree():
    """A 1x1 average pool is the identity but forces the full layout."""
    X = np.random.default_rng(2).standard_normal((3, 5, 5, 1))
    body = [_conv(4, (3, 3), pad="SAME"), stax.Erf(), _conv(4, (3, 3), (2, 2)), stax.Gelu()]
    diagonal = stax.serial(*body, stax.Flatten(), stax.Dense(1))[2](X)
    full = stax.serial(*body, stax.AvgPool((1, 1)), stax.Flatten(), stax.Dense(1))[2](X)
    for a, b in zip(diagonal, full, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_one_by_one_convolution_is_a_dense_layer_per_position():
    X = np.random.default_rng(3).standard_normal((3, 3, 2, 4))
    conv = stax.serial(stax.Conv(5, (1, 1), W_std=W, b_std=B), stax.Relu(), stax.Flatten(),
                       stax.Dense(1, W, B))[2](X)
    dense = stax.serial(stax.Dense(5, W, B), stax.Relu(), stax.Flatten(),
                        stax.Dense(1, W, B))[2](X)
    for a, b in zip(conv, dense, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_finite_cnn_shapes_match_init():
    init_fn, apply_fn, _ = stax.serial(_conv(6, (3, 3), (2, 2), "CIRCULAR"), stax.Relu(),
                                       stax.AvgPool((2, 2), padding="SAME"), _conv(4, (2, 2)),
                                       stax.GlobalAvgPool(), stax.Dense(3))
    shape, params = init_fn(jax.random.key(0), (-1, 7, 6, 2))
    out = apply_fn(params, np.ones((5, 7, 6, 2)))
    assert shape == (-1, 3) and out.shape == (5, 3)
    assert params[0][0].shape == (3, 3, 2, 6)
