"""The Chizat & Bach (2018) experiments and checks: wiring, and (slow) the quick sweep."""

import json

import pytest

from kernelrich.experiments import Store, run_checks, run_experiment
from kernelrich.papers import chizat_bach2018 as cb


def test_module_contract():
    assert cb.KEY == "chizat_bach2018" and cb.TITLE.startswith("Chizat, L. & Bach, F. (2018)")
    names = [e.name for e in cb.EXPERIMENTS]
    assert len(set(names)) == len(names) and all(n.startswith("meanfield-") for n in names)
    assert all(e.paper == cb.KEY for e in cb.EXPERIMENTS)
    assert all(c.paper == cb.KEY for c in cb.CHECKS) and len(cb.CHECKS) >= 3
    for exp in cb.EXPERIMENTS:
        for quick in (True, False):
            points = exp.points(quick)
            assert points and all("seed" in p for p in points)
            json.dumps(points)


def test_small_plane_point_is_deterministic(tmp_path):
    from kernelrich.papers.chizat_bach2018 import _plane

    config = {**_plane.points(True)[0], "num_steps": 20}
    a, b = _plane.compute(config), _plane.compute(config)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert not set(a) & set(config)


@pytest.mark.slow
def test_quick_sweep_and_figures(tmp_path):
    store = Store(tmp_path / "store")
    for exp in cb.EXPERIMENTS:
        summary = run_experiment(exp, quick=True, store=store, progress=False)
        assert not summary.failed, summary.failed
        figures = exp.plot(summary.table, tmp_path / "figs", True)
        assert all(f.png.exists() and "quick mode" in f.caption for f in figures)


@pytest.mark.slow
def test_checks_pass():
    results = run_checks(cb.CHECKS, progress=False)
    assert all(r.passed for r in results), [(r.theorem, r.error, r.detail) for r in results]


@pytest.mark.slow
def test_scaling_kernel_change_vanishes_only_under_lazy_scaling():
    """kernelrich.lazy.kernel_change inside meanfield-scaling: the tangent kernel's relative
    change falls with m under the 1/sqrt(m) scaling (like m^-1/2: a factor 8 over m = 16 ->
    1024) and stays of order one under the mean-field 1/m scaling."""
    from kernelrich.papers.chizat_bach2018 import _scaling

    def change(scaling, m):
        config = {**_scaling.setup(True), "scaling": scaling, "m": m, "seed": 0}
        return _scaling.compute(config)["kernel_change"]

    assert change("lazy", 1024) < 0.25 * change("lazy", 16)
    assert change("mean-field", 1024) > 0.3 * change("mean-field", 16)
