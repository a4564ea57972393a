"""The declarative side of an experiment: what to run (`grid`, `Experiment`) and what it drew."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._setup import Param
from ._table import Table

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Figure:
    """One saved figure of an experiment.

    **Arguments:**

    - `png`: path of the PNG (embedded in the HTML report).
    - `pdf`: path of the PDF (for the paper).
    - `caption`: says exactly what ran: flow or GD, step, tolerance, sizes, seeds, quick/full.
    """

    png: Path
    pdf: Path
    caption: str


@dataclass(frozen=True)
class Experiment:
    """A paper's figure or table as a declarative sweep.

    **Arguments:**

    - `name`: unique name, used by the CLI and in store paths (letters, digits, `_.-`).
    - `paper`: section key that groups experiments in the report, e.g. `"woodworth2020"`.
    - `title`: short human title, e.g. `"Figure 1: population error vs alpha"`.
    - `claim`: one or two sentences: what the figure shows / what the paper claims.
    - `points`: `quick -> list of JSON-able config dicts`; each contains `"seed"` when random.
    - `compute`: pure function `config -> JSON-able dict`; its keys must not repeat config keys.
      Use a module-level function so that process-pool executors can pickle it.
    - `plot`: optional `(table, out_dir, quick) -> list[Figure]`, figures saved in `out_dir`.
    - `tables`: optional `(table, quick) -> [(title, rows)]`, extra tables for the report.
    - `schema`: bump when `compute`'s output changes; part of the store key.
    - `batch_compute`: optional `list of configs -> list of results`, the same results as
      `compute` on each config (e.g. one `jax.vmap` over the points of a chunk). Executors with
      `chunk_size > 1` send chunks of points to one task; the runner calls `batch_compute` on
      a chunk, and falls back to `compute` point by point if it raises (so that a failing
      point keeps its own traceback). Module-level, like `compute`.
    - `setup`: optional `quick -> list[Param]`, every parameter of the run with its value and
      source (paper, authors' code, or our choice and why), shown in the report.
    - `full_time`: the measured (or per-point estimated) wall time of `--full` on a 2-core
      CPU, e.g. `"about 2 h (measured per point)"`; `kernelrich list` shows it, so that a run
      that needs hours says so before it starts.
    """

    name: str
    paper: str
    title: str
    claim: str
    points: Callable[[bool], list[dict]]
    compute: Callable[[dict], dict]
    plot: Callable[[Table, Path, bool], list[Figure]] | None = None
    tables: Callable[[Table, bool], list[tuple[str, list[dict]]]] | None = None
    schema: int = 1
    batch_compute: Callable[[list[dict]], list[dict]] | None = None
    setup: Callable[[bool], list[Param]] | None = None
    full_time: str = ""

    def __post_init__(self):
        if not _NAME.match(self.name):
            raise ValueError(f"Experiment name must match {_NAME.pattern}, got {self.name!r}")


def grid(**axes: list[Any]) -> list[dict[str, Any]]:
    """The cartesian product of the given axes, the last axis varying fastest.

    **Arguments:**

    - `**axes`: `name=list of values`, in the order the configs should list them.

    **Returns:**

    One dict per combination, e.g. `grid(alpha=[1, 2], seed=[0, 1])` gives
    `[{"alpha": 1, "seed": 0}, {"alpha": 1, "seed": 1}, {"alpha": 2, "seed": 0}, ...]`.

    **Example:**

    ```pycon
    >>> from kernelrich.experiments import grid
    >>> grid(alpha=[0.1, 1.0], seed=[0, 1])
    [{'alpha': 0.1, 'seed': 0}, {'alpha': 0.1, 'seed': 1},
     {'alpha': 1.0, 'seed': 0}, {'alpha': 1.0, 'seed': 1}]

    ```
    """
    for name, values in axes.items():
        if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
            raise ValueError(f"grid axis {name!r} must be a list of values, got {values!r}")
    names = list(axes)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values())]
