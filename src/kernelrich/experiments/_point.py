"""Computing points on a worker: one point, or a chunk of points (batched when possible).

These functions run wherever the executor sends them (this process, a spawned process, a Dask
worker); they never raise for an error of `compute`, and record the worker's environment.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._json import to_jsonable
from ._provenance import collect_provenance


@dataclass(frozen=True)
class Outcome:
    """What computing one point gave: a result or an error, with where and how long.

    `env` is the worker's `collect_provenance()` (its device, versions, git state); `batched`
    tells whether the point was computed by the experiment's `batch_compute`.
    """

    ok: bool
    result: dict[str, Any] | None
    error: str | None
    traceback: str | None
    wall_time_s: float
    finished_at: float
    hostname: str
    pid: int
    env: dict[str, Any] | None = None
    batched: bool = False


def compute_point(compute: Callable[[dict], dict], config: dict[str, Any]) -> Outcome:
    """Call `compute(config)` and never raise: errors become a failed `Outcome`.

    **Arguments:**

    - `compute`: the experiment's pure function.
    - `config`: one grid point.

    **Returns:**

    An `Outcome` with the JSON-able result, or the error message and traceback.

    **Example:**

    ```pycon
    >>> from kernelrich.experiments import compute_point
    >>> outcome = compute_point(lambda config: {"y": 2 * config["x"]}, {"x": 3})
    >>> outcome.ok, outcome.result
    (True, {'y': 6})
    >>> failed = compute_point(lambda config: {"y": 1 / config["x"]}, {"x": 0})
    >>> failed.ok, failed.error
    (False, 'ZeroDivisionError: division by zero')

    ```
    """
    start = time.perf_counter()
    try:
        result = _checked_result(compute(config), config)
        error = tb = None
    except Exception as e:
        result, error, tb = None, f"{type(e).__name__}: {e}", traceback.format_exc()
    return _outcome(result, error, tb, time.perf_counter() - start)


def compute_chunk(
    compute: Callable[[dict], dict],
    batch_compute: Callable[[list[dict]], list[dict]] | None,
    configs: list[dict[str, Any]],
) -> list[Outcome]:
    """Compute a chunk of points in one task; never raises for errors of the experiment.

    **Arguments:**

    - `compute`: the experiment's per-point function.
    - `batch_compute`: the experiment's optional batched function (`None`: point by point).
    - `configs`: the chunk.

    **Returns:**

    One `Outcome` per config, in order. With `batch_compute`, every point of the chunk gets
    the chunk's wall time divided evenly; if `batch_compute` raises or returns a malformed
    list, the chunk is recomputed point by point with `compute`.

    **Example:**

    ```pycon
    >>> from kernelrich.experiments import compute_chunk
    >>> def square(config):
    ...     return {"y": config["x"] ** 2}
    >>> def square_all(configs):
    ...     return [{"y": c["x"] ** 2} for c in configs]
    >>> outcomes = compute_chunk(square, square_all, [{"x": 1}, {"x": 2}])
    >>> [(o.result, o.batched) for o in outcomes]
    [({'y': 1}, True), ({'y': 4}, True)]

    ```
    """
    configs = list(configs)
    if batch_compute is not None and len(configs) > 1:
        start = time.perf_counter()
        try:
            results = batch_compute(configs)
            if not isinstance(results, list | tuple) or len(results) != len(configs):
                raise TypeError(f"batch_compute must return {len(configs)} results")
            checked = [_checked_result(r, c) for r, c in zip(results, configs, strict=True)]
        except Exception:
            checked = None
        if checked is not None:
            share = (time.perf_counter() - start) / len(configs)
            return [_outcome(r, None, None, share, batched=True) for r in checked]
    return [compute_point(compute, config) for config in configs]


def _outcome(result, error, tb, wall_time_s, *, batched=False) -> Outcome:
    return Outcome(
        ok=error is None,
        result=result,
        error=error,
        traceback=tb,
        wall_time_s=wall_time_s,
        finished_at=time.time(),
        hostname=socket.gethostname(),
        pid=os.getpid(),
        env=collect_provenance(),
        batched=batched,
    )


def _checked_result(result: Any, config: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise TypeError(f"compute must return a dict, got {type(result).__name__}")
    clash = sorted(set(result) & set(config))
    if clash:
        raise ValueError(f"result keys repeat config keys {clash}; rename them")
    return to_jsonable(result)
