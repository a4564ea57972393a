"""U^T grad l(W) V (Arora et al.'s Figure 3 alignment panel) against JAX's gradient and
Theorem 3's projections, the `record` hook of gradient descent, and the min-trace LP of
the commuting case against the SDP and the closed-form limit."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from kernelrich import matrix as km
from kernelrich.matrix._theorem3 import _loss


@pytest.fixture(params=["completion", "sensing"])
def problem(request):
    truth = km.low_rank_truth(0, 6, 2)
    if request.param == "completion":
        return km.random_completion(1, truth, 15)
    return km.gaussian_sensing(1, truth, 15)


def test_singular_basis_gradient_is_u_t_grad_v(problem):
    W = np.random.default_rng(2).standard_normal((6, 6))
    grad = np.asarray(jax.grad(_loss)(jnp.asarray(W), problem, 1 / 15))  # independent route
    U, s, Vt = np.linalg.svd(W)
    full = km.singular_basis_gradient(problem, W)
    assert np.abs(full - U.T @ grad @ Vt.T).max() <= 1e-13 * np.abs(grad).max()
    # the diagonal is Theorem 3's projection <grad l, u_r v_r^T>
    rates = km.singular_value_rates(problem, W, 3)
    assert np.allclose(rates, -3 * s ** (4 / 3) * np.diag(full), rtol=1e-12, atol=0)
    summed = km.singular_basis_gradient(problem, W, loss="sum")
    assert np.allclose(summed, 15 * full, rtol=1e-12, atol=0)


def test_gradient_alignment_summarises_the_magnitudes(problem):
    W = np.random.default_rng(3).standard_normal((6, 6))
    full = np.abs(km.singular_basis_gradient(problem, W))
    off = full[~np.eye(6, dtype=bool)]
    expected = [np.diag(full).mean(), np.diag(full).std(), off.mean(), off.std()]
    assert np.allclose(km.gradient_alignment(problem, W), expected, rtol=1e-14, atol=0)
    with pytest.raises(ValueError, match="loss"):
        km.gradient_alignment(problem, W, loss="max")


def test_gradient_descent_records_at_every_singular_value_record(problem):
    model = km.deep_factors(0, 6, 2, 1e-2, "balanced")
    calls = []

    def record(W):
        calls.append(W)
        return km.gradient_alignment(problem, W)

    run = km.gradient_descent(problem, model, step=0.01, steps=1000, chunk=250, record=record)
    assert run.records.shape == (len(run.times), 4) == (5, 4)
    assert np.allclose(calls[0], 1e-2 * np.eye(6))  # W(0) = s I
    assert np.allclose(run.records[-1], km.gradient_alignment(problem, run.matrix))
    assert km.gradient_descent(problem, model, step=0.01, steps=10).records is None
    with pytest.raises(ValueError, match="record"):
        km.gradient_descent(problem, model, step=0.01, steps=10, record=3)
    with pytest.raises(ValueError, match="1-D"):
        km.gradient_descent(problem, model, step=0.01, steps=10, record=lambda W: W)


def test_min_trace_diagonal_is_the_sdp_and_the_small_alpha_limit():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 12))
    y = X @ rng.uniform(0.5, 1.5, 12)
    beta = km.min_trace_diagonal(X, y)
    assert np.all(beta >= 0) and np.linalg.norm(X @ beta - y) <= 1e-12 * np.linalg.norm(y)
    sdp = km.min_nuclear_norm(km.diagonal_sensing(X, y), psd=True)
    assert sdp.status == "optimal"
    assert np.linalg.norm(np.diag(sdp.X) - beta) <= 1e-7 * np.linalg.norm(beta)
    assert abs(np.trace(sdp.X) - beta.sum()) <= 1e-7 * beta.sum()
    assert np.linalg.norm(km.commuting_limit(X, y, 1e-150) - beta) <= 0.05 * np.linalg.norm(
        beta)  # this instance converges slowly in alpha (a near-degenerate LP)
    with pytest.raises(RuntimeError, match="LP"):
        km.min_trace_diagonal(np.ones((1, 3)), np.array([-1.0]))
    assert np.all(km.min_trace_diagonal(X, np.zeros(5)) == 0)
