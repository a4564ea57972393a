"""Bad input to kernelrich.stax: ValueErrors that name the layer (its place in serial) and
the argument, and a warning that names the cause of a kernel that is not PSD."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from kernelrich import stax

IMAGES = np.ones((2, 4, 4, 1))


def _kernel(*layers):
    return stax.serial(*layers)[2]


@pytest.mark.parametrize("layers,x,match", [
    ([stax.Conv(2, (3, 3)), stax.Relu()], np.ones((2, 8)), r"layer 0 \(Conv.*rank 4"),
    ([stax.Conv(2, (3, 3), padding="SAME")], np.ones((2, 1, 8, 8)), r"layer 0.*NCHW"),
    ([stax.Conv(2, (5, 5))], IMAGES, r"layer 0.*larger than the input.*VALID"),
    ([stax.Conv(2, (2, 2)), stax.AvgPool((4, 4))], IMAGES, r"layer 1 \(AvgPool.*larger"),
    ([stax.Dense(3), stax.FanOut(2), stax.parallel(stax.Dense(3), stax.Dense(4)),
      stax.FanInSum()], np.ones((2, 3)), r"layer 3 \(FanInSum\).*same shape"),
    ([stax.Dense(3), stax.FanOut(2), stax.parallel(stax.Relu(), stax.Identity()),
      stax.FanInSum()], np.ones((2, 3)), r"FanInSum.*correlated"),
    ([stax.Relu()], np.ones((2, 3)), r"layer 0 \(Relu\).*network's input"),
    ([stax.Dense(3), stax.Relu(), stax.Dropout(0.5), stax.Erf()], np.ones((2, 3)),
     r"layer 3 \(Erf\).*Gaussian.*Dropout"),
    ([stax.Conv(2, (2, 2)), stax.Relu(), stax.Flatten(), stax.Relu()], IMAGES,
     r"layer 3.*flatten"),
    ([stax.Dense(3), stax.Relu(), stax.LayerNorm()], np.ones((2, 3)),
     r"layer 2 \(LayerNorm.*Gaussian"),
    ([stax.Dropout(0.5)], np.ones((2, 3)), r"layer 0.*input"),
    ([stax.Dense(3), stax.serial(stax.Relu(), stax.Conv(2, (2, 2)))], np.ones((2, 3)),
     r"layer 1 > layer 1 \(Conv"),
    ([stax.Dense(3), stax.FanOut(2)], np.ones((2, 3)), r"2 branches"),
    ([stax.Conv(2, (2, 2)), stax.GlobalAvgPool(), stax.GlobalAvgPool()], IMAGES,
     r"layer 2.*spatial"),
])
def test_network_errors_name_the_layer(layers, x, match):
    with pytest.raises(ValueError, match=match):
        _kernel(*layers)(x)


@pytest.mark.parametrize("make,match", [
    (lambda: stax.Dense(3, W_std=-1.0), "W_std"),
    (lambda: stax.Dense(3, b_std=float("nan")), "b_std"),
    (lambda: stax.Dense(0), "out_dim"),
    (lambda: stax.Conv(3, (3, 0)), "filter_shape"),
    (lambda: stax.Conv(3, (3, 3), strides=(1,)), "strides"),
    (lambda: stax.Conv(3, (3, 3), padding="FULL"), "padding"),
    (lambda: stax.Dense(3, parameterization="mup"), "parameterization"),
    (lambda: stax.Dropout(0.0), "rate"),
    (lambda: stax.LayerNorm(eps=-1.0), "eps"),
    (lambda: stax.Rbf(0.0), "gamma"),
    (lambda: stax.ElementwiseNumerical(jnp.tanh, deg=0), "deg"),
    (lambda: stax.ElementwiseNumerical(lambda x: x[:1]), "elementwise"),
    (lambda: stax.serial((1, 2, 3)), "kernelrich.stax layer"),
])
def test_layer_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_inputs(bad):
    kernel_fn = _kernel(stax.Dense(3), stax.Relu(), stax.Dense(1))
    X = np.ones((3, 2))
    X[1, 0] = bad
    with pytest.raises(ValueError, match="x1 must be finite"):
        kernel_fn(X)
    with pytest.raises(ValueError, match="x2 must be finite"):
        kernel_fn(np.ones((3, 2)), X)


def test_call_arguments():
    kernel_fn = _kernel(stax.Dense(3), stax.Relu(), stax.Dense(1))
    with pytest.raises(ValueError, match="get"):
        kernel_fn(np.ones((2, 3)), get="cov1")
    with pytest.raises(ValueError, match="x2 must have the per-example shape"):
        kernel_fn(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="memory_bytes"):
        kernel_fn(np.ones((2, 3)), memory_bytes=10)
    with pytest.raises(ValueError, match="batch axis"):
        kernel_fn(np.ones(3))


def test_dropout_apply_needs_a_key():
    init_fn, apply_fn, _ = stax.serial(stax.Dense(3), stax.Dropout(0.5))
    _, params = init_fn(jax.random.key(0), (-1, 2))
    with pytest.raises(ValueError, match="rng"):
        apply_fn(params, np.ones((2, 2)))


def test_invalid_user_kernel_warns_with_its_cause():
    def nngp_fn(c, v1, v2):  # not a covariance: off-diagonal entries can beat the diagonal
        return c * (1 + (v1 - v2) ** 2)

    kernel_fn = _kernel(stax.Dense(3), stax.Elementwise(jnp.tanh, nngp_fn), stax.Dense(1))
    X = np.array([[1.0, 0.0], [2.0, 0.1]])
    with pytest.warns(stax.KernelWarning, match=r"layer 1 \(Elementwise"):
        kernel_fn(X)
