import csv
import dataclasses
import json

import numpy as np
import pyarrow.parquet as pq
import pytest

import _toy_experiment as toy
from kernelrich.experiments import (
    Check,
    CheckResult,
    Counterexample,
    SerialExecutor,
    Store,
    Table,
    run_checks,
    run_experiment,
    setting,
    worst,
)


@pytest.fixture
def store(tmp_path):
    toy.CALLS.clear()
    return Store(tmp_path / "store")


def test_skips_finished_points(store):
    first = run_experiment(toy.TOY, store=store, progress=False)
    n = len(toy.TOY.points(True))
    assert (first.computed, first.skipped, first.failed) == (n, 0, [])
    assert len(toy.CALLS) == n
    second = run_experiment(toy.TOY, store=store, progress=False)
    assert (second.computed, second.skipped) == (0, n)
    assert len(toy.CALLS) == n
    assert second.table.rows == first.table.rows
    full = run_experiment(toy.TOY, quick=False, store=store, progress=False)
    assert (full.computed, full.skipped) == (len(toy.TOY.points(False)) - n, n)


def test_table_in_grid_order(store):
    summary = run_experiment(toy.TOY, store=store, executor=SerialExecutor(), progress=False)
    configs = toy.TOY.points(True)
    assert [{k: r[k] for k in ("a", "x", "seed")} for r in summary.table] == configs
    assert summary.table.column("n") == [3] * len(configs)
    assert summary.table.unique("a") == [1.0, 2.0, 3.0]
    assert len(summary.table.where(a=2.0, x=1)) == 2


def test_failing_point_recorded_and_retried(store, monkeypatch):
    monkeypatch.setenv("TOY_FAIL_A", "2.0")
    summary = run_experiment(toy.TOY, store=store, progress=False)
    n_fail = len([c for c in toy.TOY.points(True) if c["a"] == 2.0])
    assert len(summary.failed) == n_fail
    assert all("toy failure" in error for _, error in summary.failed)
    assert summary.computed == len(toy.TOY.points(True)) - n_fail
    assert 2.0 not in summary.table.unique("a")
    failed = [r for r in store.records("toy") if r["status"] == "failed"]
    assert len(failed) == n_fail
    assert "RuntimeError: toy failure" in failed[0]["traceback"]
    assert failed[0]["error"].startswith("RuntimeError")

    monkeypatch.delenv("TOY_FAIL_A")
    toy.CALLS.clear()
    again = run_experiment(toy.TOY, store=store, progress=False)
    assert (again.computed, again.failed) == (n_fail, [])
    assert {c["a"] for c in toy.CALLS} == {2.0}
    assert len(again.table) == len(toy.TOY.points(True))


def test_provenance(store):
    run_experiment(toy.TOY, store=store, progress=False)
    record = next(store.records("toy"))
    prov = record["provenance"]
    for name in ("kernelrich", "python", "jax", "numpy", "jax_backend", "jax_device", "hostname"):
        assert prov[name]
    assert prov["jax_enable_x64"] is True
    assert prov["executor"] == "serial"
    assert prov["wall_time_s"] >= 0
    assert "git_commit" in prov and "git_dirty" in prov
    assert record["schema"] == 1


def test_schema_bump_recomputes(store):
    run_experiment(toy.TOY, store=store, progress=False)
    bumped = dataclasses.replace(toy.TOY, schema=2)
    assert run_experiment(bumped, store=store, progress=False).skipped == 0


def test_result_clashing_with_config_fails(store):
    exp = dataclasses.replace(toy.TOY, name="clash", compute=lambda c: {"a": 1.0})
    summary = run_experiment(exp, store=store, progress=False)
    assert len(summary.failed) == len(exp.points(True))
    assert "repeat config keys" in summary.failed[0][1]


def test_duplicate_points_rejected(store):
    exp = dataclasses.replace(toy.TOY, points=lambda quick: [{"seed": 0}, {"seed": 0}])
    with pytest.raises(ValueError, match="repeats the config"):
        run_experiment(exp, store=store, progress=False)


def test_csv_and_parquet_round_trip(store, tmp_path):
    table = run_experiment(toy.TOY, store=store, progress=False).table
    pq_table = pq.read_table(table.to_parquet(tmp_path / "t.parquet"))
    assert pq_table.to_pylist() == table.rows

    with table.to_csv(tmp_path / "t.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [json.loads(r["trace"]) for r in rows] == table.column("trace")
    assert [float(r["y"]) for r in rows] == table.column("y")


def test_parquet_mixed_column(tmp_path):
    table = Table([{"v": 1.0}, {"v": "text"}, {"v": [1.0, [2.0]]}])
    back = pq.read_table(table.to_parquet(tmp_path / "m.parquet")).column("v").to_pylist()
    assert back == ["1.0", '"text"', "[1.0, [2.0]]"]


def test_run_checks_never_crashes():
    def boom():
        raise ZeroDivisionError("nope")

    checks = [*toy.CHECKS, Check("Toy Thm 3", "x", boom, toy._slope,
                                 (Counterexample("any", setting("y", 0)),), paper="p")]
    results = run_checks(checks, progress=False)
    assert [r.passed for r in results] == [True, False, False]
    assert "ZeroDivisionError: nope" in results[2].detail
    assert results[1].paper == "toy2024"
    assert not CheckResult.compare("t", "i", "q", float("nan"), 1.0).passed
    assert not CheckResult.compare("t", "i", "q", float("inf"), float("inf")).passed
    assert CheckResult.compare("t", "i", "q", 1.0, 1.0).passed


def test_counterexamples_are_judged_and_must_fail():
    result = toy.CHECKS[0].run()
    assert result.passed and result.can_fail
    assert [r.what for r in result.counterexamples] == ["slope 1.1", "a diverged run"]
    assert all(r.failed for r in result.counterexamples)
    assert result.counterexamples[0].error == pytest.approx(0.1)
    assert np.isnan(result.counterexamples[1].error)


def test_a_check_whose_counterexample_passes_fails():
    harmless = Counterexample("slope 1 again", setting("y", lambda e: e["x"] * 1.0))
    check = Check("Toy Thm 1", "a=1", toy._line(1.0), toy._slope, (harmless,), paper="p")
    result = check.run()
    assert not result.passed and not result.can_fail
    assert "cannot tell: slope 1 again" in result.detail


def test_a_check_needs_a_counterexample():
    with pytest.raises(ValueError, match="needs at least one counterexample"):
        Check("Toy Thm 1", "a=1", toy._line(1.0), toy._slope, ())


def test_counterexamples_get_a_copy_of_the_evidence():
    evidence = {"x": np.arange(1.0, 4.0), "y": np.arange(1.0, 4.0)}

    def corrupt_in_place(e):
        e["y"] *= 5
        return e

    check = Check("Toy Thm 1", "a=1", lambda: evidence, toy._slope,
                  (Counterexample("in place", corrupt_in_place),))
    assert check.run().passed
    np.testing.assert_array_equal(evidence["y"], np.arange(1.0, 4.0))


def test_failed_runs_fail_the_check_and_are_named():
    result = CheckResult.compare("t", "i", "q", 0.0, 1.0, "d", failed_runs=["seed 3: solver "
                                                                           "inaccurate"])
    assert not result.passed and result.detail.startswith("failed runs: seed 3")


def test_worst_does_not_drop_nan():
    assert max([1.0, float("nan")]) == 1.0  # what Python's max does
    value, bad = worst({"seed 0": 1.0, "seed 1": float("nan"), "seed 2": 2.0})
    assert np.isnan(value) and bad == ["seed 1: error is nan"]
    assert worst({"a": 1.0, "b": 3.0}) == (3.0, [])
    assert np.isnan(worst({})[0])
