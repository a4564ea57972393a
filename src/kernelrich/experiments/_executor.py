"""Executors: how the runner maps the point function over the configs still to compute.

An executor has a `name` (recorded in provenance) and `map_unordered(fn, items)`, an
iterator of `(item, fn(item))` in completion order. `fn` never raises (the runner catches
errors of `compute` and returns them as outcomes), and is picklable when `compute` is a
module-level function, so a process-pool or Dask executor can ship it to workers.

Implementations: `SerialExecutor` (here), `ProcessExecutor` (`_process.py`, spawn pool) and
`DaskExecutor` (`_dask.py`: LocalCluster, scheduler address or SLURM). An executor may have a
`chunk_size` attribute: the runner then maps over chunks of that many points (see
`compute_chunk`), and stores each point of a chunk when the chunk returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar, runtime_checkable

_Item = TypeVar("_Item")
_Outcome = TypeVar("_Outcome")


@runtime_checkable
class Executor(Protocol):
    """What `run_experiment` needs from an executor."""

    name: str

    def map_unordered(
        self, fn: Callable[[_Item], _Outcome], items: Iterable[_Item]
    ) -> Iterator[tuple[_Item, _Outcome]]:
        """Apply `fn` to every item; yield `(item, outcome)` as each finishes."""
        ...


class SerialExecutor:
    """Run the points one after the other in this process, in grid order."""

    name = "serial"

    def __repr__(self) -> str:
        return "SerialExecutor()"

    def map_unordered(
        self, fn: Callable[[_Item], _Outcome], items: Iterable[_Item]
    ) -> Iterator[tuple[_Item, _Outcome]]:
        """Apply `fn` to each item in order; yield `(item, fn(item))` as each finishes."""
        for item in items:
            yield item, fn(item)
