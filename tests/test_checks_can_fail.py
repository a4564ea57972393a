"""Every theorem check in the catalog passes on its own evidence and FAILs on each of its
counterexamples: a check that cannot fail cannot land."""

import pytest

from kernelrich import catalog

CHECKS = catalog.checks()


def _id(check) -> str:
    return f"{check.paper}: {check.theorem}: {check.instance}"


@pytest.mark.slow
@pytest.mark.parametrize("check", CHECKS, ids=_id)
def test_check_passes_and_each_counterexample_fails(check):
    result = check.run()
    assert result.counterexamples, "a check needs at least one counterexample"
    standing = [r.what for r in result.counterexamples if not r.failed]
    assert not standing, f"counterexamples on which the check passes: {standing}"
    assert result.passed, result.detail
