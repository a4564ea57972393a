"""mercer_eigenvalues (Funk-Hecke) against exact spectra: kernels (1 - t)^nu (a Gamma
ratio, the endpoint singularity of ReLU kernels), exp(s t) (Bessel functions) and
polynomials (a finite expansion); error estimates that bound the true error; refusals."""

import mpmath as mp
import numpy as np
import pytest
from scipy.special import ive

from kernelrich.spectrum import (
    DotProductKernel,
    MercerSpectrum,
    funk_hecke_constant,
    mercer_eigenvalues,
    multiplicity,
)


def _power_spectrum(nu, dim, K):
    """mu_k of (1 - t)^nu on S^(d-1), a = (d-3)/2, from
    int (1-x)^(a+nu) (1+x)^a P_k^(a,a) dx = 2^(2a+nu+1) G(a+nu+1) G(a+k+1) G(k-nu)
                                             / (k! G(-nu) G(2a+nu+k+2)), at 40 digits."""
    with mp.workdps(40):
        a, nu = mp.mpf(dim - 3) / 2, mp.mpf(nu)
        c = mp.gamma(mp.mpf(dim) / 2) / (mp.sqrt(mp.pi) * mp.gamma(mp.mpf(dim - 1) / 2))
        out = []
        for k in range(K + 1):
            integral = (2 ** (2 * a + nu + 1) * mp.gamma(a + nu + 1) * mp.gamma(a + k + 1)
                        * mp.gamma(k - nu) / (mp.factorial(k) * mp.gamma(-nu)
                                              * mp.gamma(2 * a + nu + k + 2)))
            jacobi_at_one = mp.gamma(a + 1 + k) / (mp.gamma(a + 1) * mp.factorial(k))
            out.append(float(c * integral / jacobi_at_one))
    return np.array(out)


def _power_kernel(nu, dim):
    return DotProductKernel(f"(1-t)^{nu}", dim, lambda th: (2 * np.sin(th / 2) ** 2) ** nu)


@pytest.mark.parametrize("nu,dim", [(0.5, 3), (0.5, 10), (1 / 3, 3), (1.5, 5), (0.5, 2)])
def test_endpoint_singular_kernels_match_their_exact_spectrum(nu, dim):
    K = 200
    s = mercer_eigenvalues(_power_kernel(nu, dim), K)
    if dim == 2:  # (1 - cos th)^nu: mu_k = c int ... computed at 40 digits by mpmath.quad
        def integrand(k):
            return lambda th: (1 - mp.cos(th)) ** nu * mp.cos(k * th)

        with mp.workdps(30):
            exact = np.array([float(mp.quad(integrand(k), np.linspace(
                0, float(mp.pi), 9).tolist()) / mp.pi) for k in (0, 1, 50, 200)])
        np.testing.assert_allclose(s.eigenvalues[[0, 1, 50, 200]], exact, rtol=1e-8)
        return
    exact = _power_spectrum(nu, dim, K)
    err = np.abs(s.eigenvalues - exact)
    assert np.all(err <= s.errors * 1.0001 + 1e-300), np.max(err / s.errors)
    assert np.all(s.resolved)


def test_the_sphere_reaches_1e10_where_float64_allows():
    """S^2, (1 - t)^(1/2) (the ReLU NTK's singularity, mu_k ~ k^-3): every degree <= 200
    to 1e-8 relative, degrees <= 40 to 1e-10 (measured against the Gamma-ratio form)."""
    s = mercer_eigenvalues(_power_kernel(0.5, 3), 200)
    rel = np.abs(s.eigenvalues - _power_spectrum(0.5, 3, 200)) / np.abs(s.eigenvalues)
    assert rel.max() < 1e-8
    assert rel[:41].max() < 1e-10


@pytest.mark.parametrize("dim", [3, 10])
def test_exponential_kernel_is_a_bessel_function(dim):
    """kappa(t) = exp(s t): mu_k = Gamma(d/2) (2/s)^(d/2-1) I_(k+d/2-1)(s)."""
    scale, K = 2.0, 12
    s = mercer_eigenvalues(lambda t: np.exp(scale * t), K, dim=dim)
    lam = dim / 2 - 1
    k = np.arange(K + 1)
    exact = mp_gamma(dim / 2) * (2 / scale) ** lam * ive(k + lam, scale) * np.exp(scale)
    np.testing.assert_allclose(s.eigenvalues[:6], exact[:6], rtol=1e-13)
    assert np.all(np.abs(s.eigenvalues - exact) <= s.errors)


def mp_gamma(x):
    return float(mp.gamma(x))


def test_polynomial_kernel_has_a_finite_spectrum_and_the_sum_rule():
    """(1 + t)^3 / 8: degrees 0..3 carry all of kappa(1) = 1; the rest vanish."""
    s = mercer_eigenvalues(lambda t: (1 + t) ** 3 / 8, 8, dim=4, unresolved="keep")
    assert np.sum(s.masses[:4]) == pytest.approx(1.0, rel=1e-14)
    assert np.all(np.abs(s.eigenvalues[4:]) <= s.errors[4:])
    assert not s.resolved[4:].any()
    assert s.tail_mass == pytest.approx(0.0, abs=1e-14)


def test_a_degree_beyond_float64_is_refused_with_the_reason():
    """exp(t)'s mu_60 ~ 1e-80: no float64 kernel value determines it."""
    with pytest.raises(ValueError, match=r"beyond what float64 resolves.*last resolved degree"):
        mercer_eigenvalues(np.exp, 60, dim=3)
    kept = mercer_eigenvalues(np.exp, 60, dim=3, unresolved="keep")
    assert isinstance(kept, MercerSpectrum) and not kept.resolved[-1] and kept.resolved[10]


def test_large_dimension_stays_within_its_error_estimates():
    """S^199: mu_k ~ k^-200 falls below float64's reach by degree ~17; up to there the
    values stay within their error estimates, and degree 30 is refused."""
    s = mercer_eigenvalues(_power_kernel(0.5, 200), 15)
    exact = _power_spectrum(0.5, 200, 15)
    assert np.all(np.abs(s.eigenvalues - exact) <= s.errors)
    np.testing.assert_allclose(s.eigenvalues[:4], exact[:4], rtol=1e-10)
    assert s.multiplicities[-1] == multiplicity(200, 15)[-1]
    with pytest.raises(ValueError, match="beyond what float64 resolves"):
        mercer_eigenvalues(_power_kernel(0.5, 200), 30)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="dim must be an integer >= 2"):
        mercer_eigenvalues(np.exp, 5, dim=1)
    with pytest.raises(ValueError, match="dim is required"):
        mercer_eigenvalues(np.exp, 5)
    with pytest.raises(ValueError, match="max_degree must be <= 2000"):
        mercer_eigenvalues(np.exp, 2001, dim=3)
    with pytest.raises(ValueError, match="not finite at t"):
        mercer_eigenvalues(lambda t: np.where(t > 0.5, np.nan, t), 5, dim=3)
    with pytest.raises(ValueError, match="one value per point"):
        mercer_eigenvalues(DotProductKernel("bad", 3, lambda th: np.ones(3)), 5)
    with pytest.raises(ValueError, match="disagrees"):
        mercer_eigenvalues(_power_kernel(0.5, 3), 5, dim=4)
    with pytest.raises(ValueError, match="unresolved must be one of"):
        mercer_eigenvalues(np.exp, 5, dim=3, unresolved="ignore")


def test_funk_hecke_constant_normalises_the_constant_kernel():
    s = mercer_eigenvalues(lambda t: np.ones_like(t), 3, dim=7, unresolved="keep")
    assert s.eigenvalues[0] == pytest.approx(1.0, rel=1e-14)
    assert funk_hecke_constant(7) > 0
