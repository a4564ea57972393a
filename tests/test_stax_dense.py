"""kernelrich.stax on fully connected networks: against kernelrich.ntk's recursion, the two
parameterisations written out by hand, the calling convention, and the blocking."""

import jax
import numpy as np
import pytest

from kernelrich import stax
from kernelrich.ntk import infinite_kernels

ACTS = {"relu": stax.Relu, "erf": stax.Erf, "gelu": stax.Gelu, "abs": stax.Abs,
        "tanh": lambda: stax.ElementwiseNumerical(jax.numpy.tanh)}


def _X(seed=0, n=6, d=3, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal((n, d))


def _mlp(act, depth=3, beta=0.3, width=16, **kw):
    layers = []
    for _ in range(depth - 1):
        layers += [stax.Dense(width, W_std=1.0, b_std=beta, **kw), ACTS[act]()]
    return stax.serial(*layers, stax.Dense(1, W_std=1.0, b_std=beta, **kw))


@pytest.mark.parametrize("act", list(ACTS))
def test_mlp_equals_ntk_module(act):
    """serial(Dense, act, ..., Dense) as a user writes it (any width; tanh as
    ElementwiseNumerical) is what kernelrich.ntk.infinite_kernels builds and evaluates."""
    X, Z = _X(0, 6, 3, scale=2.0), _X(1, 4, 3, scale=2.0)
    _, _, kernel_fn = _mlp(act)
    for args in [(X,), (X, Z)]:
        ours = kernel_fn(*args)
        ref = infinite_kernels(*args, depth=3, activation=act, bias_std=0.3)
        for got, want in zip(ours, ref, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15 * np.abs(want).max())


def _relu_by_hand(X, W, b):
    """Depth 2, ReLU, NTK parameterisation: Sigma1 = W^2 x.x'/d + b^2, Sigma2 =
    W^2 E[relu relu] + b^2, Theta2 = Sigma2 + W^2 Sigma1 E[relu' relu'], at (x_0, x_1)."""
    w2, b2 = W ** 2, b ** 2
    s = w2 * X @ X.T / X.shape[1] + b2
    cos = s[0, 1] / np.sqrt(s[0, 0] * s[1, 1])
    theta = np.arccos(cos)
    e = np.sqrt(s[0, 0] * s[1, 1]) * (np.sin(theta) + (np.pi - theta) * cos) / (2 * np.pi)
    edot = (np.pi - theta) / (2 * np.pi)
    return w2 * e + b2, w2 * e + b2 + w2 * s[0, 1] * edot, w2 * s[0, 0] / 2 + b2


def test_weight_and_bias_scales_by_hand():
    """W_std = 1.5, b_std = 0.4 (`_relu_by_hand`)."""
    X = _X(2, 2, 2)
    nngp, ntk, diagonal = _relu_by_hand(X, 1.5, 0.4)
    _, _, kernel_fn = stax.serial(stax.Dense(5, W_std=1.5, b_std=0.4), stax.Relu(),
                                  stax.Dense(1, W_std=1.5, b_std=0.4))
    k = kernel_fn(X)
    assert k.nngp[0, 1] == pytest.approx(nngp, rel=1e-14)
    assert k.ntk[0, 1] == pytest.approx(ntk, rel=1e-14)
    assert k.nngp[0, 0] == pytest.approx(diagonal, rel=1e-15)


_COMPILES = []
jax.monitoring.register_event_duration_secs_listener(
    lambda event, duration, **kw: _COMPILES.append(event)
    if event == "/jax/core/compile/backend_compile_duration" else None)


def test_networks_differing_in_scales_share_compiled_passes():
    """W_std and b_std are traced arguments of the passes: a network that differs from one
    already evaluated only in them compiles nothing, and its kernels are its own."""
    X = _X(4, 5, 3)
    for W, b, compiles in [(1.3, 0.2, None), (0.8, 1.1, 0), (2.0, 0.0, 0)]:
        _, _, kernel_fn = stax.serial(stax.Dense(7, W_std=W, b_std=b), stax.Relu(),
                                      stax.Dense(1, W_std=W, b_std=b))
        before = len(_COMPILES)
        k = kernel_fn(X)
        if compiles is not None:
            assert len(_COMPILES) - before == compiles
        nngp, ntk, diagonal = _relu_by_hand(X, W, b)
        assert k.nngp[0, 1] == pytest.approx(nngp, rel=1e-14)
        assert k.ntk[0, 1] == pytest.approx(ntk, rel=1e-14)
        assert k.nngp[0, 0] == pytest.approx(diagonal, rel=1e-15)


def test_standard_parameterisation_by_hand():
    """Standard: Theta1 = d Sigma0 + 1, Theta2 = n1 E[relu relu] + W^2 Theta1 Edot + 1 with
    the finite widths d = 3, n1 = 7 (as neural-tangents)."""
    X = _X(3, 2, 3)
    W, b = 1.2, 0.5
    s0 = X @ X.T / 3
    s1 = W ** 2 * s0 + b ** 2
    t1 = 3 * s0 + 1
    cos = s1[0, 1] / np.sqrt(s1[0, 0] * s1[1, 1])
    theta = np.arccos(cos)
    e = np.sqrt(s1[0, 0] * s1[1, 1]) * (np.sin(theta) + (np.pi - theta) * cos) / (2 * np.pi)
    edot = (np.pi - theta) / (2 * np.pi)
    _, _, kernel_fn = stax.serial(stax.Dense(7, W, b, parameterization="standard"),
                                  stax.Relu(), stax.Dense(1, W, b, parameterization="standard"))
    k = kernel_fn(X)
    assert k.ntk[0, 1] == pytest.approx(7 * e + W ** 2 * t1[0, 1] * edot + 1, rel=1e-14)
    assert k.nngp[0, 1] == pytest.approx(W ** 2 * e + b ** 2, rel=1e-14)


def test_get_conventions():
    X = _X(4)
    _, _, kernel_fn = _mlp("relu")
    both = kernel_fn(X)
    assert both._fields == ("nngp", "ntk")
    np.testing.assert_array_equal(kernel_fn(X, get="ntk"), both.ntk)
    np.testing.assert_array_equal(kernel_fn(X, None, "nngp"), both.nngp)
    flipped = kernel_fn(X, get=("ntk", "nngp"))
    assert flipped._fields == ("ntk", "nngp")
    np.testing.assert_array_equal(flipped.nngp, both.nngp)
    assert both.ntk.dtype == np.float64 and isinstance(both.ntk, np.ndarray)
    single = kernel_fn(X, get=("ntk",))
    assert single._fields == ("ntk",)


def test_x2_equal_to_x1_is_the_symmetric_gram():
    X = _X(5)
    _, _, kernel_fn = _mlp("relu")
    np.testing.assert_array_equal(kernel_fn(X, X.copy()).ntk, kernel_fn(X).ntk)


def test_blocks_match_one_block():
    X, Z = _X(6, 23, 3), _X(7, 17, 3)
    _, _, kernel_fn = _mlp("erf")
    whole, sym = kernel_fn(X, Z), kernel_fn(X)
    for got, want in [(kernel_fn(X, Z, batch_size=5), whole), (kernel_fn(X, batch_size=4), sym),
                      (kernel_fn(X, memory_bytes=2**16), sym)]:
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-14)


def test_finite_network_shapes_and_parameterisations():
    init_fn, apply_fn, _ = _mlp("relu", width=32)
    shape, params = init_fn(jax.random.key(0), (-1, 3))
    assert shape == (-1, 1) and params[0][0].shape == (3, 32) and params[1] == ()
    out = apply_fn(params, _X(8, 5, 3))
    assert out.shape == (5, 1)
    init_s, apply_s, _ = _mlp("relu", width=32, parameterization="standard")
    _, params_s = init_s(jax.random.key(0), (-1, 3))
    np.testing.assert_allclose(apply_s(params_s, _X(8, 5, 3)), out, rtol=1e-12)
