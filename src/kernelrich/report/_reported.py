"""The "paper reports / we measure" table: each entry of a paper's `REPORTED` list resolved
against this run's tables and check results."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..experiments import CheckResult
from ._model import ReportExperiment
from ._text import anchor

_MAX_VALUES = 8
_KEYS = {"quantity", "paper", "check", "instance", "experiment", "table", "column", "where",
         "by", "note"}


@dataclass(frozen=True)
class Measured:
    """One resolved row: what we measure for one reported quantity.

    **Arguments:**

    - `quantity`, `paper`, `note`: copied from the entry.
    - `measured`: our value(s) as text (empty when this run did not produce them).
    - `source`: where the value comes from (experiment name or check), as text.
    - `anchor`: the report anchor of that experiment, or `""`.
    - `passed`: the checks' joint verdict (`None` for a table value).
    - `problem`: why a source that ran gave no value (a renamed column, no matching row...).
    """

    quantity: str
    paper: str
    measured: str
    source: str
    anchor: str = ""
    passed: bool | None = None
    note: str = ""
    problem: str = ""


def validate_reported(entries: Sequence[Mapping[str, Any]]) -> None:
    """Raise `ValueError` (naming the entry and key) unless `entries` is a valid `REPORTED`.

    Each entry is a dict with `quantity` (the paper's quantity) and `paper` (the paper's value
    as text, with where it is in the paper), an optional `note`, and one source of our value:

    - `check` (a `CheckResult.theorem`), optionally `instance`: the measured errors of those
      checks, with their joint verdict; or
    - `experiment` (an experiment name) and `column` (a column of one of its report tables),
      optionally `table` (the table title's start), `where` (a dict column -> value that
      selects rows) and `by` (a column, or list of columns, whose values label each measured
      value; identical labelled values are shown once).
    """
    for i, entry in enumerate(entries):
        name = f"REPORTED[{i}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{name} must be a dict, got {entry!r}")
        unknown = set(entry) - _KEYS
        if unknown:
            raise ValueError(f"{name} has unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
        for key in ("quantity", "paper"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ValueError(f"{name}[{key!r}] must be a non-empty string, got "
                                 f"{entry.get(key)!r}")
        has_check, has_table = "check" in entry, "experiment" in entry
        if has_check == has_table:
            raise ValueError(f"{name} must name exactly one of 'check' or 'experiment', got "
                             f"{sorted(entry)}")
        if has_table and not isinstance(entry.get("column"), str):
            raise ValueError(f"{name}['column'] must name a table column, got "
                             f"{entry.get('column')!r}")
        if "where" in entry and not isinstance(entry["where"], Mapping):
            raise ValueError(f"{name}['where'] must be a dict, got {entry['where']!r}")
        for key in ("check", "instance", "experiment", "table", "note"):
            if key in entry and not isinstance(entry[key], str):
                raise ValueError(f"{name}[{key!r}] must be a string, got {entry[key]!r}")
        by = entry.get("by", [])
        if not (isinstance(by, str) or (isinstance(by, list | tuple)
                                        and all(isinstance(b, str) for b in by))):
            raise ValueError(f"{name}['by'] must be a column name or a list of them, got {by!r}")


def resolve_reported(
    entries: Sequence[Mapping[str, Any]],
    experiments: Sequence[ReportExperiment],
    checks: Sequence[CheckResult],
) -> list[Measured]:
    """Our measurement for each entry (see `validate_reported`), from this run's experiments'
    tables and the paper's check results; a missing source gives an empty `measured`."""
    validate_reported(entries)
    rows = []
    for entry in entries:
        if "check" in entry:
            rows.append(_from_checks(entry, checks))
        else:
            rows.append(_from_table(entry, experiments))
    return rows


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if math.isfinite(value) and value != 0 else str(value)
    return str(value)


def _from_checks(entry: Mapping[str, Any], checks: Sequence[CheckResult]) -> Measured:
    found = [c for c in checks if c.theorem == entry["check"]
             and ("instance" not in entry or c.instance == entry["instance"])]
    source = entry["check"] + (f" ({entry['instance']})" if "instance" in entry else "")
    values = [f"{c.quantity} = {c.error:.2e} (tol {c.tolerance:.1e})"
              + ("" if len(found) == 1 else f" [{c.instance}]") for c in found[:_MAX_VALUES]]
    if len(found) > _MAX_VALUES:
        values.append(f"... {len(found) - _MAX_VALUES} more")
    passed = all(c.passed for c in found) if found else None
    return Measured(entry["quantity"], entry["paper"], "; ".join(values), "check " + source,
                    passed=passed, note=entry.get("note", ""))


def _by(entry: Mapping[str, Any]) -> list[str]:
    by = entry.get("by", [])
    return [by] if isinstance(by, str) else list(by)


def _from_table(entry: Mapping[str, Any], experiments: Sequence[ReportExperiment]) -> Measured:
    name, column = entry["experiment"], entry["column"]
    exp = next((e for e in experiments if e.name == name), None)
    values: list[str] = []
    for title, rows in exp.tables if exp is not None else []:
        if "table" in entry and not title.startswith(entry["table"]):
            continue
        for row in rows:
            if column in row and all(row.get(k) == v for k, v in entry.get("where", {}).items()):
                label = ", ".join(f"{b}={_number(row.get(b))}" for b in _by(entry))
                values.append((f"{label}: " if label else "") + _number(row[column]))
    values = list(dict.fromkeys(values))  # a per-group value repeated on each row, once
    if len(values) > _MAX_VALUES:
        values = values[:_MAX_VALUES] + [f"... {len(values) - _MAX_VALUES} more"]
    problem = ""
    if exp is not None and not values and not exp.failures:
        problem = f"no row of {name}'s tables has column {column!r} (and the 'where' values)"
    return Measured(entry["quantity"], entry["paper"], "; ".join(values),
                    f"{name}: {column}", anchor("exp", name) if exp is not None else "",
                    note=entry.get("note", ""), problem=problem)
