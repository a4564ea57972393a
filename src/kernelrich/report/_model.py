"""What the report shows: one section per paper, its experiments' figures and tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..experiments import Figure, Param


@dataclass(frozen=True)
class ReportExperiment:
    """One experiment as the report shows it.

    **Arguments:**

    - `title`: the experiment's title.
    - `claim`: what the figure shows / what the paper claims.
    - `figures`: the saved figures (their PNGs are embedded).
    - `tables`: `(title, rows)` pairs shown as HTML tables.
    - `wall_time_s`: wall time of the run (and plotting).
    - `n_points`: grid points of the run.
    - `n_failed`: points whose compute failed.
    - `failures`: error messages (failed points, a plot that raised, ...).
    - `name`: the experiment's name (anchor and provenance footer).
    - `setup`: its parameters with their sources (`Experiment.setup`).
    """

    title: str
    claim: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    wall_time_s: float = 0.0
    n_points: int = 0
    n_failed: int = 0
    failures: list[str] = field(default_factory=list)
    name: str = ""
    setup: list[Param] = field(default_factory=list)


@dataclass(frozen=True)
class ReportSection:
    """One paper's section of the report.

    **Arguments:**

    - `paper_key`: the key shared with `Experiment.paper` and `CheckResult.paper`.
    - `paper_title`: the paper's full title.
    - `experiments`: its experiments, in order.
    - `claim`: two sentences stating the paper's claim in its words; `None`: the paper
      package's `CLAIM` (see `kernelrich.report.paper_claim`), none if it has no `CLAIM`.
    - `reported`: the "paper reports / we measure" entries (see
      `kernelrich.report.validate_reported`); `None`: the paper package's `REPORTED`.
    """

    paper_key: str
    paper_title: str
    experiments: list[ReportExperiment] = field(default_factory=list)
    claim: str | None = None
    reported: list[dict[str, Any]] | None = None
