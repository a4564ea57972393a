"""The spectrum experiments of the Jacot section (kernelrich.papers.jacot2018._spectrum) and
the learning-curve paper (kernelrich.papers.bordelon2020): small points run end to end,
captions come from the numbers, setups have a source for every value;
their checks run in test_checks_can_fail.py."""

import numpy as np
import pytest

from kernelrich.experiments import Param, Table
from kernelrich.papers import bordelon2020
from kernelrich.papers.bordelon2020 import _curves, _networks
from kernelrich.papers.jacot2018 import _spectrum, _spectrum_checks
from kernelrich.report import validate_reported

EXPERIMENTS = _spectrum.EXPERIMENTS + bordelon2020.EXPERIMENTS


def test_the_paper_package_declares_what_the_report_needs():
    assert bordelon2020.KEY == "bordelon2020" and bordelon2020.BEYOND is True
    assert bordelon2020.TITLE and bordelon2020.CLAIM
    validate_reported(bordelon2020.REPORTED)
    validate_reported(_spectrum_checks.REPORTED)
    assert {e.paper for e in _spectrum.EXPERIMENTS} == {"jacot2018"}
    assert {e.paper for e in bordelon2020.EXPERIMENTS} == {"bordelon2020"}


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=lambda e: e.name)
def test_every_experiment_has_its_setup_in_both_modes(exp):
    for quick in (True, False):
        params = exp.setup(quick)
        assert params and all(isinstance(p, Param) and p.source for p in params)
        assert exp.points(quick)
    assert len(exp.points(True)) < len(exp.points(False))


def test_spectrum_point_runs_and_its_caption_reports_the_fit(tmp_path):
    config = {"kernel": "ntk", "depth": 2, "dim": 3, "beta": 0.1, "max_degree": 200}
    row = {**config, **_spectrum.compute(config)}
    assert row["last_resolved"] == 200 and abs(row["exponent"] - 3) < 0.01
    assert abs(row["sum_rule"]) < 1e-5
    figure = _spectrum.plot(Table([row]), tmp_path, True)[0]
    assert f"{abs(row['exponent'] - 3):.3g}" in figure.caption
    assert _spectrum.tables(Table([row]), True)[0][1][0]["fitted exponent p"] == round(
        row["exponent"], 4)


def test_gram_convergence_summary_is_computed_from_the_rows():
    """Eigenvalues biased by exactly 1/n, with a +-1e-4 scatter over two seeds: deviations
    1/n, a Richardson limit at mu_k, a slope of -1."""
    values, degrees = _spectrum.population(3, 3)
    ns = np.array([100, 200])
    scatter = 1 + 1e-4 * np.array([1.0, -1.0])[None, :, None]
    tops = np.tile(values, (2, 2, 1)) * (1 + 1.0 / ns[:, None, None]) * scatter
    c = _spectrum.convergence(ns, tops, values, degrees)
    np.testing.assert_allclose(c["deviation"], np.array([[0.01], [0.005]]).repeat(5, 1),
                               rtol=1e-9)
    np.testing.assert_allclose(c["limit_deviation"], 0.0, atol=1e-12)
    assert c["slope"] == pytest.approx(-1.0)


def test_a_kernel_regression_point_and_its_table(tmp_path):
    rows = []
    for n in (20, 40):
        for seed in range(3):
            config = {"dim": 10, "n": n, "seed": seed, "anchors": 200, "test": 300}
            rows.append({**config, **_curves.compute(config)})
    assert all(r["status"] == "ok" for r in rows)
    summary = _curves.summary_rows(Table(rows))
    assert len(summary) == 6 and all(np.isfinite(r["deviation"]) for r in summary)
    for r in rows:  # the exact integral and the test set agree within the test set's noise
        np.testing.assert_allclose(r["error"], r["test_error"], rtol=0.3)
    caption = _curves.plot(Table(rows), tmp_path, True)[0].caption
    assert f"{max(abs(r['deviation']) for r in summary):.1%}" in caption


def test_a_network_point_follows_kernel_gradient_descent(tmp_path):
    config = {"width": 256, "n": 20, "seed": 0, "steps": 300, "test": 300, "anchors": 200}
    row = {**config, **_networks.compute(config)}
    assert row["status"] == "ok" and row["largest_step_factor"] < 2
    assert max(row["network_vs_kernel_gd"]) < 0.5
    caption = _networks.plot(Table([row, {**row, "seed": 1}]), tmp_path, True)[0].caption
    assert "network / kernel-regression test error" in caption
