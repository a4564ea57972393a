"""The saddle-to-saddle paper package (kernelrich.papers.pesme2023): the report's attributes,
setups with a source for every value, captions and tables computed from the rows;
their checks run in test_checks_can_fail.py.."""

import numpy as np
import pytest

from kernelrich.experiments import Param, Table
from kernelrich.papers import pesme2023
from kernelrich.papers.pesme2023 import _setup, _staircase
from kernelrich.report import validate_reported


def test_the_paper_package_declares_what_the_report_needs():
    assert pesme2023.KEY == "pesme2023" and pesme2023.BEYOND is True
    assert pesme2023.TITLE and pesme2023.CLAIM.startswith('"In this paper')
    validate_reported(pesme2023.REPORTED)
    assert {e.paper for e in pesme2023.EXPERIMENTS} == {"pesme2023"}
    theorems = {c.theorem for c in pesme2023.CHECKS}
    assert {r["check"] for r in pesme2023.REPORTED if "check" in r} <= theorems


@pytest.mark.parametrize("quick", [True, False])
def test_setup_has_a_source_for_every_value(quick):
    params = _staircase.setup(quick)
    assert params and all(isinstance(p, Param) and p.source for p in params)
    assert len(_staircase.points(True)) < len(_staircase.points(False))


def _row(alpha, jumps, sigma, plateau, instance="staircase", depth=2):
    return {"instance": instance, "depth": depth, "alpha": alpha, "saddles": 3, "plateau": plateau,
            "sigma": sigma, "jumps": jumps, "deactivations": 0, "coords": [0],
            "tau": [0.0, 1.0], "beta": [[0.0], [1.0]], "loss": [1.0, 0.5]}


def test_orders_in_the_table_are_computed_from_the_rows():
    """Errors exactly proportional to 1 / log(1/alpha) give order 1; to 1/log^2, order 2."""
    rows = [_row(a, 1 / np.log(1 / a), 1 / np.log(1 / a) ** 2, 1e-3) for a in (1e-5, 1e-20)]
    title, table = _staircase.tables(Table(rows), True)[0]
    assert table[1]["order (jump times)"] == pytest.approx(1.0)
    assert table[1]["order (sigma)"] == pytest.approx(2.0)
    assert "orders from 1.00 to 1.00" in title


def test_caption_states_the_measured_distances(tmp_path):
    rows = [_row(a, 0.01 * k, 0.02, 1e-4 * k) for k, a in enumerate((1e-3, 1e-6, 1e-12), 1)]
    caption = _staircase.plot(Table(rows), tmp_path, True)[0].caption
    assert "alpha = 1e-06: plateau 2.0e-04, jump times 2.0e-02 t_K" in caption


def test_jump_times_are_read_where_the_loss_crosses_each_level():
    taus = np.linspace(0, 1, 101)
    loss = np.where(taus < 0.305, 3.0, 1.0)
    got = _setup.jump_times(taus, loss, np.array([2.0, 0.5]))
    assert got[0] == pytest.approx(0.305, abs=0.01) and np.isnan(got[1])


def test_plateau_error_reads_the_central_half_of_each_plateau():
    times, betas = np.array([0.0, 1.0]), np.array([[0.0], [2.0]])
    taus = np.linspace(0, 1.5, 31)
    beta = np.where(taus < 1.0, 0.0, 2.0)[:, None]
    beta[(taus > 0.9) & (taus < 1.1)] = 1.0  # a smooth jump: outside the central halves
    z = np.zeros((len(taus), 1))
    out = _setup.errors(taus, beta, z, np.ones(len(taus)), times, betas,
                        np.zeros((2, 1)), np.zeros((2, 1)), np.array([1.0, 0.0]))
    assert out["plateau"] == 0.0
