"""Dask distributed through its futures interface: a local cluster, a scheduler, or SLURM."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from .._extras import require
from ._process import _positive_int

_Item = TypeVar("_Item")
_Outcome = TypeVar("_Outcome")


class DaskExecutor:
    """Run the points as Dask futures, on one of three kinds of cluster.

    **Arguments:**

    - `workers`: number of workers: of the `LocalCluster` started on demand (default: the
      number of CPUs), or the number of SLURM workers to scale to; ignored with `scheduler`.
    - `scheduler`: address of a running scheduler, e.g. `"tcp://10.0.0.5:8786"`.
    - `cluster`: a YAML file of `dask_jobqueue.SLURMCluster` keyword arguments (see
      `docs/sweeps.md`); mutually exclusive with `scheduler`.
    - `client`: an existing `distributed.Client` (takes precedence; never closed here).
    - `chunk_size`: points per task (see `ProcessExecutor`).
    - `max_in_flight`: tasks submitted ahead of completion (default `4 * workers`, at least 8).

    A worker that dies mid-task (killed, out of memory, preempted) is detected by the
    scheduler, and its tasks are rescheduled on the other workers (Dask's
    `distributed.scheduler.allowed-failures`, 3 by default). The cluster and client this
    executor starts are closed when `map_unordered` ends, also on error or interruption;
    use it as a context manager (`with DaskExecutor(...) as ex:`) to share one cluster
    between several sweeps.
    """

    name = "dask"

    def __init__(self, workers: int | None = None, *, scheduler: str | None = None,
                 cluster: Path | str | None = None, client: Any = None, chunk_size: int = 1,
                 max_in_flight: int | None = None):
        if scheduler is not None and cluster is not None:
            raise ValueError(f"give scheduler or cluster, not both: {scheduler!r}, {cluster!r}")
        self.workers = None if workers is None else _positive_int("workers", workers)
        self.scheduler = scheduler
        self.cluster = None if cluster is None else Path(cluster)
        if self.cluster is not None and not self.cluster.is_file():
            raise ValueError(f"cluster must be a YAML file, got {str(self.cluster)!r}")
        self.client = client
        self.chunk_size = _positive_int("chunk_size", chunk_size)
        self.max_in_flight = max_in_flight
        self.startup_s: float | None = None
        self._owned: list = []

    def __repr__(self) -> str:
        where = self.scheduler or self.cluster or ("client" if self.client else "LocalCluster")
        return f"DaskExecutor({where!s}, workers={self.workers}, chunk_size={self.chunk_size})"

    def __enter__(self) -> DaskExecutor:
        """Connect once (start the cluster), so that several sweeps share it until `__exit__`."""
        if self.client is None:
            start = time.perf_counter()
            self.client, self._owned = self._connect()
            self.startup_s = time.perf_counter() - start
        return self

    def __exit__(self, *exc) -> None:
        owned, self._owned = getattr(self, "_owned", []), []
        if owned:
            self.client = None
        for resource in owned:
            resource.close()

    def map_unordered(
        self, fn: Callable[[_Item], _Outcome], items: Iterable[_Item]
    ) -> Iterator[tuple[_Item, _Outcome]]:
        """Submit `fn(item)` futures (bounded in flight); yield `(item, outcome)` as each ends."""
        as_completed = require("distributed", "DaskExecutor").as_completed

        items = iter(items)
        first = next(items, _END)
        if first is _END:
            return
        start = time.perf_counter()
        client, owned = self._connect()
        pending: dict[Any, _Item] = {}
        try:
            if owned:
                self.startup_s = time.perf_counter() - start
            n_workers = max(1, len(client.scheduler_info().get("workers", {})) or self.workers or 1)
            limit = self.max_in_flight or max(8, 4 * n_workers)
            queue = _chain(first, items)
            completed = as_completed()
            for item in _take(queue, limit):
                completed.add(_submit(client, fn, item, pending))
            for future in completed:
                item = pending.pop(future)
                outcome = future.result()
                for nxt in _take(queue, 1):
                    completed.add(_submit(client, fn, nxt, pending))
                yield item, outcome
        finally:
            if pending:
                client.cancel(list(pending))
            for resource in owned:
                resource.close()

    def _connect(self) -> tuple[Any, list]:
        """The client to use and the resources this executor must close (client, cluster)."""
        Client = require("distributed", "DaskExecutor").Client  # noqa: N806

        if self.client is not None:
            return self.client, []
        if self.scheduler is not None:
            client = Client(self.scheduler)
            return client, [client]
        cluster = self._slurm() if self.cluster is not None else _local_cluster(self.workers)
        try:
            client = Client(cluster)
        except BaseException:
            cluster.close()
            raise
        if self.cluster is not None:
            client.wait_for_workers(1)
        return client, [client, cluster]

    def _slurm(self):
        yaml = require("yaml", "DaskExecutor(cluster=...)")
        SLURMCluster = require("dask_jobqueue", "DaskExecutor(cluster=...)").SLURMCluster  # noqa: N806

        options = yaml.safe_load(self.cluster.read_text()) or {}
        if not isinstance(options, dict):
            raise ValueError(f"cluster file {str(self.cluster)!r} must hold a mapping of "
                             f"SLURMCluster arguments, got {type(options).__name__}")
        cluster = SLURMCluster(**options)
        cluster.scale(n=self.workers or 1)
        return cluster


def _local_cluster(workers: int | None):
    import os

    LocalCluster = require("distributed", "DaskExecutor").LocalCluster  # noqa: N806

    return LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    )


def _submit(client, fn, item, pending):
    future = client.submit(fn, item, pure=False)
    pending[future] = item
    return future


def _chain(first, rest):
    yield first
    yield from rest


def _take(iterator, n):
    for _ in range(n):
        item = next(iterator, _END)
        if item is _END:
            return
        yield item


_END = object()
