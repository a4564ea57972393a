"""The hardest targets for a fixed basis (Barron 1993, §X): the lattice, the ridge family, the
width bound against independent routes (brute force, Gauss-Legendre orthogonality, random and
optimal subspaces), and the batched projection errors against per-column least squares."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial.legendre import leggauss

from kernelrich.barron import (
    barron_constant,
    fixed_basis_approximation,
    fourier_ridges,
    graded_indices,
    lattice_frequencies,
    legendre_features,
    projection_errors,
    uniform_ball,
    uniform_cube,
    width_lower_bound,
)


@pytest.mark.parametrize("d,M", [(1, 9), (2, 5), (3, 3), (4, 2)])
def test_lattice_matches_brute_force(d, M):
    top = math.isqrt(M)
    brute = {k for k in itertools.product(range(-top, top + 1), repeat=d)
             if 0 < sum(c * c for c in k) <= M and next(c for c in k if c) > 0}
    k = lattice_frequencies(d, M)
    assert {tuple(row) for row in k} == brute and len(k) == len(brute)
    norms = np.sum(k**2, axis=1)
    assert np.all(np.diff(norms) >= 0)
    assert len(lattice_frequencies(20, 2)) == 20 + 4 * math.comb(20, 2) // 2


def test_family_is_in_the_class_and_orthogonal_on_the_cube():
    k = lattice_frequencies(2, 5)
    family = fourier_ridges(k, 2.5)
    assert len(family) == 2 * len(k)
    assert all(barron_constant(f) == pytest.approx(2.5, rel=1e-14) for f in family)
    nodes, weights = leggauss(24)  # exact for trigonometric degree up to ~ 2 pi * 2
    X = np.stack(np.meshgrid(nodes, nodes, indexing="ij"), -1).reshape(-1, 2)
    w = np.outer(weights, weights).ravel() / 4
    F = np.stack([f(X) for f in family], axis=1)
    gram = F.T @ (w[:, None] * F)
    expected = np.repeat(2.5**2 / (2 * math.pi**2 * np.sum(k**2, axis=1)), 2)
    assert np.allclose(gram, np.diag(expected), atol=1e-12)


def test_width_bound_of_orthonormal_functions_is_one_minus_n_over_K():
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(200, 12)))
    values = Q * np.sqrt(200)  # orthonormal in the uniform empirical measure
    assert np.allclose(width_lower_bound(values, [1, 4, 12, 20]), [11 / 12, 8 / 12, 0, 0])


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 9))
def test_no_subspace_beats_the_width_bound(seed, n):
    """Ky Fan: the worst distance of the family to ANY n-dimensional space is >= the bound;
    the span of the top n eigenvectors attains the sum bound exactly."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(60, 10)) @ np.diag(rng.uniform(0.1, 2, 10))
    bound = width_lower_bound(values, n, families=[5, 10])[0]
    for V in (rng.normal(size=(60, n)), values[:, :n]):
        Q, _ = np.linalg.qr(V)
        dist = np.sum((values - Q @ (Q.T @ values)) ** 2, axis=0) / 60
        assert dist.max() >= bound * (1 - 1e-12)
    eig, vec = np.linalg.eigh(values.T @ values / 60)
    best = values @ vec[:, ::-1][:, :n]
    Q, _ = np.linalg.qr(best)
    dist = np.sum((values - Q @ (Q.T @ values)) ** 2, axis=0) / 60
    assert dist.mean() == pytest.approx(np.sort(eig)[: 10 - n].sum() / 10, rel=1e-9)


def test_projection_errors_match_least_squares():
    X = uniform_cube(300, 3, seed=1)
    V = np.random.default_rng(2).normal(size=(4, 3))
    values = np.stack([np.sin(X @ v) for v in V], 1)
    w = np.random.default_rng(3).uniform(size=300)
    errors, degrees = projection_errors(values, X, [1, 5, 19], weights=w, radius=1.0)
    p = w / w.sum()
    Phi = legendre_features(X, graded_indices(3, 20), 1.0)
    for i, n in enumerate([1, 5, 19]):
        coef, *_ = np.linalg.lstsq(Phi[:, : n + 1] * np.sqrt(p)[:, None],
                                   values * np.sqrt(p)[:, None], rcond=None)
        direct = p @ (values - Phi[:, : n + 1] @ coef) ** 2
        assert np.allclose(errors[i], direct, rtol=1e-10, atol=1e-15)
    assert degrees.tolist() == [1, 2, 3]
    single = fixed_basis_approximation(lambda x: np.sin(x @ V[2]), X, [5], weights=w,
                                       radius=1.0)
    assert single.errors[0] == pytest.approx(errors[1, 2], rel=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match="frequencies"):
        fourier_ridges(np.zeros((2, 3), dtype=int), 1.0)
    with pytest.raises(ValueError, match="C must be"):
        fourier_ridges(np.ones((2, 3), dtype=int), 0.0)
    with pytest.raises(ValueError, match="families"):
        width_lower_bound(np.ones((5, 3)), 1, families=[4])
    with pytest.raises(ValueError, match="dims"):
        width_lower_bound(np.ones((5, 3)), 0)
    with pytest.raises(ValueError, match="max_norm2"):
        lattice_frequencies(3, 0)
    with pytest.raises(ValueError, match="values must have one row"):
        projection_errors(np.ones((4, 2)), uniform_ball(5, 2, seed=0), [1])
    with pytest.raises(ValueError, match="cube"):
        projection_errors(np.ones((5, 1)), 2 * uniform_cube(5, 2, seed=0), [1], radius=1.0)
    X = uniform_cube(1000, 4, seed=0)
    assert X.shape == (1000, 4) and np.abs(X).max() <= 1
