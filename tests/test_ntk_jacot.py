"""The Jacot et al. (2018) experiments on tiny configs: compute, plot and tables run; checks."""

import numpy as np
import pytest

from kernelrich.experiments import Table
from kernelrich.papers import jacot2018
from kernelrich.papers.jacot2018 import _fig1, _fig2, _fig3, _rates, _sphere

TINY = {
    "jacot-fig1": dict(width=16, seed=0, depth=3, beta=0.1, lr=1.0, steps=3, n_train=4,
                       n_angles=5),
    "jacot-fig2": dict(width=16, seed=0, depth=3, beta=0.1, lr=1.0, steps=3, n_angles=5),
    "jacot-fig3": dict(target="pc1-4", width=16, seed=0, n_points=12, depth=3, beta=0.1, lr=1.0,
                       n0=64, kernel_time=0.5),
    "jacot-rates": dict(width=16, seed=0, depth=3, beta=0.1, lr=1.0, steps=3, n_train=4),
    "jacot-sphere": dict(depth=2, beta=0.1, n_points=10, dim=3, seed=0),
}


def test_module_shape():
    assert jacot2018.KEY == "jacot2018" and jacot2018.TITLE
    names = [e.name for e in jacot2018.EXPERIMENTS]
    assert names == list(TINY)
    assert all(e.paper == "jacot2018" for e in jacot2018.EXPERIMENTS)
    assert all(c.paper == "jacot2018" for c in jacot2018.CHECKS)
    for exp in jacot2018.EXPERIMENTS:
        for quick in (True, False):
            assert all("seed" in p for p in exp.points(quick))


@pytest.mark.parametrize("exp", jacot2018.EXPERIMENTS, ids=lambda e: e.name)
def test_tiny_run_plots(exp, tmp_path):
    rows = []
    for width in ([16, 32] if "width" in TINY[exp.name] else [None]):
        config = dict(TINY[exp.name]) | ({"width": width} if width else {})
        if exp.name == "jacot-fig3":
            rows += [config | {"target": "pc2"} | exp.compute(config | {"target": "pc2"})]
        rows.append(config | exp.compute(config))
    table = Table(rows)
    figures = exp.plot(table, tmp_path, True)
    assert figures and all(f.png.exists() and f.pdf.exists() for f in figures)
    if exp.tables:
        assert all(len(r) for _, r in exp.tables(table, True))


def test_fig3_kernel_coordinates_follow_the_flow():
    config = TINY["jacot-fig3"]
    lam, V = _fig3.components(config)
    assert np.all(np.diff(lam) <= 0)
    np.testing.assert_allclose(V.T @ V, np.eye(4), atol=1e-12)
    steps = _fig3.schedule(config)
    ref = _fig3.kernel_coordinates(config, steps)
    np.testing.assert_allclose(ref[0], 0)


def test_sphere_compute_reports_pd():
    out = _sphere.compute(dict(depth=3, beta=0.0, n_points=30, dim=3, seed=1))
    assert out["lambda_min"] > 0 and out["resolvable_in_float64"]
    flat = _sphere.compute(dict(depth=1, beta=0.0, n_points=30, dim=3, seed=1))
    assert not flat["resolvable_in_float64"]


def test_limits_used_by_the_plots():
    q = _fig2.limit_quantiles(TINY["jacot-fig2"])
    assert np.all(q[0] <= q[1]) and np.all(q[1] <= q[2])
    assert _fig1.limit(TINY["jacot-fig1"]).shape == (5,)
    assert _rates.points(True)


@pytest.mark.slow
@pytest.mark.parametrize("check", jacot2018.CHECKS, ids=lambda c: c.instance)
def test_checks_pass(check):
    result = check.run()
    assert result.passed, result
