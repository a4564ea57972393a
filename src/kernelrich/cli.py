"""The `kernelrich` command line: list, run, check and reproduce the papers' experiments.

Heavy imports (JAX, matplotlib, pyarrow) happen inside the commands so that `--help` is fast.
"""

from __future__ import annotations

import contextlib
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from ._cli_common import RichTable, _catalog, _err, _Out, _out, _Progress, _Quick, typer
from ._cli_store import store_app

if TYPE_CHECKING:
    from .experiments import CheckResult, Experiment
    from .report import ReportExperiment, ReportSection

app = typer.Typer(
    name="kernelrich",
    help="Reproduce the figures and check the theorems of the kernel / rich regime papers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _main() -> None:
    """Reproduce the figures and check the theorems of the kernel / rich regime papers.

    Compiled programs are kept in JAX's persistent compilation cache (~/.cache/kernelrich/jax;
    KERNELRICH_CACHE_DIR=DIR moves it, KERNELRICH_CACHE_DIR=off turns it off).
    """
    import os
    import sys

    from ._cache import enable_compilation_cache

    # equinox's runtime checks (inside every diffrax solve) are host callbacks by default, and
    # JAX's persistent cache does not store a program with a host callback: the ODE programs
    # would compile again on every run. With EQX_ON_ERROR=nan they are not callbacks (a failed
    # check gives NaN, which every solver result kernelrich reports is checked for). Only
    # before equinox is imported, and only if the user has not chosen.
    if "equinox" not in sys.modules:
        os.environ.setdefault("EQX_ON_ERROR", "nan")
    enable_compilation_cache()

def _paper_title(key: str) -> str:
    return getattr(_catalog(), "PAPERS", {}).get(key, key)


def _select(names: list[str] | None) -> list[Experiment]:
    """The named experiments in the given order (all when `names` is empty); exit 2 if unknown."""
    known = _catalog().experiments()
    if not names:
        return list(known.values())
    unknown = [n for n in names if n not in known]
    if unknown:
        valid = ", ".join(known) or "(none)"
        _err().print(f"[red]Unknown experiment(s): {', '.join(unknown)}.[/] Valid names: {valid}")
        raise typer.Exit(2)
    return [known[n] for n in dict.fromkeys(names)]


def _count_points(exp: Experiment, quick: bool) -> str:
    try:
        return str(len(exp.points(quick)))
    except Exception as e:
        return f"error: {type(e).__name__}"


@app.command("list")
def list_experiments() -> None:
    """List the experiments: name, paper, title, claim and grid sizes."""
    table = RichTable(title="kernelrich experiments", show_lines=True)
    for column in ("name", "paper", "title", "claim", "quick", "full", "full run (2 cores)"):
        table.add_column(column, overflow="fold")
    for exp in _catalog().experiments().values():
        quick, full = _count_points(exp, True), _count_points(exp, False)
        table.add_row(exp.name, exp.paper, exp.title, exp.claim, quick, full, exp.full_time)
    _out().print(table)


def _run_one(
    exp: Experiment, quick: bool, out: Path, progress: bool, executor: Any = None
) -> ReportExperiment:
    """Run `exp`, write its tidy table (CSV, Parquet) and figures under `out/report`."""
    from .experiments import Store, StoreError, run_experiment
    from .report import ReportExperiment

    start = time.perf_counter()
    store = Store(out / ".kernelrich" / "store")
    try:
        summary = run_experiment(
            exp, quick=quick, store=store, executor=executor, progress=progress
        )
    except StoreError as e:
        _err().print(f"[red]Store error:[/] {e}", soft_wrap=True)
        raise typer.Exit(3) from e
    summary.table.to_csv(out / "report" / "tables" / f"{exp.name}.csv")
    summary.table.to_parquet(out / "report" / "tables" / f"{exp.name}.parquet")
    failures = [f"point {config}: {error}" for config, error in summary.failed]
    figures = _guarded(failures, "plot", _plot, exp, summary.table, out, quick) or []
    tables = _guarded(failures, "tables", exp.tables, summary.table, quick) if exp.tables else []
    setup = _guarded(failures, "setup", exp.setup, quick) if exp.setup else []
    _print_run(exp, summary, failures)
    return ReportExperiment(
        title=exp.title,
        claim=exp.claim,
        figures=list(figures),
        tables=list(tables or []),
        wall_time_s=time.perf_counter() - start,
        n_points=summary.computed + summary.skipped + len(summary.failed),
        n_failed=len(summary.failed),
        failures=failures,
        name=exp.name,
        setup=list(setup or []),
    )


def _plot(exp: Experiment, table: Any, out: Path, quick: bool) -> list:
    if exp.plot is None:
        return []
    from .plotting import paper_style

    with paper_style():
        return exp.plot(table, out / "report" / "figures" / exp.name, quick)


def _guarded(failures: list[str], what: str, fn, *args) -> Any:
    """`fn(*args)`, or `None` with the error appended to `failures` if it raises."""
    try:
        return fn(*args)
    except Exception as e:
        failures.append(f"{what} raised {type(e).__name__}: {e}")
        return None


def _print_run(exp: Experiment, summary: Any, failures: list[str]) -> None:
    status = "[red]FAILED[/]" if failures else "[green]ok[/]"
    _out().print(
        f"{status} [bold]{exp.name}[/]: {summary.computed} computed, {summary.skipped} skipped, "
        f"{len(summary.failed)} failed ({summary.wall_time_s:.1f} s)"
    )
    for failure in failures:
        _out().print(f"  {failure}", style="red", markup=False, soft_wrap=True)


class ExecutorKind(StrEnum):
    serial = "serial"
    process = "process"
    dask = "dask"


def _executor(kind: ExecutorKind, workers: int | None, scheduler: str | None,
              cluster: Path | None, chunk_size: int) -> Any:
    """The executor of `kernelrich run`; exit 2 on inconsistent options."""
    from .experiments import DaskExecutor, ProcessExecutor, SerialExecutor

    if (scheduler or cluster) and kind is not ExecutorKind.dask:
        _err().print("[red]--scheduler and --cluster need --executor dask[/]")
        raise typer.Exit(2)
    try:
        if kind is ExecutorKind.process:
            return ProcessExecutor(workers, chunk_size=chunk_size)
        if kind is ExecutorKind.dask:
            return DaskExecutor(
                workers, scheduler=scheduler, cluster=cluster, chunk_size=chunk_size
            )
        if chunk_size != 1 or workers not in (None, 1):
            raise ValueError("--workers and --chunk-size need --executor process or dask")
        return SerialExecutor()
    except ValueError as e:
        _err().print(f"[red]{e}[/]", markup=False)
        raise typer.Exit(2) from e


@app.command()
def run(
    names: Annotated[list[str], typer.Argument(help="Experiment names (see `kernelrich list`).")],
    quick: _Quick = True,
    out: _Out = Path("."),
    progress: _Progress = True,
    executor: Annotated[
        ExecutorKind, typer.Option(help="Where points run: this process, a local spawn pool, Dask.")
    ] = ExecutorKind.serial,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (process, Dask local/SLURM).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler (tcp://host:8786).")
    ] = None,
    cluster: Annotated[
        Path | None, typer.Option(help="YAML file of dask-jobqueue SLURMCluster arguments.")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Points per task (batched with vmap when supported).")
    ] = 1,
) -> None:
    """Run the named experiments; write tables and figures under OUT/report. Exit 1 on failures.

    Exit 3 if the store (OUT/.kernelrich/store) cannot be written, before any point runs.
    """
    experiments = _select(names)
    ex = _executor(executor, workers, scheduler, cluster, chunk_size)
    with ex if hasattr(ex, "__enter__") else contextlib.nullcontext(ex):  # one cluster for all
        results = [_run_one(exp, quick, out, progress, ex) for exp in experiments]
    if any(r.failures for r in results):
        raise typer.Exit(1)


def _print_checks(results: list[CheckResult]) -> None:
    table = RichTable(title="Theorem checks")
    columns = ("theorem", "instance", "quantity", "measured error", "tolerance",
               "counterexamples failed", "verdict")
    for column in columns:
        table.add_column(column, overflow="fold")
    for r in results:
        verdict = "[green]PASS[/]" if r.passed else "[red]FAIL[/]"
        refuted = f"{sum(c.failed for c in r.counterexamples)}/{len(r.counterexamples)}"
        table.add_row(r.theorem, r.instance, r.quantity, f"{r.error:.3e}", f"{r.tolerance:.3e}",
                      refuted, verdict)
    _out().print(table)
    for r in results:
        if not r.passed and r.detail:
            _out().print(f"FAIL {r.theorem} ({r.instance}): {r.detail}", markup=False)
    passed = sum(r.passed for r in results)
    _out().print(f"{passed}/{len(results)} checks passed")


@app.command()
def check(
    paper: Annotated[str | None, typer.Option(help="Only the checks of this paper key.")] = None,
    progress: _Progress = True,
) -> None:
    """Run the theorem checks and print their verdicts. Exit 1 if any fails."""
    from .experiments import run_checks

    checks = _catalog().checks()
    if paper is not None:
        papers = list(dict.fromkeys(c.paper for c in checks))
        checks = [c for c in checks if c.paper == paper]
        if not checks:
            _err().print(f"[red]No checks for paper {paper!r}.[/] Papers: {', '.join(papers)}")
            raise typer.Exit(2)
    results = run_checks(checks, progress=progress)
    _print_checks(results)
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def _sections(
    experiments: list[Experiment], results: list[ReportExperiment], checks: list[CheckResult]
) -> list[ReportSection]:
    """One section per paper key: the catalog's PAPERS order, then order of appearance."""
    from .report import ReportSection

    keys = [e.paper for e in experiments] + [c.paper for c in checks]
    papers = list(getattr(_catalog(), "PAPERS", {}))
    ordered = [k for k in papers if k in keys] + list(dict.fromkeys(keys))
    return [
        ReportSection(
            paper_key=key,
            paper_title=_paper_title(key),
            experiments=[r for e, r in zip(experiments, results, strict=True) if e.paper == key],
        )
        for key in dict.fromkeys(ordered)
    ]


@app.command()
def reproduce(
    quick: _Quick = True,
    out: _Out = Path("."),
    only: Annotated[
        list[str] | None, typer.Option(help="Only this experiment (repeatable).")
    ] = None,
    progress: _Progress = True,
) -> None:
    """Run every experiment and check; write OUT/report/index.html. Exit 1 on any failure."""
    from .experiments import collect_provenance, run_checks
    from .report import write_report

    start = time.perf_counter()
    experiments = _select(only)
    results = [_run_one(exp, quick, out, progress) for exp in experiments]
    checks_start = time.perf_counter()
    checks = run_checks(_catalog().checks(), progress=progress)
    checks_wall = time.perf_counter() - checks_start
    _print_checks(checks)
    wall = time.perf_counter() - start
    provenance = {"mode": "quick" if quick else "full", "total wall time (s)": round(wall, 2),
                  "checks wall time (s)": round(checks_wall, 2)}
    path = write_report(
        out / "report" / "index.html",
        _sections(experiments, results, checks),
        checks,
        provenance | collect_provenance(),
    )
    _out().print(f"Report: {path.resolve()}  (total wall time {wall:.1f} s)", soft_wrap=True)
    if any(r.failures for r in results) or not all(c.passed for c in checks):
        raise typer.Exit(1)


app.add_typer(store_app, name="store")


if __name__ == "__main__":  # python -m kernelrich.cli
    app()
