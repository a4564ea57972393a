"""kernelrich.papers.chizat2019's lazy vs mean-field width scaling (lazy-meanfield-scaling,
moved from the Chizat & Bach 2018 section)."""

import pytest

from kernelrich.papers.chizat2019 import _scaling


def test_grid_and_setup():
    quick, full = _scaling.points(True), _scaling.points(False)
    assert len(quick) == 2 * 3 * 2 and len(full) == 2 * 6 * 4
    assert {c["scaling"] for c in quick} == {"lazy", "mean-field"}
    assert all(p.kind == "choice" for p in _scaling.setup(False))  # our illustration


@pytest.mark.slow
def test_scaling_kernel_change_vanishes_only_under_lazy_scaling():
    """kernelrich.lazy.kernel_change inside lazy-meanfield-scaling: the tangent kernel's
    relative change falls with m under the 1/sqrt(m) scaling (like m^-1/2: a factor 8 over
    m = 16 -> 1024) and stays of order one under the mean-field 1/m scaling."""

    def change(scaling, m):
        config = {**_scaling.sizes(True), "scaling": scaling, "m": m, "seed": 0}
        return _scaling.compute(config)["kernel_change"]

    assert change("lazy", 1024) < 0.25 * change("lazy", 16)
    assert change("mean-field", 1024) > 0.3 * change("mean-field", 16)
