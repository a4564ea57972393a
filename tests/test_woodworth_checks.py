"""The pieces of the Woodworth et al. (2020) checks: the closed-form gradient of Q against a
finite difference of `bias.Q` / `bias.Q_D`, and each judge on hand-made evidence (what must
pass passes, what must fail fails and names why). The checks themselves run in
test_checks_can_fail.py."""

import numpy as np
import pytest

from kernelrich import bias
from kernelrich.diagonal import flow_limit
from kernelrich.papers import woodworth2020
from kernelrich.papers.woodworth2020 import _check_dynamics as dyn
from kernelrich.papers.woodworth2020 import _check_limits as lim
from kernelrich.papers.woodworth2020 import _evidence as ev


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_grad_Q_is_the_gradient_of_the_potential(depth):
    rng = np.random.default_rng(depth)
    beta, w0, alpha = rng.standard_normal(5), rng.uniform(0.5, 2.0, 5), 0.7

    def Q(b):
        return bias.Q(b, alpha, w0) if depth == 2 else bias.Q_D(b, alpha, depth, w0)

    h = 1e-6
    numeric = np.array([(Q(beta + h * e) - Q(beta - h * e)) / (2 * h) for e in np.eye(5)])
    # bias.Q_D carries alpha^D, the KKT form alpha^2: the gradients differ by alpha^(D-2)
    np.testing.assert_allclose(lim.grad_Q(beta, alpha * w0, depth) * alpha ** (depth - 2),
                               numeric, rtol=1e-6, atol=1e-8)


def test_stationarity_is_the_distance_from_the_row_space():
    X = np.random.default_rng(0).standard_normal((3, 7))
    assert lim.stationarity(X, X.T @ np.array([1.0, -2.0, 0.5])) < 1e-14
    assert lim.stationarity(X, ev.null_direction(X)) == pytest.approx(1.0)
    assert lim.stationarity(X, np.zeros(7)) == 0.0


def test_shifted_and_violating_points_interpolate():
    X, y, _ = ev.instance("theorem2", seed=50)
    l1 = bias.min_l1(X, y)
    moved = ev.shifted(X, l1, 1e-6)
    assert ev.infeasibility(X, y, moved) < 1e-12
    assert ev.relative(moved, l1) == pytest.approx(1e-6)
    norm = lambda b: float(np.abs(b).sum())  # noqa: E731
    bad = ev.violating(X, l1, norm, 2.0 * norm(l1))
    assert ev.infeasibility(X, y, bad) < 1e-12
    assert norm(bad) == pytest.approx(2.0 * norm(l1), rel=1e-10)


def _kkt_evidence():
    X, y, w0 = ev.instance("limits", seed=2, shaped=True)
    alpha = ev.ALPHAS["kkt"]
    return {"X": X, "y": y, "scale": alpha * w0, "depth": 2,
            "beta": flow_limit(X, y, alpha, w0=w0), "l2": bias.min_l2(X, y)}


def test_kkt_judge_passes_the_limit_and_fails_an_infeasible_or_nan_beta():
    e = _kkt_evidence()
    assert lim.kkt_judge(e).passed
    zero = lim.kkt_judge({**e, "beta": np.zeros_like(e["beta"])})
    assert not zero.passed and zero.error == pytest.approx(1.0)
    nan = lim.kkt_judge({**e, "beta": np.full_like(e["beta"], np.nan)})
    assert not nan.passed and nan.failed_runs == ("beta has non-finite entries",)


def test_theorem2_judge_fails_a_non_interpolating_beta_that_meets_the_bound():
    X, y, _ = ev.instance("theorem2", seed=50)
    e = {"X": X, "y": y, "which": "kernel", "alpha": 3.0, "ref": bias.min_l2(X, y)}
    assert lim.theorem2_judge({**e, "beta": e["ref"]}).passed
    result = lim.theorem2_judge({**e, "beta": np.zeros(X.shape[1])})
    assert result.error == pytest.approx(-1.0)  # the norm bound alone would pass
    assert not result.passed and "does not interpolate" in result.failed_runs[0]


def test_gd_judge_reads_the_order_from_the_distances():
    limit = np.ones(4)
    direction = np.eye(4)[0]
    e = {"limit": limit, "l2": limit, "steps": np.array([1e-3, 5e-4, 2.5e-4]),
         "converged": [True] * 3, "steps_run": [1, 2, 3]}
    first_order = np.array([limit + c * direction for c in (4e-3, 2e-3, 1e-3)])
    assert dyn.gd_judge({**e, "beta": first_order}).error == pytest.approx(0.0, abs=1e-9)
    second_order = np.array([limit + c * direction for c in (4e-3, 1e-3, 2.5e-4)])
    assert not dyn.gd_judge({**e, "beta": second_order}).passed  # order 2, not 1
    stalled = dyn.gd_judge({**e, "beta": first_order, "converged": [True, False, True]})
    assert not stalled.passed and "stopped before" in stalled.failed_runs[0]


def test_trajectory_judge_needs_a_converged_settled_flow():
    limit = np.array([1.0, 2.0])
    e = {"X": np.eye(2), "y": limit, "depth": 2, "limit": limit, "l2": limit,
         "times": np.array([0.0, 1.0, 5e3, 1e4]), "method": "test", "num_steps": 1,
         "beta": np.array([np.zeros(2), 0.5 * limit, limit, limit]),
         "loss": np.array([5.0, 1.0, 0.0, 0.0])}
    assert dyn.trajectory_judge(e).passed
    moving = dyn.trajectory_judge({**e, "beta": np.array([np.zeros(2), 0.5 * limit,
                                                          0.9 * limit, limit])})
    assert not moving.passed  # the last two saves differ: not settled
    unconverged = dyn.trajectory_judge({**e, "loss": np.array([5.0, 1.0, 1e-3, 1e-3])})
    assert not unconverged.passed and "not converged" in unconverged.failed_runs[0]


def test_assumptions_list_every_check_constant():
    names = {p.name for p in woodworth2020.ASSUMPTIONS}
    assert all(p.assumed for p in woodworth2020.ASSUMPTIONS)
    assert {"checks: (d, N)", "checks: alpha", "checks: w0"} <= names
    sizes = next(p for p in woodworth2020.ASSUMPTIONS if p.name == "checks: (d, N)").value
    assert sizes == {k: list(v) for k, v in ev.SIZES.items()}


def test_every_check_has_counterexamples():
    assert len(woodworth2020.CHECKS) == 14
    assert all(c.judge is not None and c.counterexamples for c in woodworth2020.CHECKS)
