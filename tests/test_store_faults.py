"""Store guarantees: a clear error before any work when the store cannot be written or the disk
is full, nothing lost or half-written when the disk fills mid-sweep, verification and garbage
collection. Each test asserts the exact set of records in the store."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil

import pytest

import _toy_experiment as toy
from kernelrich.experiments import Store, StoreError, _admin, _store, run_experiment

TOY_KEYS = {Store.key("toy", 1, c) for c in toy.points(True)}


@pytest.fixture(autouse=True)
def _calls():
    toy.CALLS.clear()


def _files(root, experiment="toy"):
    folder = root / experiment
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_unwritable_store_fails_before_any_point(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    store = Store(tmp_path / "file" / "store")
    with pytest.raises(StoreError, match="not writable") as info:
        run_experiment(toy.TOY, store=store, progress=False)
    assert str(store.root) in str(info.value)
    assert toy.CALLS == []


def test_full_disk_fails_before_any_point(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(_admin.shutil, "disk_usage", lambda p: usage._replace(free=4096))
    with pytest.raises(StoreError, match="full disk: 4096 bytes free"):
        run_experiment(toy.TOY, store=Store(tmp_path), progress=False)
    assert toy.CALLS == [] and _files(tmp_path) == []


def test_enospc_on_probe_fails_before_any_point(tmp_path, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_admin.os, "fsync", no_space)
    with pytest.raises(StoreError, match="disk is full"):
        run_experiment(toy.TOY, store=Store(tmp_path), progress=False)
    assert toy.CALLS == [] and _files(tmp_path) == []


def test_disk_full_mid_sweep_loses_nothing(tmp_path, monkeypatch):
    real_replace, writes = os.replace, []

    def replace(src, dst):
        if len(writes) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        writes.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(_store.os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        run_experiment(toy.TOY, store=Store(tmp_path), progress=False)
    assert _files(tmp_path) == sorted(os.path.basename(w) for w in writes)  # no temp file left
    monkeypatch.setattr(_store.os, "replace", real_replace)
    toy.CALLS.clear()
    summary = run_experiment(toy.TOY, store=Store(tmp_path), progress=False)
    assert (summary.computed, summary.skipped) == (len(TOY_KEYS) - 5, 5)
    assert len(toy.CALLS) == len(TOY_KEYS) - 5
    assert _files(tmp_path) == sorted(f"{k}.json" for k in TOY_KEYS)


def test_failure_never_replaces_an_ok_record(tmp_path, monkeypatch):
    store = Store(tmp_path)
    run_experiment(toy.TOY, store=store, progress=False)
    ok = {r["key"]: r for r in store.records("toy")}
    monkeypatch.setenv("TOY_FAIL_A", "2.0")
    # another runner that had not seen the ok records computes (and fails) them again
    real_get, calls = store.get, []

    def blind_get(experiment, key):  # blind while listing what is done, then sees the store
        calls.append(key)
        return None if len(calls) <= len(TOY_KEYS) else real_get(experiment, key)

    monkeypatch.setattr(store, "get", blind_get)
    summary = run_experiment(toy.TOY, store=store, progress=False)
    assert len(summary.failed) == 4
    monkeypatch.undo()
    assert {r["key"]: r["status"] for r in Store(tmp_path).records("toy")} == dict.fromkeys(
        ok, "ok"
    )


def test_failed_points_keep_traceback_and_are_retried(tmp_path, monkeypatch):
    monkeypatch.setenv("TOY_FAIL_A", "3.0")
    store = Store(tmp_path)
    run_experiment(toy.TOY, store=store, progress=False)
    failed = {r["key"] for r in store.records("toy") if r["status"] == "failed"}
    assert len(failed) == 4
    assert all("RuntimeError: toy failure" in store.get("toy", k)["traceback"] for k in failed)
    monkeypatch.delenv("TOY_FAIL_A")
    toy.CALLS.clear()
    summary = run_experiment(toy.TOY, store=store, progress=False)
    assert (summary.computed, summary.skipped, len(toy.CALLS)) == (4, 8, 4)
    assert {r["key"]: r["status"] for r in store.records("toy")} == dict.fromkeys(TOY_KEYS, "ok")


def test_provenance_fields(tmp_path):
    store = Store(tmp_path)
    run_experiment(toy.TOY, store=store, progress=False)
    for record in store.records("toy"):
        p = record["provenance"]
        assert p["seed"] == record["config"]["seed"] and p["executor"] == "serial"
        assert p["jax_enable_x64"] is True and p["jax_device"] and p["wall_time_s"] >= 0
        assert {"jax", "numpy", "kernelrich", "git_commit", "git_dirty"} <= set(p)
        assert {"jaxlib", "scipy", "dask"} <= set(p["packages"])


def test_verify_and_gc(tmp_path):
    store = Store(tmp_path)
    run_experiment(toy.TOY, store=store, progress=False)
    assert store.verify({"toy": 1}) == []
    v2 = dataclasses.replace(toy.TOY, schema=2)
    run_experiment(v2, store=store, progress=False)
    keys = sorted(store.keys("toy"))
    corrupt, renamed, tampered = (store.path("toy", k) for k in keys[:3])
    corrupt.write_text(corrupt.read_text()[:50])
    renamed.rename(renamed.with_name("0" * 64 + ".json"))
    record = json.loads(tampered.read_text())
    tampered.write_text(json.dumps(record | {"config": {**record["config"], "a": 9.0}}))
    (tmp_path / "toy" / ".tmp.abc.1.x.part").write_text("")
    issues = store.verify({"toy": 2})
    by_kind = {kind: sorted(i.path for i in issues if i.kind == kind) for kind in
               ("unreadable", "key", "hash", "temp", "stale")}
    assert by_kind["unreadable"] == [corrupt]
    assert by_kind["key"] == [renamed.with_name("0" * 64 + ".json")]
    assert by_kind["hash"] == [tampered]
    assert len(by_kind["temp"]) == 1 and len(issues) == sum(map(len, by_kind.values()))
    schema_1 = sorted(p for p in (tmp_path / "toy").glob("*.json")
                      if p != corrupt and json.loads(p.read_text())["schema"] == 1)
    assert by_kind["stale"] == sorted(set(schema_1) - {tampered, *by_kind["key"]})
    assert len(store.keys("toy")) == 24 - 2  # 12 per schema; corrupt and misnamed unreadable

    assert sorted(store.gc({"toy": 2}, dry_run=True)) == schema_1
    assert sorted(store.gc({"toy": 2})) == schema_1
    assert {r["schema"] for r in store.records("toy")} == {2}
    assert store.gc({"toy": 2}) == []
