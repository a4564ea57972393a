"""The runner: expand an experiment's grid, skip stored points, compute the rest, store each."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .._progress import progress_bar
from ._executor import Executor, SerialExecutor
from ._json import to_jsonable
from ._point import Outcome, compute_chunk, compute_point
from ._provenance import collect_provenance
from ._spec import Experiment
from ._store import Store
from ._table import Table

__all__ = ["Outcome", "RunSummary", "compute_point", "run_experiment"]


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


def _record(exp: Experiment, key: str, config: dict, outcome: Outcome, env: dict, ex: str) -> dict:
    provenance = {
        **env,
        **(outcome.env or {}),  # the worker's device and versions win over the driver's
        "hostname": outcome.hostname,
        "pid": outcome.pid,
        "executor": ex,
        "batched": outcome.batched,
        "seed": config.get("seed"),
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
    - `executor`: how points are run; default `SerialExecutor()`. An executor with a
      `chunk_size` attribute > 1 gets chunks of that many points per task (computed with
      `exp.batch_compute` when the experiment has one).
    - `progress`: show a rich progress bar.

    **Returns:**

    A `RunSummary`. A point whose compute raises is stored as failed (with traceback),
    never aborts the sweep, and is retried by the next run.

    **Raises:**

    `StoreError` (before any point is computed) if the store cannot be written or its disk
    is (nearly) full.

    **Example:**

    ```pycon
    >>> import tempfile
    >>> from kernelrich.experiments import Experiment, Store, grid, run_experiment
    >>> def compute(config):
    ...     return {"y": config["a"] * config["x"]}
    >>> line = Experiment(name="line", paper="demo", title="y = a x", claim="A straight line.",
    ...                   points=lambda quick: grid(a=[1.0, 2.0], x=[0, 1]), compute=compute)
    >>> with tempfile.TemporaryDirectory() as root:
    ...     first = run_experiment(line, store=Store(root), progress=False)
    ...     second = run_experiment(line, store=Store(root), progress=False)
    >>> first.computed, second.computed, second.skipped, second.table.column("y")
    (4, 0, 4, [0.0, 1.0, 0.0, 2.0])

    ```
    """
    executor = SerialExecutor() if executor is None else executor
    start = time.perf_counter()
    configs, keys = _grid(exp, quick)
    done = {k: r for k in keys if (r := store.get(exp.name, k)) and r["status"] == "ok"}
    todo = [c for c, k in zip(configs, keys, strict=True) if k not in done]
    if todo:
        store.check_writable(exp.name)
    store.sweep_temp(exp.name)
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
    if not todo:
        return []
    env = collect_provenance()
    failed = []
    with progress_bar(exp.name, len(todo), progress) as advance:
        for config, outcome in _outcomes(exp, todo, executor):
            key = Store.key(exp.name, exp.schema, config)
            record = _record(exp, key, config, outcome, env, executor.name)
            if outcome.ok or not _ok({key: store.get(exp.name, key) or {}}, key):
                store.put(record)  # a failure never replaces an ok record of another runner
            done[key] = record
            if not outcome.ok:
                failed.append((config, outcome.error))
            advance()
    return failed


def _outcomes(exp: Experiment, todo: list[dict], executor: Executor):
    """`(config, Outcome)` pairs in completion order, one task per point or per chunk."""
    size = int(getattr(executor, "chunk_size", 1) or 1)
    if size == 1:
        fn, items = functools.partial(compute_point, exp.compute), todo
    else:
        fn = functools.partial(compute_chunk, exp.compute, exp.batch_compute)
        items = [todo[i : i + size] for i in range(0, len(todo), size)]
    results = executor.map_unordered(fn, items)
    try:
        for item, outcome in results:
            if size == 1:
                yield item, outcome
            else:
                yield from zip(item, outcome, strict=True)
    finally:
        getattr(results, "close", lambda: None)()  # stop a generator's cluster/pool at once


def _ok(done: dict[str, dict], key: str) -> bool:
    return key in done and done[key].get("status") == "ok"
