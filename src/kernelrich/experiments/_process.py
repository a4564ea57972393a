"""A local process pool with the `spawn` start method (JAX is not fork-safe)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TypeVar

_Item = TypeVar("_Item")
_Outcome = TypeVar("_Outcome")


def _init_worker() -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per worker process
    import kernelrich  # noqa: F401  (float64 on, as in the driver)


class ProcessExecutor:
    """Run the points in `workers` local processes started with `spawn`.

    **Arguments:**

    - `workers`: number of worker processes (default: the number of CPUs).
    - `chunk_size`: points per task; the runner groups points so that per-task overhead
      (pickling, inter-process round trip) is paid once per chunk, and computes a chunk
      with the experiment's `batch_compute` when it has one.
    - `max_in_flight`: tasks submitted ahead of completion (default `4 * workers`), so that a
      killed driver has little work in flight.

    Forked workers can deadlock in JAX's thread pools, hence `spawn`: each worker imports
    kernelrich afresh (about a second of start-up per worker).
    """

    name = "process"

    def __init__(self, workers: int | None = None, *, chunk_size: int = 1,
                 max_in_flight: int | None = None):
        default = os.cpu_count() or 1
        self.workers = _positive_int("workers", default if workers is None else workers)
        self.chunk_size = _positive_int("chunk_size", chunk_size)
        in_flight = 4 * self.workers if max_in_flight is None else max_in_flight
        self.max_in_flight = _positive_int("max_in_flight", in_flight)

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers}, chunk_size={self.chunk_size})"

    def map_unordered(
        self, fn: Callable[[_Item], _Outcome], items: Iterable[_Item]
    ) -> Iterator[tuple[_Item, _Outcome]]:
        """Apply `fn` to every item in the pool; yield `(item, outcome)` as each finishes."""
        items = iter(items)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context,
                                 initializer=_init_worker) as pool:
            pending: dict[Future, _Item] = {}
            try:
                yield from _drain(pool, fn, items, pending, self.max_in_flight)
            finally:
                for future in pending:
                    future.cancel()


def _drain(pool, fn, items, pending, limit):
    exhausted = False
    while pending or not exhausted:
        while not exhausted and len(pending) < limit:
            item = next(items, _END)
            if item is _END:
                exhausted = True
            else:
                pending[pool.submit(fn, item)] = item
        if not pending:
            return
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield pending.pop(future), future.result()


_END = object()


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value
