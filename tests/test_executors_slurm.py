"""The SLURM recipe of docs/sweeps.md builds a dask-jobqueue SLURMCluster (no job is submitted)."""

import re
from pathlib import Path

import pytest

from kernelrich.experiments import DaskExecutor

DOC = Path(__file__).parents[1] / "docs" / "sweeps.md"


def _recipe() -> str:
    return re.search(r"```yaml\n(# slurm.yaml.*?)```", DOC.read_text(), re.S).group(1)


def test_docs_slurm_recipe_makes_a_job_script(tmp_path):
    yaml = pytest.importorskip("yaml")
    jobqueue = pytest.importorskip("dask_jobqueue")
    options = yaml.safe_load(_recipe())
    options["interface"] = None  # this machine has no ib0
    options["log_directory"] = str(tmp_path / "logs")
    with jobqueue.SLURMCluster(**options) as cluster:
        script = cluster.job_script()
    assert "#SBATCH -p normal" in script and "#SBATCH -A myproject" in script
    assert "#SBATCH --requeue" in script and "#SBATCH -t 04:00:00" in script
    assert "source $HOME/kernelrich/.venv/bin/activate" in script
    assert "--nworkers 8" in script and "--nthreads 1" in script


def test_cluster_file_must_hold_a_mapping(tmp_path):
    bad = tmp_path / "slurm.yaml"
    bad.write_text("- just\n- a list\n")
    executor = DaskExecutor(cluster=bad)
    with pytest.raises(ValueError, match="mapping of SLURMCluster arguments"):
        executor._slurm()
