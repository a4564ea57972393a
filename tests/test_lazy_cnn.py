"""The CNN experiment in small (kernelrich.papers.chizat2019._cnn): the network's init and
input layout, the centred model at the authors' scales, the setup table, and the sentences
formatted from the numbers."""

import jax
import numpy as np
import pytest

from kernelrich.papers.chizat2019 import _cnn, _digits

SMALL = {"seed": 0, "step": 0.5, "gain": 1.0, "n_train": 60, "channels": 2, "steps": 20,
         "alphas": [0.01, 1.0, 1e7]}


def test_init_is_xavier_normal_with_zero_biases():
    init_fn, _ = _cnn.network(32, 1.0)
    draws = [[p for p in init_fn(jax.random.key(k), (-1, 8, 8, 1))[1] if p]
             for k in range(10)]  # (W, b) of the two convolutions and the linear layer
    fans = [(9, 9 * 32), (9 * 32, 9 * 64), (4 * 64, 10)]
    assert all(len(layers) == 3 for layers in draws)
    for i, (fan_in, fan_out) in enumerate(fans):
        W = np.stack([np.asarray(layers[i][0]) for layers in draws])
        assert W.shape[-2:] in {(1, 32), (32, 64), (256, 10)}
        assert np.std(W) == pytest.approx(np.sqrt(2.0 / (fan_in + fan_out)), rel=0.05)
        assert not any(np.any(np.asarray(layers[i][1])) for layers in draws)


def test_flat_model_reads_the_digits_row_major_as_nhwc():
    init_fn, apply_fn = _cnn.network(2, 1.0)
    _, params = init_fn(jax.random.key(1), (-1, 8, 8, 1))
    X = _digits.data(0, 40)[0][:5]
    images = X.reshape(5, 8, 8)[..., None]  # scikit-learn's 64 pixels: 8 rows of 8
    np.testing.assert_allclose(_cnn.flat_model(apply_fn)(params, X), apply_fn(params, images),
                               rtol=0, atol=1e-14)


@pytest.fixture(scope="module")
def small_run():
    return _cnn.compute(SMALL)


def test_large_alpha_is_the_linearised_model(small_run):
    r = small_run
    assert r["alpha"] == SMALL["alphas"] and max(r["diverged_at"]) == -1
    for key in ("test_accuracy", "param_change", "kernel_change", "dist_output"):
        assert np.isfinite(r[key]).all() and len(r[key]) == 3
    assert r["test_accuracy"][-1] == r["test_accuracy_linear"][-1]
    assert r["param_change"][-1] < 1e-6 < r["param_change"][0]
    assert r["kernel_change"][-1] < 1e-6 and r["dist_output"][-1] < 1e-6


def test_setup_full_mode_runs_the_authors_scales():
    full = {p.name: p for p in _cnn.setup(False)}
    quick = {p.name: p for p in _cnn.setup(True)}
    assert set(full) == set(quick)
    assert full["alpha"].value == list(_cnn.ALPHAS) and not full["alpha"].differs
    assert set(quick["alpha"].value) <= set(_cnn.ALPHAS)
    assert quick["alpha"].paper_value == list(_cnn.ALPHAS)
    assert _cnn.points(False)[0]["alphas"] == list(_cnn.ALPHAS)
    assert min(_cnn.ALPHAS) == 0.01 and max(_cnn.ALPHAS) == 1e7


def _row(acc_small, acc_large, n_train=797):
    return {"alpha": [0.01, 1e7], "test_accuracy": [acc_small, acc_large],
            "diverged_at": [-1, -1], "n_train": n_train}


@pytest.mark.parametrize("small, large, verdict", [
    (0.95, 0.80, "falls in the lazy regime shows here"),
    (0.90, 0.90, "does not show here (the lazy network is as accurate)"),
    (0.80, 0.95, "does not show here (the lazy network is more accurate)"),
])
def test_claim_sentence_is_formatted_from_the_accuracies(small, large, verdict):
    text = _cnn.claim_sentence(_row(small, large))
    assert verdict in text and f"{small:.3f}" in text and f"{large:.3f}" in text


def test_claim_sentence_names_a_diverged_run():
    row = _row(0.9, 0.8)
    row["diverged_at"] = [12, -1]
    assert "diverged" in _cnn.claim_sentence(row)


def test_lazy_slope_is_nan_when_a_lazy_run_diverged():
    r = {"alpha": [1.0, 10.0, 100.0, 1000.0], "dist_output": [1.0, 1e-1, 1e-2, 1e-3],
         "diverged_at": [-1, -1, -1, -1]}
    assert _cnn.lazy_slope(r) == pytest.approx(-1.0)
    r["diverged_at"] = [-1, -1, 5, -1]
    assert np.isnan(_cnn.lazy_slope(r))
