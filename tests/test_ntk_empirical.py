"""empirical_ntk: three strategies, batching, outputs, parametrisations, bad input."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

from kernelrich.ntk import MLP, apply_mlp, empirical_ntk, infinite_ntk, layer_signals


def _X(seed=0, n=7, d=3):
    return np.random.default_rng(seed).standard_normal((n, d))


@pytest.mark.parametrize("parametrization,outputs", [
    ("ntk", "full"), ("standard", "full"),
    pytest.param("standard", "trace", marks=pytest.mark.slow)])
def test_strategies_agree(parametrization, outputs):
    """The three routes (Jacobian, NTK-vector products, structured) to 1e-12, both
    parametrisations, two outputs."""
    model = MLP((3, 24, 16, 2), key=jax.random.key(0), activation="gelu",
                parametrization=parametrization)
    X, Z = _X(0), _X(1, 5)
    for X2 in (None, Z):
        ref = empirical_ntk(apply_mlp, model, X, X2, method="jacobian", outputs=outputs)
        for method, batch in [("ntvp", None), ("structured", None), ("jacobian", 3)]:
            K = empirical_ntk(apply_mlp, model, X, X2, method=method, outputs=outputs,
                              batch_size=batch)
            assert K.shape == ref.shape
            np.testing.assert_allclose(K, ref, rtol=0, atol=1e-12 * np.abs(ref).max())


def test_outputs_trace_and_mean_reduce_full():
    model = MLP((3, 8, 3), key=jax.random.key(1))
    X = _X(2, 4)
    full = empirical_ntk(apply_mlp, model, X, outputs="full", batch_size=3)
    trace = empirical_ntk(apply_mlp, model, X, outputs="trace", method="ntvp")
    np.testing.assert_allclose(np.trace(full, axis1=2, axis2=3), trace, rtol=1e-12)
    np.testing.assert_allclose(empirical_ntk(apply_mlp, model, X, outputs="mean"), trace / 3,
                               rtol=1e-12)


def test_definition_by_explicit_jacobian():
    """Theta = J J^T with J from jax.jacfwd on the flattened parameters."""
    model = MLP((3, 8, 1), key=jax.random.key(2), activation="sigmoid")
    X = _X(3, 4)
    flat, unravel = ravel_pytree(eqx.filter(model, eqx.is_inexact_array))
    static = eqx.filter(model, eqx.is_inexact_array, inverse=True)
    J = jax.jacfwd(lambda p: eqx.combine(unravel(p), static)(X)[:, 0])(flat)
    np.testing.assert_allclose(empirical_ntk(apply_mlp, model, X), J @ J.T, rtol=1e-12)


def test_generic_model_and_scalar_output():
    def apply(params, X):
        return jnp.tanh(X @ params["w"]) @ params["v"]

    params = {"w": jnp.ones((3, 5)) * 0.3, "v": jnp.arange(5.0)}
    X = _X(4, 6)
    a = empirical_ntk(apply, params, X, method="jacobian")
    b = empirical_ntk(apply, params, X, method="ntvp")
    assert a.shape == (6, 6)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_symmetric_exactly():
    model = MLP((3, 16, 16, 1), key=jax.random.key(5))
    K = empirical_ntk(apply_mlp, model, _X(6, 11), batch_size=4)
    assert np.array_equal(K, K.T)


def test_signals_are_gradients():
    """delta_l from `layer_signals` is d f / d a^(l+1), checked by autodiff."""
    model = MLP((3, 6, 5, 1), key=jax.random.key(7), activation="tanh")
    x = jnp.asarray(_X(8, 1))
    signals = layer_signals(model, x)
    pre = model.preactivations(x)

    def from_layer(a, layer):
        h = a
        for k in range(layer + 1, model.depth):
            s, c = model.layer_scales()
            h = s[k] * (model.activation(h) @ model.weights[k].T) + c * model.biases[k]
        return h[0, 0]

    for layer in range(model.depth):
        grad = jax.grad(from_layer)(pre[layer], layer)
        np.testing.assert_allclose(signals[layer][1][0, :, 0], grad[0], rtol=1e-12)


@pytest.mark.slow
def test_wide_mean_near_limit():
    X = _X(9, 4)
    limit = infinite_ntk(X, depth=3, bias_std=0.1)
    Ks = [empirical_ntk(apply_mlp, MLP((3, 1024, 1024, 1), key=jax.random.key(s)), X)
          for s in range(8)]
    err = np.abs(np.mean(Ks, axis=0) - limit)
    assert (err <= 5 * np.std(Ks, axis=0) / np.sqrt(8) + 1e-2).all()


def test_structured_matches_jacobian_at_width_10000():
    model = MLP((2, 10_000, 1), key=jax.random.key(0))
    X = _X(1, 3, 2)
    K = empirical_ntk(apply_mlp, model, X)
    ref = empirical_ntk(apply_mlp, model, X, method="jacobian")
    np.testing.assert_allclose(K, ref, rtol=1e-12)


@pytest.mark.parametrize("kwargs,name", [
    ({"X2": np.ones((2, 4))}, "X2"),
    ({"X2": np.ones((2, 3), dtype=np.float32)}, "X2"),
    ({"method": "fast"}, "method"),
    ({"outputs": "diag"}, "outputs"),
    ({"batch_size": 0}, "batch_size"),
])
def test_bad_input(kwargs, name):
    model = MLP((3, 4, 1), key=jax.random.key(0))
    with pytest.raises(ValueError, match=name):
        empirical_ntk(apply_mlp, model, np.ones((3, 3)), **kwargs)


def test_bad_input_nan_and_structured_misuse():
    model = MLP((3, 4, 1), key=jax.random.key(0))
    X = np.ones((3, 3))
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X1"):
        empirical_ntk(apply_mlp, model, X)
    with pytest.raises(ValueError, match="structured"):
        empirical_ntk(lambda p, x: p(x), model, np.ones((3, 3)), method="structured")
    with pytest.raises(ValueError, match="X1"):
        empirical_ntk(apply_mlp, model, np.ones((3, 5)))


@pytest.mark.parametrize("kwargs,name", [
    ({"widths": (3,)}, "widths"), ({"widths": (3, 0, 1)}, "widths"),
    ({"beta": -1.0}, "beta"), ({"activation": "softsign"}, "activation"),
    ({"parametrization": "mup"}, "parametrization"),
    ({"activation": lambda x: x.sum()}, "activation"),
])
def test_bad_network(kwargs, name):
    args = {"widths": (3, 4, 1)} | kwargs
    with pytest.raises(ValueError, match=name):
        MLP(args.pop("widths"), key=jax.random.key(0), **args)


_COMPILES = []
jax.monitoring.register_event_duration_secs_listener(
    lambda event, duration, **kw: _COMPILES.append(event)
    if event == "/jax/core/compile/backend_compile_duration" else None)


@pytest.mark.parametrize("method", ["jacobian", "ntvp"])
def test_new_parameters_of_the_same_model_compile_nothing(method):
    """The generic routes take the parameters as an argument of their compiled programs
    (they were closed over, so every call compiled again): a second draw of the same model,
    or a second call, reuses them, and its kernel is the new draw's."""
    def apply(params, X):
        return jnp.tanh(X @ params["w"]) @ params["v"]

    X = _X(4, 6)
    first = {"w": jnp.ones((3, 5)) * 0.3, "v": jnp.arange(5.0)}
    second = {"w": jnp.ones((3, 5)) * -0.2, "v": jnp.arange(5.0) ** 2}
    a = empirical_ntk(apply, first, X, method=method)
    before = len(_COMPILES)
    b = empirical_ntk(apply, second, X, method=method)
    again = empirical_ntk(apply, first, X, method=method)
    assert len(_COMPILES) == before
    np.testing.assert_array_equal(again, a)
    reference = empirical_ntk(apply, second, X, method="jacobian" if method == "ntvp"
                              else "ntvp")
    np.testing.assert_allclose(b, reference, rtol=1e-12)
    assert np.abs(b - a).max() > 0.1 * np.abs(a).max()
