"""kernelrich.papers.chizat2019: structure, JSON-able grids, and the checks."""

import json

import pytest

from kernelrich.experiments import Experiment
from kernelrich.papers import chizat2019 as paper


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
    assert all(c.paper == paper.KEY for c in paper.CHECKS)


def test_quick_grids_are_smaller_than_full():
    from kernelrich.papers.chizat2019 import _tau

    quick, full = _tau.points(True)[0], _tau.points(False)[0]
    assert (full["d"], full["m"], full["n"], full["trials"]) == (100, 50, 1000, 10)
    assert quick["n"] < full["n"] and quick["steps"] < full["steps"]


def test_linearisation_check_passes():
    from kernelrich.papers.chizat2019 import _checks

    result = _checks.linearisation()
    assert result.passed, result


@pytest.mark.slow
def test_all_checks_pass():
    from kernelrich.experiments import run_checks

    results = run_checks(paper.CHECKS, progress=False)
    failed = [r for r in results if not r.passed]
    assert not failed, failed
