"""kernelrich.papers.chizat2019: structure, the authors' setups (full mode their size, quick
mode a scaled-down copy), and the pieces the experiments are built from."""

import json
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from kernelrich import lazy
from kernelrich.experiments import Experiment, Param
from kernelrich.papers import chizat2019 as paper
from kernelrich.papers.chizat2019 import _common, _population, _tau, _width


def test_module_structure():
    assert paper.KEY == "chizat2019"
    assert paper.TITLE.startswith("Chizat, Oyallon, Bach (2019)")
    names = [e.name for e in paper.EXPERIMENTS]
    assert len(set(names)) == len(names) and all(n.startswith("lazy-") for n in names)
    for exp in paper.EXPERIMENTS:
        assert isinstance(exp, Experiment) and exp.paper == paper.KEY
        for quick in (True, False):
            for config in exp.points(quick):
                assert json.loads(json.dumps(config)) == config and "seed" in config
            params = exp.setup(quick)
            assert params and all(isinstance(p, Param) for p in params), exp.name
    assert all(c.paper == paper.KEY for c in paper.CHECKS)
    assert all(p.assumed for p in paper.ASSUMPTIONS)


def _values(exp, quick):
    return {p.name: p for p in exp.setup(quick)}


@pytest.mark.parametrize("exp, expected", [
    (_tau.EXPERIMENT, {"d (input dimension)": 100, "n_train = n_test": 1000,
                       "m (student neurons)": 50, "GD iterations": 10_000,
                       "trials (each redraws teacher, data, init)": 10}),
    (_width.EXPERIMENT, {"d (input dimension)": 100, "n_train = n_test": 1000,
                         "GD iterations": 25_000, "trials": 10,
                         "m (widths)": [2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128, 256, 512]}),
    (_population.EXPERIMENT, {"d (input dimension)": 100, "m (student neurons)": 50,
                              "batch size": 200, "SGD iterations": 20_000,
                              "averaged over the last": 2_000,
                              "trials (each redraws the teacher)": 10}),
])
def test_full_mode_is_the_authors_size_and_quick_a_scaled_copy(exp, expected):
    full, quick = _values(exp, False), _values(exp, True)
    assert {k: full[k].value for k in expected} == expected
    assert all(full[k].kind == "code" and not full[k].differs for k in expected)
    assert set(quick) == set(full)  # the same parameters, scaled down
    assert all(quick[k].paper_value == expected[k] for k in expected)


def test_full_grids_follow_the_scripts():
    tau = _tau.taus_of(_tau.points(False)[0])
    np.testing.assert_allclose(tau, 10.0 ** np.arange(-2.2, 1.05, 0.1), rtol=1e-12)
    assert len(_tau.points(False)) == 10  # one point per trial
    np.testing.assert_allclose(_tau.step_of([0.01, 0.1, 1.0]), [10.0, 10.0, 0.1])
    assert len(_width.points(False)) == 13 * 10
    taus = _population.TAUS
    assert len(taus) == 17 and taus[:3] == [0.01, 0.02, 0.04] and taus[-3:] == [2.0, 4.0, 8.0]
    np.testing.assert_allclose(_population.step_of([0.01, 0.1, 1.0]), [25.0, 25.0, 0.25])


def test_teacher_is_the_authors():
    t = _common.teacher(np.random.default_rng(3), 50, 7)
    np.testing.assert_allclose(np.linalg.norm(t["a"], axis=1), 1.0, rtol=1e-14)
    assert set(np.asarray(t["b"]).tolist()) == {-1.0, 1.0}


def test_tau_runs_the_alpha_form_of_the_paper():
    """GD from tau w0 with step eta (output scale 1) equals GD on F_alpha from w0 with
    alpha = tau^2 and step eta tau^2, mapped back by u = tau w (h is 2-homogeneous)."""
    X, y, Xt, yt, _ = _common.teacher_student(0, 4, 3, 12, 12)
    w0 = lazy.two_layer_gaussian_init(jax.random.key(1), 6, 4)
    tau, eta = 0.3, 0.2
    u = lazy.lazy_descent(lazy.two_layer, jax.tree_util.tree_map(lambda v: tau * v, w0), X, y,
                          1.0, step=eta, steps=50, record_every=10, X_test=Xt, y_test=yt)
    w = lazy.lazy_descent(lazy.two_layer, w0, X, y, tau**2, step=eta * tau**2, steps=50,
                          record_every=10, X_test=Xt, y_test=yt)
    np.testing.assert_allclose(u.test_loss, w.test_loss, rtol=1e-10)
    np.testing.assert_allclose(u.params["a"], tau * w.params["a"], rtol=1e-10)


def test_population_step_is_the_scripts_update():
    """The script's gradients omit the 1/m factor and multiply theta's step by d: the update
    is w - step m dL/dw, theta - step d m dL/dtheta for the batch loss L."""
    key = jax.random.key(0)
    m, d, batch, step = 6, 4, 5, 0.3
    theta, w = _population.student_init(key, 0.7, m, d)
    X = jax.random.normal(jax.random.key(1), (batch, d))
    teacher = _common.teacher(np.random.default_rng(0), 3, d)

    def loss(theta, w):
        y0 = jax.nn.relu(X @ teacher["a"].T) @ teacher["b"] / batch
        return 0.5 * jnp.mean((jax.nn.relu(X @ theta.T) @ w / m - y0) ** 2)

    g_theta, g_w = jax.grad(loss, argnums=(0, 1))(theta, w)
    new_theta, new_w, value = _population.sgd_step(theta, w, X, teacher["a"], teacher["b"], step)
    np.testing.assert_allclose(value, loss(theta, w), rtol=1e-13)
    np.testing.assert_allclose(new_w, w - step * m * g_w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(new_theta, theta - step * d * m * g_theta, rtol=1e-12, atol=1e-15)
    assert (w[: m // 2] >= 0).all() and (w[m // 2:] == -w[: m // 2]).all()


def test_mean_std_is_nan_for_a_diverged_trial_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean, std = _common.mean_std([[1.0, 2.0], [3.0, np.inf]])
    np.testing.assert_allclose(mean, [2.0, np.nan])
    np.testing.assert_allclose(std, [np.sqrt(2.0), np.nan])  # unbiased, as the scripts
    assert np.isnan(_common.slope([1.0, 2.0], [1.0, np.nan]))
    assert _common.slope([1.0, 10.0], [1.0, 0.01]) == pytest.approx(-2.0)
