"""Barron constants: closed forms against independent routes (scipy's chi distribution, 1-d
quadrature of the Fourier transform) and the numerical Fourier integral."""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from kernelrich.barron import (
    Combination,
    Dilated,
    FourierIntegralDivergence,
    GaussianBump,
    Ridge,
    Translated,
    barron_constant,
    barron_constant_ball,
    barron_constant_numerical,
    gaussian_first_moment,
)


@settings(deadline=None)
@given(st.integers(1, 400))
def test_gaussian_moment_is_chi_mean(d):
    chi = scipy.stats.chi(d).mean()
    assert gaussian_first_moment(d) == pytest.approx(chi, rel=1e-12)
    assert gaussian_first_moment(d) <= math.sqrt(d)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.floats(0.1, 10), st.floats(-5, 5).filter(lambda a: abs(a) > 1e-3),
       st.floats(-3, 3), st.floats(0.1, 5))
def test_scaling_laws(d, scale, amplitude, shift, factor):
    base = GaussianBump(np.zeros(d))
    bump = GaussianBump(np.full(d, shift), scale, amplitude)
    assert bump.c_f == pytest.approx(abs(amplitude) * base.c_f / scale, rel=1e-13)
    assert Translated(base, np.full(d, shift)).c_f == base.c_f
    assert Dilated(base, -factor).c_f == pytest.approx(factor * base.c_f, rel=1e-13)
    assert Dilated(base, 1 / scale).c_f == pytest.approx(base.c_f / scale, rel=1e-13)


def test_ridge_and_combination():
    a = np.array([3.0, 4.0])
    assert Ridge(a, 0.3, "cos", amplitude=-2).c_f == pytest.approx(10.0)
    assert Ridge(a, 0.0, "gaussian").c_f == pytest.approx(5 * math.sqrt(2 / math.pi))
    # In d = 1 a Gaussian ridge is a dilated bump.
    assert Ridge([1.7], 0.2).c_f == pytest.approx(Dilated(GaussianBump([0.0]), 1.7).c_f)
    r1, r2 = Ridge(a, 0.0), Ridge([1.0, 0.0], 1.0, "cos")
    combo = Combination([2.0, -0.5], [r1, r2])
    assert combo.exact and combo.c_f == pytest.approx(2 * r1.c_f + 0.5 * r2.c_f)
    assert not Combination([1.0, 1.0], [r1, Ridge(-2 * a)]).exact  # parallel ridges
    z = np.zeros(2)
    assert Combination([1.0, 2.0], [GaussianBump(z), GaussianBump(z, 0.3)]).exact
    assert not Combination([1.0, -2.0], [GaussianBump(z), GaussianBump(z, 0.3)]).exact
    x = np.random.default_rng(0).normal(size=(5, 2))
    assert np.allclose(combo(x), 2 * r1(x) - 0.5 * r2(x))
    assert barron_constant_ball(combo, 2.5) == pytest.approx(2.5 * combo.c_f)


@pytest.mark.parametrize("target", [
    GaussianBump([0.0]),
    GaussianBump([0.7], 0.6, -1.5),
    Ridge([1.3], 0.4),
    Combination([1.0, 0.5], [GaussianBump([0.0]), GaussianBump([0.0], 0.5)]),
    Dilated(GaussianBump(np.zeros(2)), 1.7),
    Translated(GaussianBump(np.zeros(2), 0.8), [0.5, -0.3]),
])
def test_numerical_matches_closed_form(target):
    num = barron_constant_numerical(target, target.d, rtol=1e-7)
    assert num.converged
    assert abs(num.value - barron_constant(target)) <= num.error
    assert num.error <= 1e-7 * num.value + 1e-10


def test_numerical_matches_quadrature_for_interfering_sum():
    """Shifted bumps interfere: C_f is below the bound; compare with a 1-d quadrature of
    |omega| |F(omega)| with
    F(omega) = (1/2pi) [sqrt(2pi) e^{-w^2/2} + 0.25 sqrt(2pi) e^{-w^2/8 - iw}]."""
    f = Combination([1.0, 0.5], [GaussianBump([0.0]), GaussianBump([1.0], 0.5)])

    def modulus(w):
        return abs(math.exp(-w * w / 2) + 0.25 * math.exp(-w * w / 8) * complex(
            math.cos(w), -math.sin(w))) / math.sqrt(2 * math.pi)

    exact = 2 * scipy.integrate.quad(lambda w: w * modulus(w), 0, 60, limit=400,
                                     epsabs=1e-13, epsrel=1e-13)[0]
    num = barron_constant_numerical(f, 1, rtol=1e-8)
    assert abs(num.value - exact) <= num.error
    assert num.value < f.c_f


def test_divergent_fourier_integral_is_reported():
    with pytest.raises(FourierIntegralDivergence, match="did not converge") as info:
        barron_constant_numerical(lambda x: np.exp(-np.abs(x[:, 0])), 1, max_points=2**16)
    est = info.value.estimate
    assert not est.converged and est.value > 0 and est.error > 0
    assert isinstance(info.value, ValueError)
    out = barron_constant_numerical(lambda x: np.exp(-np.abs(x[:, 0])), 1, max_points=2**16,
                                    throw=False)
    assert not out.converged and out.value == est.value


def test_bad_inputs():
    with pytest.raises(ValueError, match="f must return finite"):
        barron_constant_numerical(lambda x: np.full(x.shape[0], np.nan), 1)
    with pytest.raises(ValueError, match="d=1 does not match"):
        barron_constant_numerical(GaussianBump(np.zeros(2)), 1)
    with pytest.raises(ValueError, match="f must map"):
        barron_constant_numerical(lambda x: x, 2)
    with pytest.raises(ValueError, match="radius"):
        barron_constant_ball(1.0, 0.0)
    with pytest.raises(ValueError, match="radius"):
        barron_constant_ball(1.0, -1.0)
    with pytest.raises(ValueError, match="scale"):
        GaussianBump([0.0], scale=0)
    with pytest.raises(ValueError, match="profile"):
        Ridge([1.0], profile="relu")
    with pytest.raises(ValueError, match="weights"):
        Combination([1.0], [GaussianBump([0.0]), GaussianBump([0.0])])
    with pytest.raises(ValueError, match="target"):
        barron_constant(lambda x: x)
    with pytest.raises(ValueError, match="spacing"):
        barron_constant_numerical(GaussianBump([0.0]), 1, spacing=0)
