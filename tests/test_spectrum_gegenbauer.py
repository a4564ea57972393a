"""Gegenbauer polynomials, multiplicities and the Funk-Hecke rule of kernelrich.spectrum
against closed forms and 50-digit arithmetic."""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy.special import eval_gegenbauer, eval_legendre

from kernelrich.spectrum import funk_hecke_constant, gegenbauer, multiplicity
from kernelrich.spectrum._quadrature import angle_rule, gauss_legendre


def test_multiplicities_of_the_circle_the_sphere_and_s3():
    k = np.arange(30)
    np.testing.assert_array_equal(multiplicity(2, 29), np.where(k == 0, 1, 2))
    np.testing.assert_array_equal(multiplicity(3, 29), 2 * k + 1)
    np.testing.assert_array_equal(multiplicity(4, 29), (k + 1) ** 2)


@pytest.mark.parametrize("dim", [2, 5, 17, 100])
def test_multiplicities_count_the_polynomials_on_the_sphere(dim):
    """sum_{k <= K} N(d, k) = dim of polynomials of degree <= K restricted to S^(d-1)
    = binom(K + d - 1, d - 1) + binom(K + d - 2, d - 1)."""
    counts = multiplicity(dim, 40)
    for K in (0, 1, 7, 40):
        assert counts[:K + 1].sum() == math.comb(K + dim - 1, dim - 1) + math.comb(
            K + dim - 2, dim - 1)


def test_multiplicity_overflow_is_refused():
    with pytest.raises(ValueError, match="overflows float64"):
        multiplicity(3000, 200)


def test_gegenbauer_is_legendre_chebyshev_and_scipys_normalised_polynomial():
    t = np.linspace(-1, 1, 41)
    P3 = gegenbauer(30, 3, t)
    for k in (0, 1, 7, 30):
        np.testing.assert_allclose(P3[k], eval_legendre(k, t), atol=1e-14)
    P2 = gegenbauer(30, 2, t)
    np.testing.assert_allclose(P2[25], np.cos(25 * np.arccos(t)), atol=1e-13)
    P7 = gegenbauer(12, 7, t)
    for k in (2, 12):
        ref = eval_gegenbauer(k, 2.5, t) / eval_gegenbauer(k, 2.5, 1.0)
        np.testing.assert_allclose(P7[k], ref, atol=1e-14)
    np.testing.assert_array_equal(gegenbauer(50, 9, np.ones(1))[:, 0], 1.0)


def _gegenbauer_mp(k, dim, t):
    with mp.workdps(50):
        lam = mp.mpf(dim - 2) / 2
        return float(mp.gegenbauer(k, lam, t) / mp.gegenbauer(k, lam, 1))


@pytest.mark.parametrize("dim", [3, 30, 100])
def test_the_forward_recurrence_is_stable_to_degree_400(dim):
    """No cancellation: relative error ~ k eps against 50 digits, also where P_k is small."""
    t = np.array([-0.999, -0.5, 0.0, 0.3, 0.9, 0.9999])
    P = gegenbauer(400, dim, t)
    for k in (50, 200, 400):
        ref = np.array([_gegenbauer_mp(k, dim, x) for x in t])
        err = np.abs(P[k] - ref) / np.maximum(np.abs(ref), 1e-300)
        assert err.max() < 1e-12, (k, err)


def test_funk_hecke_constant_of_the_circle_and_the_sphere():
    assert funk_hecke_constant(2) == pytest.approx(1 / np.pi, rel=1e-15)
    assert funk_hecke_constant(3) == pytest.approx(0.5, rel=1e-15)
    assert funk_hecke_constant(400) == pytest.approx(
        math.exp(math.lgamma(200) - math.lgamma(199.5)) / math.sqrt(math.pi), rel=1e-12)


@pytest.mark.parametrize("n", [7, 300, 2048])
def test_gauss_legendre_integrates_polynomials_of_degree_2n_minus_1(n):
    phi, w = gauss_legendre(n)
    x = np.cos(phi)
    assert np.all(np.diff(phi) > 0)
    for p in (0, 2, 2 * n - 2):
        assert np.sum(w * x**p) == pytest.approx(2 / (p + 1), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("dim", [2, 3, 10, 60])
def test_the_angle_rule_makes_the_harmonics_orthogonal(dim):
    """c_d int P_j P_k sin^(d-2) = delta_jk / N(d, k) (addition theorem): the orthonormal
    zonal harmonics sqrt(N(d, k)) P_k are orthonormal under the rule."""
    theta, W = angle_rule(512, dim, funk_hecke_constant(dim))
    P = gegenbauer(100, dim, np.cos(theta)) * np.sqrt(multiplicity(dim, 100))[:, None]
    np.testing.assert_allclose((P * W) @ P.T, np.eye(101), atol=1e-12)


def test_bad_dimension_and_t_are_refused():
    with pytest.raises(ValueError, match="dim must be an integer >= 2"):
        multiplicity(1, 3)
    with pytest.raises(ValueError, match="dim must be an integer >= 2"):
        gegenbauer(3, 2.5, [0.0])
    with pytest.raises(ValueError, match=r"t must lie in \[-1, 1\]"):
        gegenbauer(3, 3, [1.5])
