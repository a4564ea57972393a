"""The §4 (Gunasekar et al. 2017) and §5 (Arora et al. 2019) experiments on tiny configs:
their numbers obey the theory, every figure renders with a caption that says what ran,
every experiment declares its setup with a source for each value, and the judges of the
checks fail on the corrupted evidence of their counterexamples (tests/test_checks_can_fail.py
runs the checks themselves). The diffrax ones are slow."""

import numpy as np
import pytest

from kernelrich.experiments import Param, Store, Table, run_experiment
from kernelrich.papers import arora2019, gunasekar2017
from kernelrich.papers.arora2019 import _fig3, _scales
from kernelrich.papers.gunasekar2017 import _common, _commuting

_ARORA = dict(n=8, rank=1, m=20, seed=0)
TINY = {
    "gunasekar-distance": [dict(kind=kind, n=5, rank=1, m=8, d=5, seed=0, alphas=[1.0, 0.01],
                                steps=[0.03], solver="kvaerno5", max_steps=20_000)
                           for kind in ("sensing", "completion")],
    "gunasekar-commuting": [dict(m=5, n=12, seed=0, alphas=[1.0, 1e-30], flow_alphas=[1.0],
                                 flow_times=[1.0, 40.0, 80.0], gd_alphas=[1.0])],
    "arora-fig1-2": [{**_ARORA, "kind": "completion", "method": "nuclear"},
                     {**_ARORA, "kind": "completion", "method": "depth-2", "depth": 2,
                      "lrs": [1e-3], "scales": [0.1, 1e-3], "repeats": 2,
                      "max_steps": 20_000}],
    "arora-sensing": [{**_ARORA, "kind": "sensing", "method": "nuclear"},
                      {**_ARORA, "kind": "sensing", "method": "depth-2", "depth": 2,
                       "lrs": [1e-3], "scales": [1e-3], "repeats": 2,
                       "max_steps": 20_000}],
    "arora-fig3": [{**_ARORA, "depth": d, "max_steps": 20_000} for d in (1, 2)],
    "arora-observations": [{**_ARORA, "method": method, "max_steps": 20_000}
                           for method in ("depth-2", "nuclear")],
}
SLOW = ("gunasekar-distance", "gunasekar-commuting")
EXPERIMENTS = {e.name: e for e in gunasekar2017.EXPERIMENTS + arora2019.EXPERIMENTS}


def test_experiments_are_named_and_complete():
    assert set(EXPERIMENTS) == set(TINY)
    for name, exp in EXPERIMENTS.items():
        assert exp.paper in ("gunasekar2017", "arora2019")
        assert name.startswith(("gunasekar-", "arora-"))
        assert exp.points(True) and exp.points(False)


@pytest.mark.parametrize("name", list(TINY))
def test_every_experiment_declares_its_setup(name):
    """A source for every value, quick and full; quick-mode values that differ from the
    authors' say what the authors used."""
    exp = EXPERIMENTS[name]
    for quick in (True, False):
        params = exp.setup(quick)
        assert params and all(isinstance(p, Param) and p.source for p in params)
        assert len({p.name for p in params}) == len(params)
    assert not any(p.differs for p in exp.setup(False))


def test_our_own_experiment_says_so():
    exp = EXPERIMENTS["arora-observations"]
    assert "our experiment" in exp.title.lower() and "not in the authors' code" in exp.title


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
                                  for n in TINY])
def test_every_experiment_runs_and_plots(tmp_path, name):
    """One tiny config per experiment (those with a diffrax flow, with its long compile, are
    slow)."""
    exp = EXPERIMENTS[name]
    shrunk = type(exp)(**{**exp.__dict__, "points": lambda quick, n=name: TINY[n]})
    summary = run_experiment(shrunk, quick=True, store=Store(tmp_path / "store"),
                             progress=False)
    assert not summary.failed, summary.failed
    table = Table(summary.table.rows)
    figures = exp.plot(table, tmp_path / name, True)
    assert figures and all(f.png.exists() and f.pdf.exists() for f in figures)
    assert all("quick mode" in f.caption for f in figures)
    if exp.tables:
        assert all(rows for _, rows in exp.tables(table, True))
    CONSEQUENCES.get(name, lambda rows: None)(summary.table.rows)


def _distance_shrinks(rows):
    for out in rows:
        assert out["flow_distance"][1] <= 0.5 * out["flow_distance"][0]
        # min is a minimum, up to the flow's residual at its stop (loss 1e-8: 1e-4)
        assert out["flow_nuclear"][1] >= out["nuclear_min"] * (1 - 1e-4)
        assert out["nuclear_status"] == "optimal"


def _commuting_flow_meets_the_closed_form(rows):
    (out,) = rows
    assert out["l1_nonnegative"] and out["l1_to_trace"] <= 1e-12
    assert out["psd_to_trace"][-1] <= 1e-9 and out["network_to_l1"][-1] <= 1e-9
    assert out["psd_to_network"][0] >= 1e-2  # at alpha = 1 the two models differ
    assert out["flow_to_limit"][0] <= 1e-9 and out["flow_loss"][0] <= 1e-18
    assert out["gd_offdiag"] == [0.0] and out["gd_to_limit"][0] <= 1e-2


def _scales_fit(rows):
    nuclear = next(r for r in rows if r["method"] == "nuclear")
    deep = next(r for r in rows if r["method"] != "nuclear")
    assert nuclear["status"] == "optimal"
    assert np.shape(deep["error"]) == (len(deep["lrs"]), len(deep["scales"]), deep["repeats"])
    assert np.all(deep["converged"]) and np.all(np.asarray(deep["train_loss"]) <= 1e-6)
    assert nuclear["truth_effective_rank"] == pytest.approx(1.0, abs=1e-9)  # rank 1 truth


CONSEQUENCES = {"gunasekar-distance": _distance_shrinks,
                "gunasekar-commuting": _commuting_flow_meets_the_closed_form,
                "arora-fig1-2": _scales_fit, "arora-sensing": _scales_fit}


def test_fig3_runs_the_dynamics_configuration():
    """Identity init, plain GD at lr 0.01, logged every 100 steps; at depth 2 the
    alignment is logged at every singular-value record."""
    out = _fig3.compute(TINY["arora-fig3"][1])
    assert np.shape(out["singular_values"]) == (len(out["times"]), 8)
    assert out["times"][0] == 0 and out["times"][1] == 100 and out["times"][-1] == out["steps"]
    assert np.shape(out["alignment"]) == (len(out["times"]), 4)
    assert np.all(np.isfinite(out["alignment"])) and np.all(np.asarray(out["alignment"]) >= 0)


def test_scales_setup_cites_the_authors_files():
    rows = {p.name: p for p in _scales.COMPLETION.setup(False)}
    assert rows["learning rates"].value == [1e-3, 3e-4]
    assert rows["init scales"].value == [1e-3, 1e-4, 1e-5, 1e-6]
    assert rows["repeats per configuration"].value == 3
    sensing = {p.name: p for p in _scales.SENSING.setup(False)}
    assert sensing["init scales"].value[-1] == 1e-7
    assert all(p.kind == "code" for k, p in rows.items() if k != "data seed")


def test_symmetric_completion_instance_observes_entries():
    problem, truth = _common.completion_instance(dict(n=6, rank=2, m=10, seed=0))
    A = np.asarray(problem.A)
    assert np.allclose(A, A.transpose(0, 2, 1))
    X = truth + 0.0
    rows, cols = np.nonzero(np.triu(A.sum(axis=0)))
    assert len(rows) == 10 and np.allclose(problem.y, X[rows, cols])
    with pytest.raises(ValueError, match="m must be"):
        _common.completion_instance(dict(n=3, rank=1, m=7, seed=0))


@pytest.mark.parametrize("package", [gunasekar2017, arora2019], ids=lambda p: p.KEY)
def test_reported_entries_are_valid(package):
    from kernelrich.report import validate_reported

    validate_reported(package.REPORTED)
    assert package.CLAIM and package.TITLE
    assert all(c.paper == package.KEY for c in package.CHECKS)
    assert all(c.judge is not None and c.counterexamples for c in package.CHECKS)
    assert package.ASSUMPTIONS and all(p.assumed for p in package.ASSUMPTIONS)


def test_commuting_experiment_sizes():
    assert all(p["n"] > p["m"] for p in _commuting.points(True) + _commuting.points(False))
