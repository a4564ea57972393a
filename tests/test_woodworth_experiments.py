"""The §1 experiments on tiny configs: their numbers obey the theory, and figures render."""

import numpy as np
import pytest

from kernelrich.experiments import Store, Table, run_experiment
from kernelrich.papers import woodworth2020
from kernelrich.papers.woodworth2020 import _fig1, _fig2, _fig3, _init_shape, _theorem2


def test_fig1_ends_at_min_l1_and_min_l2():
    out = _fig1.compute(dict(d=60, r=3, N=30, seed=0, alphas=[1e-40, 1e4]))
    small, large = out["error"]
    assert large == pytest.approx(out["error_l2"], rel=1e-8)
    assert small == pytest.approx(out["error_l1"], rel=1e-2)  # log-slow approach (D = 2)


def test_fig2_level_sets_between_l1_and_l2():
    for potential in ["Q", "R"]:
        small = _fig2.compute(dict(potential=potential, alpha=1e-10, angles=16))
        large = _fig2.compute(dict(potential=potential, alpha=100.0, angles=16))
        assert large["diagonal_radius"] == pytest.approx(1.0, abs=1e-3)  # l2 ball
        assert 1 / np.sqrt(2) <= small["diagonal_radius"] < large["diagonal_radius"]
    q = _fig2.compute(dict(potential="Q", alpha=1e-6, angles=16))["diagonal_radius"]
    r = _fig2.compute(dict(potential="R", alpha=1e-6, angles=16))["diagonal_radius"]
    assert r - 1 / np.sqrt(2) < 1e-3 < q - 1 / np.sqrt(2)  # R is l1-like far sooner


def test_fig3_depth_reaches_l1_sooner():
    ratios = {D: _fig3.compute(dict(d=30, r=3, N=10, seed=1, depth=D, alphas=[1e-6]))["l1_ratio"][0]
              for D in [2, 3]}
    assert ratios[3] - 1 < 1e-8 < ratios[2] - 1


def test_theorem2_guarantees_hold():
    out = _theorem2.compute(dict(d=30, r=3, N=10, seed=0, eps=0.5))
    assert out["l1_ratio_at_threshold"] <= 1.5
    assert out["l2sq_ratio_at_threshold"] <= 1.5


def test_init_shape_kernel_limit_is_weighted():
    out = _init_shape.compute(dict(d=30, r=3, N=10, seed=0, shape="uniform [0.1, 10]",
                                   alphas=[1e-30, 1e3]))
    assert out["dist_weighted_l2"][1] < 1e-8 < out["dist_l2"][1]
    assert out["l1_excess"][0] < 1e-3


def test_every_experiment_runs_and_plots(tmp_path, monkeypatch):
    """Quick mode shrunk to one point per experiment: store, table, plot, tables."""
    for exp in woodworth2020.EXPERIMENTS:
        if exp.name in ("woodworth-matrix", "woodworth-nn"):
            continue  # tiny configs of both: tests/test_woodworth_transition.py
        first = exp.points(True)[:1] if exp.name != "woodworth-fig2" else [
            p for p in exp.points(True) if p["alpha"] in (exp.points(True)[0]["alpha"],)]
        shrunk = type(exp)(**{**exp.__dict__, "points": lambda quick, first=first: first})
        summary = run_experiment(shrunk, quick=True, store=Store(tmp_path / "store"),
                                 progress=False)
        assert not summary.failed, summary.failed
        figures = exp.plot(Table(summary.table.rows), tmp_path / exp.name, True)
        assert figures and all(f.png.exists() and f.pdf.exists() for f in figures)
        assert all("quick mode" in f.caption for f in figures)


def test_every_experiment_declares_its_setup_in_both_modes():
    for exp in woodworth2020.EXPERIMENTS:
        for quick in (True, False):
            params = exp.setup(quick)
            assert params and all(p.source for p in params), exp.name
            assert [p.row() for p in params]  # renders
    fig1 = {p.name: p.value for p in _fig1.setup(False)}
    assert fig1["d"] == _fig1._sizes(False)["d"] == 1000  # full mode: the sizes in use


def test_result_sentences_follow_the_numbers():
    """A table title that counts where Theorem 2 holds counts from the rows it shows."""
    from kernelrich.experiments import Table

    rows = [dict(d=30, r=3, N=10, seed=0, eps=0.5, alpha_rich=1e-9, l1_ratio_at_threshold=1.2,
                 alpha_rich_true=None, alpha_kernel=3.0, l2sq_ratio_at_threshold=1.7,
                 alpha_kernel_true=None)]
    title, _ = _theorem2.tables(Table(rows), True)[0]
    assert "l1 ratio is <= 1 + eps for 1 of 1" in title
    assert "l2^2 ratio for 0 of 1" in title
