"""The (S)GD paper packages (kernelrich.papers.even2023 and pesme2021): the report's attributes,
setups with a source for every value, captions computed from the rows;
their checks run in test_checks_can_fail.py.."""

import pytest

from kernelrich.experiments import Param, Table
from kernelrich.papers import even2023, pesme2021
from kernelrich.papers.even2023 import _eos, _steps
from kernelrich.papers.pesme2021 import _sgf
from kernelrich.report import validate_reported

EXPERIMENTS = even2023.EXPERIMENTS + pesme2021.EXPERIMENTS


def test_the_paper_packages_declare_what_the_report_needs():
    for package, key in ((even2023, "even2023"), (pesme2021, "pesme2021")):
        assert package.KEY == key and package.BEYOND is True
        assert package.TITLE and package.CLAIM.startswith('"')
        validate_reported(package.REPORTED)
        assert {e.paper for e in package.EXPERIMENTS} == {key}
    theorems = {c.theorem for c in even2023.CHECKS}
    assert {r["check"] for r in even2023.REPORTED if "check" in r} <= theorems


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=lambda e: e.name)
def test_every_experiment_has_its_setup_in_both_modes(exp):
    for quick in (True, False):
        params = exp.setup(quick)
        assert params and all(isinstance(p, Param) and p.source for p in params)
        assert exp.points(quick)


def _eos_row(fraction, status, **kw):
    base = {"d": 10, "N": 5, "r": 1, "alpha": 0.1, "data_seed": 0, "fraction": fraction,
            "gamma0": 0.5, "status": status, "iteration": [1, 2], "loss": [1.0, 0.5]}
    return {**base, **kw}


def test_edge_of_stability_sentence_is_computed_from_the_rows():
    rows = [_eos_row(0.5, "converged", loss_increases=0, max_sharpness=0.5, final_sharpness=0.5,
                     prediction_error=1e-11),
            _eos_row(1.2, "converged", loss_increases=7, max_sharpness=1.3, final_sharpness=0.97,
                     prediction_error=3e-11),
            _eos_row(2.0, "not converged", loss_increases=900, max_sharpness=1.4,
                     final_sharpness=1.1),
            _eos_row(3.0, "diverged")]
    text = _eos.sentence(_eos.verdict(rows))
    assert "Of the 3 steps beyond gamma_0, 1 converged" in text
    assert "rose on 7 steps" in text and "final one 0.97 x 2/gamma (below 1" in text
    assert "at 2 gamma_0 GD neither converged nor diverged" in text
    assert "first diverging step was 3 gamma_0" in text
    assert "held on all 2 converged runs within 3.0e-11" in text


def test_steps_caption_states_the_best_and_the_prediction_error(tmp_path):
    nan = float("nan")
    cell = {"test_error": [[[0.2, 0.3], [0.4, 0.4]], [[nan, nan], [0.6, 0.6]]],
            "prediction_error": [[[1e-11, 2e-11], [1e-11, 1e-11]], [[nan, nan], [4e-11, 1e-11]]]}
    ones = [[[1.0, 1.0], [1.0, 1.0]], [[nan, nan], [1.0, 1.0]]]
    row = {"d": 10, "N": 4, "r": 1, "alpha": 0.1, "data_seed": 0, "fractions": [0.1, 1.0],
           "batch_sizes": [1, 4], "seeds": [0, 1], "iterations": 10, "gamma0": 0.5,
           "flow_test_error": 0.45, "alpha_eff": ones, "alpha_eff_support": ones,
           "alpha_eff_off": ones, "to_flow": ones, **cell}
    caption = _steps.plot(Table([row]), tmp_path, True)[0].caption
    assert "Lowest mean test error 0.25 at b = 1, step 0.1 gamma_0" in caption
    assert "GD at its largest converging step (1 gamma_0): 0.6" in caption
    assert "within 4.0e-11" in caption and "6 of 8" in caption


def test_sgf_table_reports_the_gap_per_step():
    row = {"fractions": [0.1, 0.2], "ratio": [[1.1, 0.9], [1.3, 1.3]], "gain": [[1, 1], [2, 2]],
           "test_error": [[0.1, 0.1], [0.1, 0.1]]}
    title, rows = _sgf.tables(Table([row]), True)[0]
    assert rows[0]["measured / SGF (mean)"] == pytest.approx(1.0)
    assert "from 0.000 at the smallest step to 0.300 at the largest" in title
