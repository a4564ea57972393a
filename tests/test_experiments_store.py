import json

import numpy as np
import pytest

from kernelrich.experiments import Store, canonical_json, grid, to_jsonable


def _record(key, status="ok", experiment="e"):
    return {
        "key": key,
        "experiment": experiment,
        "schema": 1,
        "config": {"a": 1},
        "status": status,
        "result": {"y": 1.0},
        "provenance": {},
    }


def test_key_stable_under_dict_order():
    k1 = Store.key("e", 1, {"a": 1, "b": [1.0, 2.0], "seed": 0})
    k2 = Store.key("e", 1, {"seed": 0, "b": (1.0, 2.0), "a": 1})
    assert k1 == k2
    assert len(k1) == 64


def test_key_changes_with_schema_experiment_config():
    k = Store.key("e", 1, {"a": 1})
    assert Store.key("e", 2, {"a": 1}) != k
    assert Store.key("f", 1, {"a": 1}) != k
    assert Store.key("e", 1, {"a": 2}) != k


def test_numpy_values_are_plain_json():
    value = {"x": np.float64(0.5), "n": np.int32(3), "v": np.arange(3.0), "t": (1, 2)}
    assert to_jsonable(value) == {"x": 0.5, "n": 3, "v": [0.0, 1.0, 2.0], "t": [1, 2]}
    assert canonical_json({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    with pytest.raises(TypeError):
        to_jsonable({"x": object()})


def test_put_get_atomic_no_temp_files(tmp_path):
    store = Store(tmp_path)
    key = Store.key("e", 1, {"a": 1})
    path = store.put(_record(key))
    assert store.get("e", key)["result"] == {"y": 1.0}
    assert json.loads(path.read_text())["key"] == key
    assert [p.name for p in (tmp_path / "e").iterdir()] == [f"{key}.json"]
    assert store.get("e", Store.key("e", 1, {"a": 2})) is None


@pytest.mark.parametrize("text", ["", '{"key": "', "[1, 2]", '{"status": "ok"}', "\x00\x01"])
def test_corrupt_record_is_missing_and_overwritten(tmp_path, text):
    store = Store(tmp_path)
    key = Store.key("e", 1, {"a": 1})
    store.path("e", key).parent.mkdir(parents=True)
    store.path("e", key).write_text(text)
    assert store.get("e", key) is None
    assert list(store.records("e")) == []
    store.put(_record(key))
    assert store.get("e", key)["status"] == "ok"


def test_failed_record_is_retried(tmp_path):
    from _toy_experiment import TOY
    from kernelrich.experiments import run_experiment

    store = Store(tmp_path)
    config = TOY.points(True)[0]
    key = Store.key(TOY.name, TOY.schema, config)
    store.put(_record(key, status="failed", experiment=TOY.name) | {"config": config})
    summary = run_experiment(TOY, store=store, progress=False)
    assert summary.skipped == 0
    assert store.get(TOY.name, key)["status"] == "ok"


def test_sweep_temp_removes_dead_writers_only(tmp_path):
    import os
    import subprocess
    import sys

    from kernelrich.experiments._store import _host_tag

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / f".tmp.{_host_tag()}.{dead_pid}.abc.part").write_text("{")
    (folder / f".tmp.{_host_tag()}.{os.getpid()}.abc.part").write_text("{")
    assert Store(tmp_path).sweep_temp("e") == 1
    assert [p.name for p in folder.iterdir()] == [f".tmp.{_host_tag()}.{os.getpid()}.abc.part"]


def test_grid_order():
    assert grid(alpha=[1, 2], seed=[0, 1]) == [
        {"alpha": 1, "seed": 0},
        {"alpha": 1, "seed": 1},
        {"alpha": 2, "seed": 0},
        {"alpha": 2, "seed": 1},
    ]
    assert grid() == [{}]
    with pytest.raises(ValueError):
        grid(alpha=1)
