"""`kernelrich store`: list, verify and garbage-collect the result store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from ._cli_common import RichTable, _catalog, _Out, _out, typer

store_app = typer.Typer(help="Inspect and maintain the result store (OUT/.kernelrich/store).",
                        no_args_is_help=True)
def _store(out: Path):
    from .experiments import Store

    return Store(out / ".kernelrich" / "store")


def _schemas() -> dict[str, int]:
    return {name: exp.schema for name, exp in _catalog().experiments().items()}


@store_app.command("list")
def store_list(out: _Out = Path(".")) -> None:
    """Count the records per experiment, schema version and status."""
    schemas = _schemas()
    table = RichTable(title=f"store {_store(out).root}")
    for column in ("experiment", "schema", "current schema", "status", "records"):
        table.add_column(column)
    for row in _store(out).summary():
        current = schemas.get(row["experiment"])
        table.add_row(row["experiment"], str(row["schema"]), str(current), row["status"],
                      str(row["n"]))
    _out().print(table)


@store_app.command("verify")
def store_verify(out: _Out = Path(".")) -> None:
    """Check every record (parses, key = hash of experiment+schema+config, current schema).

    Exit 1 if a record is corrupt or misnamed; stale schemas and temp files are only reported.
    """
    issues = _store(out).verify(_schemas())
    for issue in issues:
        _out().print(f"{issue.kind:11s} {issue.path}: {issue.detail}", markup=False,
                     soft_wrap=True)
    bad = [i for i in issues if i.kind not in ("stale", "temp")]
    n = sum(1 for _ in _store(out).root.glob("*/*.json")) if _store(out).root.is_dir() else 0
    _out().print(f"{n} record files, {len(bad)} corrupt, {len(issues) - len(bad)} notes")
    if bad:
        raise typer.Exit(1)


@store_app.command("gc")
def store_gc(
    out: _Out = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List, do not delete.")] = False,
) -> None:
    """Delete the records of older schema versions than the catalog's experiments."""
    removed = _store(out).gc(_schemas(), dry_run=dry_run)
    for path in removed:
        _out().print(str(path), markup=False, soft_wrap=True)
    verb = "would remove" if dry_run else "removed"
    _out().print(f"{verb} {len(removed)} records of older schema versions")
