"""The Jacot et al. (2018) experiments on tiny configs (compute, plot and tables run), their
setups, and the pieces of the figures and checks against independent routes."""

import jax
import numpy as np
import pytest

from kernelrich.experiments import Param, Table
from kernelrich.ntk import MLP, KernelFlow, infinite_kernels, train_gd
from kernelrich.papers import jacot2018
from kernelrich.papers.jacot2018 import _checks, _fig1, _fig2, _fig3, _rates, _setup, _sphere

TINY = {
    "jacot-fig1": dict(width=16, seed=0, depth=3, beta=0.1, lr=1.0, steps=3, batch=100,
                       n_angles=5),
    "jacot-fig2": dict(width=16, seed=0, depth=3, beta=0.1, lr=1.0, steps=3, n_angles=5),
    "jacot-fig3": dict(width=16, seed=0, n_points=12, depth=3, beta=0.1, lr=1.0, n0=64,
                       horizon=0.5),
    "jacot-rates": dict(width=16, seed=0, depth=3, beta=0.1, lr=1.0, steps=3, n_train=4),
    "jacot-sphere": dict(depth=2, beta=0.1, n_points=10, dim=3, seed=0),
}
# The figure experiments; the section's spectrum experiments are tested in
# test_spectrum_papers.py.
FIGURES = [e for e in jacot2018.EXPERIMENTS if e.name in TINY]


def test_module_shape():
    assert jacot2018.KEY == "jacot2018" and jacot2018.TITLE
    names = [e.name for e in jacot2018.EXPERIMENTS]
    assert names == ["jacot-fig1", "jacot-fig2", "jacot-fig3", "jacot-pc-rates", "jacot-rates",
                     "jacot-sphere", "jacot-spectrum", "jacot-spectrum-gram"]
    assert all(e.paper == "jacot2018" for e in jacot2018.EXPERIMENTS)
    assert all(c.paper == "jacot2018" for c in jacot2018.CHECKS)
    assert all(c.judge is not None and c.counterexamples for c in jacot2018.CHECKS)
    for exp in FIGURES:
        for quick in (True, False):
            assert all("seed" in p for p in exp.points(quick))


@pytest.mark.parametrize("exp", FIGURES, ids=lambda e: e.name)
def test_setup_rows_follow_the_points(exp):
    """Every experiment lists its setup; values that quick mode scales down are marked."""
    for quick in (True, False):
        rows = exp.setup(quick)
        assert rows and all(isinstance(p, Param) for p in rows)
        assert not quick or exp.name in ("jacot-rates", "jacot-sphere") or any(
            p.differs for p in rows)
        assert quick or not any(p.differs for p in rows)  # full mode is the paper's size


def test_figure_setups_use_the_authors_points_and_sizes():
    assert np.allclose(_fig2.train_angles(), np.linspace(-np.pi, np.pi, 200)[[30, 70, 130, 170]])
    assert _fig2.TARGETS == [-0.4, -0.2, 0.3, 0.3]
    full = {e.name: e.points(False) for e in jacot2018.EXPERIMENTS}
    assert sorted({p["width"] for p in full["jacot-fig1"]}) == [500, 10000]
    assert {p["steps"] for p in full["jacot-fig1"]} == {200}
    assert len({p["seed"] for p in full["jacot-fig1"]}) == 10
    assert sorted({p["width"] for p in full["jacot-fig2"]}) == [50, 1000]
    assert {p["steps"] for p in full["jacot-fig2"]} == {1000}
    assert sorted({p["width"] for p in full["jacot-fig3"]}) == [100, 1000, 10000]
    assert {p["n_points"] for p in full["jacot-fig3"]} == {512}
    assert len({p["seed"] for p in full["jacot-fig3"]}) == 2


@pytest.mark.parametrize("exp", FIGURES, ids=lambda e: e.name)
def test_tiny_run_plots(exp, tmp_path):
    rows = []
    for width in ([16, 32] if "width" in TINY[exp.name] else [None]):
        config = dict(TINY[exp.name]) | ({"width": width} if width else {})
        rows.append(config | exp.compute(config))
    table = Table(rows)
    figures = exp.plot(table, tmp_path, True)
    assert figures and all(f.png.exists() and f.pdf.exists() for f in figures)
    if exp.tables:
        assert all(len(r) for _, r in exp.tables(table, True))


def test_fig3_limit_is_the_kernel_flow_along_the_second_component():
    """||g_t|| of the limit, 0.5 exp(-lambda_2 t), equals the kernel flow of Theta_inf from
    f_0 = 0 to the target 0.5 f^(2), projected on f^(2); the descent version likewise."""
    config = TINY["jacot-fig3"]
    lam, f = _fig3.components(config)
    assert np.all(np.diff(lam) <= 0)
    np.testing.assert_allclose(f.T @ f / config["n_points"], np.eye(3), atol=1e-12)
    X, _ = _setup.digits(config["n_points"])
    _, ntk = infinite_kernels(X, depth=config["depth"], bias_std=config["beta"])
    flow = KernelFlow(ntk, 0.5 * f[:, 1])
    steps = _fig3.schedule(config)
    for lr in (None, config["lr"]):
        t = steps * config["lr"] if lr is None else steps
        residual = flow.predict_train(t, lr=lr) - 0.5 * f[:, 1]
        g = np.abs(residual @ f[:, 1] / config["n_points"])
        np.testing.assert_allclose(_fig3.limit_g(config, steps, lr=lr), g, rtol=1e-9)


def test_fig3_wide_network_follows_its_limit():
    """A wide network's ||g_t|| is near 0.5 exp(-lambda_2 t) (within 10 % of its start) and
    ||h_t|| is small (width 2048, 16 digits)."""
    config = dict(TINY["jacot-fig3"], width=2048, n_points=16, horizon=1.0)
    out = _fig3.compute(config)
    limit = _fig3.limit_g(config, out["steps"])
    assert np.max(np.abs(np.abs(out["g"]) - limit)) < 0.05
    assert np.max(out["h_norm"]) < 0.05
    assert np.abs(out["g"][0]) == pytest.approx(0.5, rel=1e-12)


def test_e_folding_time_of_an_exact_exponential():
    steps = np.arange(0, 400, 7)
    row = {"steps": steps.tolist(), "lr": 1.0, "g": (-0.5 * np.exp(-0.01 * steps)).tolist()}
    assert _fig3.e_folding_time(row) == pytest.approx(100.0, rel=2e-3)
    assert np.isnan(_fig3.e_folding_time(row | {"g": [0.5] * len(steps)}))


def test_fig1_starts_from_the_init_kernel_and_moves():
    config = TINY["jacot-fig1"]
    out = _fig1.compute(config)
    assert out["relative_change"] > 0 and np.allclose(out["ntk_init"],
                                                      _fig1._curve(_setup.network(config), 5))


def test_fix_weights_rescales_each_input_unit():
    model = MLP((3, 5, 4, 1), key=jax.random.key(0))
    fixed = _setup.fix_weights(model)
    for w in fixed.weights[:-1]:
        np.testing.assert_allclose(np.mean(np.asarray(w) ** 2, axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(fixed.weights[-1], model.weights[-1])
    X = np.random.default_rng(0).standard_normal((6, 3))
    run = train_gd(model, X, X[:, 0], lr=0.1, steps=3, after_step=_setup.fix_weights)
    np.testing.assert_allclose(np.mean(np.asarray(run.model.weights[0]) ** 2, axis=0), 1.0,
                               rtol=1e-12)


def test_fig2_limit_process_and_its_distances():
    config = TINY["jacot-fig2"]
    q = _fig2.limit_quantiles(config)
    assert np.all(q[0] <= q[1]) and np.all(q[1] <= q[2])
    d = _fig2.distances(config)
    assert np.isfinite(d["GD vs flow"]) and d["flow at t vs t = inf"] > 0
    assert _fig1.limit(TINY["jacot-fig1"]).shape == (5,)


def test_sphere_compute_reports_pd():
    out = _sphere.compute(dict(depth=3, beta=0.0, n_points=30, dim=3, seed=1))
    assert out["lambda_min"] > 0 and out["resolvable_in_float64"]
    flat = _sphere.compute(dict(depth=1, beta=0.0, n_points=30, dim=3, seed=1))
    assert not flat["resolvable_in_float64"]


def test_rates_slope_of_an_exact_power_law():
    rows = [{"width": w, "seed": s, "distance_to_limit": 3.0 * w ** -0.5}
            for w in (64, 256, 1024) for s in (0, 1)]
    assert _rates.slope(Table(rows), "distance_to_limit") == pytest.approx(-0.5, abs=1e-12)


def test_thm2_judge_on_exact_kernel_dynamics():
    """Evidence in which the 'networks' are the kernel flow itself passes; the judge names a
    network that did not move and one that diverged."""
    X, y = _setup.product_task(8)
    nngp, ntk = infinite_kernels(X, depth=3, activation="erf", bias_std=0.1)
    steps = np.array(_checks.FLOW_RECORD)
    f0 = np.random.default_rng(0).standard_normal((2, 8)) * 0.3
    paths = []
    for k in range(2):
        flow = KernelFlow(ntk, y, f0=f0[k])
        paths.append(flow.predict_train(_checks.FLOW_LR * steps) + (0.01 - 0.005 * k))
    evidence = {"y": y, "steps": steps, "f0": f0, "predictions": np.array(paths),
                "limit": ntk, "nngp": nngp, "lr": _checks.FLOW_LR}
    assert _checks.judge_flow(evidence).passed
    frozen = _checks._frozen(dict(evidence))
    assert not _checks.judge_flow(frozen).passed
    evidence["predictions"][1, 2, 3] = np.nan
    result = _checks.judge_flow(evidence)
    assert not result.passed and result.failed_runs
