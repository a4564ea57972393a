"""kernelrich.matrix problems: the measurement operator, its adjoint and the generators."""

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernelrich import matrix as km


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), n1=st.sampled_from([1, 4]), n2=st.sampled_from([3, 4]),
       m=st.sampled_from([3, 12]), symmetric=st.booleans())
def test_adjoint_identity(seed, n1, n2, m, symmetric):
    """<A(X), r> = <X, A*(r)> for sensing and for completion (few shapes: each new shape
    compiles the JAX operators afresh)."""
    rng = np.random.default_rng(seed)
    if symmetric:
        n2 = n1
    truth = rng.standard_normal((n1, n2))
    truth = truth + truth.T if symmetric else truth
    X, r = rng.standard_normal((n1, n2)), rng.standard_normal(m)
    problem = km.gaussian_sensing(seed, truth, m, symmetric=symmetric)
    lhs = float(jnp.dot(problem.measure(X), r))
    assert abs(lhs - float(jnp.sum(X * problem.adjoint(r)))) <= 1e-12 * (1 + abs(lhs))
    if m <= n1 * n2:
        comp = km.random_completion(seed, truth, m)
        lhs = float(jnp.dot(comp.measure(X), r))
        assert abs(lhs - float(jnp.sum(X * comp.adjoint(r)))) <= 1e-12 * (1 + abs(lhs))


def test_sensing_matches_definition():
    truth = km.low_rank_truth(0, 6, 2)
    p = km.gaussian_sensing(1, truth, 7)
    G = np.random.default_rng(1).standard_normal((7, 6, 6)) / 6  # A_i = randn(n, n) / n
    np.testing.assert_allclose(p.A, G, rtol=0, atol=0)
    np.testing.assert_allclose(p.y, [np.sum(g * truth) for g in G], rtol=1e-13, atol=1e-13)
    ps = km.gaussian_sensing(1, km.low_rank_truth(0, 6, 2, psd=True), 7, symmetric=True)
    np.testing.assert_allclose(ps.A, (G + G.transpose(0, 2, 1)) / 2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(ps.measure(ps.truth)), ps.y, rtol=1e-13, atol=1e-13)


def test_completion_entries_are_distinct_and_observed():
    truth = km.low_rank_truth(3, 7, 2, m=5)
    p = km.random_completion(4, truth, 20)
    flat = p.rows * 5 + p.cols
    assert len(np.unique(flat)) == 20
    np.testing.assert_array_equal(p.y, truth[p.rows, p.cols])
    full = km.random_completion(4, truth, 35)  # every entry once
    np.testing.assert_array_equal(np.sort(full.rows * 5 + full.cols), np.arange(35))


@pytest.mark.parametrize("psd", [False, True])
def test_low_rank_truth(psd):
    W = km.low_rank_truth(5, 12, 3, psd=psd)
    s = np.linalg.svd(W, compute_uv=False)
    assert s[2] > 1e-6 * s[0] and s[3] <= 1e-12 * s[0]  # rank 3 exactly
    assert abs(np.linalg.norm(W) - 12) <= 1e-12 * 12  # ||W||_F = n (Arora et al.)
    if psd:
        np.testing.assert_allclose(W, W.T, rtol=0, atol=1e-13)
        assert np.linalg.eigvalsh(W).min() >= -1e-12


def test_diagonal_sensing_is_the_regression():
    rng = np.random.default_rng(2)
    X, b = rng.standard_normal((3, 5)), rng.uniform(size=5)
    p = km.diagonal_sensing(X, X @ b, b)
    np.testing.assert_allclose(np.asarray(p.measure(np.diag(b))), X @ b, rtol=1e-14)
    for i in range(3):  # the A_i commute
        for j in range(3):
            np.testing.assert_array_equal(p.A[i] @ p.A[j], p.A[j] @ p.A[i])


def test_bad_inputs():
    truth = km.low_rank_truth(0, 4, 2)
    with pytest.raises(ValueError, match="rank"):
        km.low_rank_truth(0, 4, 5)
    with pytest.raises(ValueError, match="m must be <="):
        km.random_completion(0, truth, 17)
    with pytest.raises(ValueError, match="truth must be symmetric"):
        km.gaussian_sensing(0, truth, 3, symmetric=True)
    A = np.random.default_rng(0).standard_normal((2, 3, 3))
    with pytest.raises(ValueError, match="A must hold symmetric"):
        km.sensing(A, np.zeros(2), symmetric=True)
    with pytest.raises(ValueError, match="A must hold square"):
        km.sensing(np.zeros((2, 3, 4)), np.zeros(2), symmetric=True)
    with pytest.raises(ValueError, match="rows, cols must not repeat"):
        km.completion([0, 1, 0], [2, 2, 2], (3, 3), np.zeros(3))
    with pytest.raises(ValueError, match="cols must lie"):
        km.completion([0], [3], (3, 3), np.zeros(1))
    with pytest.raises(ValueError, match="A and y"):
        km.sensing(A, np.zeros(3))
