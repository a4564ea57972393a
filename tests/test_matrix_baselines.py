"""The min-nuclear-norm baseline and the summaries, against closed forms and other routes."""

import dataclasses

import numpy as np
import pytest

from kernelrich import bias
from kernelrich import matrix as km


def test_effective_rank_and_errors_closed_forms():
    assert abs(km.effective_rank(np.eye(7)) - 7) <= 1e-12
    assert abs(km.effective_rank(np.diag([3.0, 3.0, 3.0, 0.0])) - 3) <= 1e-12
    s = np.array([2.0, 1.0, 1.0])
    p = s / s.sum()
    U, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))
    W = U @ np.diag(s) @ U.T
    assert abs(km.effective_rank(W) - np.exp(-np.sum(p * np.log(p)))) <= 1e-12
    assert abs(km.nuclear_norm(W) - 4.0) <= 1e-12
    truth = np.ones((2, 3))
    assert km.reconstruction_error(truth + 0.5, truth) == pytest.approx(0.25, abs=1e-15)
    assert km.relative_error(2 * truth, truth) == pytest.approx(1.0, abs=1e-15)
    with pytest.raises(ValueError, match="W must not be the zero matrix"):
        km.effective_rank(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="same shape"):
        km.reconstruction_error(np.ones((2, 2)), truth)


@pytest.mark.parametrize("psd", [False, True])
def test_exact_recovery_with_many_measurements(psd):
    """Rank-2 10 x 10 PSD truth from 40 symmetric Gaussian measurements: both solvers
    return the truth (nuclear-norm recovery regime)."""
    truth = km.low_rank_truth(0, 10, 2, psd=True)
    problem = km.gaussian_sensing(1, truth, 40, symmetric=True)
    clarabel = km.min_nuclear_norm(problem, psd=psd)
    scs = km.min_nuclear_norm(problem, psd=psd, solver="SCS", eps=1e-9, max_iters=20000)
    for result, rtol in ((clarabel, 1e-6), (scs, 1e-4)):
        assert result.status in ("optimal", "optimal_inaccurate")
        assert km.relative_error(result.X, truth) <= rtol
        assert abs(result.nuclear_norm - np.trace(truth)) <= rtol * np.trace(truth)


def test_commuting_min_trace_is_min_l1():
    """Diagonal A_i (Gunasekar et al., Corollary 2): min trace over PSD X with A(X) = y is
    the LP min ||x||_1 s.t. X x = y, x >= 0, which is bias.min_l1 when that is >= 0."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 8))
    b = np.zeros(8)
    b[[1, 4]] = [1.0, 0.5]
    l1 = bias.min_l1(X, X @ b)
    assert l1.min() >= 0  # the instance is one where min-l1 is nonnegative
    result = km.min_nuclear_norm(km.diagonal_sensing(X, X @ b, b), psd=True)
    np.testing.assert_allclose(np.diag(result.X), l1, rtol=0, atol=1e-7)
    assert np.abs(result.X - np.diag(np.diag(result.X))).max() <= 1e-7


def test_relaxation_and_full_completion():
    truth = km.low_rank_truth(2, 6, 2)
    full = km.random_completion(0, truth, 36)
    np.testing.assert_allclose(km.min_nuclear_norm(full).X, truth, rtol=0, atol=1e-7)
    part = km.random_completion(1, truth, 20)
    exact = km.min_nuclear_norm(part)
    relaxed = km.min_nuclear_norm(part, tol=1e-3)
    assert exact.residual <= 1e-7
    assert relaxed.residual <= 1e-3 + 1e-7  # the solver's feasibility tolerance
    # a larger feasible set: the optimum can only go down, by at most O(tol)
    assert exact.nuclear_norm - 1e-3 * 36 <= relaxed.nuclear_norm <= exact.nuclear_norm + 1e-7


def test_solver_failure_is_reported():
    X = np.ones((1, 3))
    infeasible = km.diagonal_sensing(X, np.array([-1.0]))  # trace X = -1 with X PSD
    with pytest.raises(RuntimeError, match="status 'infeasible'"):
        km.min_nuclear_norm(infeasible, psd=True)
    with pytest.raises(ValueError, match="solver must be"):
        km.min_nuclear_norm(infeasible, solver="MOSEK")
    with pytest.raises(ValueError, match="tol"):
        km.min_nuclear_norm(infeasible, tol=-1.0)


@pytest.mark.parametrize("tol", [0.0, 1e-3])
@pytest.mark.parametrize("psd", [False, True])
def test_kkt_residuals_vanish_at_the_solution(tol, psd):
    """Clarabel's solution and multiplier satisfy the nuclear-norm KKT conditions to the
    interior point's accuracy (measured <= 3e-4; tolerance 2e-3); a feasible non-optimal X
    (the truth, not recovered from 20, or 8 if PSD, measurements) violates them by O(1)."""
    truth = km.low_rank_truth(0, 8, 2, psd=True)
    problem = km.gaussian_sensing(1, truth, 8 if psd else 20, symmetric=True)
    result = km.min_nuclear_norm(problem, psd=psd, tol=tol)
    residuals = km.kkt_residuals(problem, result)
    assert max(residuals.values()) <= 2e-3, residuals
    assert residuals["primal"] <= 1e-7
    assert km.relative_error(result.X, truth) >= 1e-2  # not recovered: a real optimum
    wrong = dataclasses.replace(result, X=truth)
    assert max(km.kkt_residuals(problem, wrong).values()) >= 0.1
