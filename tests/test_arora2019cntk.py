"""The CNTK paper package (kernelrich.papers.arora2019cntk): the report's declarations, setups
with a source for every value, kernel GD against the closed form, the slope fit's NaN
handling, the standardised split, one small width sweep end to end with its caption
formatted from the rows, and a wide CNN after few steps against kernel GD. The Monte Carlo
check runs in tests/test_checks_can_fail.py."""

import numpy as np
import pytest

from kernelrich.experiments import Param, Table
from kernelrich.papers import arora2019cntk
from kernelrich.papers.arora2019cntk import _setup, _widths
from kernelrich.report import validate_reported


def test_the_paper_package_declares_what_the_report_needs():
    assert arora2019cntk.KEY == "arora2019cntk" and arora2019cntk.BEYOND is True
    assert arora2019cntk.TITLE and arora2019cntk.CLAIM
    validate_reported(arora2019cntk.REPORTED)
    assert {e.paper for e in arora2019cntk.EXPERIMENTS} == {"arora2019cntk"}
    assert {c.paper for c in arora2019cntk.CHECKS} == {"arora2019cntk"}


def test_the_setup_has_a_source_in_both_modes():
    for quick in (True, False):
        params = _widths.setup(quick)
        assert params and all(isinstance(p, Param) and p.source for p in params)
        widths = next(p for p in params if p.name == "widths")
        assert widths.value == list(_widths.SIZES[quick]["widths"])
    assert len(_widths.points(True)) < len(_widths.points(False))


def test_kernel_gd_is_the_closed_form_and_tends_to_ridgeless_regression():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 6))
    K, Y = A @ A.T + 0.5 * np.eye(6), rng.standard_normal((6, 2))
    lr, steps, n = 0.3, 7, 6
    f = np.zeros_like(Y)
    for _ in range(steps):  # GD on (1/2n) |f - y|^2 in function space: f -= lr K (f - y) / n
        f = f - lr * K @ (f - Y) / n
    np.testing.assert_allclose(K @ _setup.kernel_gd(K, Y, lr, steps), f, rtol=1e-12)
    long = _setup.kernel_gd(K, Y, 1.0 / np.linalg.eigvalsh(K)[-1] * n, 100_000)
    np.testing.assert_allclose(long, np.linalg.solve(K, Y), rtol=1e-9)


def test_fitted_slope_is_nan_for_a_diverged_width():
    assert _widths.fitted_slope([8, 32], [1.0, 0.5]) == pytest.approx(-0.5)
    assert np.isnan(_widths.fitted_slope([8, 32], [1.0, np.nan]))


def test_the_split_is_standardised_by_the_training_images():
    Xtr, _, Xte, _ = _setup.split(50, 20, seed=1)
    assert abs(Xtr.mean()) < 1e-12 and abs(Xtr.std() - 1.0) < 1e-12
    assert Xte.shape == (20, 8, 8, 1) and np.all(np.isfinite(Xte))
    raw = _setup.split(50, 20, seed=1, standardise=False)[0]
    np.testing.assert_allclose(Xtr, (raw - raw.mean()) / raw.std(), rtol=1e-12)


def test_targets_are_the_authors_labels():
    Y = _setup.targets(np.array([2, 0]))
    assert Y[0, 2] == 0.9 and Y[1, 0] == 0.9 and np.sum(Y == -0.1) == 18


@pytest.mark.slow
def test_a_small_width_sweep_runs_and_its_caption_comes_from_the_rows(tmp_path):
    rows = []
    for width in (4, 16):
        config = {"width": width, "seed": 0, "train": 30, "test": 40, "steps": 20}
        rows.append({**config, **_widths.compute(config)})
    assert all(r["status"] == "ok" for r in rows)
    assert all(0.0 <= r["accuracy"] <= 1.0 and r["distance"] > 0 for r in rows)
    assert rows[0]["ntk accuracy"] > 0.5  # 30 digits already separate most classes
    figure = _widths.plot(Table(rows), tmp_path, True)[0]
    slope = _widths.fitted_slope([4, 16], [r["distance"] for r in rows])
    assert f"fitted log-log slope {slope:.2f}" in figure.caption
    title = _widths.tables(Table(rows), True)[0][0]
    assert f"{slope:.2f}" in title



@pytest.mark.slow
def test_a_wide_cnn_after_few_steps_is_close_to_kernel_gd():
    """The scaling of the finite CNN's training (loss normalisation, step, targets y + f_0)
    matches kernel GD: at width 256 after 10 steps f_t - f_0 is within 10% of it (measured
    0.052 here; a step at the edge of stability, 2 n / lambda_max, gives 18)."""
    config = {"width": 256, "seed": 0, "train": 20, "test": 20, "steps": 10}
    result = _widths.compute(config)
    assert result["status"] == "ok"
    assert result["distance"] < 0.1, result["distance"]
