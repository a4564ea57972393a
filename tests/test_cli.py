import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import _toy_experiment as toy
from kernelrich import catalog
from kernelrich.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def toy_catalog(monkeypatch):
    monkeypatch.setattr(catalog, "experiments", lambda: {"toy": toy.TOY})
    monkeypatch.setattr(catalog, "checks", lambda: list(toy.CHECKS))
    monkeypatch.setattr(catalog, "PAPERS", {"toy2024": "A Toy Paper (2024)"}, raising=False)


def test_list():
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert "toy" in result.output and "toy2024" in result.output
    assert "12" in result.output and "16" in result.output


def test_run_writes_tables_and_figures(tmp_path):
    result = runner.invoke(app, ["run", "toy", "--out", str(tmp_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "12 computed" in result.output
    assert pq.read_table(tmp_path / "report" / "tables" / "toy.parquet").num_rows == 12
    assert (tmp_path / "report" / "tables" / "toy.csv").exists()
    assert (tmp_path / "report" / "figures" / "toy" / "toy.png").exists()
    assert (tmp_path / "report" / "figures" / "toy" / "toy.pdf").exists()
    assert len(list((tmp_path / ".kernelrich" / "store" / "toy").glob("*.json"))) == 12
    again = runner.invoke(app, ["run", "toy", "--out", str(tmp_path), "--no-progress"])
    assert again.exit_code == 0 and "12 skipped" in again.output


def test_run_unknown_name(tmp_path):
    result = runner.invoke(app, ["run", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "nope" in result.output and "toy" in result.output


def test_run_failed_point_exits_1(tmp_path, monkeypatch):
    monkeypatch.setenv("TOY_FAIL_A", "3.0")
    result = runner.invoke(app, ["run", "toy", "--out", str(tmp_path), "--no-progress"])
    assert result.exit_code == 1
    assert "4 failed" in result.output


def test_check_exit_codes():
    result = runner.invoke(app, ["check", "--no-progress"])
    assert result.exit_code == 1
    assert "Toy Thm 1" in result.output and "PASS" in result.output and "FAIL" in result.output
    assert runner.invoke(app, ["check", "--paper", "missing"]).exit_code == 2


def test_check_passing(monkeypatch):
    monkeypatch.setattr(catalog, "checks", lambda: toy.CHECKS[:1])
    result = runner.invoke(app, ["check", "--paper", "toy2024", "--no-progress"])
    assert result.exit_code == 0, result.output


def test_reproduce_writes_report(tmp_path):
    result = runner.invoke(app, ["reproduce", "--out", str(tmp_path), "--no-progress"])
    assert result.exit_code == 1  # the failing toy check
    html = (tmp_path / "report" / "index.html").read_text()
    assert "A Toy Paper (2024)" in html and "Toy: y = a x" in html
    assert html.count('<img src="data:image/png;base64,') == 1
    assert "Mean y per a" in html and "Toy Thm 2" in html
    assert "index.html" in result.output


def test_reproduce_only_passing(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "checks", lambda: toy.CHECKS[:1])
    args = ["reproduce", "--only", "toy", "--out", str(tmp_path), "--no-progress"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report" / "index.html").exists()


def test_help_is_fast():
    heavy = "('matplotlib', 'pyarrow', 'kernelrich.experiments')"
    code = f"import sys, kernelrich.cli; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _executors(tmp_path) -> set[str]:
    from kernelrich.experiments import Store

    store = Store(tmp_path / ".kernelrich" / "store")
    return {r["provenance"]["executor"] for r in store.records("toy")}


def _no_children_left() -> None:
    import psutil

    children = psutil.Process().children(recursive=True)
    # multiprocessing's resource tracker lives as long as this process, by design
    assert [c for c in children if "resource_tracker" not in " ".join(c.cmdline())] == []


def test_run_process_executor(tmp_path):
    args = ["run", "toy", "--out", str(tmp_path), "--no-progress", "--executor", "process",
            "--workers", "2", "--chunk-size", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "12 computed" in result.output and _executors(tmp_path) == {"process"}
    _no_children_left()


@pytest.mark.slow
def test_run_dask_local_cluster(tmp_path):
    args = ["run", "toy", "--out", str(tmp_path), "--no-progress", "--executor", "dask",
            "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "12 computed" in result.output and _executors(tmp_path) == {"dask"}
    _no_children_left()


@pytest.mark.parametrize(
    "extra",
    [["--scheduler", "tcp://127.0.0.1:1"], ["--workers", "2"], ["--chunk-size", "4"],
     ["--executor", "dask", "--cluster", "missing.yaml"]],
)
def test_run_inconsistent_executor_options(tmp_path, extra):
    result = runner.invoke(app, ["run", "toy", "--out", str(tmp_path), *extra])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / ".kernelrich").exists()


def test_run_unwritable_store_exits_3(tmp_path):
    (tmp_path / "file").write_text("")
    result = runner.invoke(app, ["run", "toy", "--out", str(tmp_path / "file"), "--no-progress"])
    assert result.exit_code == 3
    assert "not writable" in result.output


def test_store_list_verify_gc(tmp_path, monkeypatch):
    runner.invoke(app, ["run", "toy", "--out", str(tmp_path), "--no-progress"])
    listed = runner.invoke(app, ["store", "list", "--out", str(tmp_path)])
    assert listed.exit_code == 0 and "toy" in listed.output and "12" in listed.output
    ok = runner.invoke(app, ["store", "verify", "--out", str(tmp_path)])
    assert ok.exit_code == 0 and "12 record files, 0 corrupt" in ok.output

    import dataclasses

    monkeypatch.setattr(catalog, "experiments",
                        lambda: {"toy": dataclasses.replace(toy.TOY, schema=2)})
    stale = runner.invoke(app, ["store", "verify", "--out", str(tmp_path)])
    assert stale.exit_code == 0 and "12 notes" in stale.output and "stale" in stale.output
    dry = runner.invoke(app, ["store", "gc", "--dry-run", "--out", str(tmp_path)])
    assert "would remove 12" in dry.output
    assert len(list((tmp_path / ".kernelrich" / "store" / "toy").glob("*.json"))) == 12
    gc = runner.invoke(app, ["store", "gc", "--out", str(tmp_path)])
    assert gc.exit_code == 0 and "removed 12" in gc.output
    assert list((tmp_path / ".kernelrich" / "store" / "toy").glob("*.json")) == []

    bad = tmp_path / ".kernelrich" / "store" / "toy" / ("f" * 64 + ".json")
    bad.write_text("{")
    corrupt = runner.invoke(app, ["store", "verify", "--out", str(tmp_path)])
    assert corrupt.exit_code == 1 and "unreadable" in corrupt.output
