"""The core install (`pip install kernelrich`, no extras): the numerical packages import and
run without any optional dependency, and a missing extra is named in the ImportError.

Each test runs in a fresh interpreter in which the optional packages cannot be imported (a
meta-path blocker), so it means the same in the full test environment and in CI's core-only
virtual environment (`scripts/core_check.sh`)."""

import subprocess
import sys
import textwrap

import pytest

from kernelrich._extras import EXTRAS

BLOCKER = textwrap.dedent(f"""
    import sys
    BLOCKED = {sorted(EXTRAS)!r}
    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)", name=name)
    sys.meta_path.insert(0, Blocker())
""")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=300)


def test_numerical_packages_run_without_extras():
    result = _run("""
        import numpy as np
        import jax
        from kernelrich import bias, diagonal, lazy, ntk, datasets
        from kernelrich import barron, matrix, meanfield, spectrum  # import without extras
        X, y, _ = datasets.sparse_regression(d=30, N=10, r=2, noise_std=0.0, seed=0)
        beta = diagonal.flow_limit(X, y, [1e-3, 1.0])
        assert np.abs(X @ beta[1] - y).max() < 1e-8
        gd = diagonal.gradient_descent(X, y, 1.0, step=1e-4, steps=200, progress=True)
        assert np.isfinite(gd.beta).all()
        K = ntk.infinite_ntk(np.eye(3), depth=2)
        assert K.shape == (3, 3) and np.isfinite(K).all()
        assert np.isclose(bias.Q(np.zeros(3), 1.0), 0.0)
        loaded = sorted({m.split(".")[0] for m in sys.modules} & set(BLOCKED))
        print("EXTRAS LOADED:", loaded)
    """)
    assert result.returncode == 0, result.stderr
    assert "EXTRAS LOADED: []" in result.stdout


@pytest.mark.parametrize(("code", "extra"), [
    ("import kernelrich.plotting", "experiments"),
    ("import kernelrich.cli", "experiments"),
    ("from kernelrich.experiments import Table; Table([{'a': 1}]).to_parquet('/dev/null')",
     "experiments"),
    ("import numpy as np\nfrom kernelrich import matrix\n"
     "matrix.min_nuclear_norm(matrix.completion([0], [0], (2, 2), [1.0]))", "convex"),
    ("from kernelrich.experiments import DaskExecutor\n"
     "list(DaskExecutor(workers=1).map_unordered(abs, [1]))", "cluster"),
])
def test_a_missing_extra_is_named(code, extra):
    result = _run(code)
    assert result.returncode != 0
    assert f"pip install 'kernelrich[{extra}]'" in result.stderr, result.stderr
