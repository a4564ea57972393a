"""The Chizat & Bach (2018) experiments and checks: wiring, setup provenance, the judges on
hand-made evidence, and (slow) the quick sweep."""

import json

import numpy as np
import pytest

from kernelrich.experiments import Param, Store, run_experiment
from kernelrich.papers import chizat_bach2018 as cb
from kernelrich.papers.chizat_bach2018 import _check_minimum, _deconv, _excess, _plane


def test_module_contract():
    assert cb.KEY == "chizat_bach2018" and cb.TITLE.startswith("Chizat, L. & Bach, F. (2018)")
    names = [e.name for e in cb.EXPERIMENTS]
    assert names == ["meanfield-plane", "meanfield-excess-loss", "meanfield-deconvolution"]
    assert all(e.paper == cb.KEY for e in cb.EXPERIMENTS)
    assert all(c.paper == cb.KEY and c.counterexamples for c in cb.CHECKS)
    theorems = [c.theorem for c in cb.CHECKS]
    assert not any("lazy" in t or "bookkeeping" in t for t in theorems)
    for exp in cb.EXPERIMENTS:
        for quick in (True, False):
            points = exp.points(quick)
            assert points and all("seed" in p for p in points)
            json.dumps(points)


@pytest.mark.parametrize("exp", cb.EXPERIMENTS, ids=lambda e: e.name)
def test_setup_provenance(exp):
    """Every experiment lists its parameters with a source; values the paper does not give
    are marked as our choice, and the title says the figure is our illustration."""
    for quick in (True, False):
        params = exp.setup(quick)
        assert params and all(isinstance(p, Param) and p.source for p in params)
        assert any(p.kind == "choice" for p in params)
    assert "our illustration" in exp.title


def test_setup_values_are_the_computed_ones():
    quick = {p.name: p.value for p in _excess.setup(True)}
    assert quick["d (input dimension)"] == _excess.points(True)[0]["d"]
    assert quick["m (particles)"] == sorted({p["m"] for p in _excess.points(True)})
    deconv = {p.name: p.value for p in _deconv.setup(False)}
    assert deconv["steps"] == _deconv.points(False)[0]["num_steps"]
    plane = {p.name: p.value for p in _plane.setup(True)}
    assert plane["t_end (mean-field time)"] == _plane.points(True)[0]["t_end"]


@pytest.mark.slow
def test_small_plane_point_is_deterministic():
    config = {**_plane.points(True)[0], "t_end": 5.0}
    a, b = _plane.compute(config), _plane.compute(config)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert not set(a) & set(config) and a["flow_result"] == "successful"


def _teacher_run(name, m, rng, *, exact=True):
    """A run whose final particles are the teacher copied m / 2 times (excess 0), or that
    copy perturbed by noise of size 1 / m."""
    X = rng.standard_normal((30, 3))
    teacher_w, teacher_theta = np.array([1.0, -1.0]), rng.standard_normal((2, 3))
    y = np.maximum(X @ teacher_theta.T, 0) @ teacher_w / 2
    w, theta = np.repeat(teacher_w, m // 2), np.repeat(teacher_theta, m // 2, axis=0)
    if not exact:  # a misfit that shrinks with m
        theta = theta + rng.standard_normal(theta.shape) / m
    return {"name": name, "m": m, "X": X, "y": y, "w0": w, "theta0": theta, "w": w,
            "theta": theta, "result": "successful"}


def test_global_minimum_judge_recomputes_the_excess_loss():
    rng = np.random.default_rng(0)
    runs = [_teacher_run(f"m={m}", m, rng, exact=m == 80) for m in _check_minimum.GLOBAL_MS]
    result = _check_minimum.global_minimum({"runs": runs})
    assert result.passed and result.error < 1e-28
    trend = _check_minimum.trend_in_m({"runs": runs})  # m = 5 (noise) is worse than m = 80 (exact)
    assert trend.passed
    runs[-1]["result"] = "stopped"
    failed = _check_minimum.global_minimum({"runs": runs})
    assert not failed.passed and failed.failed_runs == ("m=80: stopped",)


@pytest.mark.slow
def test_quick_sweep_and_figures(tmp_path):
    store = Store(tmp_path / "store")
    for exp in cb.EXPERIMENTS:
        summary = run_experiment(exp, quick=True, store=store, progress=False)
        assert not summary.failed, summary.failed
        figures = exp.plot(summary.table, tmp_path / "figs", True)
        assert all(f.png.exists() and "quick mode" in f.caption for f in figures)
