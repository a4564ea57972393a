"""SIGKILL a sweep at random moments, resume it, and check the store is exact and complete."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import _toy_experiment as toy
from kernelrich.experiments import Store

SCRIPT = Path(__file__).with_name("_toy_experiment.py")


def _log_events(log: Path) -> list[tuple[str, int, float]]:
    if not log.exists():
        return []
    lines = [line.split() for line in log.read_text().splitlines()]
    return [(e, int(i), float(t)) for e, i, t in (x for x in lines if len(x) == 3)]


def _n_starts(log: Path) -> int:
    return sum(e == "start" for e, _, _ in _log_events(log))


def _kill_mid_sweep(cmd: list[str], env: dict, log: Path, delay: float, stderr) -> None:
    before = _n_starts(log)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 60
    while _n_starts(log) <= before:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_sigkill_then_resume(tmp_path):
    rng = random.Random(20240601)
    root, log = tmp_path / "store", tmp_path / "log.txt"
    env = {**os.environ, "TOY_LOG": str(log), "TOY_SLEEP": "0.04"}
    cmd = [sys.executable, str(SCRIPT), str(root)]
    store = Store(root)
    snapshots = []
    with (tmp_path / "stderr.txt").open("w") as stderr:
        for _ in range(3):
            _kill_mid_sweep(cmd, env, log, rng.uniform(0.0, 0.3), stderr)
            recorded = {r["key"]: r["provenance"]["finished_at"] for r in store.records("toy-kill")}
            snapshots.append((time.time(), recorded))
        subprocess.run(cmd, env=env, stderr=stderr, check=True, timeout=60)

    configs = toy.KILL.points(True)
    expected = {Store.key("toy-kill", 1, c): c["i"] for c in configs}
    assert 0 < len(snapshots[-1][1]) < len(configs), "kills did not land mid-sweep"

    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert sorted(p.name for p in files) == sorted(f"{k}.json" for k in expected)
    records = {r["key"]: r for r in (json.loads(p.read_text()) for p in files)}
    assert set(records) == set(expected)
    assert all(r["status"] == "ok" for r in records.values())

    events = _log_events(log)
    for key, record in records.items():
        i, finished = expected[key], record["provenance"]["finished_at"]
        starts = [t for e, j, t in events if e == "start" and j == i]
        finishes = [t for e, j, t in events if e == "finish" and j == i]
        assert starts and min(starts) <= finished and any(t <= finished for t in finishes)
        assert all(t <= finished for t in starts), f"point {i} recomputed after it was stored"

    for t_snap, recorded in snapshots:
        for key, finished in recorded.items():
            assert records[key]["provenance"]["finished_at"] == finished
            i = expected[key]
            assert not [t for e, j, t in events if e == "start" and j == i and t > t_snap]
