"""The classification paper package (kernelrich.papers.moroshko2020): the report's attributes,
setups with a source for every value, instances as described, and a title and caption
computed from the rows."""

import numpy as np
import pytest

from kernelrich.bias import l1_max_margin
from kernelrich.experiments import Param, Table
from kernelrich.papers import moroshko2020
from kernelrich.papers.moroshko2020 import _angles, _setup
from kernelrich.report import validate_reported


def test_the_paper_package_declares_what_the_report_needs():
    assert moroshko2020.KEY == "moroshko2020" and moroshko2020.BEYOND is True
    assert moroshko2020.TITLE and moroshko2020.CLAIM.startswith('"We show')
    validate_reported(moroshko2020.REPORTED)
    assert {e.paper for e in moroshko2020.EXPERIMENTS} == {"moroshko2020"}
    theorems = {c.theorem for c in moroshko2020.CHECKS}
    assert {r["check"] for r in moroshko2020.REPORTED if "check" in r} <= theorems
    assert all(c.counterexamples for c in moroshko2020.CHECKS)


@pytest.mark.parametrize("quick", [True, False])
def test_setup_has_a_source_for_every_value(quick):
    params = _angles.setup(quick)
    assert params and all(isinstance(p, Param) and p.source for p in params)
    assert len(_angles.points(True)) < len(_angles.points(False))


def test_instances_are_separable_as_described():
    X, y = _setup.instance("teacher")
    assert np.all(np.abs(X[:, 0]) > _setup.MARGIN) and np.all(y == np.sign(X[:, 0]))
    assert X.shape == _setup.SIZES[True]["teacher"]
    Xt, yt = _setup.instance("teacher", test=True)
    assert len(yt) == _setup.TEST_POINTS and not np.allclose(Xt[: len(X)], X)
    X, y = _setup.instance("tight")
    beta = l1_max_margin(X, y)
    np.testing.assert_allclose(beta, np.eye(X.shape[1])[0], atol=1e-12)
    np.testing.assert_allclose((X * y[:, None]) @ beta, 1.0, atol=1e-12)


def _row(alpha, l1, l2, q):
    losses = [1e-3, 1e-300]
    return {"loss": "exponential", "alpha": alpha, "quick": True, "final_loss": losses,
            "margin": [8.0, 690.0], "l1": l1, "l2": l2, "q": q, "test_error": [0.1, 0.05],
            "test_l1": 0.01, "test_l2": 0.2, "num_steps": 10}


def test_title_and_caption_are_computed_from_the_rows(tmp_path):
    table = Table([_row(0.1, [0.3, 0.02], [0.8, 0.9], [0.1, 0.01]),
                   _row(10.0, [0.7, 0.6], [0.05, 0.2], [0.1, 0.3])])
    title, rows = _angles.tables(table, True)[0]
    assert "closest of the three in 2 of 4" in title
    assert rows[1]["mu = alpha^2 / gamma"] == pytest.approx(0.01 / 690, rel=1e-2)
    caption = _angles.plot(table, tmp_path, True)[0].caption
    assert "the smallest angle to l1 is 0.02 (alpha = 0.1)" in caption
    assert "the angle to l2 at alpha = 10 is 0.2" in caption
