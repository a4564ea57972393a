"""infinite_nngp / infinite_ntk (Jacot et al. 2018, Thm 1) against independent routes."""

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernelrich.ntk import infinite_kernels, infinite_nngp, infinite_ntk
from kernelrich.ntk._activations import activation
from kernelrich.ntk._gaussian import dual
from kernelrich.ntk._quadrature import node_counts, quadrature_dual


def _X(seed=0, n=6, d=3):
    return np.random.default_rng(seed).standard_normal((n, d))


def test_depth_one_is_the_linear_kernel():
    X = _X()
    expected = X @ X.T / 3 + 0.1**2
    np.testing.assert_allclose(infinite_nngp(X, depth=1), expected, rtol=1e-15)
    np.testing.assert_allclose(infinite_ntk(X, depth=1), expected, rtol=1e-15)


def test_depth_two_relu_by_hand():
    """Theta^(2) = Sigma^(1) Sigmadot^(2) + Sigma^(2), written out for two points."""
    x, z = np.array([1.0, 0.0]), np.array([0.6, 0.8])
    beta2 = 0.25
    s11, s22, s12 = x @ x / 2 + beta2, z @ z / 2 + beta2, x @ z / 2 + beta2
    theta = np.arccos(s12 / np.sqrt(s11 * s22))
    e = np.sqrt(s11 * s22) * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)
    edot = (np.pi - theta) / (2 * np.pi)
    X = np.stack([x, z])
    nngp, ntk = infinite_kernels(X, depth=2, bias_std=0.5)
    assert nngp[0, 1] == pytest.approx(e + beta2, rel=1e-14)
    assert ntk[0, 1] == pytest.approx(s12 * edot + e + beta2, rel=1e-14)


@pytest.mark.parametrize("act,tol", [("erf", 1e-12), ("gelu", 1e-12), ("relu", 2e-2),
                                     ("abs", 3e-2)])
def test_closed_form_matches_quadrature(act, tol):
    """Smooth activations: the quadrature agrees to rounding; kinked ones (relu, abs) converge
    only algebraically in the trapezoid rule, and agree to about 1e-2."""
    X = _X(2, 8, 4)
    closed = np.stack(infinite_kernels(X, depth=4, activation=act, method="closed_form"))
    quad = np.stack(infinite_kernels(X, depth=4, activation=act, method="quadrature"))
    assert np.abs(closed - quad).max() <= tol * np.abs(closed).max()


def test_quadrature_converges_exponentially_for_erf():
    X = _X(3, 3, 4)
    closed = infinite_ntk(X, depth=2, activation="erf")
    errors = [np.abs(infinite_ntk(X, depth=2, activation="erf", method="quadrature", order=k)
                     - closed).max() for k in (16, 24, 32)]
    assert errors[1] < 0.1 * errors[0] and errors[2] < 0.1 * errors[1]


@pytest.mark.parametrize("name", ["relu", "abs", "erf", "tanh", "gelu", "sigmoid"])
def test_duals_match_monte_carlo(name):
    a = activation(name)
    cov = np.array([[0.8, -0.3], [-0.3, 1.5]])
    uv = np.random.default_rng(4).multivariate_normal(np.zeros(2), cov, size=200_000)
    value, slope = dual(a, cov[0, 0], cov[1, 1], cov[0, 1], quadrature=False,
                        nodes=node_counts(1.5))
    for got, s in [(value, a(uv[:, 0]) * a(uv[:, 1])),
                   (slope, a.derivative(uv[:, 0]) * a.derivative(uv[:, 1]))]:
        s = np.asarray(s)
        assert abs(float(got) - s.mean()) <= 5 * s.std() / np.sqrt(s.size)


def test_user_activation_equals_builtin():
    X = _X(5, 3)
    mine = infinite_ntk(X, depth=2, activation=lambda x: jax.numpy.tanh(x), order=24)
    ref = infinite_ntk(X, depth=2, activation="tanh", order=24)
    np.testing.assert_allclose(mine, ref, rtol=1e-13)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 5),
       beta=st.floats(0.0, 2.0), act=st.sampled_from(["relu", "erf"]))
def test_symmetric_psd_and_consistent_with_cross(seed, depth, beta, act):
    X = _X(seed, 7, 3)
    nngp, ntk = infinite_kernels(X, depth=depth, bias_std=beta, activation=act)
    for K in (nngp, ntk):
        assert np.array_equal(K, K.T)
        assert np.linalg.eigvalsh(K).min() >= -1e-12 * np.abs(K).max()
    cross = infinite_ntk(X[:3], X[3:].copy(), depth=depth, bias_std=beta, activation=act)
    np.testing.assert_allclose(cross, ntk[:3, 3:], rtol=1e-12, atol=1e-14)


def test_diagonal_is_exact_for_relu():
    """theta = 0 on the diagonal: Sigmadot = 1/2, E relu^2 = Sigma / 2, with no arccos."""
    X = _X(11, 9, 5)
    sigma = (X * X).sum(1) / 5 + 0.01
    theta = sigma
    for _ in range(3):
        sigma = sigma / 2 + 0.01
        theta = theta / 2 + sigma
    np.testing.assert_allclose(np.diag(infinite_ntk(X, depth=4)), theta, rtol=2e-16)


def test_tiling_matches_single_block(monkeypatch):
    from kernelrich.ntk import _infinite

    X, Z = _X(6, 70, 3), _X(7, 45, 3)
    whole = infinite_ntk(X, Z, depth=3)
    sym = infinite_ntk(X, depth=3)
    monkeypatch.setattr(_infinite, "BUDGET", 2**16)  # tiles of 26 x 26 (stax's 96 B/entry)
    np.testing.assert_allclose(infinite_ntk(X, Z, depth=3), whole, rtol=1e-14)
    np.testing.assert_allclose(infinite_ntk(X, depth=3), sym, rtol=1e-14)


@pytest.mark.parametrize("kwargs,name", [
    ({"X2": np.ones((2, 4))}, "X2"),
    ({"depth": 0}, "depth"),
    ({"depth": 2.5}, "depth"),
    ({"bias_std": -0.1}, "bias_std"),
    ({"activation": "swish"}, "activation"),
    ({"X2": np.ones((2, 3), dtype=np.float32)}, "X2"),
    ({"method": "exact"}, "method"),
    ({"activation": "tanh", "method": "closed_form"}, "closed_form"),
    ({"order": 4}, "order"),
    ({"order": 5000}, "order"),
])
def test_bad_input(kwargs, name):
    args = {"X2": None, "depth": 2} | kwargs
    with pytest.raises(ValueError, match=name):
        infinite_ntk(np.ones((3, 3)), args.pop("X2"), **args)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input(bad):
    X = np.ones((3, 2))
    X[1, 0] = bad
    with pytest.raises(ValueError, match="X1"):
        infinite_nngp(X, depth=2)
    with pytest.raises(ValueError, match="X2"):
        infinite_nngp(np.ones((3, 2)), X, depth=2)


def test_quadrature_dual_handles_zero_variance():
    """u = 0: E[tanh(0) tanh(v)] = 0 and E[tanh'(0) tanh'(v)] = E[tanh'(v)]."""
    nodes = node_counts(1.0)
    value, slope = quadrature_dual(activation("tanh"), 0.0, 1.0, 0.0, nodes)
    _, expected = quadrature_dual(activation("tanh"), 1.0, 1.0, 0.0, nodes)  # = E[tanh']^2
    assert float(value) == 0.0
    np.testing.assert_allclose(float(slope), np.sqrt(float(expected)), rtol=1e-13)


_COMPILES = []
jax.monitoring.register_event_duration_secs_listener(
    lambda event, duration, **kw: _COMPILES.append(event)
    if event == "/jax/core/compile/backend_compile_duration" else None)


def test_new_bias_std_or_new_size_in_a_bucket_compiles_nothing():
    """The stax network's passes take the bias scale as an argument, and blocks are padded
    to a few sizes (`kernelrich.ntk._blocks.bucket`): after one call, another bias_std or a
    Gram of a nearby size (50 and 52 rows: blocks of 56) reuses the compiled programs."""
    X = _X(12, 52, 4)
    first = infinite_ntk(X, depth=3, bias_std=0.3)
    before = len(_COMPILES)
    other_bias = infinite_ntk(X, depth=3, bias_std=0.7)
    nearby = infinite_ntk(X[:50], depth=3, bias_std=0.3)
    assert len(_COMPILES) == before
    np.testing.assert_allclose(nearby, first[:50, :50], rtol=1e-14)
    assert np.abs(other_bias - first).max() > 0.1
