"""Fault tests on a Dask LocalCluster with worker processes: a worker killed mid-task, the driver
SIGKILLed at random moments, two runners on one store, and bit-identical results across
executors. Every test asserts the exact set of points in the store."""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import _toy_experiment as toy
from kernelrich.experiments import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    Store,
    run_experiment,
)
from test_executors_points import DET, det_points, reversed_kill_points
from test_experiments_kill import _kill_mid_sweep, _log_events, _n_starts

distributed = pytest.importorskip("distributed")

DRIVER = Path(__file__).with_name("test_executors_points.py")
KILL_KEYS = {Store.key("toy-kill", 1, c): c["i"] for c in toy.kill_points(True)}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """TOY_LOG / TOY_SLEEP for this process, its subprocesses and the cluster's workers."""
    log = tmp_path_factory.mktemp("dask") / "log.txt"
    saved = {k: os.environ.get(k) for k in ("TOY_LOG", "TOY_SLEEP")}
    os.environ.update(TOY_LOG=str(log), TOY_SLEEP="0.3")
    yield log
    for k, v in saved.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


@pytest.fixture(scope="module")
def client(env):
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as c:
            yield c
    finally:
        cluster.close()


@pytest.fixture
def log(env, client):
    env.write_text("")
    client.wait_for_workers(2, timeout=60)
    _wait_idle(client)
    return env


def _wait_idle(client, timeout: float = 60) -> None:
    """Wait until the scheduler holds no task (those of a killed driver are released)."""
    deadline = time.monotonic() + timeout
    while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) > 0:
        assert time.monotonic() < deadline, "tasks of a dead client were never released"
        time.sleep(0.1)


def _assert_exact_kill_store(root: Path) -> dict[str, dict]:
    store = Store(root)
    files = sorted(p.name for p in (root / "toy-kill").iterdir())
    assert files == sorted(f"{k}.json" for k in KILL_KEYS), "missing, extra or temp files"
    records = {r["key"]: r for r in store.records("toy-kill")}
    assert set(records) == set(KILL_KEYS)
    assert all(r["status"] == "ok" for r in records.values())
    assert all(r["config"]["i"] == KILL_KEYS[k] for k, r in records.items())
    assert store.verify({"toy-kill": 1}) == []
    return records


def _executing_worker_pid(client) -> int:
    """The pid of a worker that is running a task now."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = client.run(lambda dask_worker: len(dask_worker.state.executing))
        pids = client.run(os.getpid)
        running = [pids[addr] for addr, n in busy.items() if n]
        if running:
            return running[0]
        time.sleep(0.02)
    raise AssertionError("no worker ever ran a task")


def test_worker_killed_mid_task_is_retried(tmp_path, client, log):
    def kill_one():
        while _n_starts(log) < 3:
            time.sleep(0.01)
        killed.append(_executing_worker_pid(client))
        os.kill(killed[0], signal.SIGKILL)

    killed: list[int] = []
    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    executor = DaskExecutor(client=client)
    summary = run_experiment(toy.KILL, store=Store(tmp_path), executor=executor, progress=False)
    killer.join(timeout=30)
    assert killed and (summary.computed, summary.failed) == (30, [])
    _assert_exact_kill_store(tmp_path)
    starts = [i for e, i, _ in _log_events(log) if e == "start"]
    assert len(starts) > 30, "no task was interrupted and rerun"


def test_two_runners_on_one_store(tmp_path, client, log):
    env = {**os.environ, "TOY_SLEEP": "0.05"}
    serial = subprocess.Popen([sys.executable, str(DRIVER), str(tmp_path), "serial"], env=env)
    try:
        while _n_starts(log) == 0:  # let the subprocess get going, then race it
            assert serial.poll() is None
            time.sleep(0.01)
        exp = dataclasses.replace(toy.KILL, points=reversed_kill_points)
        run_experiment(exp, store=Store(tmp_path), executor=DaskExecutor(client=client),
                       progress=False)
        assert serial.wait(timeout=120) == 0
    finally:
        serial.kill()
    _assert_exact_kill_store(tmp_path)
    finished = [i for e, i, _ in _log_events(log) if e == "finish"]
    assert set(finished) == set(range(30))


def test_bit_identical_across_executors(tmp_path, client):
    results = {}
    runs = {
        "serial": SerialExecutor(),
        "process": ProcessExecutor(2),
        "dask": DaskExecutor(client=client),
        "dask-chunked": DaskExecutor(client=client, chunk_size=4),
    }
    for name, executor in runs.items():
        store = Store(tmp_path / name)
        summary = run_experiment(DET, store=store, executor=executor, progress=False)
        assert summary.computed == len(det_points(True)) and not summary.failed
        results[name] = {r["key"]: r["result"] for r in store.records("det")}
        assert {r["provenance"]["executor"] for r in store.records("det")} == {executor.name}
    keys = {Store.key("det", 1, c) for c in det_points(True)}
    assert all(set(r) == keys for r in results.values())
    assert results["serial"] == results["process"] == results["dask"]  # bit for bit
    for key, result in results["dask-chunked"].items():  # vmap: same to rounding
        reference = results["serial"][key]
        pairs = zip(result["beta"], reference["beta"], strict=True)
        assert max(abs(a - b) for a, b in pairs) < 1e-12


@pytest.mark.slow
def test_driver_sigkill_then_resume(tmp_path, client, log):
    rng = random.Random(20261128)
    cmd = [sys.executable, str(DRIVER), str(tmp_path), "dask", client.scheduler.address]
    env = {**os.environ, "TOY_SLEEP": "0.1"}
    snapshots = []
    with (tmp_path / "stderr.txt").open("w") as stderr:
        for _ in range(3):
            _kill_mid_sweep(cmd, env, log, rng.uniform(0.0, 0.8), stderr)
            _wait_idle(client)  # the scheduler forgot the dead driver's tasks
            recorded = {r["key"]: r["provenance"]["finished_at"]
                        for r in Store(tmp_path).records("toy-kill")}
            snapshots.append((time.time(), recorded))
        subprocess.run(cmd, env=env, stderr=stderr, check=True, timeout=120)
    assert 0 < len(snapshots[-1][1]) < len(KILL_KEYS), "kills did not land mid-sweep"
    records = _assert_exact_kill_store(tmp_path)
    events = _log_events(log)
    for t_snap, recorded in snapshots:
        for key, finished in recorded.items():
            assert records[key]["provenance"]["finished_at"] == finished  # never recomputed
            i = KILL_KEYS[key]
            assert not [t for e, j, t in events if e == "start" and j == i and t > t_snap]
