"""Dot-product kernels on the sphere: the NTK / NNGP of kernelrich.ntk as kappa(t), the
check that a kernel function is one, points on (and off) the sphere, Gram spectra."""

import numpy as np
import pytest

from kernelrich.ntk import infinite_nngp, infinite_ntk
from kernelrich.spectrum import (
    as_dot_product,
    dot_product_kernel,
    gram_eigenvalues,
    mercer_eigenvalues,
    nngp_kernel,
    ntk_kernel,
    on_sphere,
    population_eigenvalues,
    sphere_points,
)


def test_ntk_kernel_is_infinite_ntk_on_the_sphere():
    dim, r = 5, np.sqrt(5)
    k = ntk_kernel(dim, depth=3, bias_std=0.2, radius=r)
    X = sphere_points(7, dim, radius=r, seed=1)
    np.testing.assert_allclose(k.matrix(X), infinite_ntk(X, depth=3, bias_std=0.2), rtol=1e-13)
    x0 = r * np.eye(1, dim)
    t = X @ x0[0] / r**2
    np.testing.assert_allclose(k(t), infinite_ntk(x0, X, depth=3, bias_std=0.2)[0],
                               rtol=1e-12)
    n = nngp_kernel(dim, depth=2, activation="erf", bias_std=0.0)
    Y = sphere_points(4, dim, seed=2)
    np.testing.assert_allclose(n.matrix(Y), infinite_nngp(Y, depth=2, activation="erf",
                                                          bias_std=0.0), rtol=1e-13)


def test_a_kernel_function_becomes_kappa_after_the_check():
    dim = 4

    def rbf(A, B):
        return np.exp(-np.sum((A[:, None] - B[None]) ** 2, axis=-1) / 2)

    k = as_dot_product(rbf, dim, name="rbf")
    t = np.linspace(-1, 1, 9)
    np.testing.assert_allclose(k(t), np.exp(t - 1), rtol=1e-14)
    direct = mercer_eigenvalues(dot_product_kernel(lambda s: np.exp(s - 1), dim), 10)
    via = mercer_eigenvalues(k, 10)
    # the kernel function's distances round near t = 1: agreement within the error estimates
    assert np.all(np.abs(via.eigenvalues - direct.eigenvalues) <= via.errors + direct.errors)
    np.testing.assert_allclose(via.eigenvalues[:6], direct.eigenvalues[:6], rtol=1e-12)


def test_a_kernel_that_is_not_a_dot_product_kernel_is_refused():
    def anisotropic(A, B):
        return (A * np.array([3.0, 1.0, 1.0])) @ B.T

    with pytest.raises(ValueError, match="is not a dot-product kernel.*relative difference"):
        as_dot_product(anisotropic, 3)
    with pytest.raises(ValueError, match="must return shape"):
        as_dot_product(lambda A, B: np.ones(3), 3)
    with pytest.raises(ValueError, match="raised"):
        as_dot_product(lambda A, B: 1 / 0, 3)


def test_points_off_the_sphere_are_refused_or_projected_on_request():
    k = ntk_kernel(3, depth=2)
    X = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    with pytest.raises(ValueError, match="must lie on the sphere.*row 1 has norm 2.*normalise"):
        k.matrix(X)
    K = k.matrix(X, normalise=True)
    np.testing.assert_allclose(K, k.matrix(np.array([[1.0, 0, 0], [0, 1.0, 0]])), rtol=1e-15)
    with pytest.raises(ValueError, match="zero row"):
        on_sphere("X", np.zeros((1, 3)), normalise=True)
    with pytest.raises(ValueError, match="must have 3 columns"):
        k.matrix(np.eye(4))


def test_kernel_builders_refuse_bad_arguments():
    with pytest.raises(ValueError, match="dim must be an integer >= 2"):
        ntk_kernel(1, depth=2)
    with pytest.raises(ValueError, match="depth"):
        ntk_kernel(3, depth=0)
    with pytest.raises(ValueError, match="radius"):
        nngp_kernel(3, depth=2, radius=-1.0)


def test_gram_trace_is_kappa_one_and_population_list_sorts_with_multiplicities():
    dim = 3
    k = ntk_kernel(dim, depth=3, bias_std=0.1, radius=np.sqrt(dim))
    X = sphere_points(200, dim, radius=np.sqrt(dim), seed=0)
    lam = gram_eigenvalues(k, X)
    s = mercer_eigenvalues(k, 40)
    assert np.sum(lam) == pytest.approx(s.kappa_one, rel=1e-12)  # tr(K)/n = kappa(1)
    assert np.all(np.diff(lam) <= 0)
    values, degrees = population_eigenvalues(s, 16)
    np.testing.assert_array_equal(degrees, [0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3])
    np.testing.assert_array_equal(values, s.eigenvalues[degrees])
    with pytest.raises(ValueError, match="higher max_degree"):
        population_eigenvalues(s, 41**2)
