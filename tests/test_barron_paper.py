"""The barron1993 paper module: experiments on tiny grids (compute, plot, tables, setup) and the
checks' judges on hand-made evidence (the catalog test runs the checks themselves)."""

import math

import numpy as np
import pytest
import scipy.stats

from kernelrich.barron import GaussianBump, greedy_approximation, risk_bound, uniform_ball
from kernelrich.experiments import Check, Experiment, Param, Table
from kernelrich.papers import barron1993
from kernelrich.papers.barron1993 import (
    _approximation,
    _checks,
    _checks_estimation,
    _common,
    _estimation,
    _fixed_basis,
)

TINY = dict(restarts=8, steps=30, seed=0, quick=True)


def test_module_shape():
    assert barron1993.KEY == "barron1993" and "Barron (1994)" in barron1993.TITLE
    assert all(isinstance(e, Experiment) and e.paper == "barron1993"
               and e.name.startswith("barron-") for e in barron1993.EXPERIMENTS)
    assert all(isinstance(c, Check) and c.paper == "barron1993" and c.counterexamples
               for c in barron1993.CHECKS)
    assert all(isinstance(p, Param) and p.assumed for p in barron1993.ASSUMPTIONS)


@pytest.mark.parametrize("quick", [True, False])
def test_every_experiment_declares_its_setup(quick):
    for exp in barron1993.EXPERIMENTS:
        params = exp.setup(quick)
        assert params and all(isinstance(p, Param) for p in params)
        assert any(p.kind == "paper" for p in params), exp.name
    estimation = {p.name: p.value for p in _estimation.setup(quick)}
    assert estimation["n_max"] == _estimation.points(quick)[0]["n_max"]


def test_estimation_sweep_reaches_the_balancing_size():
    from kernelrich.barron import barron_constant, predicted_size

    for quick in (True, False):
        for c in _estimation.points(quick):
            c_f = barron_constant(_common.make_target(c["target"], c["d"]))
            assert c["n_max"] >= predicted_size(c_f, c["N"], c["d"]), c


def test_approximation_tiny(tmp_path):
    rows = []
    for d in (1, 2):
        for target in ("gaussian", "ridges"):
            config = dict(d=d, target=target, N=100, n_max=3, ls_n=[1, 3], ls_iter=20,
                          ls_restarts=1, **TINY)
            rows.append({**config, **_approximation.compute(config)})
    table = Table(rows)
    for r in rows:
        assert len(r["greedy"]["errors"]) == 3 and len(r["ls_errors"]) == 2
    figs = _approximation.plot(table, tmp_path, True)
    assert [f.png.name for f in figs] == ["barron_error_vs_n.png"]
    assert all(f.png.exists() and f.pdf.exists() and "quick mode" in f.caption for f in figs)
    (title, out), = _approximation.tables(table, True)
    assert len(out) == 4 and all(r["max_k (e_k - B_k) / e_(k-1)"] <= 1e-12 for r in out)
    # The caption states the measured ratio, not a fixed conclusion.
    worst = max(r["max_k e_k / ((2C)^2/k)"] for r in out)
    assert f"{worst:.3g}" in figs[0].caption


def test_fixed_basis_tiny(tmp_path):
    rows = []
    for d in (1, 3):
        config = dict(d=d, N=100, n_max=4, **TINY)
        rows.append({**config, **_fixed_basis.compute(config)})
    for r in rows:
        assert r["family_size"] >= 4 * (4 + 1) and r["family_c_f"] == [1.0, 1.0]
        assert np.all(np.array(r["basis_worst"]) >= np.array(r["width_bound"]))
    figs = _fixed_basis.plot(Table(rows), tmp_path, True)
    assert figs[0].png.exists() and "quick mode" in figs[0].caption
    (_, out), = _fixed_basis.tables(Table(rows), True)
    assert [r["d"] for r in out] == [1, 3]


def test_estimation_tiny(tmp_path):
    rows = []
    for d in (1, 2):
        for N in (50, 100):
            for seed in (0, 1):
                config = dict(d=d, N=N, target="ridge", n_max=3, pad_to=128, test=200,
                              **{**TINY, "seed": seed})
                rows.append({**config, **_estimation.compute(config)})
    table = Table(rows)
    assert all(1 <= r["n_hat"] <= 3 and r["risk"] == r["risk_path"][r["n_hat"] - 1]
               for r in rows)
    figs = _estimation.plot(table, tmp_path, True)
    assert all(f.png.exists() for f in figs) and len(figs) == 2
    rates = _estimation.rate_rows(table)
    assert [r["d"] for r in rates] == [1, 2]
    for rate in rates:  # the fit and its t-interval, recomputed by hand from the rows
        sub = table.where(d=rate["d"])
        lx, lr = np.log(sub.column("x")), np.log(sub.column("risk"))
        slope, intercept = np.polyfit(lx, lr, 1)
        resid = lr - (intercept + slope * lx)
        stderr = np.sqrt(resid @ resid / (lx.size - 2) / np.sum((lx - lx.mean()) ** 2))
        half = scipy.stats.t.ppf(0.975, lx.size - 2) * stderr
        assert rate["exponent"] == pytest.approx(slope, rel=1e-10)
        assert rate["95% CI low"] == pytest.approx(slope - half, rel=1e-10)
        assert rate["95% CI high"] == pytest.approx(slope + half, rel=1e-10)


def test_rate_is_fitted_against_d_log_n_over_n():
    """A risk that follows Barron's bound exactly has exponent 1/2 (the old fit, against
    ((d/N) log N)^(1/2), gave 1) and sits at ratio 1 of the bound."""
    rows = []
    for d in (1, 5):
        for N in (64, 256, 1024):
            bound = float(risk_bound(2.0, N, d))
            rows.append({"d": d, "N": N, "risk": bound, "bound": bound, "n_max": 99,
                         "n_predicted": 10.0, "x": d * math.log(N) / N})
    for r in _estimation.rate_rows(Table(rows)):
        assert r["exponent"] == pytest.approx(0.5, abs=1e-12)
        assert r["max_N risk / (2 C_f x^(1/2))"] == pytest.approx(1.0)


def _rate_evidence(exponent, scatter=0.0, constant=0.1):
    rng = np.random.default_rng(0)
    rows = []
    for d in (1, 5):
        for N in (64, 128, 256, 512, 1024):
            for seed in range(4):
                x = d * math.log(N) / N
                rows.append([d, N, seed, constant * x**exponent * math.exp(
                    scatter * rng.normal()), x, float(risk_bound(1.0, N, d)), 5.0, 20, 1.0])
    keys = ("d", "N", "seed", "risk", "x", "bound", "n_predicted", "n_max", "c_f")
    return {k: np.array([r[i] for r in rows], float) for i, k in enumerate(keys)}


def test_exponent_judge_demands_the_rate_and_gets_harder_with_noise():
    assert _checks_estimation.judge_exponent(_rate_evidence(0.9, 0.2)).passed
    assert not _checks_estimation.judge_exponent(_rate_evidence(0.3, 0.05)).passed
    # The same true exponent, far noisier: the interval widens and the check fails.
    assert not _checks_estimation.judge_exponent(_rate_evidence(0.9, 3.0)).passed
    capped = _rate_evidence(0.9)
    capped["n_max"][:] = 4
    result = _checks_estimation.judge_exponent(capped)
    assert not result.passed and "below n*" in result.detail


def test_constant_judge():
    assert _checks_estimation.judge_constant(_rate_evidence(0.5, constant=0.1)).passed
    assert not _checks_estimation.judge_constant(_rate_evidence(0.5, constant=3.0)).passed


def _path_evidence():
    X = uniform_ball(100, 1, seed=0)
    f = GaussianBump([0.0], 0.5)
    res = greedy_approximation(f, X, 4, radius=1.0, restarts=8, steps=30)
    return {"paths": {"p": {**_common.path_record(res), "X": X, "y": np.asarray(f(X)),
                            "C_class": res.C}}}


def test_greedy_judge():
    evidence = _path_evidence()
    assert _checks.judge_greedy(evidence).passed
    stalled = _checks._stalled(evidence)
    result = _checks.judge_greedy(stalled)
    assert not result.passed and result.error > 0 and not result.failed_runs
    looser = _path_evidence()
    looser["paths"]["p"]["C"] *= 0.5  # a class constant below C_(f,B)
    assert "below the class constant" in _checks.judge_greedy(looser).detail


def test_fixed_basis_judge():
    ok = {"dims": {"d=1": {"worst": [0.5, 0.4], "width": [0.2, 0.1], "bump": [1e-3, 1e-5],
                           "greedy": [0.3, 0.2]}}}
    assert _checks.judge_fixed_basis(ok).passed
    assert not _checks.judge_fixed_basis(_checks._replace_worst("bump")(ok)).passed
    empty = {"dims": {"d=1": {"worst": [0.5], "width": [0.0], "bump": [0], "greedy": [0]}}}
    assert not _checks.judge_fixed_basis(empty).passed


def test_memo_returns_copies_and_computes_once():
    calls = []

    def compute(config):
        calls.append(config)
        return {"v": [config["a"]]}

    first = _common.memo_call(compute, {"a": 1})
    first["v"].append(2)
    assert _common.memo_call(compute, {"a": 1}) == {"v": [1]} and len(calls) == 1
