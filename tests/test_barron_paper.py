"""The barron1993 paper module: experiments on tiny grids (compute, plot, tables) and checks."""

import numpy as np
import pytest

from kernelrich.barron import GaussianBump, greedy_approximation, uniform_ball
from kernelrich.experiments import Check, CheckResult, Experiment, Store, Table, run_experiment
from kernelrich.papers import barron1993
from kernelrich.papers.barron1993 import _approximation, _checks, _constants, _estimation

TINY = dict(restarts=8, steps=30, seed=0, quick=True)


def test_module_shape():
    assert barron1993.KEY == "barron1993" and "Barron (1994)" in barron1993.TITLE
    assert all(isinstance(e, Experiment) and e.paper == "barron1993"
               and e.name.startswith("barron-") for e in barron1993.EXPERIMENTS)
    assert all(isinstance(c, Check) and c.paper == "barron1993" for c in barron1993.CHECKS)


def test_approximation_tiny(tmp_path):
    rows = []
    for d in (1, 2):
        for target in ("gaussian", "ridges"):
            config = dict(d=d, target=target, N=100, n_max=3, ls_n=[1, 3], ls_iter=20,
                          ls_restarts=1, **TINY)
            rows.append({**config, **_approximation.compute(config)})
    table = Table(rows)
    for r in rows:
        n = np.arange(1, 4)
        assert np.all(np.array(r["greedy_errors"]) <= (2 * r["C"]) ** 2 / n)
        assert len(r["basis_errors"]) == 3 and len(r["ls_errors"]) == 2
    figs = _approximation.plot(table, tmp_path, True)
    assert [f.png.name for f in figs] == ["barron_error_vs_n.png", "barron_bases.png"]
    assert all(f.png.exists() and f.pdf.exists() and "quick mode" in f.caption for f in figs)
    (title, out), = _approximation.tables(table, True)
    assert len(out) == 4 and out[0]["max_k e_k / bound_k"] <= 1


def test_estimation_tiny(tmp_path):
    rows = []
    for d in (1, 2):
        for N in (50, 100):
            for seed in (0, 1):
                config = dict(d=d, N=N, target="ridges", n_max=3, pad_to=128, test=200,
                              **{**TINY, "seed": seed})
                rows.append({**config, **_estimation.compute(config)})
    table = Table(rows)
    assert all(1 <= r["n_hat"] <= 3 and r["risk"] == r["risk_path"][r["n_hat"] - 1]
               for r in rows)
    figs = _estimation.plot(table, tmp_path, True)
    assert all(f.png.exists() for f in figs) and len(figs) == 2
    rates = _estimation.rate_rows(table)
    assert [r["d"] for r in rates] == [1, 2]
    assert all(r["95% CI low"] <= r["exponent"] <= r["95% CI high"] for r in rates)


def test_constants_experiment(tmp_path):
    summary = run_experiment(_constants.EXPERIMENT, quick=True, store=Store(tmp_path),
                             progress=False)
    assert summary.failed == [] and len(summary.table) == len(_constants.constant_targets())
    (_, rows), = _constants.tables(summary.table, True)
    for r in rows:
        if r["exact"]:
            assert r["|difference|"] <= r["error estimate"]


def test_closed_form_checks_pass():
    for name in _constants.constant_targets():
        result = _checks.closed_form(name)
        assert isinstance(result, CheckResult) and result.passed, result


def test_theorem_check_can_fail(monkeypatch):
    """A stalled inner search (every unit rejected) must fail the step check."""
    res = greedy_approximation(GaussianBump([0.0], 0.5), uniform_ball(100, 1, seed=0), 3,
                               radius=1.0, restarts=8, steps=30)
    stalled = type(res)(**{**res.__dict__, "errors": np.full_like(res.errors,
                                                                  res.initial_error)})
    monkeypatch.setattr(_checks, "_greedy", lambda d, t: stalled)
    assert not _checks.step_inequality(1, "gaussian").passed
    worse = type(res)(**{**res.__dict__, "errors": res.theorem_bound() * 1.5})
    monkeypatch.setattr(_checks, "_greedy", lambda d, t: worse)
    result = _checks.theorem1(1, "gaussian")
    assert not result.passed and "optimality gap >=" in result.detail


@pytest.mark.slow
def test_all_checks_pass():
    from kernelrich.experiments import run_checks

    results = run_checks(barron1993.CHECKS, progress=False)
    failed = [r for r in results if not r.passed]
    assert not failed, failed
