"""Every activation of kernelrich.stax against an independent adaptive 2-D integral
(tests/_adaptive_gaussian.py), at small and large input variances, through a network
Dense -> phi -> Dense (so NNGP = E[phi phi], NTK = Sigma E[phi' phi'] + E[phi phi])."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from _adaptive_gaussian import expectation
from kernelrich import stax


def _abrelu(a, b):
    return (lambda x: a * min(x, 0.0) + b * max(x, 0.0),
            lambda x: b if x > 0 else a)


def _sin(a, b, c):
    return (lambda x: a * math.sin(b * x + c), lambda x: a * b * math.cos(b * x + c))


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


CASES = {
    "ABRelu(-0.3, 1.7)": (lambda: stax.ABRelu(-0.3, 1.7), *_abrelu(-0.3, 1.7)),
    "LeakyRelu(0.1)": (lambda: stax.LeakyRelu(0.1), *_abrelu(0.1, 1.0)),
    "Relu": (stax.Relu, *_abrelu(0.0, 1.0)),
    "Abs": (stax.Abs, *_abrelu(-1.0, 1.0)),
    "Erf(0.7, 1.4, 0.2)": (lambda: stax.Erf(0.7, 1.4, 0.2),
                           lambda x: 0.7 * math.erf(1.4 * x) + 0.2,
                           lambda x: 0.7 * 1.4 * 2 / math.sqrt(math.pi) * math.exp(-1.96 * x * x)),
    "Gelu": (stax.Gelu, lambda x: 0.5 * x * math.erfc(-x / math.sqrt(2)),
             lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
             + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)),
    "Sin(1.1, 0.8, 0.3)": (lambda: stax.Sin(1.1, 0.8, 0.3), *_sin(1.1, 0.8, 0.3)),
    "Cos(0.9, 1.3, -0.2)": (lambda: stax.Cos(0.9, 1.3, -0.2), *_sin(0.9, 1.3, -0.2 + math.pi / 2)),
    "Rbf(0.7)": (lambda: stax.Rbf(0.7), *_sin(math.sqrt(2), math.sqrt(1.4), math.pi / 4)),
    "Sign": (stax.Sign, lambda x: math.copysign(1.0, x) if x else 0.0, lambda x: 0.0),
    "ElementwiseNumerical(softplus)": (
        lambda: stax.ElementwiseNumerical(jax.nn.softplus), _softplus,
        lambda x: 1 / (1 + math.exp(-x)) if x > -700 else 0.0),
    "Relu o Abs": (lambda: stax.serial(stax.Abs(), stax.Relu()), abs,
                   lambda x: math.copysign(1.0, x)),
    "Sin o Erf": (lambda: stax.serial(stax.Erf(), stax.Sin(1.0, 2.0, 0.5)),
                  lambda x: math.sin(2 * math.erf(x) + 0.5),
                  lambda x: 2 * math.cos(2 * math.erf(x) + 0.5) * 2 / math.sqrt(math.pi)
                  * math.exp(-x * x)),
}


def _points(norms, correlation):
    """Two points in R^2 with |x|^2 / 2 = norms and cosine `correlation`."""
    a, b = (math.sqrt(2 * n) for n in norms)
    angle = math.acos(correlation)
    return np.array([[a, 0.0], [b * math.cos(angle), b * math.sin(angle)]])


def _reference(f, df, X):
    S = X @ X.T / X.shape[1]
    E = np.array([[expectation(f, f, S[i, i], S[j, j], S[i, j]) for j in range(2)]
                  for i in range(2)])
    Edot = np.array([[expectation(df, df, S[i, i], S[j, j], S[i, j]) for j in range(2)]
                     for i in range(2)])
    return E, S * Edot + E


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("norms,correlation", [((0.5, 1.5), 0.6), ((3.0, 40.0), -0.8)])
def test_activation_matches_adaptive_reference(name, norms, correlation):
    make, f, df = CASES[name]
    X = _points(norms, correlation)
    _, _, kernel_fn = stax.serial(stax.Dense(8), make(), stax.Dense(1))
    nngp, ntk = kernel_fn(X)
    ref_nngp, ref_ntk = _reference(f, df, X)
    for got, want in [(nngp, ref_nngp), (ntk, ref_ntk)]:
        assert np.abs(got - want).max() <= 1e-10 * np.abs(want).max(), (got, want)


def test_two_relus_fold_into_one_exactly():
    X = _points((0.7, 2.0), 0.3)
    one = stax.serial(stax.Dense(4, b_std=0.1), stax.Relu(), stax.Dense(1))[2](X)
    two = stax.serial(stax.Dense(4, b_std=0.1), stax.Relu(), stax.Relu(), stax.Dense(1))[2](X)
    nested = stax.serial(stax.serial(stax.Dense(4, b_std=0.1), stax.Relu()),
                         stax.Identity(), stax.Relu(), stax.Dense(1))[2](X)
    for a, b, c in zip(one, two, nested, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_leaky_relu_of_abs_is_abs():
    X = _points((0.7, 2.0), -0.3)
    folded = stax.serial(stax.Dense(4), stax.Abs(), stax.LeakyRelu(0.2), stax.Dense(1))[2](X)
    plain = stax.serial(stax.Dense(4), stax.Abs(), stax.Dense(1))[2](X)
    for a, b in zip(folded, plain, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-15)


def test_user_nngp_fn_matches_builtin_erf():
    def nngp_fn(cov12, var1, var2):
        return 2 / jnp.pi * jnp.arcsin(2 * cov12 / jnp.sqrt((1 + 2 * var1) * (1 + 2 * var2)))

    X = _points((0.5, 3.0), 0.4)
    user = stax.serial(stax.Dense(4), stax.Elementwise(jax.scipy.special.erf, nngp_fn),
                       stax.Dense(1))[2](X)
    builtin = stax.serial(stax.Dense(4), stax.Erf(), stax.Dense(1))[2](X)
    for a, b in zip(user, builtin, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_sign_passes_no_ntk_below_it():
    """sign' = 0 almost everywhere: the layers below contribute nothing, as in autodiff."""
    X = _points((0.5, 3.0), 0.4)
    k = stax.serial(stax.Dense(4, W_std=2.0), stax.Sign(), stax.Dense(1))[2](X)
    np.testing.assert_allclose(k.ntk, k.nngp, rtol=1e-15)


def test_finite_activations_are_the_functions():
    x = jnp.linspace(-3, 3, 11)
    for make, fn in [(stax.Relu, lambda v: jnp.maximum(v, 0)),
                     (lambda: stax.ABRelu(-0.5, 2.0), lambda v: jnp.where(v > 0, 2 * v, -0.5 * v)),
                     (lambda: stax.Rbf(0.5), lambda v: jnp.sqrt(2) * jnp.sin(v + jnp.pi / 4))]:
        _, apply_fn, _ = make()
        np.testing.assert_allclose(apply_fn((), x), fn(x), rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0, 1e3])
def test_opposite_inputs_are_at_angle_pi_exactly(scale):
    """x' = -x: the arc-cosine kernels at theta = pi exactly (relu: 0 and 0; abs: q and q;
    sign: -1 and no NTK), from the determinant rather than a rounded cosine (which put theta
    2e-8 off)."""
    X = scale * np.array([[1.0, 0.0], [-1.0, 0.0], [0.3, -0.7], [-0.3, 0.7]])
    q = float(np.sum(X[0] ** 2) / 2)
    for layer, nngp, ntk in ((stax.Relu(), 0.0, 0.0), (stax.Abs(), q, q),
                             (stax.Sign(), -1.0, 0.0)):
        k = stax.serial(stax.Dense(1), layer)[2](X)
        np.testing.assert_allclose([k.nngp[0, 1], k.ntk[0, 1]], [nngp, ntk], rtol=0,
                                   atol=1e-15 * max(q, 1.0))
