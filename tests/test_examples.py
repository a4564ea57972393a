"""Every script in examples/ runs in quick mode (in a fresh interpreter) and writes its figure.

Each takes under 30 s on two cores (`--quick`); the docs' tutorials include these scripts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_quick(script, tmp_path):
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    png = tmp_path / f"{script.stem}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{script.name} wrote no {png.name}"
    assert f"wrote {png}" in result.stdout
