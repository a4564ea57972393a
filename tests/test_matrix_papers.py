"""The §4 (Gunasekar et al. 2017) and §5 (Arora et al. 2019) experiments on tiny configs:
their numbers obey the theory, every figure renders with a caption that says what ran, and
the theorem checks pass (the diffrax ones are slow)."""

import numpy as np
import pytest

from kernelrich.experiments import Store, Table, run_experiment
from kernelrich.papers import arora2019, gunasekar2017
from kernelrich.papers.arora2019 import _fig2, _fig3
from kernelrich.papers.gunasekar2017 import _commuting

TINY = {
    "gunasekar-distance": [dict(n=5, rank=1, m=8, d=5, seed=0, alphas=[1.0, 0.01],
                                steps=[0.03], solver="kvaerno5", max_steps=20_000)],
    "gunasekar-commuting": [dict(m=5, n=12, support=2, seed=0, alphas=[1.0, 1e-30],
                                 gd_alphas=[1.0])],
    "arora-fig1": [dict(n=8, rank=1, m=m, method=method, seed=0, max_steps=20_000)
                   for m in (20,) for method in ("depth-2", "nuclear")],
    "arora-fig2": [dict(n=8, rank=1, kind=kind, m=20, depth=2, seed=0, scales=[0.1, 1e-3],
                        max_steps=20_000) for kind in ("completion", "sensing")],
    "arora-fig3": [dict(n=8, rank=1, m=20, depth=d, seed=0, chunk=500, max_steps=20_000)
                   for d in (1, 2)],
}


def test_commuting_limit_meets_min_l1_and_the_diagonal_network():
    out = _commuting.compute(TINY["gunasekar-commuting"][0])
    assert out["l1_nonnegative"]
    assert out["psd_to_l1"][-1] <= 1e-9 and out["network_to_l1"][-1] <= 1e-9
    assert out["psd_to_network"][0] >= 1e-2  # at alpha = 1 the two models differ
    assert out["gd_offdiag"] == [0.0] and out["gd_to_limit"][0] <= 1e-2


EXPERIMENTS = {e.name: e for e in gunasekar2017.EXPERIMENTS + arora2019.EXPERIMENTS}


def test_experiments_are_named_and_complete():
    assert set(EXPERIMENTS) == set(TINY)
    for name, exp in EXPERIMENTS.items():
        assert exp.paper in ("gunasekar2017", "arora2019")
        assert name.startswith(("gunasekar-", "arora-"))
        assert exp.points(True) and exp.points(False)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow)
                                  if n == "gunasekar-distance" else n for n in TINY])
def test_every_experiment_runs_and_plots(tmp_path, name):
    """One tiny config per experiment (the diffrax one, with its long compile, is slow)."""
    for exp in [EXPERIMENTS[name]]:
        shrunk = type(exp)(**{**exp.__dict__, "points": lambda quick, n=name: TINY[n]})
        summary = run_experiment(shrunk, quick=True, store=Store(tmp_path / "store"),
                                 progress=False)
        assert not summary.failed, summary.failed
        figures = exp.plot(Table(summary.table.rows), tmp_path / name, True)
        assert figures and all(f.png.exists() and f.pdf.exists() for f in figures)
        assert all("quick mode" in f.caption for f in figures)
        if exp.tables:
            assert all(rows for _, rows in exp.tables(Table(summary.table.rows), True))
        CONSEQUENCES.get(name, lambda rows: None)(summary.table.rows)


def _distance_shrinks(rows):
    (out,) = rows
    assert out["flow_distance"][1] <= 0.5 * out["flow_distance"][0]
    assert out["flow_nuclear"][1] >= out["nuclear_min"] * (1 - 1e-6)  # min is a minimum
    assert max(out["gd_to_flow"][0]) <= 0.05  # GD tracks the flow (measured in the output)


def _fig1_fits(rows):
    deep, nuc = sorted(rows, key=lambda r: r["method"])
    assert deep["converged"] and deep["train_loss"] < 1e-6
    assert nuc["status"] in ("optimal", "optimal_inaccurate")
    assert 1 <= deep["effective_rank"] <= 8


CONSEQUENCES = {"gunasekar-distance": _distance_shrinks, "arora-fig1": _fig1_fits}


def test_fig2_and_fig3_outputs_are_consistent():
    out = _fig2.compute(TINY["arora-fig2"][0])
    assert len(out["error"]) == 2 and all(out["converged"])
    sv = _fig3.compute(TINY["arora-fig3"][1])
    assert np.shape(sv["singular_values"]) == (len(sv["times"]), 8)
    assert sv["times"][0] == 0 and sv["times"][-1] == sv["steps"]


@pytest.mark.parametrize("check", gunasekar2017.CHECKS, ids=lambda c: c.instance)
def test_gunasekar_checks_pass(check):
    result = check.run()
    assert result.passed, (result.quantity, result.error, result.tolerance, result.detail)


@pytest.mark.slow
@pytest.mark.parametrize("check", arora2019.CHECKS, ids=lambda c: c.instance)
def test_arora_checks_pass(check):
    result = check.run()
    assert result.passed, (result.quantity, result.error, result.tolerance, result.detail)


@pytest.mark.parametrize("package", [gunasekar2017, arora2019], ids=lambda p: p.KEY)
def test_reported_entries_are_valid(package):
    from kernelrich.report import validate_reported

    validate_reported(package.REPORTED)
    assert package.CLAIM and package.TITLE
    assert all(c.paper == package.KEY for c in package.CHECKS)
