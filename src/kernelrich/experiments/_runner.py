"""The runner: expand an experiment's grid, skip stored points, compute the rest, store each."""

from __future__ import annotations

import functools
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .._progress import progress_bar
from ._executor import Executor, SerialExecutor
from ._json import to_jsonable
from ._provenance import collect_provenance
from ._spec import Experiment
from ._store import Store
from ._table import Table


@dataclass(frozen=True)
class Outcome:
    """What computing one point gave: a result or an error, with where and how long."""

    ok: bool
    result: dict[str, Any] | None
    error: str | None
    traceback: str | None
    wall_time_s: float
    finished_at: float
    hostname: str
    pid: int


@dataclass(frozen=True)
class RunSummary:
    """The result of `run_experiment`.

    **Arguments:**

    - `table`: the ok rows (config + result) in grid order, stored and new.
    - `computed`: points computed successfully in this run.
    - `skipped`: points already stored as ok (not recomputed).
    - `failed`: `(config, error)` for every point whose compute raised in this run.
    - `wall_time_s`: wall time of this run.

    `computed + skipped + len(failed)` is the number of grid points.
    """

    table: Table
    computed: int
    skipped: int
    failed: list[tuple[dict[str, Any], str]]
    wall_time_s: float


def compute_point(compute: Callable[[dict], dict], config: dict[str, Any]) -> Outcome:
    """Call `compute(config)` and never raise: errors become a failed `Outcome`.

    **Arguments:**

    - `compute`: the experiment's pure function.
    - `config`: one grid point.

    **Returns:**

    An `Outcome` with the JSON-able result, or the error message and traceback.
    """
    start = time.perf_counter()
    try:
        result = _checked_result(compute(config), config)
        error = tb = None
    except Exception as e:
        result, error, tb = None, f"{type(e).__name__}: {e}", traceback.format_exc()
    return Outcome(
        ok=error is None,
        result=result,
        error=error,
        traceback=tb,
        wall_time_s=time.perf_counter() - start,
        finished_at=time.time(),
        hostname=socket.gethostname(),
        pid=os.getpid(),
    )


def _checked_result(result: Any, config: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise TypeError(f"compute must return a dict, got {type(result).__name__}")
    clash = sorted(set(result) & set(config))
    if clash:
        raise ValueError(f"result keys repeat config keys {clash}; rename them")
    return to_jsonable(result)


def _record(exp: Experiment, key: str, config: dict, outcome: Outcome, env: dict, ex: str) -> dict:
    provenance = {
        **env,
        "hostname": outcome.hostname,
        "pid": outcome.pid,
        "executor": ex,
        "wall_time_s": outcome.wall_time_s,
        "finished_at": outcome.finished_at,
        "timestamp": datetime.fromtimestamp(outcome.finished_at, UTC).isoformat(),
    }
    record = {"key": key, "experiment": exp.name, "schema": exp.schema, "config": config}
    if outcome.ok:
        record |= {"status": "ok", "result": outcome.result}
    else:
        record |= {"status": "failed", "error": outcome.error, "traceback": outcome.traceback}
    return record | {"provenance": provenance}


def _grid(exp: Experiment, quick: bool) -> tuple[list[dict[str, Any]], list[str]]:
    configs = [to_jsonable(c) for c in exp.points(quick)]
    keys = [Store.key(exp.name, exp.schema, c) for c in configs]
    first = {}
    for config, key in zip(configs, keys, strict=True):
        if first.setdefault(key, config) is not config:
            raise ValueError(f"{exp.name}: points({quick}) repeats the config {config}")
    return configs, keys


def run_experiment(
    exp: Experiment,
    *,
    quick: bool = True,
    store: Store,
    executor: Executor | None = None,
    progress: bool = True,
) -> RunSummary:
    """Compute every point of `exp` not yet stored as ok, writing each as soon as it finishes.

    **Arguments:**

    - `exp`: the experiment.
    - `quick`: the quick grid (`exp.points(True)`) or the full one.
    - `store`: where records are read and written.
    - `executor`: how points are run; default `SerialExecutor()`.
    - `progress`: show a rich progress bar.

    **Returns:**

    A `RunSummary`. A point whose compute raises is stored as failed (with traceback),
    never aborts the sweep, and is retried by the next run.
    """
    executor = SerialExecutor() if executor is None else executor
    start = time.perf_counter()
    configs, keys = _grid(exp, quick)
    store.sweep_temp(exp.name)
    done = {k: r for k in keys if (r := store.get(exp.name, k)) and r["status"] == "ok"}
    todo = [c for c, k in zip(configs, keys, strict=True) if k not in done]
    failed = _compute(exp, todo, store, executor, progress, done)
    rows = [{**c, **done[k]["result"]} for c, k in zip(configs, keys, strict=True) if _ok(done, k)]
    return RunSummary(
        table=Table(rows),
        computed=len(todo) - len(failed),
        skipped=len(configs) - len(todo),
        failed=failed,
        wall_time_s=time.perf_counter() - start,
    )


def _compute(
    exp: Experiment,
    todo: list[dict],
    store: Store,
    executor: Executor,
    progress: bool,
    done: dict[str, dict],
) -> list[tuple[dict[str, Any], str]]:
    """Run `todo` through `executor`, storing each record (and adding it to `done`) at once."""
    env = collect_provenance() if todo else {}
    fn = functools.partial(compute_point, exp.compute)
    failed = []
    with progress_bar(exp.name, len(todo), progress) as advance:
        for config, outcome in executor.map_unordered(fn, todo):
            key = Store.key(exp.name, exp.schema, config)
            done[key] = _record(exp, key, config, outcome, env, executor.name)
            store.put(done[key])
            if not outcome.ok:
                failed.append((config, outcome.error))
            advance()
    return failed


def _ok(done: dict[str, dict], key: str) -> bool:
    return key in done and done[key]["status"] == "ok"
