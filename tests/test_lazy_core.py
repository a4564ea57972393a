"""kernelrich.lazy: linearisation, scaled objective, centring, the criterion's norms, bad input."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.flatten_util import ravel_pytree

from kernelrich import lazy
from kernelrich.ntk import empirical_ntk


def _data(n=6, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, np.sin(X[:, 0])


def _net(m=6, d=3, seed=0, symmetrised=True):
    return lazy.two_layer_init(jax.random.key(seed), m, d, symmetrised=symmetrised)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000), eps=st.sampled_from([1e-3, 1e-4]))
def test_linearize_is_first_order_taylor(seed, eps):
    X, _ = _data()
    p0 = _net(seed=seed, symmetrised=False)
    v = lazy.two_layer_init(jax.random.key(seed + 1), 6, 3, symmetrised=False)
    bar = lazy.linearize(lazy.smooth_two_layer, p0)
    shift = jax.tree_util.tree_map(lambda a, b: a + eps * b, p0, v)
    back = jax.tree_util.tree_map(lambda a, b: a - eps * b, p0, v)
    h = lazy.smooth_two_layer
    central = (h(shift, X) - h(back, X)) / (2 * eps)
    jvp = (bar(shift, X) - h(p0, X)) / eps
    # central differences err by O(eps^2) * |D^3 h| for this smooth model
    np.testing.assert_allclose(jvp, central, atol=50 * eps**2, rtol=0)
    np.testing.assert_allclose(bar(p0, X), h(p0, X), atol=1e-15)


def test_linearize_matches_dense_jacobian():
    X, _ = _data()
    p0, v = _net(symmetrised=False), _net(seed=3, symmetrised=False)
    theta0, unravel = ravel_pytree(p0)
    J = jax.jacfwd(lambda t: lazy.smooth_two_layer(unravel(t), X))(theta0)
    w = jax.tree_util.tree_map(jnp.add, p0, v)
    expect = lazy.smooth_two_layer(p0, X) + J @ ravel_pytree(v)[0]
    np.testing.assert_allclose(lazy.linearize(lazy.smooth_two_layer, p0)(w, X), expect,
                               rtol=1e-12, atol=1e-12)


def test_scaled_objective():
    X, y = _data()
    p0 = _net(symmetrised=False)
    F = lazy.scaled_objective(lazy.two_layer, X, y, 7.0)
    expect = float(np.mean((7.0 * np.asarray(lazy.two_layer(p0, X)) - y) ** 2)) / 2 / 49.0
    assert float(F(p0)) == pytest.approx(expect, rel=1e-13)


def test_centring_constructions_vanish_at_init():
    X, _ = _data()
    g0 = _net(symmetrised=False)
    assert float(jnp.linalg.norm(lazy.two_layer(g0, X))) > 1e-3
    for make in (lazy.antisymmetric, lazy.subtract_initial):
        f, w0 = make(lazy.two_layer, g0)
        assert float(jnp.max(jnp.abs(f(w0, X)))) == 0.0
    assert float(jnp.max(jnp.abs(lazy.two_layer(_net(), X)))) < 1e-15
    f, w0 = lazy.subtract_initial(lazy.two_layer, g0)
    grad = jax.grad(lambda p: jnp.sum(f(p, X) ** 2 + f(p, X)))(w0)
    assert all(float(jnp.max(jnp.abs(leaf))) == 0 for leaf in jax.tree_util.tree_leaves(grad[1]))


def test_check_centred_warns_with_norm_and_remedy():
    X, _ = _data()
    with pytest.warns(lazy.UncentredWarning, match=r"\|\|h\(w0\)\|\|_F = .*antisymmetric"):
        norm = lazy.check_centred(lazy.two_layer, _net(symmetrised=False), X, theorem="Thm 2.2")
    assert norm > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lazy.check_centred(lazy.two_layer, _net(), X, theorem="Thm 2.2") < 1e-12


@pytest.mark.slow
def test_operator_norms_against_dense():
    X, y = _data(n=4)
    p0 = _net(m=4, symmetrised=False)
    theta, unravel = ravel_pytree(p0)

    def h(t):
        return lazy.smooth_two_layer(unravel(t), X) / np.sqrt(len(X))

    J = np.asarray(jax.jacfwd(h)(theta))
    H = np.asarray(jax.hessian(h)(theta))  # (n, p, p)
    jn, hn = lazy.operator_norms(lazy.smooth_two_layer, p0, X, iterations=30, restarts=4)
    assert jn == pytest.approx(np.linalg.svd(J, compute_uv=False)[0], rel=1e-8)
    upper = np.sqrt(sum(np.linalg.norm(Hi, 2) ** 2 for Hi in H))
    rng = np.random.default_rng(0)
    lower = max(np.linalg.norm(np.einsum("k,kij->ij", e / np.linalg.norm(e), H), 2)
                for e in rng.standard_normal((2000, len(X))))
    assert lower * (1 - 1e-6) <= hn <= upper * (1 + 1e-9)


def test_operator_norms_scalar_output():
    """One output: ||Dh|| is the gradient's norm, ||D^2h|| the Hessian's spectral norm."""
    X, _ = _data(n=1)
    p0 = _net(m=4, symmetrised=False)
    theta, unravel = ravel_pytree(p0)

    def h(t):
        return lazy.smooth_two_layer(unravel(t), X)[0]

    jn, hn = lazy.operator_norms(lazy.smooth_two_layer, p0, X, iterations=20, restarts=2)
    assert jn == pytest.approx(np.linalg.norm(np.asarray(jax.grad(h)(theta))), rel=1e-10)
    assert hn == pytest.approx(np.linalg.norm(np.asarray(jax.hessian(h)(theta)), 2), rel=1e-8)


def test_kappa_scales_like_one_over_alpha_when_centred():
    X, y = _data(n=1)  # the shapes of the test above: its compiled estimator is reused
    lz = lazy.laziness(lazy.smooth_two_layer, _net(m=4), X, y, np.array([1.0, 10.0, 100.0]),
                       iterations=20, restarts=2)
    np.testing.assert_allclose(lz.kappa * lz.alpha, lz.kappa[0], rtol=1e-12)
    assert lz.h0_norm < 1e-12
    un = lazy.laziness(lazy.smooth_two_layer, _net(m=4, symmetrised=False), X, y,
                       np.array([1e3, 1e4]), iterations=20, restarts=2)
    assert un.kappa[1] / un.kappa[0] > 0.5  # uncentred: kappa stops shrinking


def test_gaussian_init_is_symmetrised_and_has_gaussian_rows():
    d = 100
    w = lazy.two_layer_gaussian_init(jax.random.key(0), 200, d)
    assert float(jnp.abs(lazy.two_layer(w, jnp.eye(d))).max()) < 1e-12  # h(w0) = 0
    np.testing.assert_array_equal(w["a"][:100], w["a"][100:])
    assert (w["b"][:100] >= 0).all() and (w["b"][100:] == -w["b"][:100]).all()
    norms = np.linalg.norm(w["a"], axis=1)
    assert abs(norms.mean() / np.sqrt(d) - 1) < 0.03  # randn rows: norm about sqrt(d)
    u = lazy.two_layer_gaussian_init(jax.random.key(0), 3, 5, tau=2.0, symmetrised=False)
    assert u["a"].shape == (3, 5) and (u["b"] < 0).any()
    with pytest.raises(ValueError, match="m must be even"):
        lazy.two_layer_gaussian_init(jax.random.key(0), 3, 5)


def test_kernel_change():
    X, _ = _data()
    p0 = _net()
    assert lazy.kernel_change(lazy.two_layer, p0, p0, X) == 0.0
    p1 = jax.tree_util.tree_map(lambda v: 1.1 * v, p0)
    # 2-homogeneous net: scaling all weights by c scales the tangent kernel by c^2
    assert lazy.kernel_change(lazy.two_layer, p0, p1, X) == pytest.approx(0.21, rel=1e-10)


@pytest.mark.slow
def test_kernel_change_matches_empirical_ntk():
    """Against kernelrich.ntk's empirical kernel (an independent route), batched over 2 x 1."""
    X, _ = _data()
    f, w0 = lazy.subtract_initial(lazy.smooth_two_layer, _net(symmetrised=False))
    ps = [jax.tree_util.tree_map(lambda v, c=c: v * c, w0) for c in (0.9, 2.0)]
    stacked = jax.tree_util.tree_map(lambda *v: jnp.stack(v).reshape((2, 1) + v[0].shape), *ps)
    got = lazy.kernel_change(f, w0, stacked, X, batched=True)
    K0 = empirical_ntk(f, w0, X, outputs="full")
    expect = [np.linalg.norm(empirical_ntk(f, p, X, outputs="full") - K0) / np.linalg.norm(K0)
              for p in ps]
    np.testing.assert_allclose(got.ravel(), expect, rtol=1e-10)


@pytest.mark.parametrize("alpha", [0.0, -1.0, np.nan, [1.0, -2.0]])
def test_bad_alpha(alpha):
    X, y = _data()
    with pytest.raises(ValueError, match="alpha"):
        lazy.lazy_flow(lazy.two_layer, _net(), X, y, alpha, [0.0, 1.0])
    with pytest.raises(ValueError, match="alpha"):
        lazy.lazy_descent(lazy.two_layer, _net(), X, y, alpha, step=0.1, steps=1)
    with pytest.raises(ValueError, match="alpha"):
        lazy.laziness(lazy.two_layer, _net(), X, y, alpha)


def test_bad_shapes():
    X, y = _data()
    with pytest.raises(ValueError, match="X"):
        lazy.lazy_flow(lazy.two_layer, _net(), X[:, :2], y, 1.0, [0.0, 1.0])
    with pytest.raises(ValueError, match="y"):
        lazy.lazy_descent(lazy.two_layer, _net(), X, y[:-1], 1.0, step=0.1, steps=1)
    with pytest.raises(ValueError, match="X_test"):
        lazy.lazy_descent(lazy.two_layer, _net(), X, y, 1.0, step=0.1, steps=1,
                          X_test=X[:, :2], y_test=y)
    with pytest.raises(ValueError, match="times"):
        lazy.lazy_flow(lazy.two_layer, _net(), X, y, 1.0, [1.0, 0.5])
    with pytest.raises(ValueError, match="step"):
        lazy.lazy_descent(lazy.two_layer, _net(), X, y, 1.0, step=0.0, steps=1)
    with pytest.raises(ValueError, match="params0"):
        lazy.lazy_descent(lazy.two_layer, {"a": jnp.ones((2, 4, 3)), "b": jnp.ones((3, 4))},
                          X, y, 1.0, step=0.1, steps=1, batched=True)
