"""The `jacot-pc-rates` experiment (per-component rates along the NTK's principal components)
on a tiny config, its rate fit against known exponentials, and its checks: they pass on their
evidence and fail on each counterexample."""

import copy

import numpy as np
import pytest

from kernelrich.experiments import Param, Table, run_checks
from kernelrich.papers import jacot2018
from kernelrich.papers.jacot2018 import _pc_rates, _pc_rates_checks

TINY = [dict(dataset=d, width=w, seed=s, n_points=12, depth=2, beta=0.1, k=3)
        for d in ("digits", "sphere") for w in (8, 32) for s in (0, 1)]


def test_registered_in_the_paper():
    assert _pc_rates.EXPERIMENT in jacot2018.EXPERIMENTS
    assert all(c in jacot2018.CHECKS for c in _pc_rates_checks.CHECKS)
    assert "jacot-pc-rates" in jacot2018._fig3.EXPERIMENT.claim


def test_decay_rate_recovers_known_exponentials_exactly():
    t = np.linspace(0, 50, 101)
    for rate in (0.01, 0.3, 2.0):
        assert _pc_rates.decay_rate(t, -0.7 * np.exp(-rate * t)) == pytest.approx(rate,
                                                                                    rel=1e-12)


def test_decay_rate_fits_only_above_the_floor():
    t = np.linspace(0, 10, 101)
    c = np.where(t < 4, np.exp(-t), np.exp(-4.0))  # flat once below e^-4 ~ 0.018
    assert _pc_rates.decay_rate(t, c, floor=0.02) == pytest.approx(1.0, rel=1e-12)
    assert np.isnan(_pc_rates.decay_rate(t, c * np.nan))
    assert np.isnan(_pc_rates.decay_rate(t[:2], c[:2]))
    with pytest.raises(ValueError, match="t and c"):
        _pc_rates.decay_rate(t, c[:5])


def test_gd_rates_tend_to_the_flow_and_kendall_tau():
    lam = np.array([0.5, 0.1, 0.01])
    assert np.allclose(_pc_rates.gd_rates(lam, 1e-8), lam, rtol=1e-7)
    assert _pc_rates.gd_rates(lam, 1.0)[0] == pytest.approx(np.log(2.0))
    assert _pc_rates.kendall_tau([3.0, 2.0, 1.0]) == 1.0
    assert _pc_rates.kendall_tau([1.0, 2.0, 3.0]) == -1.0


def test_log_log_slope_of_a_power_law():
    w = np.array([64, 64, 256, 256, 1024])
    slope, se = _pc_rates.log_log_slope(w, 3.0 * w ** -0.5)
    assert slope == pytest.approx(-0.5, abs=1e-12) and se == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(_pc_rates.log_log_slope(w, np.r_[1.0, 1.0, np.nan, 1.0, 1.0])[0])


def test_compute_plot_and_tables_on_a_tiny_config(tmp_path):
    rows = [{**c, **_pc_rates.compute(c)} for c in TINY]
    for row in rows:
        assert len(row["rates"]) == 3 and np.all(np.isfinite(row["rates"]))
        assert row["lr"] * row["lambda"][0] == pytest.approx(_pc_rates.TOP_STEP)
    table = Table(rows)
    (_, per_width), (_, slopes) = _pc_rates.tables(table, quick=True)
    assert len(per_width) == 4 and len(slopes) == 2
    assert {"error i=1", "max error", "Kendall tau", "rates decreasing in i"} <= set(
        per_width[0])
    figures = _pc_rates.plot(table, tmp_path, quick=True)
    assert figures and f"{slopes[0]['slope']:.2f}" in figures[0].caption


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="dataset"):
        _pc_rates.inputs({"dataset": "mnist", "n_points": 8})


def test_setup_rows():
    for quick in (True, False):
        rows = _pc_rates.setup(quick)
        assert rows and all(isinstance(p, Param) for p in rows)
        assert any(p.differs for p in rows) == quick


@pytest.mark.slow
def test_checks_pass_and_every_counterexample_fails():
    for result in run_checks(_pc_rates_checks.CHECKS, progress=False):
        assert result.passed, result.detail
        assert result.can_fail


def test_judges_fail_on_each_counterexample_of_synthetic_evidence():
    """Evidence built from rates n^-1/2 off kernel GD's: passes; each corruption fails."""
    lam, lr = np.array([0.2, 0.05, 0.02]), 0.5
    widths = np.array(_pc_rates_checks.WIDTHS)
    rho = _pc_rates.gd_rates(lam, lr)
    signs = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]])
    rates = rho * (1 + 2.0 * widths[:, None, None] ** -0.5 * signs[None])
    e = {"widths": widths, "rates": rates, "lambda": lam, "lr": lr,
         "other_depth_lambda": 1.3 * lam}
    widest, slope = _pc_rates_checks.widest_judge, _pc_rates_checks.slope_judge
    assert widest(copy.deepcopy(e)).passed and slope(copy.deepcopy(e)).passed
    for ce in _pc_rates_checks.COUNTEREXAMPLES:
        assert not widest(ce.corrupt(copy.deepcopy(e))).passed, ce.what
    # A wrong limit shows in the slope only as a plateau (the measured evidence has one);
    # the swapped widths and the NaN fail the slope judge on any evidence.
    for ce in (_pc_rates_checks.COUNTEREXAMPLES[0], _pc_rates_checks.COUNTEREXAMPLES[2]):
        assert not slope(ce.corrupt(copy.deepcopy(e))).passed, ce.what
